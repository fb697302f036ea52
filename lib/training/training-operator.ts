import { Construct } from "constructs";
import { Environment } from "../core/environment";
import { Validator } from "../core/errors";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { namespaceProblem } from "../core/validators";
import { CHARTS } from "../kubernetes/charts";
import { HelmChart } from "../kubernetes/helm-chart";
import { POOL_LABEL } from "../kubernetes/kubernetes";
import { ALLOW, NamespaceNetworkPolicies, NetworkAllow } from "../kubernetes/network-policy";
import { SYSTEM_POOL_NAME } from "../gpu-cluster/gpu-pool-options";
import { KUEUE, TEAM_NAMESPACE_LABEL } from "./kueue-api";

const TRAINER_MEMORY = "256Mi";
const JOBSET_MEMORY = "128Mi";
/** The chart's own request (kueue 0.19.2 values.yaml controllerManager.manager.resources), stated so the capacity model declares it. */
const KUEUE_MEMORY = "512Mi";

export interface TrainingOperatorProps {
  /** The cluster it runs on: its controllers are declared in the cluster's capacity model. @default - not declared (the capacity check does not count them) */
  readonly cluster?: ITrainingCluster;
  /** Namespace of the Kubeflow Trainer and JobSet controllers. @default "kubeflow-system" */
  readonly trainerNamespace?: string;
  /** Namespace of the Kueue controller. @default "kueue-system" */
  readonly kueueNamespace?: string;
  /**
   * Minutes an admitted workload has to get all its pods running (Kueue `waitForPodsReady.timeout`).
   * A gang that does not start in time (a node never came, an image never pulled) is evicted,
   * releases its quota and is queued again with a backoff, instead of holding half its GPUs.
   * @default 10
   */
  readonly podsReadyTimeoutMinutes?: number;
}

/**
 * The training controllers, for the addons stack (their CRDs must exist before the platform
 * stack plans its ClusterTrainingRuntimes and queues): Kubeflow Trainer v2 with its JobSet
 * subchart, and Kueue configured for TrainJob and JobSet with all-or-nothing admission
 * (`waitForPodsReady`). The queues, flavors and runtimes are `DistributedTraining`'s, in the
 * platform stack.
 */
export class TrainingOperator extends Construct {
  public readonly trainer: HelmChart;
  public readonly kueue: HelmChart;
  public readonly trainerNamespace: string;
  public readonly kueueNamespace: string;
  public readonly podsReadyTimeoutMinutes: number;
  public readonly trainerNetworkPolicies: NamespaceNetworkPolicies;
  public readonly kueueNetworkPolicies: NamespaceNetworkPolicies;
  /** The Kueue Configuration the controller runs with (`managerConfig.controllerManagerConfigYaml`). */
  public readonly kueueConfig: Readonly<Record<string, unknown>>;

  constructor(scope: Construct, id: string, props: TrainingOperatorProps = {}) {
    super(scope, id);
    checkShape(this.node.path, props, {
      cluster: Shape.optional(LibraryShapes.cluster),
      trainerNamespace: Shape.optional(Shape.string()),
      kueueNamespace: Shape.optional(Shape.string()),
      podsReadyTimeoutMinutes: Shape.optional(Shape.number()),
    });
    this.trainerNamespace = props.trainerNamespace ?? "kubeflow-system";
    this.kueueNamespace = props.kueueNamespace ?? "kueue-system";
    this.podsReadyTimeoutMinutes = props.podsReadyTimeoutMinutes ?? 10;
    const v = new Validator(this.node.path);
    for (const field of ["trainerNamespace", "kueueNamespace"] as const) {
      const problem = namespaceProblem(this[field]);
      v.checkProblem(field, this[field], problem);
    }
    v.check(
      this.trainerNamespace !== this.kueueNamespace,
      "kueueNamespace",
      this.kueueNamespace,
      "must differ from trainerNamespace (each controller's NetworkPolicies own their namespace)",
    );
    v.check(
      Number.isInteger(this.podsReadyTimeoutMinutes) && this.podsReadyTimeoutMinutes >= 1 && this.podsReadyTimeoutMinutes <= 1440,
      "podsReadyTimeoutMinutes",
      this.podsReadyTimeoutMinutes,
      "must be a whole number of minutes from 1 to 1440",
    );
    v.throwIfAny();
    const env = Environment.of(this);
    const vpcCidr = env.vpcCidr;
    // Requests by tier: development's one or two small system nodes also carry monitoring, MLflow and
    // Feast; a handful of queued jobs need a fraction of what the charts ask (Kueue 500m, JobSet 500m).
    const cpu = env.byTier({
      development: { kueue: "100m", controller: "50m" },
      staging: { kueue: "250m", controller: "100m" },
      production: { kueue: "500m", controller: "100m" },
    });
    const systemNodes = { [POOL_LABEL]: SYSTEM_POOL_NAME };

    // ---- Kubeflow Trainer v2 + JobSet (subchart) ----
    this.trainer = new HelmChart(this, "kubeflow-trainer", {
      chart: CHARTS.kubeflowTrainer,
      namespace: this.trainerNamespace,
      createNamespace: true,
      values: {
        manager: {
          nodeSelector: systemNodes,
          // The chart sets no requests: the scheduler and the capacity checks would count it as free.
          resources: { requests: { cpu: cpu.controller, memory: TRAINER_MEMORY }, limits: { memory: "1Gi" } },
        },
        jobset: {
          controller: {
            nodeSelector: systemNodes,
            // The subchart asks 500m CPU and allows 4Gi: one controller of a few dozen JobSets needs far less.
            resources: { requests: { cpu: cpu.controller, memory: JOBSET_MEMORY }, limits: { memory: "1Gi" } },
          },
        },
      },
    });
    // Both controllers serve admission webhooks on 9443 (kubeflow-trainer 2.3.0 values manager.config.webhook.port;
    // jobset 0.12.0 templates/manager/deployment.yaml port `webhook` 9443).
    const trainerPods = { "app.kubernetes.io/instance": "kubeflow-trainer" };
    this.trainerNetworkPolicies = new NamespaceNetworkPolicies(this, "trainer-network-policies", {
      namespace: this.trainerNamespace,
      dependsOn: [this.trainer.release],
      allows: [ALLOW.https(), ALLOW.webhook(vpcCidr, trainerPods, KUEUE.webhookPort)],
    });

    // ---- Kueue ----
    this.kueueConfig = kueueConfiguration(this.podsReadyTimeoutMinutes);
    this.kueue = new HelmChart(this, "kueue", {
      chart: CHARTS.kueue,
      namespace: this.kueueNamespace,
      createNamespace: true,
      values: {
        // The chart's limits (2 CPUs, 512Mi) stay.
        controllerManager: { nodeSelector: systemNodes, manager: { resources: { requests: { cpu: cpu.kueue, memory: KUEUE_MEMORY } } } },
        // JSON is YAML: the chart writes this string into the manager's ConfigMap as it is.
        managerConfig: { controllerManagerConfigYaml: JSON.stringify(this.kueueConfig, null, 2) },
      },
    });
    const kueuePods = { "app.kubernetes.io/name": "kueue", "control-plane": "controller-manager" };
    const visibility: NetworkAllow = {
      name: "allow-visibility-api-from-control-plane",
      direction: "ingress",
      pods: kueuePods,
      peers: [{ cidr: vpcCidr }],
      ports: [{ port: KUEUE.visibilityPort }],
    };
    this.kueueNetworkPolicies = new NamespaceNetworkPolicies(this, "kueue-network-policies", {
      namespace: this.kueueNamespace,
      dependsOn: [this.kueue.release],
      allows: [ALLOW.https(), ALLOW.webhook(vpcCidr, kueuePods, KUEUE.webhookPort), visibility, ALLOW.scrape("allow-metrics-scrape", [{ port: KUEUE.metricsPort }], kueuePods)],
    });

    // The three controllers in the capacity model, as the charts render them: kubeflow-trainer 2.3.0
    // templates/manager/deployment.yaml (`<release>-controller-manager`), its jobset subchart with
    // fullnameOverride "jobset" (`jobset-controller`), kueue 0.19.2 templates/manager/manager.yaml
    // (`<release>-controller-manager`).
    const declare = (namespace: string, name: string, requests: { cpu: string; memory: string }) =>
      props.cluster?.capacity.addWorkload(this, { kind: "Deployment", namespace, name, requests, nodeSelector: systemNodes });
    declare(this.trainerNamespace, `${CHARTS.kubeflowTrainer.chart}-controller-manager`, { cpu: cpu.controller, memory: TRAINER_MEMORY });
    declare(this.trainerNamespace, "jobset-controller", { cpu: cpu.controller, memory: JOBSET_MEMORY });
    declare(this.kueueNamespace, `${CHARTS.kueue.chart}-controller-manager`, { cpu: cpu.kueue, memory: KUEUE_MEMORY });
  }
}

/**
 * Kueue's Configuration (config.kueue.x-k8s.io/v1beta2; fields from kubernetes-sigs/kueue v0.19.2
 * apis/config/v1beta2/configuration_types.go). The chart's default (charts/kueue values.yaml
 * managerConfig) is kept for the controller's own settings; the library changes:
 * - integrations: only what the platform runs (TrainJob, JobSet, batch Job), not the chart's twelve;
 * - waitForPodsReady: all-or-nothing admission; a workload whose pods are not all ready within
 *   the timeout is evicted and requeued with exponential backoff;
 * - manageJobsWithoutQueueName inside team namespaces only: a job there without a queue label is
 *   queued in the namespace's `default` LocalQueue (pkg/controller/jobframework/defaults.go), never run around it;
 * - resources.excludeResourcePrefixes: EFA interfaces and huge pages are node-local devices, not team quota;
 * - metrics.enableClusterQueueResources: the quota and usage gauges the alerts read.
 */
export function kueueConfiguration(podsReadyTimeoutMinutes: number): Record<string, unknown> {
  return {
    apiVersion: "config.kueue.x-k8s.io/v1beta2",
    kind: "Configuration",
    health: { healthProbeBindAddress: ":8081" },
    metrics: { bindAddress: `:${KUEUE.metricsPort}`, enableClusterQueueResources: true },
    webhook: { port: KUEUE.webhookPort },
    leaderElection: { leaderElect: true, resourceName: "c1f6bfd2.kueue.x-k8s.io" },
    controller: {
      groupKindConcurrency: {
        "Job.batch": 5,
        "Workload.kueue.x-k8s.io": 10,
        "LocalQueue.kueue.x-k8s.io": 5,
        "ClusterQueue.kueue.x-k8s.io": 5,
        "ResourceFlavor.kueue.x-k8s.io": 1,
      },
    },
    clientConnection: { qps: 300, burst: 500 },
    manageJobsWithoutQueueName: true,
    managedJobsNamespaceSelector: { matchLabels: { [TEAM_NAMESPACE_LABEL]: "true" } },
    waitForPodsReady: {
      timeout: `${podsReadyTimeoutMinutes}m`,
      blockAdmission: false,
      requeuingStrategy: { timestamp: "Eviction", backoffBaseSeconds: 60, backoffMaxSeconds: 3600 },
    },
    resources: { excludeResourcePrefixes: [...KUEUE.excludedResourcePrefixes] },
    integrations: { frameworks: [...KUEUE.frameworks] },
  };
}
