/**
 * The sizing knobs an environment declares. Environments run the same construct tree;
 * these knobs are the only intended differences between dev, staging and prod, and the
 * plan review explains parity differences by them. Every knob is optional: a construct
 * resolves its own default from the environment's tier.
 */
export interface EnvironmentSizing {
  /** @default - each Network prop's own default */
  readonly network?: NetworkSizing;
  /** @default - each GpuTrainingCluster and GpuClusterAddons prop's own default */
  readonly cluster?: ClusterSizing;
  /** @default - each ModelRegistry and MlflowServer prop's own default */
  readonly registry?: RegistrySizing;
  /** @default - each FeatureStore prop's own default */
  readonly featureStore?: FeatureStoreSizing;
  /** @default - each Observability prop's own default */
  readonly observability?: ObservabilitySizing;
}

export interface NetworkSizing {
  /**
   * @default - "single" in development, "one-per-az" in staging and production
   */
  readonly natGateways?: "single" | "one-per-az";
  /** @default - 30 days in development, 365 days otherwise */
  readonly flowLogRetentionDays?: number;
}

export interface ClusterSizing {
  /** @default - DEFAULT_KUBERNETES_VERSION */
  readonly kubernetesVersion?: string;
  /** @default "m6i.large" */
  readonly systemNodeInstanceType?: string;
  /** @default - 1 in development, 2 in staging, 3 in production (production needs at least 2) */
  readonly systemNodeCount?: number;
  /** Ceiling on `requests.nvidia.com/gpu` in the training namespace. @default - no quota */
  readonly trainingGpuQuota?: number;
  /** Minutes a GPU node stays idle before cluster-autoscaler removes it. @default 10 */
  readonly gpuScaleDownIdleMinutes?: number;
  /** CIDRs allowed to reach a public API endpoint (never 0.0.0.0/0 in production). @default - none: private endpoint only */
  readonly publicAccessCidrs?: readonly string[];
}

export interface RegistrySizing {
  /** @default "db.t4g.medium" */
  readonly instanceClass?: string;
  /** @default 20 */
  readonly allocatedStorageGb?: number;
  /** @default - 1 in development, 7 in staging, 14 in production */
  readonly backupRetentionDays?: number;
  /** @default - 1 in development, 2 otherwise */
  readonly replicas?: number;
}

export interface FeatureStoreSizing {
  /** @default "dynamodb" */
  readonly onlineStore?: "dynamodb" | "redis";
  /** @default "cache.t4g.medium" */
  readonly redisNodeType?: string;
  /** @default - 1 in development, 2 otherwise */
  readonly replicas?: number;
}

export interface ObservabilitySizing {
  /** @default - 7 in development, 15 in staging, 30 in production */
  readonly prometheusRetentionDays?: number;
  /** @default - 20 in development, 50 in staging, 100 in production */
  readonly prometheusStorageGb?: number;
  /** @default 10 */
  readonly grafanaStorageGb?: number;
}
