import { parse } from "yaml";
import { Construct } from "constructs";
import { IGrantable, PolicyStatement, ServiceAccountRole } from "../../../lib";
import { checkStack } from "../../../lib/policy";
import { errorOf, onlyResource, resourcesOfType, synthJson, withoutAccessLogs } from "../../support/synth";
import { featureStore } from "./fixtures";

/** The statements of one IRSA role's inline policy, by the role's construct id under the store. */
function roleStatements(json: any, roleId: "server-role" | "materialize-role"): any[] {
  const policy = Object.entries(resourcesOfType(json, "aws_iam_role_policy")).find(([name]) => name.startsWith(`features_${roleId}_`));
  if (!policy) throw new Error(`no policy of ${roleId}`);
  return JSON.parse((policy[1] as any).policy).Statement;
}

function actionsOn(statements: any[], resourceSubstring: string): string[] {
  return statements
    .filter((s) => s.Resource.some((r: string) => r.includes(resourceSubstring)))
    .flatMap((s) => s.Action)
    .sort();
}

class RecordingGrantee extends Construct implements IGrantable {
  public readonly statements: PolicyStatement[] = [];
  public addToPolicy(statement: PolicyStatement): void {
    this.statements.push(statement);
  }
}

const TABLES = "arn:aws:dynamodb:us-east-1:123456789012:table/ml-test-feast.driver_stats.*";

describe("FeatureStore: offline store and registry", () => {
  test("the offline store is an SSE-KMS bucket under the environment key, named after the environment and account", () => {
    // GIVEN a feature store WHEN synthesized
    const { infra } = featureStore();
    const json = withoutAccessLogs(synthJson(infra));
    // THEN the bucket is named per environment and account, and encrypted with the cluster's key
    expect(onlyResource(json, "aws_s3_bucket").bucket).toBe("ml-test-feature-store-123456789012");
    const sse = onlyResource(json, "aws_s3_bucket_server_side_encryption_configuration").rule[0].apply_server_side_encryption_by_default;
    expect(sse).toEqual({ sse_algorithm: "aws:kms", kms_master_key_id: "${aws_kms_key.cluster_kms_key_E7D08A74.arn}" });
  });

  test("the registry is a file in the offline bucket under its own prefix", () => {
    const { store } = featureStore();
    expect(store.registryPath).toBe("s3://ml-test-feature-store-123456789012/registry/registry.pb");
  });
});

describe("FeatureStore: DynamoDB online store (default)", () => {
  test("creates no table: Feast creates them at apply time under the project's table prefix", () => {
    const { infra, store } = featureStore();
    const json = synthJson(infra);
    expect(resourcesOfType(json, "aws_dynamodb_table")).toEqual({});
    expect(resourcesOfType(json, "aws_elasticache_replication_group")).toEqual({});
    expect(store.tablePrefix).toBe("ml-test-feast.driver_stats.");
    expect(store.onlineStoreEndpoint).toBe("dynamodb.us-east-1.amazonaws.com");
  });

  test("the feature server reads online tables by prefix ARN, and the registry, and nothing else", () => {
    const json = synthJson(featureStore().infra);
    const statements = roleStatements(json, "server-role");
    expect(actionsOn(statements, "dynamodb")).toEqual(["dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:GetItem"]);
    expect(statements.flatMap((s) => s.Resource).filter((r: string) => r.includes("dynamodb"))).toEqual([TABLES]);
    expect(actionsOn(statements, "/registry/*")).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
    expect(actionsOn(statements, "/data/")).toEqual([]);
  });

  test("the materialization job reads the offline data, writes online tables by prefix ARN and updates the registry", () => {
    const statements = roleStatements(synthJson(featureStore().infra), "materialize-role");
    expect(actionsOn(statements, "dynamodb")).toEqual(["dynamodb:BatchWriteItem", "dynamodb:DescribeTable", "dynamodb:PutItem"]);
    expect(statements.flatMap((s) => s.Resource).filter((r: string) => r.includes("dynamodb"))).toEqual([TABLES]);
    expect(actionsOn(statements, "/data/*")).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
    expect(actionsOn(statements, "/registry/*")).toEqual(["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]);
  });

  test("registry readers may HeadBucket (s3:ListBucket on the bucket without a prefix condition), which Feast's S3 registry calls first", () => {
    const statements = roleStatements(synthJson(featureStore().infra), "server-role");
    const list = statements.filter((s) => s.Action.includes("s3:ListBucket"));
    expect(list).toEqual([{ Effect: "Allow", Action: ["s3:ListBucket"], Resource: [expect.stringMatching(/^\$\{aws_s3_bucket\.features_offline_bucket_\w+\.arn\}$/)] }]);
  });

  test('no Feast role has a "*" resource or a wildcard action', () => {
    const json = synthJson(featureStore().infra);
    for (const role of ["server-role", "materialize-role"] as const) {
      const statements = roleStatements(json, role);
      expect(statements.flatMap((s) => s.Resource)).not.toContain("*");
      expect(statements.flatMap((s) => s.Action).filter((a: string) => a.endsWith(":*") || a === "*")).toEqual([]);
      expect(statements.every((s) => s.Effect === "Allow")).toBe(true);
    }
  });

  test("grantOnlineRead gives a serving role the online tables and the registry, not the offline data", () => {
    const { store, infra } = featureStore();
    const grantee = new RecordingGrantee(infra, "endpoint");
    store.grantOnlineRead(grantee);
    const resources = grantee.statements.flatMap((s) => s.resources);
    expect(resources).toContain(TABLES);
    expect(resources.some((r) => r.endsWith("/registry/*"))).toBe(true);
    expect(resources.some((r) => r.includes("/data/"))).toBe(false);
    expect(grantee.statements.flatMap((s) => s.actions)).not.toContain("dynamodb:BatchWriteItem");
  });

  test("grantOfflineRead gives a training role the offline data and the registry read-only, not the online store", () => {
    const { store, infra } = featureStore();
    const grantee = new RecordingGrantee(infra, "trainer");
    store.grantOfflineRead(grantee);
    const actions = grantee.statements.flatMap((s) => s.actions);
    expect(grantee.statements.flatMap((s) => s.resources).some((r) => r.endsWith("/data/*"))).toBe(true);
    expect(actions.filter((a) => a.startsWith("dynamodb:"))).toEqual([]);
    expect(actions).not.toContain("s3:PutObject");
  });

  test("grantApply lets feast apply read the offline data (it validates each FileSource's Parquet schema), read-only", () => {
    // GIVEN a CI role WHEN granted apply
    const { store, infra } = featureStore();
    const grantee = new RecordingGrantee(infra, "ci");
    store.grantApply(grantee);
    // THEN it may get the offline store's objects under the data prefix, and write nothing there
    const onData = grantee.statements.filter((s) => s.resources.some((r) => r.endsWith("/data/*")));
    expect(onData.flatMap((s) => s.actions).sort()).toEqual(["s3:GetObject", "s3:GetObjectVersion"]);
    expect(grantee.statements.flatMap((s) => s.actions)).toContain("dynamodb:CreateTable");
  });

  test("feature_store.yaml parses and has the keys Feast needs for DynamoDB, the file offline store and the S3 registry", () => {
    const { store } = featureStore();
    const config = parse(store.featureStoreYaml);
    expect(config).toMatchObject({
      project: "driver_stats",
      provider: "aws",
      registry: { registry_type: "file", path: "s3://ml-test-feature-store-123456789012/registry/registry.pb" },
      online_store: { type: "dynamodb", region: "us-east-1", table_name_template: "ml-test-feast.{project}.{table_name}" },
      offline_store: { type: "file" },
    });
    // The template, filled in as Feast does, stays under the prefix the IAM policies allow.
    expect(config.online_store.table_name_template.replace("{project}", "driver_stats").replace("{table_name}", "fv")).toBe(`${store.tablePrefix}fv`);
  });
});

describe("FeatureStore: Redis online store", () => {
  const redisProd = () => featureStore({ tier: "production" }, { onlineStore: "redis" });

  test("the replication group is encrypted at rest with the environment key and in transit, with RBAC instead of an auth token", () => {
    const json = synthJson(redisProd().infra);
    const cache = onlyResource(json, "aws_elasticache_replication_group");
    expect(cache).toMatchObject({
      at_rest_encryption_enabled: "true",
      kms_key_id: "${aws_kms_key.cluster_kms_key_E7D08A74.arn}",
      transit_encryption_enabled: true,
      transit_encryption_mode: "required",
    });
    expect(cache.user_group_ids).toEqual([expect.stringMatching(/^\$\{aws_elasticache_user_group\.features_redis_users_\w+\.user_group_id\}$/)]);
    expect(cache.auth_token).toBeUndefined();
  });

  test("production runs Multi-AZ with automatic failover across two nodes", () => {
    const cache = onlyResource(synthJson(redisProd().infra), "aws_elasticache_replication_group");
    expect(cache).toMatchObject({ multi_az_enabled: true, automatic_failover_enabled: true, num_cache_clusters: 2 });
  });

  test("development runs a single node without Multi-AZ", () => {
    const cache = onlyResource(synthJson(featureStore({}, { onlineStore: "redis" }).infra), "aws_elasticache_replication_group");
    expect(cache).toMatchObject({ multi_az_enabled: false, automatic_failover_enabled: false, num_cache_clusters: 1 });
  });

  test("the cache lives in the private subnets and admits only the cluster's workload security group on 6379", () => {
    const json = synthJson(redisProd().infra);
    const subnets = onlyResource(json, "aws_elasticache_subnet_group").subnet_ids;
    expect(subnets).toHaveLength(3);
    expect(subnets.every((s: string) => s.includes("aws_subnet.cluster_network_private-"))).toBe(true);
    const rules = Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter((r: any) => !/network_endpoints-sg/.test(r.security_group_id));
    expect(rules).toEqual([
      expect.objectContaining({
        referenced_security_group_id: expect.stringMatching(/^\$\{aws_security_group\.cluster_nodes_\w+\.id\}$/),
        ip_protocol: "tcp",
        from_port: 6379,
        to_port: 6379,
      }),
    ]);
    expect(rules[0]).not.toHaveProperty("cidr_ipv4");
  });

  test("no password is in the synthesized stack: the secret has no version and both users start without one, disabled", () => {
    const json = synthJson(redisProd().infra);
    expect(resourcesOfType(json, "aws_secretsmanager_secret_version")).toEqual({});
    const secret = onlyResource(json, "aws_secretsmanager_secret");
    expect(secret.kms_key_id).toBe("${aws_kms_key.cluster_kms_key_E7D08A74.arn}");
    const users = Object.values(resourcesOfType(json, "aws_elasticache_user")) as any[];
    expect(users.map((u) => [u.user_name, u.access_string, u.authentication_mode.type, u.passwords])).toEqual([
      ["default", "off -@all", "no-password-required", undefined],
      ["feast", "off -@all", "no-password-required", undefined],
    ]);
    expect(onlyResource(json, "aws_elasticache_replication_group")).not.toHaveProperty("auth_token");
  });

  test("the operator-enabled user's access and password are left to the operator after creation", () => {
    const users = Object.values(resourcesOfType(synthJson(redisProd().infra), "aws_elasticache_user")) as any[];
    const feast = users.find((u) => u.user_name === "feast");
    expect(feast.lifecycle.ignore_changes).toEqual(expect.arrayContaining(["access_string", "authentication_mode", "passwords"]));
  });

  test("feature_store.yaml connects over TLS as the feast user, with the password expanded from the environment by Feast", () => {
    const { store } = redisProd();
    const online = parse(store.featureStoreYaml).online_store;
    expect(online.type).toBe("redis");
    expect(online.redis_type).toBe("redis");
    expect(online.connection_string).toMatch(/:6379,ssl=true,username=feast,password=\$REDIS_PASSWORD$/);
    expect(store.tablePrefix).toBeUndefined();
  });

  test("grantOnlineRead lets a serving role read the Redis password secret (to sync it), and no other secret", () => {
    const { store, infra } = redisProd();
    const endpoint = new ServiceAccountRole(infra, "endpoint", { identity: store.cluster, namespace: "serving", serviceAccount: "model" });
    store.grantOnlineRead(endpoint);
    const policy = Object.entries(resourcesOfType(synthJson(infra), "aws_iam_role_policy")).find(([n]) => n.startsWith("endpoint_"))![1] as any;
    const secretStatements = JSON.parse(policy.policy).Statement.filter((s: any) => s.Action.includes("secretsmanager:GetSecretValue"));
    expect(secretStatements.flatMap((s: any) => s.Resource)).toEqual([expect.stringMatching(/^\$\{aws_secretsmanager_secret\.features_redis_auth_\w+\.arn\}$/)]);
  });

  test("other Feast clients learn which secret and environment variable carry the password; DynamoDB needs none", () => {
    const { store } = redisProd();
    // (that secretArn resolves to the Redis auth secret is asserted on the synced ExternalSecret in feature-server.test.ts)
    expect(store.onlineStoreSecret).toEqual({ secretArn: expect.stringMatching(/^\$\{TfToken/), property: "password", environmentVariable: "REDIS_PASSWORD" });
    expect(store.featureStoreYaml).toContain(`password=$${store.onlineStoreSecret!.environmentVariable}`);
    expect(featureStore().store.onlineStoreSecret).toBeUndefined();
  });

  test("the policy pack finds nothing to flag in the feature store's resources", () => {
    const report = checkStack("test-infra", synthJson(redisProd().infra));
    expect(report.findings.filter((f) => f.constructPath?.includes("/features/"))).toEqual([]);
  });
});

describe("FeatureStore: bad input", () => {
  test("an unknown online store type", () => {
    expect(errorOf(() => featureStore({}, { onlineStore: "cassandra" as never }))).toBe('test-infra/features: onlineStore is "cassandra"; must be one of "dynamodb", "redis"');
  });

  test("redis without Multi-AZ in production", () => {
    expect(errorOf(() => featureStore({ tier: "production" }, { onlineStore: "redis", redis: { multiAz: false } }))).toBe(
      "test-infra/features: redis.multiAz is false; production needs Multi-AZ with automatic failover: " +
        "a single-zone Redis online store stops serving features when its zone fails",
    );
  });

  test("an invalid cron schedule", () => {
    expect(errorOf(() => featureStore({}, { materialization: { schedule: "61 * * * *" } }))).toBe(
      'test-infra/features: materialization.schedule is "61 * * * *"; minute field: 61 is outside 0-59; ' +
        'must be a 5-field cron schedule (minute hour day-of-month month day-of-week), such as "0 * * * *"',
    );
  });

  test("a freshness threshold shorter than the schedule", () => {
    expect(errorOf(() => featureStore({}, { materialization: { schedule: "0 */6 * * *", freshnessMultiple: 0.5 } }))).toBe(
      "test-infra/features: materialization.freshnessMultiple is 0.5; the freshness threshold (0.5 x the schedule's 6h between runs) " +
        "must be longer than the schedule: use a multiple greater than 1, so that a run can finish before the alert fires",
    );
  });

  test("a project name Feast rejects", () => {
    expect(errorOf(() => featureStore({}, { project: "driver-stats" }))).toBe(
      'test-infra/features: project is "driver-stats"; Feast project names may contain only letters, digits and underscores and must not start with an underscore',
    );
  });

  test("a project name starting with an underscore", () => {
    expect(errorOf(() => featureStore({}, { project: "_private" }))).toContain('project is "_private"');
  });

  test("Multi-AZ redis with a single node", () => {
    expect(errorOf(() => featureStore({}, { onlineStore: "redis", redis: { multiAz: true, nodes: 1 } }))).toBe(
      "test-infra/features: redis.nodes is 1; Multi-AZ needs at least 2 nodes: a primary and a replica in another zone",
    );
  });
});

describe("FeatureStore: sizing", () => {
  test("the online store type, node type and replicas come from its props", () => {
    const { store } = featureStore({}, { onlineStore: "redis", server: { replicas: 3 }, redis: { nodeType: "cache.r7g.large" } });
    expect(store.onlineStoreType).toBe("redis");
    expect(store.replicas).toBe(3);
    expect(onlyResource(synthJson(store.node.scope as any), "aws_elasticache_replication_group").node_type).toBe("cache.r7g.large");
  });

  test("the freshness threshold is the multiple times the schedule's longest gap", () => {
    const { store } = featureStore({}, { materialization: { schedule: "0 9 * * 1-5", freshnessMultiple: 1.5 } });
    // Friday 09:00 to Monday 09:00 is the longest gap: 72h, x1.5 = 108h.
    expect(store.schedulePeriodMinutes).toBe(72 * 60);
    expect(store.freshnessThresholdSeconds).toBe(108 * 3600);
  });
});
