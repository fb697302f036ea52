import { Construct } from "constructs";
import { ConfigError } from "../core/errors";
import { LibraryShapes, checkShape } from "../core/shape";
import { CHARTS } from "../kubernetes/charts";
import { HelmChart } from "../kubernetes/helm-chart";
import { POOL_LABEL } from "../kubernetes/kubernetes";
import { GpuTrainingCluster } from "./gpu-training-cluster";
import { SYSTEM_POOL_NAME } from "./gpu-pool-options";
import { KARPENTER_NAMESPACE, KARPENTER_SERVICE_ACCOUNT, KarpenterResources } from "./karpenter-resources";

/** Labels of the chart's metrics Service (karpenter 1.14.1 templates/_helpers.tpl karpenter.selectorLabels; release "karpenter"). */
export const KARPENTER_SERVICE_SELECTOR = { "app.kubernetes.io/name": "karpenter", "app.kubernetes.io/instance": "karpenter" } as const;
/** Its metrics port name (templates/service.yaml; controller.metrics.port 8080). */
export const KARPENTER_METRICS_PORT = "http-metrics";

export interface KarpenterControllerProps {
  /** A cluster with Karpenter pools (or provisioner "karpenter"): its AWS side holds the controller's role and queue. */
  readonly cluster: GpuTrainingCluster;
}

const CONTROLLER_REQUESTS = { cpu: "250m", memory: "512Mi" } as const;

/**
 * Karpenter in the cluster, for the stack applied before the platform (its CRDs must exist
 * before NodePools are planned): the karpenter-crd chart, then the controller (chart
 * `karpenter` without its crds/ folder) in kube-system with the IRSA role and interruption
 * queue the cluster created. The controller runs on the system nodes only, never on a node
 * Karpenter launched (the chart's own affinity, `karpenter.sh/nodepool DoesNotExist`, plus
 * the system pool's node selector), so it cannot remove the node it runs on. GpuClusterAddons
 * then creates a NodePool and an EC2NodeClass per Karpenter pool, and the ServiceMonitor of
 * the controller's metrics.
 */
export class KarpenterController extends Construct {
  public readonly crds: HelmChart;
  public readonly controller: HelmChart;
  public readonly resources: KarpenterResources;
  public readonly replicas: number;

  constructor(scope: Construct, id: string, props: KarpenterControllerProps) {
    super(scope, id);
    checkShape(this.node.path, props, { cluster: LibraryShapes.gpuCluster });
    const cluster = props.cluster;
    const resources = cluster.karpenter;
    if (!resources) {
      throw new ConfigError([
        `${this.node.path}: cluster is ${cluster.node.path}, which has no Karpenter pool; ` +
          'declare a pool with provisioner "karpenter" (or the cluster\'s provisioner "karpenter") so that its AWS side (controller role, interruption queue) exists',
      ]);
    }
    this.resources = resources;
    // Two replicas (leader election; the chart keeps them on different hosts and zones), one when there is one system node.
    this.replicas = Math.min(2, cluster.systemNodeCount);
    this.crds = new HelmChart(this, "crds", { chart: CHARTS.karpenterCrd, namespace: KARPENTER_NAMESPACE, values: {} });
    this.controller = new HelmChart(this, "controller", {
      chart: CHARTS.karpenter,
      namespace: KARPENTER_NAMESPACE,
      skipCrds: true,
      dependsOn: [this.crds.release],
      values: {
        settings: {
          clusterName: cluster.clusterName,
          interruptionQueue: resources.interruptionQueueName,
        },
        serviceAccount: {
          name: KARPENTER_SERVICE_ACCOUNT,
          annotations: resources.controllerRole.serviceAccountAnnotations,
        },
        replicas: this.replicas,
        nodeSelector: { "kubernetes.io/os": "linux", [POOL_LABEL]: SYSTEM_POOL_NAME },
        controller: {
          // Upstream's getting-started sizing is 1 CPU / 1 Gi; a GPU cluster has few, large nodes.
          resources: { requests: { ...CONTROLLER_REQUESTS }, limits: { memory: "1Gi" } },
        },
        // The chart renders its ServiceMonitor only where the prometheus-operator CRDs already
        // exist when it installs (order-dependent); GpuClusterAddons creates it instead.
        serviceMonitor: { enabled: false },
      },
    });
    // The controller's pods in the capacity model: the chart (karpenter 1.14.1) names the Deployment after the
    // release and tolerates CriticalAddonsOnly (values.yaml tolerations).
    cluster.capacity.addWorkload(this, {
      kind: "Deployment",
      namespace: KARPENTER_NAMESPACE,
      name: CHARTS.karpenter.chart,
      replicas: this.replicas,
      requests: { ...CONTROLLER_REQUESTS },
      nodeSelector: { "kubernetes.io/os": "linux", [POOL_LABEL]: SYSTEM_POOL_NAME },
      tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
    });
  }
}
