import { App, Testing } from "cdktf";
import { Environment, EnvironmentConfig, InfraStack, PlatformStack } from "../../lib";

/** A valid environment config of the given tier, with any fields overridden. */
export function testConfig(overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  const tier = overrides.tier ?? "development";
  return {
    name: "test",
    tier,
    accountId: "123456789012",
    region: "us-east-1",
    availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
    vpcCidr: "10.0.0.0/16",
    owner: "ml-platform",
    costCenter: "cc-1",
    deployRoleArn: "arn:aws:iam::123456789012:role/ml-test-deploy",
    monthlyBudgetUsd: 10000,
    stateBackend: tier === "development" ? { type: "local" } : { type: "s3", bucket: "test-terraform-state" },
    ...overrides,
  };
}

export function testEnvironment(overrides: Partial<EnvironmentConfig> = {}): Environment {
  return new Environment(testConfig(overrides));
}

/** A fresh app (synth output in a temp dir) and an InfraStack in it. */
export function infraStack(overrides: Partial<EnvironmentConfig> = {}, id = "test-infra"): InfraStack {
  const app = Testing.app();
  return new InfraStack(app, id, { environment: testEnvironment(overrides) });
}

/** A fresh app and a PlatformStack in it. */
export function platformStack(overrides: Partial<EnvironmentConfig> = {}, clusterName = "ml-test-training"): PlatformStack {
  const app = Testing.app();
  return new PlatformStack(app, "test-platform", { environment: testEnvironment(overrides), clusterName });
}

export { App };
