/** POOL_LABEL value of the CPU system node group, where cluster add-ons run. No GPU pool may take it. */
export const SYSTEM_POOL_NAME = "system";

import { Capacity } from "./capacity";
import { GpuInstance } from "./gpu-instances";

/**
 * What launches and removes a GPU pool's nodes.
 * - `"cluster-autoscaler"`: an EKS managed node group (an Auto Scaling group) that
 *   cluster-autoscaler resizes between minNodes and maxNodes; nodes start in minutes, an idle
 *   node is removed after the add-ons' scale-down idle time.
 * - `"karpenter"`: a Karpenter NodePool and EC2NodeClass; Karpenter launches instances for
 *   pending pods directly (no Auto Scaling group), picks among the pool's types by price and
 *   availability, and consolidates empty or underutilized nodes. No minimum size.
 */
export type GpuProvisioner = "cluster-autoscaler" | "karpenter";

/** Every GpuProvisioner value, for validation. */
export const GPU_PROVISIONERS: readonly GpuProvisioner[] = ["cluster-autoscaler", "karpenter"];

/** A GPU pool as its user declares it: `cluster.addGpuPool("general", { instanceTypes: [GpuInstance.of("g6.xlarge")], maxNodes: 4 })`. */
export interface GpuPoolOptions {
  /**
   * Instance types of the pool's nodes, from the catalog. Several types must share the GPU
   * model and count, so that the pool's labels and the autoscaler's node template hold for
   * every node. Strings are looked up in the catalog.
   */
  readonly instanceTypes: readonly (GpuInstance | string)[];
  /** @default Capacity.onDemand() */
  readonly capacity?: Capacity;
  /** Nodes kept running. 0 lets the pool scale to zero when no job asks for its GPUs. @default 0 */
  readonly minNodes?: number;
  /** Ceiling for cluster-autoscaler; also what the budget guard prices. */
  readonly maxNodes: number;
  /** Nodes at creation; afterwards cluster-autoscaler owns the number. @default - minNodes */
  readonly desiredNodes?: number;
  /** Root volume (gp3, encrypted), GiB: GPU images are large. @default 200 */
  readonly diskSizeGiB?: number;
  /** Extra node labels. @default - none (the pool, GPU model and GPU labels are always set) */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * A pool whose jobs must not be interrupted (serving, deadline-bound training): refuses
   * spot capacity.
   * @default false
   */
  readonly critical?: boolean;
  /**
   * Multi-node training: nodes in one cluster placement group, one zone, with EFA
   * interfaces on every EFA network card. Only EFA-capable instance types.
   * @default false
   */
  readonly multiNode?: boolean;
  /** Zone of a multi-node pool (a cluster placement group lives in one zone). @default - the environment's first zone */
  readonly availabilityZone?: string;
  /**
   * What provisions the pool's nodes: a managed node group under cluster-autoscaler, or
   * Karpenter (a NodePool and an EC2NodeClass). The other fields mean the same with both;
   * Karpenter keeps no minimum, so a Karpenter pool needs minNodes 0.
   * @default - the cluster's provisioner (GpuTrainingClusterProps.provisioner, "cluster-autoscaler" unless set)
   */
  readonly provisioner?: GpuProvisioner;
}
