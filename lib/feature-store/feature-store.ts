import { Cpu, Memory, RESOURCE_REQUESTS_SHAPE, ResolvedResources, ResourceRequests, resolveResources } from "../kubernetes/resources";
import { Construct, IConstruct } from "constructs";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ConditionalResources } from "../core/stack-records";
import { Environment } from "../core/environment";
import { Validator, formatValue } from "../core/errors";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { IGrantable } from "../iam/policy-statement";
import { ServiceAccountRole } from "../iam/service-account-role";
import { SecureBucket } from "../storage/secure-bucket";
import { checkSchedule, formatMinutes } from "../core/cron";
import * as access from "./private/feature-store-access";
import { FeatureStoreLocation, featureStoreYamlFor, grantMaterialize } from "./private/feature-store-access";
import { RedisOnlineStore } from "./private/redis-online-store";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { namespaceProblem, principalArnProblem } from "../core/validators";
import { IEnvironmentKey } from "../core/environment-key";

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

/**
 * A feature store as the in-cluster constructs (FeatureServer, MonitoredEndpoint `features`)
 * and grants use it. `FeatureStore` implements it; `FeatureStore.fromAttributes` imports one
 * created by another app, so that the feature server and endpoints can live in another app
 * than the AWS resources.
 */
export interface IFeatureStore extends IConstruct {
  /** Feast project name. */
  readonly project: string;
  /** Kubernetes namespace of the feature server and materialization job. */
  readonly namespace: string;
  readonly onlineStoreType: OnlineStoreType;
  /** The rendered feature_store.yaml (the Redis password is `$REDIS_PASSWORD`). */
  readonly featureStoreYaml: string;
  /** The credential a Feast client needs besides feature_store.yaml (undefined for dynamodb: IAM is enough). */
  readonly onlineStoreSecret?: OnlineStoreSecret;
  /** `s3://<bucket>/registry/registry.pb` */
  readonly registryPath: string;
  /** Name of the offline store's bucket, which also holds the registry. */
  readonly offlineBucketName: string;
  /** Prefix of the offline Parquet files. */
  readonly dataPrefix: string;
  /** ARN of the feature server's IRSA role (`<namespace>/feast-feature-server`). */
  readonly serverRoleArn: string;
  /** ARN of the materialization job's IRSA role (`<namespace>/feast-materialize`). */
  readonly materializeRoleArn: string;
  /** 5-field cron schedule of materialization. */
  readonly schedule: string;
  /** The schedule's longest gap between two runs, in minutes. */
  readonly schedulePeriodMinutes: number;
  /** Seconds without a successful materialization after which the freshness alert fires. */
  readonly freshnessThresholdSeconds: number;
  /** Feature server replicas. */
  readonly replicas: number;
  readonly serverResources: ResolvedResources;
  readonly materializeResources: ResolvedResources;
  /** The cluster the server runs on, whose capacity model takes its pods; undefined for an import without one. */
  readonly cluster?: ITrainingCluster;
  /** Serving: read features from the online store (and the registry). */
  grantOnlineRead(grantee: IGrantable): void;
  /** Training: read the offline store's files and the registry. */
  grantOfflineRead(grantee: IGrantable): void;
  /** `feast apply`: write the registry, read the offline schema, manage the online tables. */
  grantApply(grantee: IGrantable): void;
}

/** A Redis online store created elsewhere. */
export interface RedisOnlineStoreAttributes {
  /** `host:port` of the replication group's primary endpoint (the owner's `onlineStoreEndpoint`). */
  readonly endpoint: string;
  /** ARN of the Secrets Manager secret of the `feast` user's password (the owner's `onlineStoreSecret.secretArn`). */
  readonly authSecretArn: string;
}

/**
 * What `FeatureStore.fromAttributes` needs: the values the owning app's stack outputs, and
 * the settings of the in-cluster half as the owner wrote them (they default as FeatureStoreProps do).
 */
export interface FeatureStoreAttributes {
  /** Feast project name, as created. */
  readonly project: string;
  /** Name of the offline store's bucket (the owner's `offlineBucketName`), which holds the registry under `registry/`. */
  readonly offlineBucketName: string;
  /** The key the bucket (and the Redis secret) is encrypted with. */
  readonly key: IEnvironmentKey;
  /** ARN of the feature server's IRSA role (the owner's `serverRoleArn`). */
  readonly serverRoleArn: string;
  /** ARN of the materialization job's IRSA role (the owner's `materializeRoleArn`). */
  readonly materializeRoleArn: string;
  /** @default "dynamodb" */
  readonly onlineStore?: OnlineStoreType;
  /** Required when the online store is redis. @default - none */
  readonly redis?: RedisOnlineStoreAttributes;
  /** The cluster the feature server runs on, so that its pods are checked against the cluster's capacity model. @default - not checked */
  readonly cluster?: ITrainingCluster;
  /** @default "feast" */
  readonly namespace?: string;
  /** @default "data/" */
  readonly dataPrefix?: string;
  /** @default 60 */
  readonly registryCacheTtlSeconds?: number;
  /** @default - see MaterializationOptions */
  readonly materialization?: MaterializationOptions;
  /** @default - see FeatureServerOptions */
  readonly server?: FeatureServerOptions;
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
  v.checkProblem("namespace", s.namespace, namespaceProblem(s.namespace));
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
export class FeatureStore extends Construct implements IFeatureStore {
  /**
   * A feature store created by another app, for a FeatureServer or endpoints of this one, and
   * grants to this app's roles. Nothing is created: feature_store.yaml is rendered from the
   * attributes as the owner renders it. Each attribute is checked (one ConfigError each).
   */
  public static fromAttributes(scope: Construct, id: string, attrs: FeatureStoreAttributes): IFeatureStore {
    return new ImportedFeatureStore(scope, id, attrs);
  }

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
    this.featureStoreYaml = featureStoreYamlFor(env, {
      project: this.project,
      registryPath: this.registryPath,
      registryCacheTtlSeconds: s.registryCacheTtlSeconds,
      redisEndpoint: this.redis ? this.onlineStoreEndpoint : undefined,
    });
    this.serverRole = this.serviceAccountRole("server-role", FEAST_NAMES.serverServiceAccount);
    this.grantOnlineRead(this.serverRole);
    this.materializeRole = this.serviceAccountRole("materialize-role", FEAST_NAMES.materializeServiceAccount);
    grantMaterialize(this.location, this.materializeRole);
  }

  /** The IRSA role of one of the store's service accounts, in its namespace. */
  private serviceAccountRole(id: string, serviceAccount: string): ServiceAccountRole {
    return new ServiceAccountRole(this, id, { identity: this.cluster, namespace: this.namespace, serviceAccount });
  }

  /** Where the data is, for the grants. */
  private get location(): FeatureStoreLocation {
    return {
      project: this.project,
      bucketArn: this.offlineBucket.bucketArn,
      keyArn: this.cluster.key.keyArn,
      dataPrefix: this.dataPrefix,
      redisSecretArn: this.redis?.authSecret.arn,
      tableArnPattern: this.tableArnPattern,
    };
  }

  /** ARN pattern of this project's DynamoDB online tables (undefined for redis). */
  public get tableArnPattern(): string | undefined {
    return this.tablePrefix === undefined ? undefined : this.env.arn("dynamodb", `table/${this.tablePrefix}*`);
  }

  /** Name of the offline store's bucket, which also holds the registry. */
  public get offlineBucketName(): string {
    return this.offlineBucket.bucketName;
  }

  /** ARN of the feature server's IRSA role. */
  public get serverRoleArn(): string {
    return this.serverRole.roleArn;
  }

  /** ARN of the materialization job's IRSA role. */
  public get materializeRoleArn(): string {
    return this.materializeRole.roleArn;
  }

  /** Serving: read features from the online store (and the registry that describes them). */
  public grantOnlineRead(grantee: IGrantable): void {
    access.grantOnlineRead(this.location, grantee);
  }

  /** Training: read the offline store's Parquet files and the registry (point-in-time joins run in the training pod). */
  public grantOfflineRead(grantee: IGrantable): void {
    access.grantOfflineRead(this.location, grantee);
  }

  /**
   * `feast apply` (a CI job of the feature repository): write the registry, read the offline
   * data's schema, and create, tag and delete this project's online tables. Not granted to any
   * workload here.
   */
  public grantApply(grantee: IGrantable): void {
    access.grantApply(this.location, grantee);
  }
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

/** A feature store created elsewhere, known by its attributes (FeatureStore.fromAttributes). */
class ImportedFeatureStore extends Construct implements IFeatureStore {
  public readonly project: string;
  public readonly namespace: string;
  public readonly onlineStoreType: OnlineStoreType;
  public readonly featureStoreYaml: string;
  public readonly onlineStoreSecret?: OnlineStoreSecret;
  public readonly registryPath: string;
  public readonly offlineBucketName: string;
  public readonly dataPrefix: string;
  public readonly serverRoleArn: string;
  public readonly materializeRoleArn: string;
  public readonly schedule: string;
  public readonly schedulePeriodMinutes: number;
  public readonly freshnessThresholdSeconds: number;
  public readonly replicas: number;
  public readonly serverResources: ResolvedResources;
  public readonly materializeResources: ResolvedResources;
  public readonly cluster?: ITrainingCluster;
  private readonly location: FeatureStoreLocation;

  constructor(scope: Construct, id: string, attrs: FeatureStoreAttributes) {
    super(scope, id);
    checkShape(this.node.path, attrs, {
      project: Shape.string(),
      offlineBucketName: Shape.string({ nonEmpty: true }),
      key: LibraryShapes.key,
      serverRoleArn: Shape.string({ nonEmpty: true }),
      materializeRoleArn: Shape.string({ nonEmpty: true }),
      onlineStore: Shape.optional(Shape.string()),
      // One problem for the whole object when it lacks its fields; the fields' values are checked below.
      redis: Shape.optional(Shape.like('{ endpoint: "<host>:<port>", authSecretArn }', ["endpoint", "authSecretArn"])),
      cluster: Shape.optional(LibraryShapes.cluster),
      namespace: PROPS_SHAPE.namespace,
      dataPrefix: Shape.optional(Shape.string()),
      registryCacheTtlSeconds: PROPS_SHAPE.registryCacheTtlSeconds,
      materialization: PROPS_SHAPE.materialization,
      server: PROPS_SHAPE.server,
    });
    const env = Environment.of(this);
    const v = new Validator(this.node.path);
    // The same settings, defaults and checks as the owner's FeatureStore (its Redis sizing is not this app's concern).
    const s = resolveProps(
      {
        cluster: attrs.cluster!,
        project: attrs.project,
        onlineStore: attrs.onlineStore,
        namespace: attrs.namespace,
        offlineStore: { bucketName: attrs.offlineBucketName, dataPrefix: attrs.dataPrefix },
        registryCacheTtlSeconds: attrs.registryCacheTtlSeconds,
        materialization: attrs.materialization,
        server: attrs.server,
        redis: { multiAz: true, nodes: 2 },
      },
      env,
      v,
    );
    const periodMinutes = validateProps(v, env, s);
    v.check(BUCKET.test(attrs.offlineBucketName), "offlineBucketName", attrs.offlineBucketName, "must be an S3 bucket name (not an s3:// URL or an ARN)");
    for (const field of ["serverRoleArn", "materializeRoleArn"] as const) {
      v.checkProblem(field, attrs[field], principalArnProblem(attrs[field]));
    }
    if (s.onlineStoreType === "redis") {
      v.check(attrs.redis !== undefined, "redis", attrs.redis, 'is required with onlineStore "redis": { endpoint: "<host>:<port>", authSecretArn }');
      if (attrs.redis) {
        v.check(
          typeof attrs.redis.endpoint === "string" && /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?:\d{1,5}$/.test(attrs.redis.endpoint),
          "redis.endpoint",
          attrs.redis.endpoint,
          "must be the primary endpoint as host:port, such as master.ml-test-feast.abc123.use1.cache.amazonaws.com:6379 (no scheme)",
        );
        v.check(
          typeof attrs.redis.authSecretArn === "string" && SECRET_ARN.test(attrs.redis.authSecretArn),
          "redis.authSecretArn",
          attrs.redis.authSecretArn,
          "must be a Secrets Manager secret ARN",
        );
      }
    } else if (s.onlineStoreType === "dynamodb") {
      v.check(attrs.redis === undefined, "redis", attrs.redis, 'applies to onlineStore "redis" only');
    }
    v.throwIfAny();

    this.project = s.project;
    this.namespace = s.namespace;
    this.onlineStoreType = s.onlineStoreType;
    this.offlineBucketName = attrs.offlineBucketName;
    this.registryPath = `s3://${attrs.offlineBucketName}/${REGISTRY_KEY}`;
    this.dataPrefix = s.dataPrefix;
    this.serverRoleArn = attrs.serverRoleArn;
    this.materializeRoleArn = attrs.materializeRoleArn;
    this.schedule = s.schedule;
    this.schedulePeriodMinutes = periodMinutes;
    this.freshnessThresholdSeconds = Math.round(s.freshnessMultiple * periodMinutes * 60);
    this.replicas = s.replicas;
    this.serverResources = s.serverResources;
    this.materializeResources = s.materializeResources;
    this.cluster = attrs.cluster;
    const redis = s.onlineStoreType === "redis" ? attrs.redis : undefined;
    if (redis) this.onlineStoreSecret = { secretArn: redis.authSecretArn, property: "password", environmentVariable: FEAST_NAMES.redisPasswordEnv };
    this.featureStoreYaml = featureStoreYamlFor(env, {
      project: this.project,
      registryPath: this.registryPath,
      registryCacheTtlSeconds: s.registryCacheTtlSeconds,
      redisEndpoint: redis?.endpoint,
    });
    this.location = {
      project: this.project,
      bucketArn: `arn:aws:s3:::${attrs.offlineBucketName}`,
      keyArn: attrs.key.keyArn,
      dataPrefix: this.dataPrefix,
      redisSecretArn: redis?.authSecretArn,
      tableArnPattern: redis ? undefined : env.arn("dynamodb", `table/${env.prefix}-feast.${this.project}.*`),
    };
  }

  public grantOnlineRead(grantee: IGrantable): void {
    access.grantOnlineRead(this.location, grantee);
  }

  public grantOfflineRead(grantee: IGrantable): void {
    access.grantOfflineRead(this.location, grantee);
  }

  public grantApply(grantee: IGrantable): void {
    access.grantApply(this.location, grantee);
  }
}
