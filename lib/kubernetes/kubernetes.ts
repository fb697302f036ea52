/**
 * Labels and taints every construct agrees on. GPU nodes carry the taint, so that only
 * pods that ask for GPUs (and tolerate it) land on them.
 */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" } as const;

/** Kubernetes form of the GPU taint's toleration. */
export const GPU_TOLERATION = { key: GPU_TAINT.key, operator: "Equal", value: GPU_TAINT.value, effect: GPU_TAINT.effect } as const;

/** Node label naming the node pool (system or a GPU pool's id). */
export const POOL_LABEL = "ml-platform/pool";
/** Node label naming the GPU model of a GPU pool's nodes, e.g. "A10G". */
export const GPU_MODEL_LABEL = "ml-platform/gpu-model";
/** Node label set to "true" on every GPU node. */
export const GPU_NODE_LABEL = "ml-platform/gpu";

/** PriorityClasses the GPU cluster add-ons create: training yields to serving. */
export const PRIORITY_CLASSES = {
  /** Preemptible batch training: may be evicted to make room for serving. */
  training: "ml-training-preemptible",
  /** Model endpoints: never preempted by training. */
  serving: "ml-serving-critical",
} as const;

/** The default StorageClass the cluster add-ons create: gp3, encrypted with the environment key. */
export const ENCRYPTED_GP3_STORAGE_CLASS = "gp3-encrypted";

/**
 * Pod annotation by which a running pod keeps Karpenter from disrupting its node
 * (consolidation, drift): training pods on Karpenter pools carry it, so that a half-done
 * job is never moved to repack nodes. Karpenter still removes the node once the pod ends.
 * (aws/karpenter-provider-aws website/content/en/v1.14/concepts/disruption.md, "Pod-Level Controls", v1.14.1.)
 */
export const KARPENTER_DO_NOT_DISRUPT = { "karpenter.sh/do-not-disrupt": "true" } as const;
