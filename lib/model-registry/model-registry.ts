import { Construct } from "constructs";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Environment } from "../core/environment";
import { Validator } from "../core/errors";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { IGrantable } from "../iam/policy-statement";
import { ServiceAccountRole } from "../iam/service-account-role";
import { SecretRotation } from "../core/secret-rotation";
import { grantSecretRead } from "../kubernetes/external-secrets";
import { PolicySuppressions } from "../policy/suppressions";
import { SecureBucket, bucketNameProblem } from "../storage/secure-bucket";
import { RegistryAuth } from "./auth";
import { TrackingCredentials } from "../endpoint/model-source";
import { ModelReference, ModelSelector } from "./model-reference";
import { DEFAULT_POSTGRES_VERSION, POSTGRES_VERSIONS, PostgresMajorVersion, dbInstanceClass, postgresInstanceFamilies } from "./postgres-catalog";
import {
  CLIENT_KINDS,
  DB_ADMIN_NAMESPACE,
  DB_ADMIN_SERVICE_ACCOUNT,
  MLFLOW_NAMESPACE,
  MLFLOW_SERVICE_ACCOUNT,
  MLFLOW_TRACKING_URI,
  MlflowClientKind,
  POSTGRES_PORT,
  TRACKING_DATABASE,
} from "./private/names";
import { RegistryDatabase } from "./registry-database";
import { IModelRegistry, ModelRegistryAttributes } from "./model-registry-interface";
import { ImportedModelRegistry } from "./private/imported-registry";

/** A written reason for running without a safety default of the environment's tier. */
export interface SafetyOverride {
  /** Why, for the reviewer of the plan (at least 20 characters). */
  readonly reason: string;
}

export interface RegistrySafetyOverrides {
  /** Allows `deletionProtection: false` in a tier that protects its data (no deletion protection, no final snapshot). */
  readonly withoutDeletionProtection?: SafetyOverride;
  /** Allows `multiAz: false` in production. */
  readonly withoutMultiAz?: SafetyOverride;
}

export interface ModelRegistryProps {
  /** The cluster MLflow runs on: its pods are the only database clients, its OIDC provider signs the IRSA role. */
  readonly cluster: ITrainingCluster;
  /** A PostgreSQL-capable RDS instance class. @default "db.t4g.medium" */
  readonly instanceClass?: string;
  /** @default 20 */
  readonly allocatedStorageGiB?: number;
  /** Ceiling of storage autoscaling. @default - 5 times allocatedStorageGiB */
  readonly maxAllocatedStorageGiB?: number;
  /** Days of automated backups (point-in-time restore), 0 to 35; at least 7 in production. @default - 1 in development, 7 in staging, 14 in production */
  readonly backupRetentionDays?: number;
  /** A synchronous standby in another zone. @default - true in production, false otherwise */
  readonly multiAz?: boolean;
  /** Deletion protection and a final snapshot. @default - true in staging and production, false in development */
  readonly deletionProtection?: boolean;
  /** Written reasons for turning off a tier's safety default. @default - none */
  readonly overrides?: RegistrySafetyOverrides;
  /** @default "17" */
  readonly engineVersion?: PostgresMajorVersion;
  /** Globally unique name of the artifact bucket. @default `<prefix>-mlflow-artifacts-<account id>` */
  readonly artifactBucketName?: string;
  /** @default RegistryAuth.basic() */
  readonly auth?: RegistryAuth;
  /** Enhanced monitoring granularity in seconds: 0 (off), 1, 5, 10, 15, 30 or 60. @default 60 */
  readonly enhancedMonitoringIntervalSeconds?: number;
  /** IAM database authentication (short-lived tokens instead of passwords, for future clients). @default true */
  readonly iamDatabaseAuthentication?: boolean;
  /** Retention of the exported database logs. @default - 30 days in development, 365 otherwise */
  readonly logRetentionDays?: number;
}

const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60];
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * MLflow's tracking server and model registry, infrastructure half: RDS for PostgreSQL
 * (the tracking store and registry), an S3 bucket for artifacts, the secret of the
 * tracking server's own credentials and the IRSA role of its service account. The
 * in-cluster half is `MlflowServer`, which takes this construct.
 *
 *     const registry = new ModelRegistry(infra, "model-registry", { cluster });
 *     registry.grantReadWrite(trainingJobRole);
 *     const model = registry.model("fraud-detector", { alias: "champion" });
 */
export class ModelRegistry extends Construct implements IModelRegistry {
  /**
   * A registry created elsewhere (another app or state), e.g. for in-cluster stacks that live apart
   * from the AWS ones: `new MlflowServer(platform, "mlflow", { registry: ModelRegistry.fromAttributes(platform, "registry", {...}) })`.
   * Each attribute is checked (a ConfigError names what is missing or malformed); the values are the
   * outputs of the stack that created the registry.
   */
  public static fromAttributes(scope: Construct, id: string, attrs: ModelRegistryAttributes): IModelRegistry {
    return new ImportedModelRegistry(scope, id, attrs);
  }

  public readonly cluster: ITrainingCluster;
  public readonly database: RegistryDatabase;
  public readonly artifactBucket: SecureBucket;
  /** IRSA role of the tracking server's service account (`mlflow/mlflow`). It cannot read the master user's secret. */
  public readonly serverRole: ServiceAccountRole;
  /**
   * The credentials MLflow logs in to PostgreSQL with, `{"username","password"}` of one of its
   * own least-privilege roles: created without a value; the database bootstrap Job generates,
   * writes and rotates it (`MlflowDatabaseBootstrap`).
   */
  public readonly databaseAppSecret: SecretsmanagerSecret;
  /**
   * IRSA role of the database bootstrap Job (`mlflow-db-admin/mlflow-db-bootstrap`): reads the
   * master user's secret, reads and writes `databaseAppSecret`.
   */
  public readonly databaseBootstrapRole: ServiceAccountRole;
  public readonly auth: RegistryAuth;
  /**
   * The secret the operator fills: `{"username","password"}` of the MLflow admin for basic
   * auth, `{"client_secret"}` for OIDC. Undefined without authentication.
   */
  public readonly authSecret?: SecretsmanagerSecret;
  /**
   * Basic auth only: the secrets `{"username","password"}` of the MLflow users clients log in
   * as, which an operator sets (see lib/model-registry/README.md). `reader` (endpoints,
   * Prometheus) gets MLflow's default permission (READ) on what others created; `trainer`
   * (training jobs) logs runs and registers models. Neither is an MLflow admin.
   */
  public readonly clientSecrets?: Readonly<Record<MlflowClientKind, SecretsmanagerSecret>>;
  /** In-cluster URL of the tracking server. */
  public readonly trackingUri = MLFLOW_TRACKING_URI;
  public readonly namespace = MLFLOW_NAMESPACE;
  public readonly serviceAccount = MLFLOW_SERVICE_ACCOUNT;
  public readonly databasePort = POSTGRES_PORT;
  public readonly instanceClass: string;
  public readonly engineVersion: PostgresMajorVersion;
  public readonly backupRetentionDays: number;
  public readonly multiAz: boolean;
  public readonly deletionProtection: boolean;
  /** The environment key, which encrypts the secrets grants give access to. */
  private readonly keyArn: string;
  private readerCredentials?: TrackingCredentials;

  constructor(scope: Construct, id: string, props: ModelRegistryProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      cluster: LibraryShapes.cluster,
      instanceClass: Shape.optional(Shape.string()),
      allocatedStorageGiB: Shape.optional(Shape.number()),
      maxAllocatedStorageGiB: Shape.optional(Shape.number()),
      backupRetentionDays: Shape.optional(Shape.number()),
      multiAz: Shape.optional(Shape.boolean()),
      deletionProtection: Shape.optional(Shape.boolean()),
      overrides: Shape.optional(
        Shape.object({
          withoutDeletionProtection: Shape.optional(LibraryShapes.safetyOverride),
          withoutMultiAz: Shape.optional(LibraryShapes.safetyOverride),
        }),
      ),
      engineVersion: Shape.optional(Shape.string()),
      artifactBucketName: Shape.optional(Shape.string()),
      auth: Shape.optional(Shape.instanceOf(RegistryAuth, "RegistryAuth.basic(), RegistryAuth.oidc({...}) or RegistryAuth.none()")),
      enhancedMonitoringIntervalSeconds: Shape.optional(Shape.number()),
      iamDatabaseAuthentication: Shape.optional(Shape.boolean()),
      logRetentionDays: Shape.optional(Shape.number()),
    });
    const env = Environment.of(this);
    // resolve -> validate -> build: every setting first, then every problem at once, then the resources.
    const settings = resolveRegistrySettings(env, props);
    validateRegistrySettings(this.node.path, env, props, settings);
    this.cluster = props.cluster;
    this.instanceClass = settings.instanceClass;
    this.engineVersion = settings.engineVersion;
    this.backupRetentionDays = settings.backupRetentionDays;
    this.multiAz = settings.multiAz;
    this.deletionProtection = settings.deletionProtection;
    this.auth = settings.auth;
    const { allocated, maxAllocated, monitoring, logRetention, bucketName } = settings;
    const instanceClass = dbInstanceClass(this.instanceClass);

    // ---- build: the database, the artifact bucket, the secrets, the IRSA roles ----
    const key = props.cluster.key;
    this.database = new RegistryDatabase(this, "database", {
      network: props.cluster.network,
      key,
      clientSecurityGroupId: props.cluster.workloadSecurityGroupId,
      instanceClass: this.instanceClass,
      engineVersion: this.engineVersion,
      allocatedStorageGiB: allocated,
      maxAllocatedStorageGiB: maxAllocated,
      backupRetentionDays: this.backupRetentionDays,
      multiAz: this.multiAz,
      deletionProtection: this.deletionProtection,
      performanceInsights: instanceClass!.performanceInsights,
      monitoringIntervalSeconds: monitoring,
      iamAuthentication: props.iamDatabaseAuthentication ?? true,
      logRetentionDays: logRetention,
    });

    // The tier's own choices (or a written override) are findings the review has already accepted.
    if (!this.multiAz) {
      PolicySuppressions.of(this.database).add(
        "RDS-MULTI-AZ",
        props.overrides?.withoutMultiAz?.reason ?? `${env.tier} runs a single-zone registry database by design: Multi-AZ is required in production only`,
      );
    }
    if (!this.deletionProtection) {
      PolicySuppressions.of(this.database).add(
        "RDS-DELETION-PROTECTION",
        props.overrides?.withoutDeletionProtection?.reason ?? `${env.tier} data is disposable: the registry database is deleted with the environment`,
      );
    }

    this.artifactBucket = new SecureBucket(this, "artifacts", { bucketName, key });

    if (this.auth.enabled) {
      const what = this.auth.kind === "basic" ? 'the MLflow admin, JSON {"username","password"}' : 'the OIDC client of MLflow, JSON {"client_secret"}';
      // No aws_secretsmanager_secret_version: the value never passes through Terraform.
      this.authSecret = new SecretsmanagerSecret(this, "auth-secret", {
        name: `${env.prefix}/mlflow/${this.auth.kind === "basic" ? "admin-credentials" : "oidc-client"}`,
        description: `Credentials of ${what}. Set by an operator (see lib/model-registry/README.md), synced into the cluster by External Secrets.`,
        kmsKeyId: key.keyArn,
        recoveryWindowInDays: env.byTier({ development: 7, staging: 30, production: 30 }),
        tags: SecretRotation.operator(),
      });
    }

    if (this.auth.kind === "basic") {
      const secrets = {} as Record<MlflowClientKind, SecretsmanagerSecret>;
      for (const kind of CLIENT_KINDS) {
        secrets[kind] = new SecretsmanagerSecret(this, `${kind}-secret`, {
          name: `${env.prefix}/mlflow/${kind}-credentials`,
          description:
            `Credentials of the MLflow user ${kind === "reader" ? "endpoints and Prometheus" : "training jobs"} log in as, JSON {"username","password"} ` +
            "(password of 12+ characters). Set by an operator (see lib/model-registry/README.md); every tracking server pod creates the user with it.",
          kmsKeyId: key.keyArn,
          recoveryWindowInDays: env.byTier({ development: 7, staging: 30, production: 30 }),
          tags: SecretRotation.operator(),
        });
      }
      this.clientSecrets = secrets;
    }

    // No aws_secretsmanager_secret_version: the bootstrap Job generates the value inside the cluster.
    this.databaseAppSecret = new SecretsmanagerSecret(this, "database-app-secret", {
      name: `${env.prefix}/mlflow/database-app`,
      description:
        'PostgreSQL login of the MLflow tracking server, JSON {"username","password"}: written and rotated by the mlflow-db-bootstrap Job ' +
        "(see lib/model-registry/README.md); do not set it by hand.",
      kmsKeyId: key.keyArn,
      recoveryWindowInDays: env.byTier({ development: 7, staging: 30, production: 30 }),
      // The mlflow-db-rotate CronJob rotates it (alternating users).
      tags: SecretRotation.inCluster(),
    });
    this.databaseBootstrapRole = new ServiceAccountRole(this, "database-bootstrap-role", {
      identity: props.cluster,
      namespace: DB_ADMIN_NAMESPACE,
      serviceAccount: DB_ADMIN_SERVICE_ACCOUNT,
    });
    grantSecretRead(this.databaseBootstrapRole, this.database.masterUserSecretArn, key.keyArn);
    grantSecretRead(this.databaseBootstrapRole, this.databaseAppSecret.arn, key.keyArn);
    this.databaseBootstrapRole.addToPolicy({ actions: ["secretsmanager:PutSecretValue"], resources: [this.databaseAppSecret.arn] });
    this.databaseBootstrapRole.addToPolicy({ actions: ["kms:GenerateDataKey"], resources: [key.keyArn] });

    // Exactly what the tracking server and its SecretStore need: the artifact bucket and
    // the secrets, each with the environment key.
    this.serverRole = new ServiceAccountRole(this, "server-role", {
      identity: props.cluster,
      namespace: MLFLOW_NAMESPACE,
      serviceAccount: MLFLOW_SERVICE_ACCOUNT,
    });
    this.artifactBucket.grantReadWrite(this.serverRole);
    grantSecretRead(this.serverRole, this.databaseAppSecret.arn, key.keyArn);
    if (this.authSecret) grantSecretRead(this.serverRole, this.authSecret.arn, key.keyArn);
    for (const secret of Object.values(this.clientSecrets ?? {})) grantSecretRead(this.serverRole, secret.arn, key.keyArn);
    this.keyArn = key.keyArn;
  }

  /**
   * Serving: download registered models' artifacts (read-only on the artifact bucket) and,
   * under basic auth, sync the read-only MLflow user's credentials (`clientSecrets.reader`).
   */
  public grantRead(grantee: IGrantable): void {
    this.artifactBucket.grantRead(grantee);
    if (this.clientSecrets) grantSecretRead(grantee, this.clientSecrets.reader.arn, this.keyArn);
  }

  /**
   * Training: log runs, models and artifacts (read-write on the artifact bucket) and, under
   * basic auth, sync the training MLflow user's credentials (`clientSecrets.trainer`).
   */
  public grantReadWrite(grantee: IGrantable): void {
    this.artifactBucket.grantReadWrite(grantee);
    if (this.clientSecrets) grantSecretRead(grantee, this.clientSecrets.trainer.arn, this.keyArn);
  }

  /**
   * A registered model version, e.g. `model("fraud-detector", { alias: "champion" })` is
   * `models:/fraud-detector@champion`; under basic auth it carries the read-only user's
   * credentials, which MonitoredEndpoint hands to its pods.
   */
  public model(name: string, selector: ModelSelector): ModelReference {
    // One object (one token) for every reference: endpoints compare the credentials of their colours.
    this.readerCredentials ??= this.clientSecrets ? { secretArn: this.clientSecrets.reader.arn } : undefined;
    return new ModelReference(this.node.path, name, selector, this.trackingUri, this.readerCredentials);
  }

  /** `s3://<bucket>/`, MLflow's default artifact root. */
  public get artifactRoot(): string {
    return `s3://${this.artifactBucket.bucketName}/`;
  }

  public get databaseAddress(): string {
    return this.database.address;
  }

  public get databaseName(): string {
    return TRACKING_DATABASE;
  }

  /** The RDS-managed secret of the database's master user (read by the bootstrap Job only). */
  public get databaseSecretArn(): string {
    return this.database.masterUserSecretArn;
  }

  public get artifactBucketName(): string {
    return this.artifactBucket.bucketName;
  }

  /** The secret of MLflow's own database login (written by the bootstrap Job). */
  public get databaseAppSecretArn(): string {
    return this.databaseAppSecret.arn;
  }

  public get databaseBootstrapRoleArn(): string {
    return this.databaseBootstrapRole.roleArn;
  }

  public get serverRoleArn(): string {
    return this.serverRole.roleArn;
  }

  public get authSecretArn(): string | undefined {
    return this.authSecret?.arn;
  }

  public get clientSecretArns(): Readonly<Record<MlflowClientKind, string>> | undefined {
    return this.clientSecrets ? { reader: this.clientSecrets.reader.arn, trainer: this.clientSecrets.trainer.arn } : undefined;
  }
}

function overrideGiven(o: SafetyOverride | undefined): boolean {
  return typeof o?.reason === "string" && o.reason.trim().length >= 20;
}

/** Every setting of a registry, from its props and the environment's tier. */
interface RegistrySettings {
  readonly instanceClass: string;
  readonly engineVersion: PostgresMajorVersion;
  readonly backupRetentionDays: number;
  readonly multiAz: boolean;
  readonly deletionProtection: boolean;
  readonly auth: RegistryAuth;
  readonly allocated: number;
  readonly maxAllocated: number;
  readonly monitoring: number;
  readonly logRetention: number;
  readonly bucketName: string;
}

/** Resolves each prop to its value or its tier default (the `@default`s of ModelRegistryProps). */
function resolveRegistrySettings(env: Environment, props: ModelRegistryProps): RegistrySettings {
  const allocated = props.allocatedStorageGiB ?? 20;
  return {
    instanceClass: props.instanceClass ?? "db.t4g.medium",
    engineVersion: props.engineVersion ?? DEFAULT_POSTGRES_VERSION,
    backupRetentionDays: props.backupRetentionDays ?? env.byTier({ development: 1, staging: 7, production: 14 }),
    multiAz: props.multiAz ?? env.isProduction,
    deletionProtection: props.deletionProtection ?? env.protectsData,
    auth: props.auth ?? RegistryAuth.basic(),
    allocated,
    // Storage autoscaling up to five times the initial size, within the gp3 maximum.
    maxAllocated: props.maxAllocatedStorageGiB ?? Math.min(allocated * 5, 65536),
    monitoring: props.enhancedMonitoringIntervalSeconds ?? 60,
    logRetention: props.logRetentionDays ?? env.byTier({ development: 30, staging: 365, production: 365 }),
    bucketName: props.artifactBucketName ?? `${env.prefix}-mlflow-artifacts-${env.accountId}`,
  };
}

/** Every problem of the resolved settings, as one ConfigError (nothing is built before). */
function validateRegistrySettings(where: string, env: Environment, props: ModelRegistryProps, s: RegistrySettings): void {
  const v = new Validator(where);
  const { allocated, maxAllocated, monitoring, logRetention, bucketName } = s;
  const instanceClass = dbInstanceClass(s.instanceClass);
  const families = postgresInstanceFamilies().join(", ");
  if (!instanceClass) {
    v.check(false, "instanceClass", s.instanceClass, `is not an RDS instance class the library knows; use a PostgreSQL-capable class of ${families}`);
  } else {
    v.check(instanceClass.postgres, "instanceClass", s.instanceClass, `cannot run RDS for PostgreSQL; use a class of ${families}`);
  }
  v.check(s.engineVersion in POSTGRES_VERSIONS, "engineVersion", s.engineVersion, `must be one of ${Object.keys(POSTGRES_VERSIONS).join(", ")}`);
  v.check(Number.isInteger(allocated) && allocated >= 20 && allocated <= 65536, "allocatedStorageGiB", allocated, "must be a whole number of GiB from 20 to 65536 (gp3)");
  if (!v.hasProblem("allocatedStorageGiB")) {
    v.check(
      Number.isInteger(maxAllocated) && maxAllocated >= allocated && maxAllocated <= 65536,
      "maxAllocatedStorageGiB",
      maxAllocated,
      `must be a whole number of GiB from allocatedStorageGiB (${allocated}) to 65536`,
    );
  }
  const retentionOk = Number.isInteger(s.backupRetentionDays) && s.backupRetentionDays >= 0 && s.backupRetentionDays <= 35;
  v.check(retentionOk, "backupRetentionDays", s.backupRetentionDays, "must be a whole number of days from 0 to 35 (the RDS limit)");
  if (retentionOk && env.isProduction) {
    v.check(s.backupRetentionDays >= 7, "backupRetentionDays", s.backupRetentionDays, "must be at least 7 in production: a week of point-in-time restore");
  }
  if (env.isProduction && !s.multiAz) {
    v.check(
      overrideGiven(props.overrides?.withoutMultiAz),
      "multiAz",
      false,
      "production requires a Multi-AZ database; to run in one zone anyway, set overrides.withoutMultiAz with a written reason",
    );
  }
  if (env.protectsData && !s.deletionProtection) {
    v.check(
      overrideGiven(props.overrides?.withoutDeletionProtection),
      "deletionProtection",
      false,
      `${env.tier} keeps its data: the database needs deletion protection and a final snapshot; to go without, set overrides.withoutDeletionProtection with a written reason`,
    );
  }
  for (const [name, o] of Object.entries(props.overrides ?? {})) {
    if (o !== undefined) v.check(overrideGiven(o), `overrides.${name}.reason`, o.reason, "must explain the decision in at least 20 characters");
  }
  v.check(s.auth.enabled || !env.protectsData, "auth", s.auth.kind, `${env.tier} requires authentication on the tracking server; use RegistryAuth.basic() or RegistryAuth.oidc()`);
  if (s.auth.oidc) {
    v.check(/^https:\/\/\S+$/.test(String(s.auth.oidc.discoveryUrl)), "auth.discoveryUrl", s.auth.oidc.discoveryUrl, "must be an https:// URL");
    v.check(typeof s.auth.oidc.clientId === "string" && s.auth.oidc.clientId.trim() !== "", "auth.clientId", s.auth.oidc.clientId, "must name the OAuth client");
  }
  const bucketProblem = bucketNameProblem(bucketName);
  v.checkProblem("artifactBucketName", bucketName, bucketProblem);
  v.check(MONITORING_INTERVALS.includes(monitoring), "enhancedMonitoringIntervalSeconds", monitoring, `must be one of ${MONITORING_INTERVALS.join(", ")}`);
  v.check(LOG_RETENTION_DAYS.includes(logRetention), "logRetentionDays", logRetention, "must be a retention CloudWatch Logs offers, such as 30, 90 or 365");
  v.throwIfAny();
}
