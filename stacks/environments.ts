import { EnvironmentConfig } from "../lib";

/**
 * The reference platform's three environments. They run the same construct tree;
 * `tier` sets the safety defaults, and the sizes that differ between them are written
 * where each construct is created (stacks/platform.ts, by tier).
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
};

export const ENVIRONMENTS: readonly EnvironmentConfig[] = [dev, staging, prod];
