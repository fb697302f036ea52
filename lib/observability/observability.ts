import { Construct } from "constructs";
import { ClusterBaseline } from "../kubernetes/cluster-baseline";
import { Environment } from "../core/environment";
import { Validator } from "../core/errors";
import { CHARTS } from "../kubernetes/charts";
import { ExternalSecretsOperator, externalSecretObject, secretStoreObject } from "../kubernetes/external-secrets";
import { HelmChart } from "../kubernetes/helm-chart";
import { ENCRYPTED_GP3_STORAGE_CLASS } from "../kubernetes/kubernetes";
import { ALLOW, NamespaceNetworkPolicies, SERVER_PODS, SERVER_PORTS } from "../kubernetes/network-policy";
import { AlertReceiver, alertmanagerRouting } from "./alert-receiver";
import { GRAFANA_DASHBOARD_LABEL, GrafanaDashboard } from "./dashboard";
import { IObservabilitySecrets, SecretSyncSource } from "./observability-secrets";
import { IRSA_ROLE_ANNOTATION } from "../iam/service-account-role";
import { DCGM_DASHBOARD } from "./private/dcgm-dashboard";
import { Shape, checkShape } from "../core/shape";
import { DNS_LABEL, cpuCores, memoryBytes } from "../core/validators";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { PodRequests, WorkloadKind, WorkloadOptions } from "../gpu-cluster/cluster-capacity";

export interface ObservabilityProps {
  /** The infrastructure half (InfraStack): the secrets and the roles that may read them. */
  readonly secrets: IObservabilitySecrets;
  /** The operator whose CRDs the secret-syncing manifests need; the release waits for it. */
  readonly externalSecrets: ExternalSecretsOperator;
  /**
   * The cluster baseline whose encrypted gp3 StorageClass the Prometheus, Alertmanager and
   * Grafana volumes claim; the release waits for it.
   * @default - the StorageClass must already exist in the cluster
   */
  readonly baseline?: ClusterBaseline;
  /** Where alerts go, by severity. @default - none: alerts show in Alertmanager and Grafana but notify nobody */
  readonly receivers?: readonly AlertReceiver[];
  /** @default - 7 in development, 15 in staging, 30 in production */
  readonly prometheusRetentionDays?: number;
  /** @default - 20 in development, 50 in staging, 100 in production */
  readonly prometheusStorageGiB?: number;
  /** @default 10 */
  readonly grafanaStorageGiB?: number;
}

/** Kubernetes Secret that Alertmanager mounts (one file per receiver credential). */
export const ALERTMANAGER_SECRET = "alertmanager-receivers";
/** Kubernetes Secret holding Grafana's admin login. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";

/**
 * The query URL of the in-cluster Prometheus in `namespace`: the Service kube-prometheus-stack
 * 88.5.3 creates for it (templates/prometheus/service.yaml: `<fullname>-prometheus`, port 9090;
 * the release is named after the chart, so the fullname is `kube-prometheus-stack`).
 */
export function inClusterPrometheusUrl(namespace = "monitoring"): string {
  return `http://kube-prometheus-stack-prometheus.${namespace}.svc:9090`;
}

/** The in-cluster Prometheus of Observability with its default namespace. */
export const IN_CLUSTER_PROMETHEUS_URL = inClusterPrometheusUrl();

const SEVERITIES = ["critical", "warning", "info"];

/**
 * Prometheus, Alertmanager and Grafana for one environment (kube-prometheus-stack), in
 * the addons stack so that its CRDs exist before the platform stack declares
 * ServiceMonitors and PrometheusRules.
 *
 * - Prometheus selects rules, ServiceMonitors, PodMonitors and Probes in every namespace,
 *   whatever their labels, and keeps its TSDB on an encrypted gp3 volume sized per environment.
 * - Alertmanager routes by severity to the receivers given; their credentials come from
 *   Secrets Manager through External Secrets and are read from files (`api_url_file`,
 *   `routing_key_file`), never rendered into the configuration.
 * - Grafana's admin login comes from a secret (the chart's default password is never used);
 *   dashboards are provisioned from ConfigMaps labelled `grafana_dashboard: "1"` in any
 *   namespace, the DCGM GPU dashboard among them.
 */
export class Observability extends Construct {
  public readonly namespace: string;
  /** Prometheus's query URL inside the cluster (KEDA triggers, rollout analysis). */
  public readonly prometheusUrl: string;
  public readonly chart: HelmChart;
  public readonly gpuDashboard: GrafanaDashboard;
  public readonly networkPolicies: NamespaceNetworkPolicies;
  public readonly receivers: readonly AlertReceiver[];
  public readonly prometheusRetentionDays: number;
  public readonly prometheusStorageGiB: number;
  public readonly grafanaStorageGiB: number;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      secrets: Shape.like("ObservabilitySecrets (or ObservabilitySecrets.fromAttributes(...))", ["namespace", "alertmanager", "grafanaAdmin"]),
      externalSecrets: Shape.like("an ExternalSecretsOperator", ["chart"]),
      baseline: Shape.optional(Shape.like("a ClusterBaseline", ["storageClass"])),
      receivers: Shape.optional(Shape.array(Shape.instanceOf(AlertReceiver, "an AlertReceiver (AlertReceiver.slack(...) or AlertReceiver.pagerDuty())"))),
      prometheusRetentionDays: Shape.optional(Shape.number()),
      prometheusStorageGiB: Shape.optional(Shape.number()),
      grafanaStorageGiB: Shape.optional(Shape.number()),
    });
    const env = Environment.of(this);
    this.namespace = props.secrets.namespace;
    this.prometheusUrl = inClusterPrometheusUrl(this.namespace);
    this.receivers = [...(props.receivers ?? [])];
    this.prometheusRetentionDays = props.prometheusRetentionDays ?? env.byTier({ development: 7, staging: 15, production: 30 });
    this.prometheusStorageGiB = props.prometheusStorageGiB ?? env.byTier({ development: 20, staging: 50, production: 100 });
    this.grafanaStorageGiB = props.grafanaStorageGiB ?? 10;

    const v = new Validator(this.node.path);
    v.check(
      Number.isInteger(this.prometheusRetentionDays) && this.prometheusRetentionDays >= 1,
      "prometheusRetentionDays",
      this.prometheusRetentionDays,
      "must be a whole number of days >= 1",
    );
    v.check(Number.isInteger(this.prometheusStorageGiB) && this.prometheusStorageGiB >= 5, "prometheusStorageGiB", this.prometheusStorageGiB, "must be a whole number of GiB >= 5");
    v.check(Number.isInteger(this.grafanaStorageGiB) && this.grafanaStorageGiB >= 1, "grafanaStorageGiB", this.grafanaStorageGiB, "must be a whole number of GiB >= 1");
    const names = new Set<string>();
    for (const r of this.receivers) {
      v.check(DNS_LABEL.test(r.name), "receivers[].name", r.name, "must be lowercase letters, digits or '-' (it is a key of the Alertmanager secret)");
      v.check(!names.has(r.name), "receivers[].name", r.name, "must be unique: each receiver has its own credential in the Alertmanager secret");
      names.add(r.name);
      if (r.kind !== "heartbeat") {
        v.check(
          r.severities.length > 0 && r.severities.every((s) => SEVERITIES.includes(s)),
          `receivers["${r.name}"].severities`,
          r.severities,
          `must list at least one of ${SEVERITIES.join(", ")}`,
        );
      }
      if (r.kind === "slack") v.check(/^[#@]?[^\s]+$/.test(r.channel ?? ""), `receivers["${r.name}"].channel`, r.channel, "must name a Slack channel, e.g. #ml-alerts");
    }
    const heartbeats = this.receivers.filter((r) => r.kind === "heartbeat").map((r) => r.name);
    v.check(heartbeats.length <= 1, "receivers", heartbeats, "must hold at most one heartbeat receiver: Watchdog is routed to one");
    v.throwIfAny();

    const storageClassName = ENCRYPTED_GP3_STORAGE_CLASS;
    const extraManifests: Record<string, unknown>[] = [
      ...this.syncManifests(props.secrets.grafanaAdmin, GRAFANA_ADMIN_SECRET, { "admin-user": "admin-user", "admin-password": "admin-password" }),
    ];
    if (this.receivers.length > 0) {
      extraManifests.push(...this.syncManifests(props.secrets.alertmanager, ALERTMANAGER_SECRET, Object.fromEntries(this.receivers.map((r) => [r.secretKey, r.secretKey]))));
    }
    const allNamespaces = {};
    const replicas = env.byTier({ development: 1, staging: 1, production: 2 });
    const prometheusRequests = { cpu: "500m", memory: env.byTier({ development: "2Gi", staging: "4Gi", production: "8Gi" }) };

    this.chart = new HelmChart(this, "kube-prometheus-stack", {
      chart: CHARTS.kubePrometheusStack,
      namespace: this.namespace,
      createNamespace: true,
      timeoutSeconds: 900,
      dependsOn: [props.externalSecrets.chart.release, ...(props.baseline ? [props.baseline.storageClass] : [])],
      values: {
        prometheus: {
          prometheusSpec: {
            replicas,
            // Requests keep Prometheus from being the first pod evicted under memory pressure.
            resources: { requests: prometheusRequests },
            retention: `${this.prometheusRetentionDays}d`,
            // Prometheus deletes old blocks before the volume fills: a full disk stops ingestion.
            retentionSize: `${Math.floor(this.prometheusStorageGiB * 0.85)}GB`,
            storageSpec: volumeClaim(storageClassName, this.prometheusStorageGiB),
            // Select every rule and monitor in every namespace, not only those carrying this release's label.
            ruleSelectorNilUsesHelmValues: false,
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            probeSelectorNilUsesHelmValues: false,
            ruleSelector: {},
            serviceMonitorSelector: {},
            podMonitorSelector: {},
            probeSelector: {},
            ruleNamespaceSelector: allNamespaces,
            serviceMonitorNamespaceSelector: allNamespaces,
            podMonitorNamespaceSelector: allNamespaces,
            probeNamespaceSelector: allNamespaces,
          },
        },
        alertmanager: {
          enabled: true,
          config: alertmanagerRouting(this.receivers, ALERTMANAGER_SECRET),
          alertmanagerSpec: {
            replicas,
            resources: { requests: { ...REQUESTS.alertmanager } },
            storage: volumeClaim(storageClassName, 2),
            // Mounted at /etc/alertmanager/secrets/<name>/; receivers read their credential from there.
            secrets: this.receivers.length > 0 ? [ALERTMANAGER_SECRET] : [],
          },
        },
        grafana: {
          enabled: true,
          admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
          persistence: { enabled: true, type: "pvc", storageClassName, size: `${this.grafanaStorageGiB}Gi` },
          // A ReadWriteOnce volume cannot be attached to the old and the new pod at once.
          deploymentStrategy: { type: "Recreate" },
          resources: { requests: { ...REQUESTS.grafana } },
          // The chart's init-chown-data container runs as root with CHOWN (grafana 12.11.1
          // values.yaml initChownData), which the namespace's restricted Pod Security level
          // refuses; the pod's fsGroup (472) already gives Grafana its volume.
          initChownData: { enabled: false },
          // The chart's `helm test` pod (never run by Terraform) does not meet the restricted level either.
          testFramework: { enabled: false },
          sidecar: {
            resources: { requests: { ...REQUESTS.grafanaSidecar } },
            dashboards: { enabled: true, label: GRAFANA_DASHBOARD_LABEL.key, labelValue: GRAFANA_DASHBOARD_LABEL.value, searchNamespace: "ALL" },
          },
        },
        // EKS runs the controller-manager, scheduler and etcd outside the cluster: nothing can
        // scrape them. The chart enables their Services, ServiceMonitors and alerts by default
        // (values.yaml kubeControllerManager/kubeScheduler/kubeEtcd.enabled: true), so
        // KubeControllerManagerDown and KubeSchedulerDown would fire forever.
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        // Requests on every pod, so that the scheduler and the capacity model count them.
        prometheusOperator: {
          resources: { requests: { ...REQUESTS.operator } },
          // The operator adds this container to the Prometheus and Alertmanager pods.
          prometheusConfigReloader: { resources: { requests: { ...REQUESTS.configReloader } } },
          admissionWebhooks: { patch: { resources: { requests: { ...REQUESTS.admissionJob } } } },
        },
        "kube-state-metrics": { resources: { requests: { ...REQUESTS.kubeStateMetrics } } },
        // node-exporter needs the host's network, PID namespace and filesystem, which the
        // restricted Pod Security level of the monitoring namespace refuses: it runs in
        // kube-system (EKS's privileged namespace), like the device plugin and DCGM exporter.
        // kube-prometheus-stack 88.5.3 values.yaml prometheus-node-exporter.namespaceOverride.
        "prometheus-node-exporter": { namespaceOverride: "kube-system", resources: { requests: { ...REQUESTS.nodeExporter } } },
        extraManifests,
      },
    });

    // The release is named after the chart (HelmChart without releaseName).
    // (Secrets imported without their cluster: not checked.)
    if (props.secrets.cluster) this.declareWorkloads(props.secrets.cluster, CHARTS.kubePrometheusStack.chart, replicas, prometheusRequests);

    this.gpuDashboard = new GrafanaDashboard(this, "dcgm-dashboard", {
      ...DCGM_DASHBOARD,
      name: "ml-platform-dcgm-gpus",
      namespace: this.namespace,
      dependsOn: [this.chart.release],
    });

    // Prometheus scrapes ServiceMonitor targets in every namespace (pods) and on the nodes and
    // control plane (kubelet, node-exporter on the host network, the API server: VPC addresses);
    // the operator, kube-state-metrics and Grafana's sidecars call the API server (HTTPS in the VPC);
    // Alertmanager alone reaches the internet (Slack, PagerDuty: HTTPS anywhere); the components
    // talk to each other inside the namespace;
    // the API server calls the operator's admission webhook (containerPort 10250, `https`).
    this.networkPolicies = new NamespaceNetworkPolicies(this, "network-policies", {
      namespace: this.namespace,
      dependsOn: [this.chart.release],
      allows: [
        ALLOW.awsApis(env.vpcCidr),
        { ...ALLOW.https(SERVER_PODS.alertmanager), name: "allow-alert-receivers-egress" },
        ...ALLOW.withinNamespace(),
        { name: "allow-prometheus-scrape-egress", direction: "egress", pods: SERVER_PODS.prometheus, peers: [{ namespace: "*" }, { cidr: env.vpcCidr }] },
        ALLOW.webhook(env.vpcCidr, { "app.kubernetes.io/component": "prometheus-operator" }, SERVER_PORTS.webhook),
      ],
    });
  }

  /**
   * The chart's pods in the cluster's capacity model, with the names kube-prometheus-stack
   * 88.5.3 renders for release `release` (the operator names its StatefulSets
   * `prometheus-<name>` and `alertmanager-<name>`). None has a node selector or toleration
   * except node-exporter, which tolerates every NoSchedule taint (chart values
   * prometheus-node-exporter.tolerations) and so runs on GPU nodes too.
   */
  private declareWorkloads(cluster: ITrainingCluster, release: string, replicas: number, prometheusRequests: { cpu: string; memory: string }): void {
    const ns = this.namespace;
    const add = (kind: WorkloadKind, name: string, requests: PodRequests, more: Partial<WorkloadOptions> = {}) =>
      cluster.capacity.addWorkload(this, { kind, namespace: ns, name, requests, ...more });
    add("StatefulSet", `prometheus-${release}-prometheus`, sumRequests(prometheusRequests, REQUESTS.configReloader), { replicas });
    add("StatefulSet", `alertmanager-${release}-alertmanager`, sumRequests(REQUESTS.alertmanager, REQUESTS.configReloader), { replicas });
    // Grafana's pod runs two sidecars with sidecar.resources: dashboards and datasources (which the chart enables).
    add("Deployment", `${release}-grafana`, sumRequests(REQUESTS.grafana, sumRequests(REQUESTS.grafanaSidecar, REQUESTS.grafanaSidecar)));
    add("Deployment", `${release}-operator`, REQUESTS.operator);
    add("Deployment", `${release}-kube-state-metrics`, REQUESTS.kubeStateMetrics);
    add("DaemonSet", `${release}-prometheus-node-exporter`, REQUESTS.nodeExporter, {
      // In kube-system: see the release's prometheus-node-exporter.namespaceOverride.
      namespace: "kube-system",
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ operator: "Exists", effect: "NoSchedule" }],
    });
    // Helm hooks that create and patch the operator's webhook certificate, one after the other.
    add("Job", `${release}-admission-create`, REQUESTS.admissionJob);
    add("Job", `${release}-admission-patch`, REQUESTS.admissionJob);
  }

  /** The service account (with the source's IRSA role), SecretStore and ExternalSecret that sync one secret. */
  private syncManifests(source: SecretSyncSource, targetSecret: string, keys: Record<string, string>): Record<string, unknown>[] {
    const serviceAccount = source.serviceAccount;
    const storeName = `${targetSecret}-store`;
    return [
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: serviceAccount, namespace: this.namespace, annotations: { [IRSA_ROLE_ANNOTATION]: source.roleArn } },
      },
      secretStoreObject(this, { name: storeName, namespace: this.namespace, serviceAccount }),
      externalSecretObject({ name: targetSecret, namespace: this.namespace, storeName, targetSecret, remoteSecret: source.secretName, keys }),
    ];
  }
}

/** Requests of the chart's containers that the environment does not size (Prometheus's memory is per tier). */
const REQUESTS = {
  alertmanager: { cpu: "50m", memory: "128Mi" },
  grafana: { cpu: "100m", memory: "256Mi" },
  /** Each of the two sidecars of the Grafana pod (dashboards, datasources). */
  grafanaSidecar: { cpu: "20m", memory: "96Mi" },
  operator: { cpu: "100m", memory: "128Mi" },
  /** The operator's config-reloader container in the Prometheus and Alertmanager pods. */
  configReloader: { cpu: "10m", memory: "32Mi" },
  admissionJob: { cpu: "10m", memory: "32Mi" },
  kubeStateMetrics: { cpu: "50m", memory: "128Mi" },
  nodeExporter: { cpu: "20m", memory: "32Mi" },
} as const;

/** Requests of a pod of two containers. */
function sumRequests(a: { readonly cpu: string; readonly memory: string }, b: { readonly cpu: string; readonly memory: string }): { cpu: string; memory: string } {
  const cpu = Math.round((cpuCores(a.cpu)! + cpuCores(b.cpu)!) * 1000);
  const memory = (memoryBytes(a.memory)! + memoryBytes(b.memory)!) / 2 ** 20;
  return { cpu: `${cpu}m`, memory: `${memory}Mi` };
}

function volumeClaim(storageClassName: string, gb: number): Record<string, unknown> {
  return {
    volumeClaimTemplate: {
      spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${gb}Gi` } } },
    },
  };
}
