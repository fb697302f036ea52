import { Testing } from "cdktf";
import { Capacity, EnvironmentKey, FeatureStore, GpuInstance, GpuTrainingCluster, InfraStack, ModelRegistry, Network } from "../../../lib";
import { testEnvironment } from "../../support/env";
import { errorOf, resourcesOfType, synthJson } from "../../support/synth";
import { describeWithTerraform, plannedTypes, synthStackDir, validateAndPlan } from "../../support/terraform";
import { KEY_ARN, VPC } from "../../support/imports";
import { checkStack } from "../../../lib/policy";
import { synthStacks } from "../model-registry/fixtures";

/**
 * An existing VPC and KMS key (issue 15 item 4): Network.fromAttributes and
 * EnvironmentKey.fromAttributes stand for what another team's Terraform created, and every
 * construct that takes a network or a key builds on them without creating either.
 */
/** An infrastructure stack of its own app on an imported VPC and key: the cluster, the registry and a Redis feature store. */
function infraOnImports(attrs: { network?: object; keyArn?: string } = {}) {
  const app = Testing.app();
  const infra = new InfraStack(app, "test-infra", { environment: testEnvironment() });
  const key = EnvironmentKey.fromKeyArn(infra, "kms", attrs.keyArn ?? KEY_ARN);
  const network = Network.fromAttributes(infra, "network", (attrs.network ?? VPC) as never);
  const cluster = new GpuTrainingCluster(infra, "training", {
    network,
    key,
    gpuPools: [{ name: "general", instanceTypes: [GpuInstance.of("g6.xlarge")], capacity: Capacity.spot(), maxNodes: 2 }],
  });
  const registry = new ModelRegistry(infra, "model-registry", { cluster });
  const featureStore = new FeatureStore(infra, "feature-store", { cluster, project: "features", onlineStore: "redis" });
  return { app, infra, key, network, cluster, registry, featureStore };
}

describe("Network.fromAttributes and EnvironmentKey.fromAttributes", () => {
  test("the cluster, the registry database and Redis go in the given subnets and VPC, encrypted with the given key; no VPC and no key is created", () => {
    const { app, infra } = infraOnImports();
    const json = synthJson(infra);
    for (const type of ["aws_vpc", "aws_subnet", "aws_nat_gateway", "aws_route_table", "aws_flow_log", "aws_kms_key", "aws_kms_alias"]) {
      expect([type, Object.keys(resourcesOfType(json, type))]).toEqual([type, []]);
    }
    const eks = Object.values<any>(resourcesOfType(json, "aws_eks_cluster"));
    expect(eks).toHaveLength(1);
    expect(eks[0].vpc_config.subnet_ids).toEqual(VPC.privateSubnetIds);
    expect(eks[0].encryption_config.provider.key_arn).toBe(KEY_ARN);
    expect(Object.values<any>(resourcesOfType(json, "aws_db_subnet_group")).map((g) => g.subnet_ids)).toEqual([VPC.privateSubnetIds]);
    expect(Object.values<any>(resourcesOfType(json, "aws_elasticache_subnet_group")).map((g) => g.subnet_ids)).toEqual([VPC.privateSubnetIds]);
    // Every security group is in the given VPC; every node group in its zone's given subnet.
    const groups = Object.values<any>(resourcesOfType(json, "aws_security_group"));
    expect(groups.length).toBeGreaterThanOrEqual(3);
    expect(new Set(groups.map((g) => g.vpc_id))).toEqual(new Set([VPC.vpcId]));
    for (const ng of Object.values<any>(resourcesOfType(json, "aws_eks_node_group"))) {
      expect(ng.subnet_ids.every((s: string) => VPC.privateSubnetIds.includes(s))).toBe(true);
    }
    // Every KMS key reference is the given ARN (logs, RDS, ElastiCache, S3, ECR, secrets, launch templates).
    const keyRefs = JSON.stringify(json.resource).match(/"(kms_key_id|kms_master_key_id|key_arn|kms_key|master_user_secret_kms_key_id)":"[^"]*"/g) ?? [];
    expect(keyRefs.length).toBeGreaterThan(8);
    expect(keyRefs.filter((r) => !r.endsWith(`"${KEY_ARN}"`))).toEqual([]);
    // The policy pack takes a literal key ARN as customer-managed encryption, as it takes the key it made.
    // (on the app's synthesized stack, which carries the constructs' recorded suppressions, as `npm run policy` reads it)
    expect(checkStack("test-infra", synthStacks(app)["test-infra"]).findings).toEqual([]);
  });

  test("a Karpenter pool on an imported VPC tags its subnets with aws_ec2_tag, and needs the key's EventBridge statement declared", () => {
    const app = Testing.app();
    const infra = new InfraStack(app, "test-infra", { environment: testEnvironment() });
    const network = Network.fromAttributes(infra, "network", VPC);
    const pool = { name: "general", instanceTypes: [GpuInstance.of("g6.xlarge")], maxNodes: 2, provisioner: "karpenter" as const };
    // GIVEN a key whose policy has not been declared to allow EventBridge: refused, with the statement to add
    const undeclared = EnvironmentKey.fromKeyArn(infra, "kms", KEY_ARN);
    const message = errorOf(() => new GpuTrainingCluster(infra, "training", { network, key: undeclared, gpuPools: [pool] }));
    expect(message).toMatch(
      /^test-infra\/kms: grantedServiceUses is \[\]; the imported key's policy must let events\.amazonaws\.com use it, and this app cannot change that policy: add the statement \{"Sid":"EventBridgeToKarpenterQueue\w+"/,
    );
    // WHEN the statement is declared as in place
    const sid = /"Sid":"(\w+)"/.exec(message)![1];
    const app2 = Testing.app();
    const infra2 = new InfraStack(app2, "test-infra", { environment: testEnvironment() });
    const key = EnvironmentKey.fromAttributes(infra2, "kms", { keyArn: KEY_ARN, aliasName: "alias/ml-test", grantedServiceUses: [sid] });
    new GpuTrainingCluster(infra2, "training", { network: Network.fromAttributes(infra2, "network", VPC), key, gpuPools: [pool] });
    // (the cluster's own EKS-made security group gets its tag as with a created VPC)
    const tags = Object.values<any>(resourcesOfType(synthJson(infra2), "aws_ec2_tag")).filter((t) => !t.resource_id.includes("cluster_security_group_id"));
    // THEN each given subnet gets the discovery tag, and nothing else of the VPC is managed
    expect(tags.map((t) => [t.resource_id, t.key, t.value])).toEqual(VPC.privateSubnetIds.map((s) => [s, "karpenter.sh/discovery", "ml-test-training"]));
  });

  describe("bad attributes are one ConfigError each", () => {
    test.each([
      [
        "a subnet given as a CIDR",
        { network: { ...VPC, privateSubnetIds: [VPC.privateSubnetIds[0], "10.0.32.0/19", VPC.privateSubnetIds[2]] } },
        'test-infra/network: privateSubnetIds[1] is "10.0.32.0/19"; must be the ID of a subnet (subnet- and 8 or 17 hexadecimal digits, such as subnet-0a1b2c3d4e5f67890)',
      ],
      [
        "a VPC ID that is a name",
        { network: { ...VPC, vpcId: "ml-test-vpc" } },
        'test-infra/network: vpcId is "ml-test-vpc"; must be the ID of a VPC (vpc- and 8 or 17 hexadecimal digits, such as vpc-0a1b2c3d4e5f67890)',
      ],
      [
        "a VPC range other than the environment's",
        { network: { ...VPC, vpcCidr: "10.9.0.0/16" } },
        "test-infra/network: vpcCidr is \"10.9.0.0/16\"; must be the environment's vpcCidr (10.0.0.0/16): the NetworkPolicies of the platform allow the VPC by that range; set the environment's vpcCidr to the VPC's range",
      ],
      [
        "fewer subnets than zones",
        { network: { ...VPC, privateSubnetIds: VPC.privateSubnetIds.slice(0, 2) } },
        'test-infra/network: privateSubnetIds is ["subnet-0aaaaaaaaaaaaaaa1","subnet-0bbbbbbbbbbbbbbb2"]; must list one private subnet per zone of the environment (us-east-1a, us-east-1b, us-east-1c), in that order',
      ],
      [
        "a malformed key ARN",
        { keyArn: "arn:aws:kms:us-east-1:123456789012:1234abcd" },
        'test-infra/kms: keyArn is "arn:aws:kms:us-east-1:123456789012:1234abcd"; must be a KMS key ARN, such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ],
      [
        "an alias ARN",
        { keyArn: "arn:aws:kms:us-east-1:123456789012:alias/ml-test" },
        'test-infra/kms: keyArn is "arn:aws:kms:us-east-1:123456789012:alias/ml-test"; is an alias: give the key\'s ARN (arn:aws:kms:<region>:<account>:key/<key id>; `aws kms describe-key --key-id <alias>` prints it) and the alias as aliasName',
      ],
      [
        "a key of another region",
        { keyArn: KEY_ARN.replace("us-east-1", "eu-west-1") },
        `test-infra/kms: keyArn is "${KEY_ARN.replace("us-east-1", "eu-west-1")}"; is a key in eu-west-1; the environment is in us-east-1, and a KMS key encrypts resources of its own region only`,
      ],
    ])("%s", (_what, attrs, expected) => {
      expect(errorOf(() => infraOnImports(attrs))).toBe(expected);
    });
  });

  describeWithTerraform("under real Terraform", () => {
    test("the stack on the imported VPC and key validates and plans, creating no VPC and no key", async () => {
      const { app } = infraOnImports();
      const { plan, terraform } = await validateAndPlan(synthStackDir(app, "test-infra"));
      terraform.dispose();
      const types = plannedTypes(plan);
      expect(types).toEqual(expect.objectContaining({ aws_eks_cluster: 1, aws_db_instance: 1, aws_elasticache_replication_group: 1 }));
      for (const type of ["aws_vpc", "aws_subnet", "aws_kms_key"]) expect(types[type]).toBeUndefined();
      const eks = plan.resource_changes!.find((rc) => rc.type === "aws_eks_cluster")!;
      expect((eks.change.after as any).vpc_config[0].subnet_ids).toEqual(VPC.privateSubnetIds);
    }, 300_000);
  });
});
