import { AlertReceiver } from "../../../lib";
import { chartDefaults, helmRelease, unknownReleaseKeys } from "../../support/chart-values";
import { errorOf, synthJson } from "../../support/synth";
import { observabilityFixture } from "./fixture";

const grafana = chartDefaults("grafana", "12.11.1");
const kubeStateMetrics = chartDefaults("kube-state-metrics", "8.4.0");
const nodeExporter = chartDefaults("prometheus-node-exporter", "4.56.1");
const KEY_CHECK = {
  subcharts: { grafana, "kube-state-metrics": kubeStateMetrics, "prometheus-node-exporter": nodeExporter },
  documented: { "grafana.persistence.storageClassName": "grafana 12.11.1 values.yaml: `# storageClassName: default` under persistence" },
};

function release(overrides = {}, props = {}) {
  const f = observabilityFixture(overrides, props);
  const json = synthJson(f.addons);
  return { f, json, release: helmRelease(json, "kube-prometheus-stack") };
}

describe("Observability: kube-prometheus-stack release", () => {
  test("every values key exists in the pinned chart (and its Grafana subchart)", () => {
    expect(unknownReleaseKeys(release().release, KEY_CHECK)).toEqual([]);
  });

  test("the release is pinned and waits for the External Secrets Operator", () => {
    const { json, release: r } = release();
    expect([r.chart, r.version, r.namespace]).toEqual(["kube-prometheus-stack", "88.5.3", "monitoring"]);
    const eso = Object.keys(json.resource.helm_release).find((k) => json.resource.helm_release[k].chart === "external-secrets");
    const ns = Object.keys(json.resource.kubernetes_namespace_v1).find((k) => json.resource.kubernetes_namespace_v1[k].metadata.name === "monitoring");
    expect(json.resource.kubernetes_namespace_v1[ns!].metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(r.resource.depends_on).toEqual([`kubernetes_namespace_v1.${ns}`, `helm_release.${eso}`]);
  });

  test("Prometheus selects rules and monitors in every namespace, whatever their labels", () => {
    const spec = (release().release.values as any).prometheus.prometheusSpec;
    for (const kind of ["rule", "serviceMonitor", "podMonitor", "probe"]) {
      expect(spec[`${kind}SelectorNilUsesHelmValues`]).toBe(false);
      expect(spec[`${kind}Selector`]).toEqual({});
      expect(spec[`${kind}NamespaceSelector`]).toEqual({});
    }
  });

  test("Prometheus keeps its data on encrypted gp3, sized by tier", () => {
    const spec = (release({ tier: "production" }).release.values as any).prometheus.prometheusSpec;
    expect(spec.retention).toBe("30d");
    expect(spec.retentionSize).toBe("85GB");
    expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: "gp3-encrypted",
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "100Gi" } },
    });
    expect(spec.replicas).toBe(2);
    expect(spec.resources).toEqual({ requests: { cpu: "500m", memory: "8Gi" } });
  });

  test("its props override the tier defaults", () => {
    const values = release({}, { prometheusRetentionDays: 3, prometheusStorageGiB: 40, grafanaStorageGiB: 5 }).release.values as any;
    expect(values.prometheus.prometheusSpec.retention).toBe("3d");
    expect(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("40Gi");
    expect(values.grafana.persistence.size).toBe("5Gi");
  });
});

describe("Observability: Alertmanager", () => {
  test("receivers read their credentials from the mounted secret, never from the values", () => {
    const { json, release: r } = release();
    const values = r.values as any;
    expect(values.alertmanager.alertmanagerSpec.secrets).toEqual(["alertmanager-receivers"]);
    expect(values.alertmanager.config.receivers).toEqual([
      { name: "null" },
      { name: "pagerduty", pagerduty_configs: [{ routing_key_file: "/etc/alertmanager/secrets/alertmanager-receivers/pagerduty", send_resolved: true }] },
      { name: "slack", slack_configs: [{ api_url_file: "/etc/alertmanager/secrets/alertmanager-receivers/slack", channel: "#ml-alerts", send_resolved: true }] },
    ]);
    expect(JSON.stringify(json)).not.toMatch(/hooks\.slack\.com|"api_url"|"routing_key"|"service_key"/);
  });

  test("alerts are routed by severity: critical pages, critical and warning post", () => {
    const routes = (release().release.values as any).alertmanager.config.route.routes;
    expect(routes).toEqual([
      { receiver: "null", matchers: ['alertname = "Watchdog"'] },
      { receiver: "pagerduty", matchers: ['severity =~ "critical"'], continue: true },
      { receiver: "slack", matchers: ['severity =~ "critical|warning"'], continue: true },
    ]);
  });

  test("the receivers' secret is synced by External Secrets as the alertmanager sync service account", () => {
    const { release: r } = release();
    const manifests = (r.values as any).extraManifests as any[];
    const es = manifests.find((m) => m.kind === "ExternalSecret" && m.metadata.name === "alertmanager-receivers");
    expect(es.spec.target.name).toBe("alertmanager-receivers");
    expect(es.spec.data).toEqual([
      { secretKey: "pagerduty", remoteRef: { key: "ml-test/observability/alertmanager", property: "pagerduty" } },
      { secretKey: "slack", remoteRef: { key: "ml-test/observability/alertmanager", property: "slack" } },
    ]);
    const store = manifests.find((m) => m.kind === "SecretStore" && m.metadata.name === es.spec.secretStoreRef.name);
    expect(store.spec.provider.aws.auth.jwt.serviceAccountRef.name).toBe("alertmanager-secret-sync");
    const sa = manifests.find((m) => m.kind === "ServiceAccount" && m.metadata.name === "alertmanager-secret-sync");
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^\$\{aws_iam_role\..*alertmanager-reader.*\.arn\}$/);
  });

  test("without receivers nothing is synced or mounted for Alertmanager", () => {
    const values = release({}, { receivers: [] }).release.values as any;
    expect(values.alertmanager.alertmanagerSpec.secrets).toEqual([]);
    expect(values.extraManifests.filter((m: any) => m.metadata.name.startsWith("alertmanager"))).toEqual([]);
    expect(values.alertmanager.config.receivers).toEqual([{ name: "null" }]);
  });
});

describe("Observability: Grafana", () => {
  test("the admin login comes from the synced secret; no password is set in values", () => {
    const values = release().release.values as any;
    expect(values.grafana.admin).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
    expect(values.grafana.adminPassword).toBeUndefined();
    const es = values.extraManifests.find((m: any) => m.kind === "ExternalSecret" && m.metadata.name === "grafana-admin");
    expect(es.spec.data.map((d: any) => d.remoteRef)).toEqual([
      { key: "ml-test/observability/grafana-admin", property: "admin-user" },
      { key: "ml-test/observability/grafana-admin", property: "admin-password" },
    ]);
    expect(JSON.stringify(values)).not.toContain("prom-operator");
  });

  test("Grafana persists to encrypted gp3 and loads dashboards from every namespace", () => {
    const values = release().release.values as any;
    expect(values.grafana.persistence).toEqual({ enabled: true, type: "pvc", storageClassName: "gp3-encrypted", size: "10Gi" });
    expect(values.grafana.deploymentStrategy).toEqual({ type: "Recreate" });
    expect(values.grafana.sidecar.dashboards).toEqual({ enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL" });
  });

  test("the DCGM GPU dashboard is provisioned with utilisation, memory, temperature and power", () => {
    const { json } = release();
    const cm = Object.values(json.resource.kubernetes_config_map_v1 as Record<string, any>).find((r) => r.metadata.name === "ml-platform-dcgm-gpus");
    expect(cm.metadata).toMatchObject({ namespace: "monitoring", labels: { grafana_dashboard: "1" } });
    const dashboard = JSON.parse(cm.data["ml-platform-dcgm-gpus.json"]);
    const exprs = dashboard.panels.map((p: any) => p.targets.map((t: any) => t.expr).join(" "));
    expect(dashboard.panels.map((p: any) => p.title)).toEqual(["GPU utilisation", "GPU memory used", "GPU temperature", "GPU power draw"]);
    ["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE"].forEach((metric, i) => expect(exprs[i]).toContain(metric));
  });
});

describe("Observability: bad input", () => {
  test("two receivers with the same name", () => {
    expect(errorOf(() => observabilityFixture({}, { receivers: [AlertReceiver.slack({ channel: "#a" }), AlertReceiver.slack({ channel: "#b" })] }))).toBe(
      'test-addons/observability: receivers[].name is "slack"; must be unique: each receiver has its own credential in the Alertmanager secret',
    );
  });

  test("a retention of zero days", () => {
    expect(errorOf(() => observabilityFixture({}, { prometheusRetentionDays: 0 }))).toBe(
      "test-addons/observability: prometheusRetentionDays is 0; must be a whole number of days >= 1",
    );
  });
});
