import { Testing } from "cdktf";
import { ConfigError, Environment, InfraStack } from "../../../lib";
import { errorOf } from "../../support/synth";
import { testConfig } from "../../support/env";

describe("EnvironmentConfig validation", () => {
  test("a valid config yields the environment with the standard tags", () => {
    const env = new Environment(testConfig({ tags: { team: "fraud" } }));
    expect(env.tags).toEqual({ environment: "test", owner: "ml-platform", "cost-center": "cc-1", "managed-by": "cdktf-ml-platform", team: "fraud" });
    expect(env.stackName("infra")).toBe("ml-test-infra");
  });

  test("a malformed CIDR is refused", () => {
    expect(errorOf(() => new Environment(testConfig({ vpcCidr: "10.0.0.300/16" })))).toBe(
      'environment "test": vpcCidr is "10.0.0.300/16"; must be an IPv4 CIDR block with no host bits set, such as 10.20.0.0/16',
    );
  });

  test("a CIDR with host bits set is refused", () => {
    expect(errorOf(() => new Environment(testConfig({ vpcCidr: "10.0.1.0/16" })))).toContain('vpcCidr is "10.0.1.0/16"');
  });

  test("a VPC range larger than /16 is refused", () => {
    expect(errorOf(() => new Environment(testConfig({ vpcCidr: "10.0.0.0/12" })))).toBe(
      'environment "test": vpcCidr is "10.0.0.0/12"; must have a prefix length from /16 to /24 (AWS VPC limits)',
    );
  });

  test("overlapping CIDRs of two environments are refused", () => {
    const dev = testConfig({ name: "dev", vpcCidr: "10.0.0.0/16" });
    const stg = testConfig({ name: "stg", vpcCidr: "10.0.128.0/17", tier: "staging" });
    expect(errorOf(() => Environment.all([dev, stg]))).toBe(
      'environment "stg": vpcCidr is "10.0.128.0/17"; it overlaps environment "dev" (10.0.0.0/16): every environment needs its own address range so that networks can be peered',
    );
  });

  test("availability zones outside the region are refused", () => {
    expect(errorOf(() => new Environment(testConfig({ availabilityZones: ["us-east-1a", "us-west-2b"] })))).toBe(
      'environment "test": availabilityZones is ["us-east-1a","us-west-2b"]; every zone must be in region us-east-1 (such as us-east-1a); "us-west-2b" is not',
    );
  });

  test("fewer than 2 availability zones in prod are refused", () => {
    expect(errorOf(() => new Environment(testConfig({ tier: "production", name: "prod", availabilityZones: ["us-east-1a"] })))).toBe(
      'environment "prod": availabilityZones is ["us-east-1a"]; must list at least 2 zones: EKS and Multi-AZ databases need subnets in two zones',
    );
  });

  test("an empty name is refused", () => {
    expect(errorOf(() => new Environment(testConfig({ name: "" })))).toBe(
      "environment \"\": name is \"\"; must be 2 to 16 lowercase letters, digits or '-', starting with a letter and not ending with '-'",
    );
  });

  test("an invalid name is refused", () => {
    expect(errorOf(() => new Environment(testConfig({ name: "Prod_1" })))).toContain('environment "Prod_1": name is "Prod_1"; must be 2 to 16 lowercase letters');
  });

  test("a negative budget is refused", () => {
    expect(errorOf(() => new Environment(testConfig({ monthlyBudgetUsd: -5 })))).toBe('environment "test": monthlyBudgetUsd is -5; must be a number of USD >= 0');
  });

  test("an S3 backend without a bucket is refused", () => {
    const config = testConfig({ tier: "staging", stateBackend: { type: "s3" } as never });
    expect(errorOf(() => new Environment(config))).toBe(
      "environment \"test\": stateBackend.bucket is undefined; the S3 backend needs the name of the state bucket (3 to 63 lowercase letters, digits, '.' or '-')",
    );
  });

  test("a malformed account ID is refused", () => {
    expect(errorOf(() => new Environment(testConfig({ accountId: "12345" })))).toBe('environment "test": accountId is "12345"; must be a 12-digit AWS account ID');
  });

  test("errors are ConfigErrors, one line per problem", () => {
    let caught: unknown;
    try {
      new Environment(testConfig({ monthlyBudgetUsd: -1, accountId: "x" }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toHaveLength(2);
  });
});

describe("InfraStack", () => {
  test("staging and prod use the encrypted S3 backend with S3-native locking", () => {
    const app = Testing.app();
    const stack = new InfraStack(app, "ml-stg-infra", { environment: new Environment(testConfig({ tier: "staging", stateBackend: { type: "s3", bucket: "state-bucket" } })) });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.terraform.backend.s3).toEqual({ bucket: "state-bucket", key: "ml-platform/ml-stg-infra.tfstate", region: "us-east-1", encrypt: true, use_lockfile: true });
  });

  test("the aws provider is pinned to the account, with default tags on every resource", () => {
    const app = Testing.app();
    const stack = new InfraStack(app, "ml-test-infra", { environment: new Environment(testConfig()) });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.terraform.required_providers.aws.version).toBe("5.100.0");
    expect(json.provider.aws[0].allowed_account_ids).toEqual(["123456789012"]);
    expect(json.provider.aws[0].default_tags[0].tags).toMatchObject({ environment: "test", owner: "ml-platform", "cost-center": "cc-1", "managed-by": "cdktf-ml-platform" });
    expect(json.terraform.backend).toBeUndefined();
  });
});
