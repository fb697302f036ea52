import { IEnvironmentKey } from "../core/environment-key";
import { GpuProvisioner } from "./gpu-pool-options";
import { INetwork } from "../network/network";
import { OidcIdentity, ServiceAccountRole, ServiceAccountRoleOptions } from "../iam/service-account-role";
import { ClusterCapacity } from "./cluster-capacity";

/** What other constructs may know about one GPU pool of a cluster. */
export interface GpuPoolInfo {
  /** The pool's id, also the value of its POOL_LABEL node label. */
  readonly name: string;
  readonly instanceTypes: readonly string[];
  /** GPU model of the pool's nodes, e.g. "A10G". */
  readonly gpuModel: string;
  readonly gpusPerNode: number;
  /** Node labels that select exactly this pool's nodes. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** What provisions the pool's nodes. @default "cluster-autoscaler" */
  readonly provisioner?: GpuProvisioner;
  /**
   * Annotations the pods of a training job on this pool should carry: on a Karpenter pool,
   * `karpenter.sh/do-not-disrupt: "true"`, so that consolidation never evicts a running job.
   * @default - none
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** The pool's node ceiling: with gpusPerNode, the most GPUs a queue can ever be given on it. */
  readonly maxNodes: number;
  /** EFA interfaces every node offers (`vpc.amazonaws.com/efa`); 0 on pools that are not multi-node. */
  readonly efaInterfacesPerNode: number;
}

/**
 * The training cluster as the other constructs use it: where it runs (network, key),
 * who may reach databases and caches (the workload security group), its GPU pools, and
 * IRSA roles for service accounts. GpuTrainingCluster implements it.
 */
export interface ITrainingCluster extends OidcIdentity {
  /** The EKS cluster's name: a plain string (not a token), so platform stacks can look the cluster up by name. */
  readonly clusterName: string;
  readonly network: INetwork;
  readonly key: IEnvironmentKey;
  /** The security group on every node (and so every pod) of the cluster: databases and caches admit it. */
  readonly workloadSecurityGroupId: string;
  /** The shared namespace of the cluster's `training` service account (GpuClusterAddons creates it), when it has one. */
  readonly trainingNamespace?: string;
  /** The GPU pools declared so far. */
  readonly gpuPools: readonly GpuPoolInfo[];
  /**
   * The capacity model: the node pools and every workload placed on the cluster, checked at
   * synth. Every construct that creates pods on the cluster declares them here with
   * `cluster.capacity.addWorkload(this, {...})` (see ClusterCapacity).
   */
  readonly capacity: ClusterCapacity;
  /** An IRSA role for the service account `namespace/serviceAccount`, with exactly the statements given (plus later grants). */
  addServiceAccountRole(id: string, options: ServiceAccountRoleOptions): ServiceAccountRole;
}
