import { Construct } from "constructs";
import { TerraformResource } from "cdktf";
import { ConditionalResources } from "../core/stack-records";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ResourceQuotaV1 } from "@cdktf/provider-kubernetes/lib/resource-quota-v1";
import { LimitRangeV1 } from "@cdktf/provider-kubernetes/lib/limit-range-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Environment } from "../core/environment";
import { Validator, addConfigValidation } from "../core/errors";
import { CHARTS } from "../kubernetes/charts";
import { HelmChart } from "../kubernetes/helm-chart";
import { ALLOW, NamespaceNetworkPolicies } from "../kubernetes/network-policy";
import { GPU_NODE_LABEL, GPU_TOLERATION, POOL_LABEL } from "../kubernetes/kubernetes";
import { GpuTrainingCluster } from "./gpu-training-cluster";
import { SYSTEM_POOL_NAME } from "./gpu-pool-options";
import { CLUSTER_AUTOSCALER_IMAGE_TAGS, KubernetesVersion } from "./kubernetes-versions";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { KubernetesManifest } from "../kubernetes/private/manifest";
import { KARPENTER_METRICS_PORT, KARPENTER_SERVICE_SELECTOR, KarpenterController } from "./karpenter-controller";
import { KARPENTER_NAMESPACE } from "./karpenter-resources";
import { PrometheusRule, ServiceMonitor } from "../kubernetes/monitoring";
import { ec2NodeClassObject, nodePoolObject } from "./private/karpenter-objects";
import { WorkloadOptions } from "./cluster-capacity";
import { GPU_INSTANCES } from "./gpu-instances";
import { restrictedNamespace } from "../kubernetes/pod-security";

export interface GpuClusterAddonsProps {
  readonly cluster: GpuTrainingCluster;
  /** Ceiling on `requests.nvidia.com/gpu` in the training namespace. @default - no quota */
  readonly trainingGpuQuota?: number;
  /**
   * Minutes a node stays unneeded before cluster-autoscaler removes it (Karpenter pools:
   * the NodePool's consolidateAfter). @default 10
   */
  readonly scaleDownIdleMinutes?: number;
  /**
   * The Karpenter controller (in a stack applied before this one), required when the cluster
   * has Karpenter pools: their NodePools and EC2NodeClasses are created here.
   * @default - none; a cluster with Karpenter pools is a ConfigError without it
   */
  readonly karpenter?: KarpenterController;
}

const KUBE_SYSTEM = "kube-system";

/** Requests of the add-ons' pods (dcgm-exporter's and the EFA plugin's are their charts' defaults, stated here so they are counted). */
const REQUESTS = {
  devicePlugin: { cpu: "10m", memory: "64Mi" },
  dcgmExporter: { cpu: "100m", memory: "128Mi" },
  efaDevicePlugin: { cpu: "10m", memory: "20Mi" },
  clusterAutoscaler: { cpu: "100m", memory: "300Mi" },
} as const;

/**
 * The in-cluster half of the GPU training cluster, for a PlatformStack: the NVIDIA device
 * plugin and DCGM exporter on GPU nodes only, cluster-autoscaler (with the IRSA role the
 * cluster created) scaling GPU pools to zero after an idle period, the `training`
 * namespace with a GPU quota, a LimitRange and its datasets service account. The
 * StorageClass and PriorityClasses it relies on are ClusterBaseline's, in the addons stack.
 */
export class GpuClusterAddons extends Construct {
  public readonly devicePlugin: HelmChart;
  public readonly dcgmExporter: HelmChart;
  /** AWS's EFA device plugin, on clusters with a multi-node (EFA) pool. */
  public readonly efaDevicePlugin?: HelmChart;
  public readonly clusterAutoscaler: HelmChart;
  public readonly trainingNamespace: NamespaceV1;
  public readonly trainingServiceAccount: ServiceAccountV1;
  public readonly trainingNetworkPolicies: NamespaceNetworkPolicies;
  public readonly trainingGpuQuota?: number;
  public readonly scaleDownIdleMinutes: number;
  /** NodePool and EC2NodeClass of each Karpenter pool, by pool name. */
  /** Scrapes the Karpenter controller's metrics (when a KarpenterController is given). */
  public readonly karpenterServiceMonitor?: ServiceMonitor;
  /** Karpenter alerts: controller down, a GPU pool at its maxNodes (when a KarpenterController is given). */
  public readonly karpenterAlerts?: PrometheusRule;
  public readonly karpenterPools: Record<string, { readonly nodePool: TerraformResource; readonly nodeClass: TerraformResource }> = {};

  constructor(scope: Construct, id: string, props: GpuClusterAddonsProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      cluster: LibraryShapes.gpuCluster,
      trainingGpuQuota: Shape.optional(Shape.number()),
      scaleDownIdleMinutes: Shape.optional(Shape.number()),
      karpenter: Shape.optional(Shape.like("a KarpenterController", ["controller", "resources"])),
    });
    const env = Environment.of(this);
    const cluster = props.cluster;
    this.trainingGpuQuota = props.trainingGpuQuota;
    this.scaleDownIdleMinutes = props.scaleDownIdleMinutes ?? 10;
    this.validate(cluster, props.karpenter);

    const gpuNodesOnly = { [GPU_NODE_LABEL]: "true" };
    const systemNodes = { [POOL_LABEL]: SYSTEM_POOL_NAME };

    // ---- GPU scheduling and metrics ----
    this.devicePlugin = new HelmChart(this, "nvidia-device-plugin", {
      chart: CHARTS.nvidiaDevicePlugin,
      namespace: KUBE_SYSTEM,
      values: {
        // Replaces the chart's affinity (node-feature-discovery labels, which this cluster does not run) with the pools' GPU label.
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_NODE_LABEL, operator: "In", values: ["true"] }] }],
            },
          },
        },
        tolerations: [{ ...GPU_TOLERATION }, { key: "CriticalAddonsOnly", operator: "Exists" }],
        resources: { requests: { ...REQUESTS.devicePlugin } },
      },
    });
    this.dcgmExporter = new HelmChart(this, "dcgm-exporter", {
      chart: CHARTS.dcgmExporter,
      namespace: KUBE_SYSTEM,
      values: {
        nodeSelector: gpuNodesOnly,
        tolerations: [{ ...GPU_TOLERATION }],
        resources: { requests: { ...REQUESTS.dcgmExporter } },
        // GPU utilisation and memory per pod reach Prometheus through this ServiceMonitor.
        serviceMonitor: { enabled: true, interval: "30s" },
      },
    });

    // The kubelet offers vpc.amazonaws.com/efa only through AWS's EFA device plugin. Without it an
    // EFA job never schedules, while the autoscaler's node template of a multi-node pool promises
    // EFA interfaces: p5 nodes scale up for the pending job, stay unused and scale down, in a loop.
    const multiNode = cluster.pools.filter((p) => p.spec.multiNode).map((p) => p.spec.name);
    ConditionalResources.of(this).record("efaDevicePlugin", multiNode.length > 0 ? `for multi-node pool ${multiNode.join(", ")}` : "no multi-node pool", {
      creates: multiNode.length > 0 ? ["aws-efa-k8s-device-plugin"] : [],
      reason: "AWS's EFA device plugin is installed where the cluster has a multi-node (EFA) GPU pool",
    });
    if (cluster.pools.some((p) => p.spec.multiNode)) {
      this.efaDevicePlugin = new HelmChart(this, "aws-efa-k8s-device-plugin", {
        chart: CHARTS.awsEfaDevicePlugin,
        namespace: KUBE_SYSTEM,
        values: {
          // The chart's own affinity keeps it on EFA-capable instance types; GPU nodes are tainted.
          tolerations: [{ ...GPU_TOLERATION }],
          resources: { requests: { ...REQUESTS.efaDevicePlugin } },
        },
      });
    }

    // ---- Karpenter pools: a NodePool and an EC2NodeClass each ----
    const karpenterSpecs = cluster.pools.map((p) => p.spec).filter((spec) => spec.provisioner === "karpenter");
    if (karpenterSpecs.length > 0 && props.karpenter && cluster.karpenter) {
      const context = {
        clusterName: cluster.clusterName,
        nodeRoleName: cluster.karpenter.nodeRoleName,
        keyArn: cluster.key.keyArn,
        consolidateAfter: `${this.scaleDownIdleMinutes}m`,
        tags: env.tags,
      };
      for (const spec of karpenterSpecs) {
        const nodeClass = new KubernetesManifest(this, `karpenter-node-class-${spec.name}`, { manifest: ec2NodeClassObject(spec, context) });
        const nodePool = new KubernetesManifest(this, `karpenter-node-pool-${spec.name}`, { manifest: nodePoolObject(spec, context), dependsOn: [nodeClass] });
        this.karpenterPools[spec.name] = { nodePool, nodeClass };
      }
    }
    // A Karpenter pool added to the cluster after this construct would have no NodePool: its pods would stay pending.
    addConfigValidation(this, () =>
      cluster.pools
        .filter((p) => p.spec.provisioner === "karpenter" && !this.karpenterPools[p.spec.name])
        .map(
          (p) =>
            `${this.node.path}: Karpenter pool "${p.spec.name}" was added to ${cluster.node.path} after GpuClusterAddons was created, so it has no NodePool; ` +
            "add every GPU pool before creating GpuClusterAddons",
        ),
    );
    if (props.karpenter) {
      this.karpenterServiceMonitor = new ServiceMonitor(this, "karpenter-service-monitor", {
        name: "karpenter",
        namespace: KARPENTER_NAMESPACE,
        selector: { ...KARPENTER_SERVICE_SELECTOR },
        port: KARPENTER_METRICS_PORT,
      });
      // Metric and label names: kubernetes-sigs/karpenter v1.14.1 pkg/controllers/metrics/nodepool/controller.go
      // (karpenter_nodepools_usage / _limit, labels nodepool and resource_type: the resource name, lowercased).
      const gpu = 'resource_type="nvidia.com/gpu"';
      this.karpenterAlerts = new PrometheusRule(this, "karpenter-alerts", {
        name: "karpenter",
        namespace: KARPENTER_NAMESPACE,
        groups: [
          {
            name: "karpenter",
            rules: [
              {
                alert: "KarpenterControllerDown",
                // The job is the metrics Service's name (the ServiceMonitor above).
                expr: `absent(up{job="karpenter",namespace="${KARPENTER_NAMESPACE}"} == 1)`,
                for: "10m",
                severity: env.isProduction ? "critical" : "warning",
                summary: "No Karpenter controller is up",
                description: "Pending pods of Karpenter pools get no node, and spot interruptions are not handled, until a controller runs again.",
              },
              {
                alert: "KarpenterGpuPoolAtLimit",
                expr: `max by (nodepool) (karpenter_nodepools_usage{${gpu}}) >= on (nodepool) max by (nodepool) (karpenter_nodepools_limit{${gpu}})`,
                for: "30m",
                severity: "warning",
                summary: "Karpenter GPU pool {{ $labels.nodepool }} has used all its GPUs for 30 minutes",
                description:
                  "The pool's nodes hold maxNodes x GPUs per node; pending GPU pods of the pool wait for running ones to end. Raise maxNodes (the GPU budget guard prices it) or send jobs to another pool.",
              },
            ],
          },
        ],
      });
    }

    // ---- scale to zero ----
    // cluster-autoscaler stays even when every GPU pool is Karpenter's: it still scales the
    // system node group (a managed node group, between systemNodeCount and twice that), which
    // Karpenter never manages. It finds no Auto Scaling group of a Karpenter pool, so the two
    // never scale the same pool.
    this.clusterAutoscaler = new HelmChart(this, "cluster-autoscaler", {
      chart: CHARTS.clusterAutoscaler,
      namespace: KUBE_SYSTEM,
      values: {
        cloudProvider: "aws",
        awsRegion: env.region,
        autoDiscovery: { clusterName: cluster.clusterName },
        image: { tag: CLUSTER_AUTOSCALER_IMAGE_TAGS[cluster.kubernetesVersion as KubernetesVersion] },
        rbac: {
          serviceAccount: {
            create: true,
            name: cluster.clusterAutoscalerRole.serviceAccount,
            annotations: cluster.clusterAutoscalerRole.serviceAccountAnnotations,
          },
        },
        nodeSelector: systemNodes,
        resources: { requests: { ...REQUESTS.clusterAutoscaler } },
        extraArgs: {
          "scale-down-unneeded-time": `${this.scaleDownIdleMinutes}m`,
          // Pools that differ only in zone scale together.
          "balance-similar-node-groups": true,
          // The cheapest fit first: a one-GPU job does not wake an 8-GPU node.
          expander: "least-waste",
          // Training pods use emptyDir scratch space; that must not pin an idle GPU node.
          "skip-nodes-with-local-storage": false,
          "skip-nodes-with-system-pods": false,
        },
      },
    });

    this.declareWorkloads(cluster, systemNodes);

    // ---- training namespace ----
    this.trainingNamespace = restrictedNamespace(this, "training-namespace", { name: cluster.trainingNamespace, labels: { "ml-platform/purpose": "training" } });
    const namespace = this.trainingNamespace.metadata.name;
    if (this.trainingGpuQuota !== undefined) {
      new ResourceQuotaV1(this, "training-gpu-quota", {
        metadata: { name: "gpu-quota", namespace },
        spec: { hard: { "requests.nvidia.com/gpu": String(this.trainingGpuQuota) } },
      });
    }
    // Pods that state no resources still get requests, so the scheduler and quota can account for them.
    // No default limit: the LimitRanger sets it on every container without one, so a job requesting
    // more memory than it (a 16Gi data loader, say) would be rejected with request > limit.
    new LimitRangeV1(this, "training-limits", {
      metadata: { name: "defaults", namespace },
      spec: {
        limit: [
          {
            type: "Container",
            defaultRequest: { cpu: "500m", memory: "1Gi" },
          },
        ],
      },
    });
    this.trainingServiceAccount = new ServiceAccountV1(this, "training-service-account", {
      metadata: {
        name: cluster.trainingRole.serviceAccount,
        namespace,
        annotations: cluster.trainingRole.serviceAccountAnnotations,
      },
    });
    // Workers of a distributed job talk to each other (NCCL, rendezvous: any port); jobs read
    // datasets from S3 and authenticate through STS (HTTPS), log to MLflow and read features.
    this.trainingNetworkPolicies = new NamespaceNetworkPolicies(this, "training-network-policies", {
      namespace,
      allows: [ALLOW.https(), ...ALLOW.withinNamespace(), ALLOW.platformServices()],
    });
  }

  /**
   * The add-ons' pods in the cluster's capacity model, with the names and placement the
   * charts render (releases named after their charts): the device plugin's chart also renders
   * an MPS control daemon, which lands only on nodes labelled `nvidia.com/mps.capable`
   * (none here); the EFA plugin's own affinity lists EFA-capable instance types.
   */
  private declareWorkloads(cluster: GpuTrainingCluster, systemNodes: Record<string, string>): void {
    const gpuOnly = { nodeAffinity: [{ key: GPU_NODE_LABEL, operator: "In" as const, values: ["true"] }] };
    const pluginTolerations = [{ ...GPU_TOLERATION }, { key: "CriticalAddonsOnly", operator: "Exists" as const }];
    const add = (options: WorkloadOptions) => cluster.capacity.addWorkload(this, options);
    add({ kind: "DaemonSet", namespace: KUBE_SYSTEM, name: "nvidia-device-plugin", requests: REQUESTS.devicePlugin, ...gpuOnly, tolerations: pluginTolerations });
    add({
      kind: "DaemonSet",
      namespace: KUBE_SYSTEM,
      name: "nvidia-device-plugin-mps-control-daemon",
      requests: REQUESTS.devicePlugin,
      ...gpuOnly,
      nodeSelector: { "nvidia.com/mps.capable": "true" },
      tolerations: pluginTolerations,
    });
    add({
      kind: "DaemonSet",
      namespace: KUBE_SYSTEM,
      name: "dcgm-exporter",
      requests: REQUESTS.dcgmExporter,
      nodeSelector: { [GPU_NODE_LABEL]: "true" },
      tolerations: [{ ...GPU_TOLERATION }],
    });
    if (this.efaDevicePlugin) {
      add({
        kind: "DaemonSet",
        namespace: KUBE_SYSTEM,
        name: "aws-efa-k8s-device-plugin",
        requests: REQUESTS.efaDevicePlugin,
        nodeAffinity: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: GPU_INSTANCES.filter((g) => g.efa).map((g) => g.instanceType) }],
        tolerations: [{ ...GPU_TOLERATION }],
      });
    }
    add({ kind: "Deployment", namespace: KUBE_SYSTEM, name: "cluster-autoscaler-aws-cluster-autoscaler", requests: REQUESTS.clusterAutoscaler, nodeSelector: systemNodes });
  }

  private validate(cluster: GpuTrainingCluster, karpenter: KarpenterController | undefined): void {
    const v = new Validator(this.node.path);
    const karpenterPools = cluster.pools.filter((p) => p.spec.provisioner === "karpenter").map((p) => p.spec.name);
    v.check(
      karpenterPools.length === 0 || karpenter !== undefined,
      "karpenter",
      karpenter,
      `the cluster's pools ${karpenterPools.map((n) => `"${n}"`).join(", ")} use Karpenter: pass the KarpenterController (new KarpenterController(addonsStack, "karpenter", { cluster })) so that their NodePools have a controller and CRDs`,
    );
    if (karpenter) {
      v.check(karpenter.resources === cluster.karpenter, "karpenter", karpenter.node.path, `must be the KarpenterController of this cluster (${cluster.node.path})`);
    }
    v.check(
      Number.isInteger(this.scaleDownIdleMinutes) && this.scaleDownIdleMinutes >= 1 && this.scaleDownIdleMinutes <= 1440,
      "scaleDownIdleMinutes",
      this.scaleDownIdleMinutes,
      "must be a whole number of minutes from 1 to 1440",
    );
    const quota = this.trainingGpuQuota;
    if (quota !== undefined) {
      v.check(Number.isInteger(quota) && quota >= 0, "trainingGpuQuota", quota, "must be a whole number of GPUs >= 0");
      // Against the pools the cluster has once the whole app is built: pools added after the
      // add-ons count too, so the verdict does not depend on construction order.
      if (Number.isInteger(quota)) {
        addConfigValidation(this, () => {
          const smallest = [...cluster.gpuPools].sort((a, b) => a.gpusPerNode - b.gpusPerNode)[0];
          if (!smallest || quota >= smallest.gpusPerNode) return [];
          return [
            `${this.node.path}: trainingGpuQuota is ${quota}; must be at least ${smallest.gpusPerNode}, the GPUs of one node of the smallest pool ("${smallest.name}", ` +
              `${smallest.gpusPerNode} x ${smallest.gpuModel} per node): a smaller quota lets no training job use a whole node`,
          ];
        });
      }
    }
    v.throwIfAny();
  }
}
