import { EnvironmentConfig } from "../lib";

/**
 * The reference platform's three environments. They run the same construct tree;
 * `tier` sets the safety defaults and `sizing` holds the only intended differences.
 */
const common = {
  project: "ml",
  owner: "ml-platform",
  costCenter: "cc-4021",
  tags: { "data-classification": "internal" },
} as const;

export const dev: EnvironmentConfig = {
  ...common,
  name: "dev",
  tier: "development",
  accountId: "111111111111",
  // Runs Terraform for every stack of the environment; the cluster admits it as admin (access entry).
  deployRoleArn: "arn:aws:iam::111111111111:role/ml-dev-deploy",
  region: "us-east-1",
  availabilityZones: ["us-east-1a", "us-east-1b"],
  vpcCidr: "10.10.0.0/16",
  monthlyBudgetUsd: 6000,
  gpuMonthlyBudgetUsd: 5000,
  stateBackend: { type: "local" },
  sizing: {
    network: { natGateways: "single", flowLogRetentionDays: 30 },
    // System nodes of 4 vCPUs: the platform's pods that run only there (monitoring, MLflow, Feast and its
    // materialization, the CPU endpoint, KEDA, Argo Rollouts, the EKS add-ons) request about 4.1 cores, more than two m6i.large
    // (the pool's max size) allocate after the DaemonSets; the capacity check at synth refuses it.
    cluster: { trainingGpuQuota: 4, systemNodeInstanceType: "m6i.xlarge" },
    registry: { instanceClass: "db.t4g.medium", allocatedStorageGb: 20, backupRetentionDays: 1, replicas: 1 },
    featureStore: { onlineStore: "dynamodb", replicas: 1 },
  },
};

export const staging: EnvironmentConfig = {
  ...common,
  name: "staging",
  tier: "staging",
  accountId: "222222222222",
  // Runs Terraform for every stack of the environment; the cluster admits it as admin (access entry).
  deployRoleArn: "arn:aws:iam::222222222222:role/ml-staging-deploy",
  region: "us-east-1",
  availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
  vpcCidr: "10.20.0.0/16",
  monthlyBudgetUsd: 15000,
  gpuMonthlyBudgetUsd: 12000,
  stateBackend: { type: "s3", bucket: "ml-staging-terraform-state-222222222222" },
  sizing: {
    network: { natGateways: "one-per-az", flowLogRetentionDays: 365 },
    cluster: { trainingGpuQuota: 8 },
    registry: { instanceClass: "db.t4g.large", allocatedStorageGb: 50, backupRetentionDays: 7, replicas: 2 },
    featureStore: { onlineStore: "dynamodb", replicas: 2 },
  },
};

export const prod: EnvironmentConfig = {
  ...common,
  name: "prod",
  tier: "production",
  accountId: "333333333333",
  // Runs Terraform for every stack of the environment; the cluster admits it as admin (access entry).
  deployRoleArn: "arn:aws:iam::333333333333:role/ml-prod-deploy",
  region: "us-east-1",
  availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
  vpcCidr: "10.30.0.0/16",
  monthlyBudgetUsd: 150000,
  gpuMonthlyBudgetUsd: 120000,
  stateBackend: { type: "s3", bucket: "ml-prod-terraform-state-333333333333" },
  sizing: {
    network: { natGateways: "one-per-az", flowLogRetentionDays: 365 },
    // Two 8-GPU multi-node nodes plus the general pool; serving uses the same pools outside this quota.
    // System nodes of 16 GiB: Prometheus requests 8Gi here, more than an m6i.large can allocate
    // (about 7.3Gi at most after the kubelet's reservations), so it would never schedule.
    cluster: { trainingGpuQuota: 32, systemNodeInstanceType: "m6i.xlarge" },
    // Memory-optimized: the tracking store's working set (runs, metrics, params) should stay in cache.
    registry: { instanceClass: "db.r7g.large", allocatedStorageGb: 100, backupRetentionDays: 14, replicas: 3 },
    // Sub-millisecond online reads for the serving path; Multi-AZ with failover (the FeatureStore requires it in production).
    featureStore: { onlineStore: "redis", redisNodeType: "cache.r7g.large", replicas: 3 },
  },
};

export const ENVIRONMENTS: readonly EnvironmentConfig[] = [dev, staging, prod];
