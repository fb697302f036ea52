import { GPU_MODEL_LABEL, GPU_NODE_LABEL, GPU_TAINT, POOL_LABEL } from "../../kubernetes/kubernetes";
import { KARPENTER_DISCOVERY_TAG } from "../karpenter-resources";
import { PoolSpec, poolResourceName } from "./pool-spec";

/**
 * The EKS optimized AL2023 AMI release Karpenter nodes boot, pinned (a new release drifts
 * every node, so it is a reviewed change, as upstream recommends over `latest`). With an
 * al2023 alias Karpenter resolves the standard, NVIDIA and Neuron variants of that release
 * and gives GPU instance types the NVIDIA one (aws/karpenter-provider-aws
 * pkg/providers/amifamily/al2023.go, DescribeImageQuery; website/content/en/v1.14/concepts/
 * nodeclasses.md, spec.amiSelectorTerms; v1.14.1). v20260714 ships
 * amazon-eks-node-al2023-x86_64-nvidia-<k8s>-v20260714 for Kubernetes 1.30 to 1.36
 * (awslabs/amazon-eks-ami CHANGELOG.md, "AMI Release v20260714").
 */
export const KARPENTER_AMI_ALIAS = "al2023@v20260714";

/** API groups of the Karpenter 1.x custom resources (karpenter-crd 1.14.1). */
export const NODE_POOL_API = "karpenter.sh/v1";
export const EC2_NODE_CLASS_API = "karpenter.k8s.aws/v1";

export interface KarpenterPoolContext {
  readonly clusterName: string;
  /** Name (not ARN) of the role of Karpenter's nodes. */
  readonly nodeRoleName: string;
  readonly keyArn: string;
  /** How long a node stays empty or underutilized before Karpenter consolidates it, e.g. "10m". */
  readonly consolidateAfter: string;
  /** Tags every instance and volume carries (the environment's cost tags). */
  readonly tags: Readonly<Record<string, string>>;
}

/** The node labels of a pool's nodes: the user's, then the pool, GPU model and GPU labels. */
export function poolNodeLabels(spec: PoolSpec): Record<string, string> {
  return { ...spec.labels, [POOL_LABEL]: spec.name, [GPU_MODEL_LABEL]: spec.gpuModel, [GPU_NODE_LABEL]: "true" };
}

/**
 * A Karpenter pool's NodePool: the pool's labels and GPU taint on every node, only its
 * instance types, on-demand or spot from `capacity`, limits from maxNodes (GPUs, and the
 * vCPUs and memory of maxNodes of its largest type), and consolidation of empty or
 * underutilized nodes after the add-ons' idle time. Nodes never expire: expiry is forceful
 * (it ignores karpenter.sh/do-not-disrupt) and would kill running training jobs.
 */
export function nodePoolObject(spec: PoolSpec, ctx: KarpenterPoolContext): Record<string, unknown> {
  const largestVcpu = Math.max(...spec.instances.map((s) => s.vcpu));
  const largestMemoryGiB = Math.max(...spec.instances.map((s) => s.memoryGiB));
  return {
    apiVersion: NODE_POOL_API,
    kind: "NodePool",
    metadata: { name: spec.name, labels: { [POOL_LABEL]: spec.name } },
    spec: {
      template: {
        metadata: { labels: poolNodeLabels(spec) },
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: spec.name },
          taints: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: GPU_TAINT.effect }],
          requirements: [
            { key: "node.kubernetes.io/instance-type", operator: "In", values: spec.instances.map((s) => s.instanceType) },
            { key: "karpenter.sh/capacity-type", operator: "In", values: [spec.capacity.isSpot ? "spot" : "on-demand"] },
            // A multi-node pool lives in its placement group's zone.
            ...(spec.availabilityZone ? [{ key: "topology.kubernetes.io/zone", operator: "In", values: [spec.availabilityZone] }] : []),
          ],
          expireAfter: "Never",
        },
      },
      disruption: {
        consolidationPolicy: "WhenEmptyOrUnderutilized",
        consolidateAfter: ctx.consolidateAfter,
      },
      limits: {
        "nvidia.com/gpu": String(spec.maxNodes * spec.gpusPerNode),
        cpu: String(spec.maxNodes * largestVcpu),
        memory: `${spec.maxNodes * largestMemoryGiB}Gi`,
      },
    },
  };
}

/**
 * A Karpenter pool's EC2NodeClass: the pinned AL2023 alias (NVIDIA variant on GPU types),
 * IMDSv2 only with hop limit 1 (pods cannot take the node role's credentials), a gp3 root
 * volume encrypted with the environment key, subnets and security groups found by the
 * cluster's discovery tag, and the node role Karpenter makes an instance profile of.
 *
 * A multi-node pool selects its cluster placement group by name (spec.placementGroupSelector).
 * Its EFA interfaces need no field here: for a node whose pods request vpc.amazonaws.com/efa,
 * Karpenter puts one EFA interface on each EFA network card of the type, card 0 at device
 * index 0 and the others at 1, as the managed pools' launch template does
 * (aws/karpenter-provider-aws v1.14.1 pkg/providers/amifamily/resolver.go efaCount,
 * pkg/providers/launchtemplate/launchtemplate.go generateNetworkInterfaces).
 */
export function ec2NodeClassObject(spec: PoolSpec, ctx: KarpenterPoolContext): Record<string, unknown> {
  const discovery = [{ tags: { [KARPENTER_DISCOVERY_TAG]: ctx.clusterName } }];
  return {
    apiVersion: EC2_NODE_CLASS_API,
    kind: "EC2NodeClass",
    metadata: { name: spec.name, labels: { [POOL_LABEL]: spec.name } },
    spec: {
      role: ctx.nodeRoleName,
      amiSelectorTerms: [{ alias: KARPENTER_AMI_ALIAS }],
      subnetSelectorTerms: discovery,
      securityGroupSelectorTerms: discovery,
      ...(spec.multiNode ? { placementGroupSelector: { name: poolResourceName(ctx.clusterName, spec.name) } } : {}),
      metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          rootVolume: true,
          ebs: { volumeSize: `${spec.diskSizeGiB}Gi`, volumeType: "gp3", encrypted: true, kmsKeyID: ctx.keyArn, deleteOnTermination: true },
        },
      ],
      // Provider default tags do not reach instances Karpenter launches: the cost tags go here.
      tags: { ...ctx.tags, Name: poolResourceName(ctx.clusterName, spec.name), "ml-platform/gpu-pool": spec.name },
    },
  };
}
