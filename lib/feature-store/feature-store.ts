import { Cpu, Memory, RESOURCE_REQUESTS_SHAPE, ResolvedResources, ResourceRequests, resolveResources } from "../kubernetes/resources";
import { Construct } from "constructs";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ConditionalResources } from "../core/stack-records";
import { Environment } from "../core/environment";
import { Validator, formatValue } from "../core/errors";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { IGrantable, PolicyStatement } from "../iam/policy-statement";
import { ServiceAccountRole } from "../iam/service-account-role";
import { grantSecretRead } from "../kubernetes/external-secrets";
import { SecureBucket } from "../storage/secure-bucket";
import { checkSchedule, formatMinutes } from "../core/cron";
import { renderFeatureStoreYaml } from "./private/feature-store-yaml";
import { REDIS_USERNAME, RedisOnlineStore } from "./private/redis-online-store";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { namespaceProblem } from "../core/validators";

export type OnlineStoreType = "dynamodb" | "redis";
export const ONLINE_STORE_TYPES: readonly OnlineStoreType[] = ["dynamodb", "redis"];

/** Kubernetes names shared by the infrastructure (IRSA trust) and the platform (the workloads). */
export const FEAST_NAMES = {
  serverServiceAccount: "feast-feature-server",
  materializeServiceAccount: "feast-materialize",
  materializeCronJob: "feast-materialize",
  configMap: "feast-feature-store",
  /** Kubernetes Secret (synced from Secrets Manager) holding the Redis password, key `password`. */
  redisSecret: "feast-redis-auth",
  /** Environment variable Feast expands in feature_store.yaml (`os.path.expandvars`) to the Redis password. */
  redisPasswordEnv: "REDIS_PASSWORD",
} as const;

/**
 * What a pod other than the feature server needs to use a Redis online store: the
 * password, synced from this secret (e.g. with `SyncedSecret`), in this environment
 * variable, because feature_store.yaml says `password=$REDIS_PASSWORD`.
 */
export interface OnlineStoreSecret {
  /** Secrets Manager secret holding JSON `{"username": "feast", "password": ...}`; `grantOnlineRead` grants reading it. */
  readonly secretArn: string;
  /** JSON property of the password in the secret's value. */
  readonly property: string;
  /** Environment variable Feast expands in feature_store.yaml. */
  readonly environmentVariable: string;
}

export interface RedisOnlineStoreOptions {
  /** @default "cache.t4g.medium" */
  readonly nodeType?: string;
  /** Nodes of the replication group: one primary plus replicas. @default - 1 in development, 2 otherwise */
  readonly nodes?: number;
  /** Replicas in other zones with automatic failover. Production requires it. @default - true in production, false otherwise */
  readonly multiAz?: boolean;
  /** @default "7.1" */
  readonly engineVersion?: string;
}

export interface OfflineStoreOptions {
  /** @default - `<env prefix>-feature-store-<account id>` */
  readonly bucketName?: string;
  /** Prefix of the Parquet files that feature views' FileSources point at. @default "data/" */
  readonly dataPrefix?: string;
}

export interface MaterializationOptions {
  /** 5-field cron schedule (UTC) of `feast materialize-incremental`. @default "0 * * * *" (hourly) */
  readonly schedule?: string;
  /**
   * The freshness alert fires when materialization has not succeeded for this many
   * times the schedule's longest gap between runs. Must be greater than 1.
   * @default 2
   */
  readonly freshnessMultiple?: number;
  /** @default - { cpu: Cpu.millicores(500), memory: Memory.gibibytes(1), memoryLimit: Memory.gibibytes(2) } */
  readonly resources?: ResourceRequests;
}

export interface FeatureServerOptions {
  /** @default - 1 in development, 2 in staging and production */
  readonly replicas?: number;
  /** @default - { cpu: Cpu.millicores(250), memory: Memory.mebibytes(512), memoryLimit: Memory.gibibytes(1) } */
  readonly resources?: ResourceRequests;
}

export interface FeatureStoreProps {
  readonly cluster: ITrainingCluster;
  /** Feast project name: letters, digits and underscores, not starting with an underscore. */
  readonly project: string;
  /** @default "dynamodb" */
  readonly onlineStore?: OnlineStoreType;
  /** Used when the online store is redis. @default - see RedisOnlineStoreOptions */
  readonly redis?: RedisOnlineStoreOptions;
  /** @default - see OfflineStoreOptions */
  readonly offlineStore?: OfflineStoreOptions;
  /** @default - see MaterializationOptions */
  readonly materialization?: MaterializationOptions;
  /** @default - see FeatureServerOptions */
  readonly server?: FeatureServerOptions;
  /** Kubernetes namespace of the feature server and materialization job. @default "feast" */
  readonly namespace?: string;
  /** How long Feast processes cache the registry. @default 60 */
  readonly registryCacheTtlSeconds?: number;
}

/**
 * Feast's documented rule (docs.feast.dev/reference/feature-repository/feature-store-yaml:
 * "Should only contain letters, numbers, and underscores"; enforced by
 * `feast.repo_operations.is_valid_name`: no `\W`, no leading `_`), restricted to ASCII
 * because the name becomes part of DynamoDB table names and IAM ARNs.
 */
const FEAST_PROJECT = /^[A-Za-z0-9][A-Za-z0-9_]*$/;
const DEFAULT_SCHEDULE = "0 * * * *";
const REGISTRY_KEY = "registry/registry.pb";

const RESOURCES = Shape.optional(RESOURCE_REQUESTS_SHAPE);
const PROPS_SHAPE = {
  cluster: LibraryShapes.cluster,
  project: Shape.string(),
  onlineStore: Shape.optional(Shape.string()),
  redis: Shape.optional(
    Shape.object({
      nodeType: Shape.optional(Shape.string()),
      nodes: Shape.optional(Shape.number()),
      multiAz: Shape.optional(Shape.boolean()),
      engineVersion: Shape.optional(Shape.string()),
    }),
  ),
  offlineStore: Shape.optional(Shape.object({ bucketName: Shape.optional(Shape.string()), dataPrefix: Shape.optional(Shape.string()) })),
  materialization: Shape.optional(
    Shape.object({
      schedule: Shape.optional(Shape.string()),
      freshnessMultiple: Shape.optional(Shape.number()),
      resources: RESOURCES,
    }),
  ),
  server: Shape.optional(Shape.object({ replicas: Shape.optional(Shape.number()), resources: RESOURCES })),
  namespace: Shape.optional(Shape.string()),
  registryCacheTtlSeconds: Shape.optional(Shape.number()),
};

/** Every setting of a FeatureStore with its default (from the prop, else the tier) filled in. */
interface ResolvedProps {
  readonly project: string;
  readonly namespace: string;
  readonly onlineStoreType: OnlineStoreType;
  readonly schedule: string;
  readonly freshnessMultiple: number;
  readonly replicas: number;
  readonly serverResources: ResolvedResources;
  readonly materializeResources: ResolvedResources;
  readonly dataPrefix: string;
  readonly bucketName: string;
  readonly registryCacheTtlSeconds: number;
  readonly redis: { readonly nodeType: string; readonly nodes: number; readonly multiAz: boolean; readonly engineVersion: string };
}

/** Resolves every default once (the resource quantities are checked as they resolve). */
function resolveProps(props: FeatureStoreProps, env: Environment, v: Validator): ResolvedProps {
  return {
    project: props.project,
    namespace: props.namespace ?? "feast",
    onlineStoreType: props.onlineStore ?? "dynamodb",
    schedule: props.materialization?.schedule ?? DEFAULT_SCHEDULE,
    freshnessMultiple: props.materialization?.freshnessMultiple ?? 2,
    replicas: props.server?.replicas ?? env.byTier({ development: 1, staging: 2, production: 2 }),
    serverResources: resolveResources(v, "server.resources", props.server?.resources, {
      cpu: Cpu.millicores(250),
      memory: Memory.mebibytes(512),
      memoryLimit: Memory.gibibytes(1),
    }),
    materializeResources: resolveResources(v, "materialization.resources", props.materialization?.resources, {
      cpu: Cpu.millicores(500),
      memory: Memory.gibibytes(1),
      memoryLimit: Memory.gibibytes(2),
    }),
    dataPrefix: props.offlineStore?.dataPrefix ?? "data/",
    bucketName: props.offlineStore?.bucketName ?? `${env.prefix}-feature-store-${env.accountId}`,
    registryCacheTtlSeconds: props.registryCacheTtlSeconds ?? 60,
    redis: {
      nodeType: props.redis?.nodeType ?? "cache.t4g.medium",
      nodes: props.redis?.nodes ?? env.byTier({ development: 1, staging: 2, production: 2 }),
      multiAz: props.redis?.multiAz ?? env.isProduction,
      engineVersion: props.redis?.engineVersion ?? "7.1",
    },
  };
}

/** Records every problem with the resolved settings; returns the schedule's longest gap in minutes (0 when it does not parse). */
function validateProps(v: Validator, env: Environment, s: ResolvedProps): number {
  v.check(
    typeof s.project === "string" && FEAST_PROJECT.test(s.project),
    "project",
    s.project,
    "Feast project names may contain only letters, digits and underscores and must not start with an underscore",
  );
  v.check(ONLINE_STORE_TYPES.includes(s.onlineStoreType), "onlineStore", s.onlineStoreType, `must be one of ${ONLINE_STORE_TYPES.map((t) => formatValue(t)).join(", ")}`);
  if (s.onlineStoreType === "redis") {
    v.check(
      !(env.isProduction && !s.redis.multiAz),
      "redis.multiAz",
      s.redis.multiAz,
      "production needs Multi-AZ with automatic failover: a single-zone Redis online store stops serving features when its zone fails",
    );
    v.check(
      Number.isInteger(s.redis.nodes) && s.redis.nodes >= 1 && s.redis.nodes <= 6,
      "redis.nodes",
      s.redis.nodes,
      "must be a whole number from 1 to 6 (a primary and up to 5 replicas)",
    );
    if (s.redis.multiAz) {
      v.check(s.redis.nodes >= 2, "redis.nodes", s.redis.nodes, "Multi-AZ needs at least 2 nodes: a primary and a replica in another zone");
    }
    v.check(
      /^\d+\.\d+$/.test(s.redis.engineVersion) && Number(s.redis.engineVersion.split(".")[0]) >= 7,
      "redis.engineVersion",
      s.redis.engineVersion,
      'must be a Redis version "7.x" or later, such as "7.1" (RBAC user groups with TLS)',
    );
  }
  const periodMinutes = checkSchedule(v, "materialization.schedule", s.schedule) ?? 0;
  if (periodMinutes > 0) {
    v.check(
      Number.isFinite(s.freshnessMultiple) && s.freshnessMultiple > 1,
      "materialization.freshnessMultiple",
      s.freshnessMultiple,
      `the freshness threshold (${s.freshnessMultiple} x the schedule's ${formatMinutes(periodMinutes)} between runs) must be longer ` +
        "than the schedule: use a multiple greater than 1, so that a run can finish before the alert fires",
    );
  }
  v.check(Number.isInteger(s.replicas) && s.replicas >= 1, "server.replicas", s.replicas, "must be a whole number >= 1");
  v.check(
    /^([A-Za-z0-9!_.*'()-]+\/)+$/.test(s.dataPrefix) && !s.dataPrefix.startsWith("registry/"),
    "offlineStore.dataPrefix",
    s.dataPrefix,
    'must be an S3 key prefix ending in "/" (such as "data/"), outside "registry/"',
  );
  v.check(
    Number.isInteger(s.registryCacheTtlSeconds) && s.registryCacheTtlSeconds >= 0,
    "registryCacheTtlSeconds",
    s.registryCacheTtlSeconds,
    "must be a whole number of seconds >= 0",
  );
  v.check(
    !(env.isProduction && s.replicas < 2),
    "server.replicas",
    s.replicas,
    "production needs at least 2 feature server replicas, so that a node drain or a rollout never stops online feature reads",
  );
  v.check(namespaceProblem(s.namespace) === undefined, "namespace", s.namespace, namespaceProblem(s.namespace) ?? "");
  return periodMinutes;
}

/**
 * A Feast feature store on AWS (the infrastructure half; `FeatureServer` is the
 * in-cluster half): an offline store of Parquet files in a SecureBucket, the registry
 * file in the same bucket under `registry/`, an online store in DynamoDB (tables that
 * `feast apply` creates under a fixed name prefix) or ElastiCache Redis, and IRSA roles
 * for the feature server (reads the online store and the registry) and the
 * materialization job (reads the offline store, writes the online store, records
 * materialized intervals in the registry).
 */
export class FeatureStore extends Construct {
  public readonly cluster: ITrainingCluster;
  public readonly project: string;
  public readonly namespace: string;
  public readonly onlineStoreType: OnlineStoreType;
  public readonly offlineBucket: SecureBucket;
  public readonly dataPrefix: string;
  /** `s3://<bucket>/registry/registry.pb` */
  public readonly registryPath: string;
  /** DynamoDB table name prefix of this project's online tables (undefined for redis). */
  public readonly tablePrefix?: string;
  /** `host:port` of the Redis primary, or the regional DynamoDB endpoint. */
  public readonly onlineStoreEndpoint: string;
  /** The Redis online store's replication group (undefined for dynamodb): the escape hatch to the cache. */
  public readonly redisReplicationGroup?: ElasticacheReplicationGroup;
  private readonly redis?: RedisOnlineStore;
  /** The credential a Feast client needs besides feature_store.yaml (undefined for dynamodb: IAM is enough). */
  public readonly onlineStoreSecret?: OnlineStoreSecret;
  /** The rendered feature_store.yaml (the Redis password is `$REDIS_PASSWORD`, expanded by Feast from the environment). */
  public readonly featureStoreYaml: string;
  public readonly serverRole: ServiceAccountRole;
  public readonly materializeRole: ServiceAccountRole;
  public readonly schedule: string;
  public readonly freshnessMultiple: number;
  /** The schedule's longest gap between two runs, in minutes. */
  public readonly schedulePeriodMinutes: number;
  /** Seconds without a successful materialization after which the freshness alert fires. */
  public readonly freshnessThresholdSeconds: number;
  public readonly replicas: number;
  public readonly serverResources: ResolvedResources;
  public readonly materializeResources: ResolvedResources;
  private readonly env: Environment;

  constructor(scope: Construct, id: string, props: FeatureStoreProps) {
    super(scope, id);
    checkShape(this.node.path, props, PROPS_SHAPE);
    const env = Environment.of(this);
    this.env = env;
    // resolve -> validate -> build: defaults once, every problem reported together, then the resources.
    const v = new Validator(this.node.path);
    const s = resolveProps(props, env, v);
    const periodMinutes = validateProps(v, env, s);
    v.throwIfAny();

    this.cluster = props.cluster;
    this.project = s.project;
    this.namespace = s.namespace;
    this.onlineStoreType = s.onlineStoreType;
    this.schedule = s.schedule;
    this.freshnessMultiple = s.freshnessMultiple;
    this.replicas = s.replicas;
    this.serverResources = s.serverResources;
    this.materializeResources = s.materializeResources;
    this.dataPrefix = s.dataPrefix;
    this.schedulePeriodMinutes = periodMinutes;
    this.freshnessThresholdSeconds = Math.round(this.freshnessMultiple * periodMinutes * 60);

    this.offlineBucket = new SecureBucket(this, "offline", { bucketName: s.bucketName, key: props.cluster.key });
    this.registryPath = `s3://${this.offlineBucket.bucketName}/${REGISTRY_KEY}`;

    ConditionalResources.of(this).record("onlineStore", this.onlineStoreType, {
      creates: this.onlineStoreType === "redis" ? ["redis"] : [],
      reason: "a Redis online store is an ElastiCache replication group with its users, subnet group and security group",
    });
    if (this.onlineStoreType === "redis") {
      this.redis = new RedisOnlineStore(this, "redis", { cluster: props.cluster, ...s.redis });
      this.redisReplicationGroup = this.redis.replicationGroup;
      this.onlineStoreEndpoint = this.redis.endpoint;
      this.onlineStoreSecret = { secretArn: this.redis.authSecret.arn, property: "password", environmentVariable: FEAST_NAMES.redisPasswordEnv };
    } else {
      this.tablePrefix = `${env.prefix}-feast.${this.project}.`;
      this.onlineStoreEndpoint = `dynamodb.${env.region}.amazonaws.com`;
    }
    this.featureStoreYaml = this.renderYaml(s.registryCacheTtlSeconds);
    this.serverRole = this.serviceAccountRole("server-role", FEAST_NAMES.serverServiceAccount);
    this.grantOnlineRead(this.serverRole);
    this.materializeRole = this.serviceAccountRole("materialize-role", FEAST_NAMES.materializeServiceAccount);
    this.offlineBucket.grantRead(this.materializeRole, `${this.dataPrefix}*`);
    // materialize-incremental reads its start from, and records the materialized interval in, the registry.
    this.grantRegistry(this.materializeRole, true);
    this.grantOnlineWrite(this.materializeRole);
  }

  /** feature_store.yaml for this store's registry and online store. */
  private renderYaml(registryCacheTtlSeconds: number): string {
    return renderFeatureStoreYaml({
      project: this.project,
      registryPath: this.registryPath,
      registryCacheTtlSeconds,
      online: this.redis
        ? {
            type: "redis",
            // Feast expands $REDIS_PASSWORD from the environment when it loads the file; the value never reaches Terraform.
            connectionString: `${this.onlineStoreEndpoint},ssl=true,username=${REDIS_USERNAME},password=$${FEAST_NAMES.redisPasswordEnv}`,
          }
        : {
            type: "dynamodb",
            region: this.env.region,
            tableNameTemplate: `${this.env.prefix}-feast.{project}.{table_name}`,
            tags: this.env.tags,
          },
    });
  }

  /** The IRSA role of one of the store's service accounts, in its namespace. */
  private serviceAccountRole(id: string, serviceAccount: string): ServiceAccountRole {
    return new ServiceAccountRole(this, id, { identity: this.cluster, namespace: this.namespace, serviceAccount });
  }

  /** ARN pattern of this project's DynamoDB online tables (undefined for redis). */
  public get tableArnPattern(): string | undefined {
    return this.tablePrefix === undefined ? undefined : this.env.arn("dynamodb", `table/${this.tablePrefix}*`);
  }

  /** Serving: read features from the online store (and the registry that describes them). */
  public grantOnlineRead(grantee: IGrantable): void {
    this.grantRegistry(grantee, false);
    if (this.redis) {
      // The password, for the External Secrets Operator to sync; the network path is the cluster's security group.
      grantSecretRead(grantee, this.redis.authSecret.arn, this.cluster.key.keyArn);
    } else {
      grantee.addToPolicy({
        actions: ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:DescribeTable"],
        resources: [this.tableArnPattern!],
      });
    }
  }

  /** Training: read the offline store's Parquet files and the registry (point-in-time joins run in the training pod). */
  public grantOfflineRead(grantee: IGrantable): void {
    this.offlineBucket.grantRead(grantee, `${this.dataPrefix}*`);
    this.grantRegistry(grantee, false);
  }

  /**
   * `feast apply` (a CI job of the feature repository): write the registry, read the offline
   * data's schema, and create, tag and delete this project's online tables. Not granted to any
   * workload here.
   */
  public grantApply(grantee: IGrantable): void {
    this.grantRegistry(grantee, true);
    // apply validates every FileSource by reading its Parquet schema (FileSource.validate in
    // feast 0.66.0 sdk/python/feast/infra/offline_stores/file_source.py): without this, apply is denied.
    this.offlineBucket.grantRead(grantee, `${this.dataPrefix}*`);
    if (this.redis) {
      grantSecretRead(grantee, this.redis.authSecret.arn, this.cluster.key.keyArn);
      return;
    }
    grantee.addToPolicy({
      actions: [
        "dynamodb:CreateTable",
        "dynamodb:DescribeTable",
        "dynamodb:DeleteTable",
        "dynamodb:UpdateTable",
        "dynamodb:TagResource",
        "dynamodb:UntagResource",
        "dynamodb:ListTagsOfResource",
      ],
      resources: [this.tableArnPattern!],
    });
  }

  private grantOnlineWrite(grantee: IGrantable): void {
    if (this.redis) return; // the materialization pod mounts the Kubernetes Secret the feature server's store syncs
    grantee.addToPolicy({
      actions: ["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:DescribeTable"],
      resources: [this.tableArnPattern!],
    });
  }

  private grantRegistry(grantee: IGrantable, write: boolean): void {
    const statements: PolicyStatement[] = [
      // Feast's S3 registry calls HeadBucket before every read, which IAM authorizes as
      // s3:ListBucket without a prefix: a prefix condition would deny it.
      { actions: ["s3:ListBucket"], resources: [this.offlineBucket.bucketArn] },
      {
        actions: write ? ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"] : ["s3:GetObject", "s3:GetObjectVersion"],
        resources: [`${this.offlineBucket.bucketArn}/registry/*`],
      },
      {
        actions: write ? ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*"] : ["kms:Decrypt", "kms:DescribeKey"],
        resources: [this.cluster.key.keyArn],
      },
    ];
    for (const s of statements) grantee.addToPolicy(s);
  }
}
