import { GPU_MODEL_LABEL, GPU_NODE_LABEL, GPU_TAINT, KARPENTER_DO_NOT_DISRUPT, POOL_LABEL } from "../../kubernetes/kubernetes";
import { GpuPoolInfo } from "../cluster-interface";
import { NodePoolCapacity } from "../cluster-capacity";
import { poolNodeLabels } from "./karpenter-objects";
import { PoolSpec } from "./pool-spec";

const AUTOSCALER_GPU_LABEL = "k8s.amazonaws.com/accelerator";

/** EFA interfaces every node of the pool offers: the fewest of its types', on a multi-node pool; else 0. */
export function poolEfaInterfaces(spec: PoolSpec): number {
  return spec.multiNode ? Math.min(...spec.instances.map((s) => s.efaInterfaces ?? 1)) : 0;
}

/** The labels of a managed node group pool's nodes. */
export function poolNodeGroupLabels(spec: PoolSpec): Record<string, string> {
  return {
    ...spec.labels,
    [POOL_LABEL]: spec.name,
    [GPU_MODEL_LABEL]: spec.gpuModel,
    [GPU_NODE_LABEL]: "true",
    // cluster-autoscaler's AWS GPU label: a new node counts as a GPU node before the device
    // plugin has registered its GPUs, so that the autoscaler does not add a second one meanwhile.
    [AUTOSCALER_GPU_LABEL]: `nvidia-${spec.gpuModel.toLowerCase()}`,
  };
}

/** What other constructs know of a pool (GpuTrainingCluster's own pools and an imported cluster's declared ones). */
export function gpuPoolInfo(spec: PoolSpec): GpuPoolInfo {
  return {
    name: spec.name,
    instanceTypes: spec.instances.map((s) => s.instanceType),
    gpuModel: spec.gpuModel,
    gpusPerNode: spec.gpusPerNode,
    nodeSelector: { [POOL_LABEL]: spec.name },
    provisioner: spec.provisioner,
    podAnnotations: spec.provisioner === "karpenter" ? { ...KARPENTER_DO_NOT_DISRUPT } : {},
    maxNodes: spec.maxNodes,
    efaInterfacesPerNode: poolEfaInterfaces(spec),
  };
}

/**
 * The pool as the capacity model sees it. The same for both provisioners: the Karpenter NodePool carries the
 * pool, GPU model and GPU labels and the GPU taint too, and its limits come from maxNodes (private/karpenter-objects.ts).
 */
export function gpuPoolCapacity(spec: PoolSpec): NodePoolCapacity {
  return {
    name: spec.name,
    instanceTypes: spec.instances.map((s) => s.instanceType),
    maxNodes: spec.maxNodes,
    labels:
      spec.provisioner === "karpenter"
        ? { ...poolNodeLabels(spec), "karpenter.sh/capacity-type": spec.capacity.isSpot ? "spot" : "on-demand" }
        : { ...poolNodeGroupLabels(spec), "eks.amazonaws.com/capacityType": spec.capacity.type },
    taints: [{ ...GPU_TAINT }],
  };
}
