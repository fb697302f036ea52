import { chartDefaults, helmRelease, unknownReleaseKeys } from "../support/chart-values";
import { stackJsonFromDir, synthReferenceApp } from "../support/reference-app";

/** The reference platform's observability: one kube-prometheus-stack per environment, in the addons stack. */
describe("reference stacks: observability", () => {
  const { outdir, stacks } = synthReferenceApp();
  const grafana = chartDefaults("grafana", "12.11.1");
  const subcharts = {
    grafana,
    "kube-state-metrics": chartDefaults("kube-state-metrics", "8.4.0"),
    "prometheus-node-exporter": chartDefaults("prometheus-node-exporter", "4.56.1"),
  };

  for (const { environment, addons, infra } of stacks) {
    test(`${addons.node.id} runs kube-prometheus-stack with valid values, sized for its tier`, () => {
      const release = helmRelease(stackJsonFromDir(outdir, addons.node.id), "kube-prometheus-stack");
      expect(unknownReleaseKeys(release, { subcharts, documented: { "grafana.persistence.storageClassName": "grafana values.yaml comment" } })).toEqual([]);
      const retention = environment.byTier({ development: "7d", staging: "15d", production: "30d" });
      expect((release.values as any).prometheus.prometheusSpec.retention).toBe(retention);
    });

    test(`${addons.node.id} creates the StorageClass its volumes claim before installing the monitoring stack`, () => {
      const json = stackJsonFromDir(outdir, addons.node.id);
      const [scName, sc] = Object.entries(json.resource.kubernetes_storage_class_v1)[0] as [string, any];
      const release = helmRelease(json, "kube-prometheus-stack");
      expect((release.values as any).prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBe(sc.metadata.name);
      expect(release.resource.depends_on).toContain(`kubernetes_storage_class_v1.${scName}`);
    });

    test(`${addons.node.id} pages only in production; staging and production have a dead man's switch`, () => {
      const release = helmRelease(stackJsonFromDir(outdir, addons.node.id), "kube-prometheus-stack");
      const receivers = (release.values as any).alertmanager.config.receivers.map((r: any) => r.name);
      expect(receivers).toEqual(
        environment.isProduction ? ["null", "pagerduty", "slack", "heartbeat"] : environment.tier === "staging" ? ["null", "slack", "heartbeat"] : ["null", "slack"],
      );
    });

    test(`${infra.node.id} holds the observability secrets without a value`, () => {
      const json = stackJsonFromDir(outdir, infra.node.id);
      const names = Object.values(json.resource.aws_secretsmanager_secret).map((s: any) => s.name);
      expect(names).toEqual(expect.arrayContaining([`${environment.prefix}/observability/alertmanager`, `${environment.prefix}/observability/grafana-admin`]));
      expect(json.resource.aws_secretsmanager_secret_version).toBeUndefined();
    });
  }
});
