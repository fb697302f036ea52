import * as fs from "fs";
import * as path from "path";
import { TerraformPlan } from "../../lib/terraform/offline";
import { synthReferenceApp, stackDir } from "../support/reference-app";
import { cachedPlan, describeWithTerraform, mapLimit, plannedTypes } from "../support/terraform";

/**
 * The strongest check of the suite: every AWS-only stack of the reference platform is
 * validated and planned by the real Terraform CLI with the real aws provider, offline.
 * Each capability adds the resource types it must plan here.
 */
const EXPECTED_INFRA_TYPES = [
  "aws_kms_key",
  "aws_kms_alias",
  "aws_vpc",
  "aws_subnet",
  "aws_nat_gateway",
  "aws_eip",
  "aws_internet_gateway",
  "aws_route_table",
  "aws_route",
  "aws_vpc_endpoint",
  "aws_flow_log",
  "aws_cloudwatch_log_group",
  "aws_default_security_group",
  // GpuTrainingCluster
  "aws_eks_cluster",
  "aws_iam_openid_connect_provider",
  "aws_eks_node_group",
  "aws_launch_template",
  "aws_eks_addon",
  "aws_autoscaling_group_tag",
  "aws_security_group",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_iam_role_policy_attachment",
  "aws_ecr_repository",
  "aws_ecr_lifecycle_policy",
  "aws_s3_bucket",
  // Observability (Alertmanager and Grafana credentials; their sync roles are aws_iam_role)
  "aws_secretsmanager_secret",
  // ModelRegistry
  "aws_db_instance",
  "aws_db_subnet_group",
  "aws_db_parameter_group",
  "aws_s3_bucket_lifecycle_configuration",
];
/** FeatureStore with a Redis online store (DynamoDB online tables are created by `feast apply`, not planned here). */
const EXPECTED_REDIS_FEATURE_STORE_TYPES = ["aws_elasticache_replication_group", "aws_elasticache_subnet_group", "aws_elasticache_user", "aws_elasticache_user_group"];
const EXPECTED_BOOTSTRAP_TYPES = [
  "aws_kms_key",
  "aws_s3_bucket",
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_policy",
];

describeWithTerraform("reference stacks under real Terraform (offline)", () => {
  const { outdir, stacks } = synthReferenceApp();
  const plans = new Map<string, TerraformPlan>();

  beforeAll(async () => {
    // Every AWS-only stack, validated and planned, two at a time (one per core).
    const names = stacks.flatMap((s) => [s.infra.node.id, ...(s.bootstrap ? [s.bootstrap.node.id] : [])]);
    const planned = await mapLimit(names, 2, (name) => cachedPlan(stackDir(outdir, name)));
    names.forEach((name, i) => plans.set(name, planned[i]));
  });

  async function planOf(name: string): Promise<TerraformPlan> {
    return plans.get(name)!;
  }

  /**
   * Server access logging as Terraform plans it: for each planned bucket, the bucket its
   * aws_s3_bucket_logging delivers to (from the configuration's references), and the
   * access-log buckets' planned encryption and policy.
   */
  function accessLogging(plan: TerraformPlan): { buckets: string[]; logsTo: Map<string, string>; logBuckets: Set<string> } {
    const resources: any[] = (plan.configuration as any)?.root_module?.resources ?? [];
    const bucketRef = (refs: string[] | undefined) => (refs ?? []).find((r) => /^aws_s3_bucket\.[^.]+$/.test(r));
    const logsTo = new Map<string, string>();
    for (const r of resources.filter((r) => r.type === "aws_s3_bucket_logging")) {
      const source = bucketRef(r.expressions?.bucket?.references);
      const target = bucketRef(r.expressions?.target_bucket?.references);
      if (source && target) logsTo.set(source, target);
    }
    const buckets = (plan.resource_changes ?? []).filter((rc) => rc.type === "aws_s3_bucket").map((rc) => rc.address);
    return { buckets, logsTo, logBuckets: new Set(logsTo.values()) };
  }

  for (const { environment, infra, bootstrap, featureStore } of stacks) {
    test(`${infra.node.id} validates and plans the network, key and every capability`, async () => {
      // GIVEN the synthesized infrastructure stack  WHEN planned by terraform
      const types = plannedTypes(await planOf(infra.node.id));
      // THEN every expected resource type is planned for creation
      expect(Object.keys(types)).toEqual(expect.arrayContaining(EXPECTED_INFRA_TYPES));
      expect(types.aws_subnet).toBe(environment.availabilityZones.length * 2);
      expect(types.aws_nat_gateway).toBe(environment.tier === "development" ? 1 : environment.availabilityZones.length);
    });

    test(`${infra.node.id} plans the metrics-server EKS add-on (the metrics API every HPA reads)`, async () => {
      const addons = ((await planOf(infra.node.id)).resource_changes ?? [])
        .filter((rc) => rc.type === "aws_eks_addon" && rc.change.actions.includes("create"))
        .map((rc) => (rc.change.after as any)?.addon_name);
      expect(addons).toContain("metrics-server");
    });

    test(`${infra.node.id} plans server access logging for every data bucket, into an SSE-S3 log bucket the logging service may write to`, async () => {
      const plan = await planOf(infra.node.id);
      const { buckets, logsTo, logBuckets } = accessLogging(plan);
      expect([...logBuckets]).toHaveLength(1);
      const [logBucket] = [...logBuckets];
      // Every other bucket (datasets, MLflow artifacts, the feature store's offline store) logs into it.
      expect(buckets.filter((b) => b !== logBucket).map((b) => [b, logsTo.get(b)])).toEqual(buckets.filter((b) => b !== logBucket).map((b) => [b, logBucket]));
      expect(buckets.length).toBeGreaterThanOrEqual(4);
      const after = (type: string) => (plan.resource_changes ?? []).filter((rc) => rc.type === type).map((rc) => rc.change.after as any);
      const configOf = (type: string) =>
        ((plan.configuration as any).root_module.resources as any[]).find((r) => r.type === type && (r.expressions?.bucket?.references ?? []).includes(`${logBucket}.id`));
      // S3 delivers server access logs only to SSE-S3 buckets.
      expect(configOf("aws_s3_bucket_server_side_encryption_configuration").expressions.rule[0].apply_server_side_encryption_by_default[0].sse_algorithm.constant_value).toBe(
        "AES256",
      );
      const logBucketName = after("aws_s3_bucket").find((b) => /-access-logs-\d{12}$/.test(b.bucket))?.bucket;
      expect(logBucketName).toBe(`${infra.node.id}-access-logs-${environment.accountId}`);
      // The logging service may deliver (ACLs are disabled: the bucket policy is the only grant), for this account only.
      const synthesized = JSON.parse(fs.readFileSync(path.join(stackDir(outdir, infra.node.id), "cdk.tf.json"), "utf8"));
      const [, logName] = logBucket.split(".");
      const policy = Object.values<any>(synthesized.resource.aws_s3_bucket_policy).find((p) => p.bucket === `\${aws_s3_bucket.${logName}.id}`);
      expect(JSON.parse(policy.policy).Statement).toContainEqual({
        Sid: "S3ServerAccessLogsDelivery",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `\${aws_s3_bucket.${logName}.arn}/*`,
        Condition: { StringEquals: { "aws:SourceAccount": environment.accountId } },
      });
    });

    test(`${infra.node.id} plans the VPC CNI add-on enforcing NetworkPolicies (enableNetworkPolicy; without it every policy is ignored)`, async () => {
      const cni = ((await planOf(infra.node.id)).resource_changes ?? [])
        .filter((rc) => rc.type === "aws_eks_addon" && (rc.change.after as any)?.addon_name === "vpc-cni")
        .map((rc) => JSON.parse((rc.change.after as any)?.configuration_values ?? "{}"));
      expect(cni).toEqual([{ enableNetworkPolicy: "true" }]);
    });

    test(`${infra.node.id} plans the feature store's ${featureStore.onlineStoreType} online store`, async () => {
      const plan = await planOf(infra.node.id);
      const types = plannedTypes(plan);
      if (featureStore.onlineStoreType === "redis") {
        expect(Object.keys(types)).toEqual(expect.arrayContaining(EXPECTED_REDIS_FEATURE_STORE_TYPES));
        const cache = (plan.resource_changes ?? []).find((rc) => rc.type === "aws_elasticache_replication_group")!.change.after as any;
        expect(cache).toMatchObject({ multi_az_enabled: environment.isProduction, automatic_failover_enabled: environment.isProduction, transit_encryption_enabled: true });
      } else {
        expect(types.aws_elasticache_replication_group).toBeUndefined();
      }
    });

    test(`${infra.node.id} plans only creations on an empty state`, async () => {
      const plan = await planOf(infra.node.id);
      const actions = new Set((plan.resource_changes ?? []).filter((rc) => rc.mode === "managed").flatMap((rc) => rc.change.actions));
      expect([...actions]).toEqual(["create"]);
    });

    if (bootstrap) {
      test(`${bootstrap.node.id} plans the encrypted, locked-down state bucket`, async () => {
        const types = plannedTypes(await planOf(bootstrap.node.id));
        expect(Object.keys(types)).toEqual(expect.arrayContaining(EXPECTED_BOOTSTRAP_TYPES));
      });
    }
  }
});
