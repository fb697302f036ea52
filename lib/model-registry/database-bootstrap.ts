import { Construct } from "constructs";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Environment } from "../core/environment";
import { Validator } from "../core/errors";
import { Shape, checkShape } from "../core/shape";
import { checkSchedule } from "../core/cron";
import { SyncedSecret } from "../kubernetes/external-secrets";
import { ALLOW, NamespaceNetworkPolicies, SERVER_PORTS } from "../kubernetes/network-policy";
import { restrictedContainerSecurityContextV1, restrictedNamespace, restrictedPodSecurityContextV1 } from "../kubernetes/pod-security";
import { IRSA_ROLE_ANNOTATION } from "../iam/service-account-role";
import { IModelRegistry } from "./model-registry-interface";
import { DATABASE_BOOTSTRAP_SCRIPT } from "./private/database-bootstrap-script";
import {
  APP_LOGIN_ROLES,
  APP_OWNER_ROLE,
  AUTH_DATABASE,
  DB_ADMIN_NAMESPACE,
  DB_ADMIN_SERVICE_ACCOUNT,
  MASTER_SECRET,
  MLFLOW_IMAGE,
  POSTGRES_PORT,
  TRACKING_DATABASE,
} from "./private/names";

export interface MlflowDatabaseBootstrapProps {
  /** The registry whose database MLflow's roles are created in. */
  readonly registry: IModelRegistry;
  /**
   * When the rotation CronJob gives MLflow new database credentials (cron, UTC).
   * @default "0 4 1 * *" (04:00 UTC on the first day of every month)
   */
  readonly rotationSchedule?: string;
}

/** Labels of the bootstrap's pods. */
const LABELS = { "app.kubernetes.io/part-of": "mlflow", "app.kubernetes.io/component": "database-bootstrap" } as const;
/** Requests of the bootstrap's pod (one Python process and two database connections). */
const REQUESTS = { cpu: "100m", memory: "256Mi" } as const;

/**
 * MLflow's least-privilege database login, created by the library: a Job (namespace
 * `mlflow-db-admin`, its own IRSA role) logs in as the RDS master user, creates MLflow's
 * PostgreSQL roles and databases and owns them to `mlflow_app` (no CREATEROLE, no CREATEDB,
 * not a superuser), and writes the login's generated password into the registry's
 * `databaseAppSecret` in Secrets Manager; a CronJob rotates it (alternating users). The master
 * credential is synced into this namespace only: no MLflow pod mounts it and the tracking
 * server's IRSA role cannot read it. See lib/model-registry/README.md.
 */
export class MlflowDatabaseBootstrap extends Construct {
  public readonly namespace: NamespaceV1;
  public readonly serviceAccount: ServiceAccountV1;
  /** The RDS master user's credentials, synced into the bootstrap's namespace only. */
  public readonly masterCredentials: SyncedSecret;
  /** Runs once per change of the script; Terraform waits for it before installing MLflow. */
  public readonly job: JobV1;
  /** Rotates the app login's password (and re-applies roles and ownership) on `rotationSchedule`. */
  public readonly rotation: CronJobV1;
  public readonly networkPolicies: NamespaceNetworkPolicies;

  constructor(scope: Construct, id: string, props: MlflowDatabaseBootstrapProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      registry: Shape.like("a ModelRegistry (or ModelRegistry.fromAttributes(...))", ["databaseAppSecretArn", "databaseBootstrapRoleArn"]),
      rotationSchedule: Shape.optional(Shape.string()),
    });
    const env = Environment.of(this);
    const registry = props.registry;
    const schedule = props.rotationSchedule ?? "0 4 1 * *";
    const v = new Validator(this.node.path);
    checkSchedule(v, "rotationSchedule", schedule);
    v.throwIfAny();

    this.namespace = restrictedNamespace(this, "namespace", { name: DB_ADMIN_NAMESPACE });
    this.serviceAccount = new ServiceAccountV1(this, "service-account", {
      metadata: { name: DB_ADMIN_SERVICE_ACCOUNT, namespace: this.namespace.metadata.name, annotations: { [IRSA_ROLE_ANNOTATION]: registry.databaseBootstrapRoleArn } },
      // The job never calls the Kubernetes API; IRSA's token is a projected volume of its own.
      automountServiceAccountToken: false,
    });
    this.masterCredentials = new SyncedSecret(this, "master-credentials", {
      namespace: DB_ADMIN_NAMESPACE,
      serviceAccount: DB_ADMIN_SERVICE_ACCOUNT,
      targetSecret: MASTER_SECRET,
      remoteSecret: registry.databaseSecretArn,
      keys: { username: "username", password: "password" },
      // RDS rotates the master password weekly; a run after a rotation needs the new one.
      refreshInterval: "15m",
      waitUntilReady: true,
      dependsOn: [this.namespace, this.serviceAccount],
    });

    const secretKey = (key: string) => ({ secretKeyRef: { name: MASTER_SECRET, key } });
    const containerEnv = (rotate: boolean) => [
      { name: "PGHOST", value: registry.databaseAddress },
      { name: "PGPORT", value: String(POSTGRES_PORT) },
      { name: "PGDATABASE", value: TRACKING_DATABASE },
      // rds.force_ssl refuses plain connections.
      { name: "PGSSLMODE", value: "require" },
      { name: "PGUSER", valueFrom: secretKey("username") },
      { name: "PGPASSWORD", valueFrom: secretKey("password") },
      { name: "APP_OWNER_ROLE", value: APP_OWNER_ROLE },
      { name: "APP_LOGIN_ROLES", value: APP_LOGIN_ROLES.join(",") },
      { name: "APP_DATABASES", value: (registry.auth.enabled ? [TRACKING_DATABASE, AUTH_DATABASE] : [TRACKING_DATABASE]).join(",") },
      { name: "APP_SECRET_ID", value: registry.databaseAppSecretArn },
      { name: "ROTATE", value: rotate ? "1" : "0" },
      { name: "AWS_DEFAULT_REGION", value: env.region },
      { name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional" },
      { name: "HOME", value: "/tmp" },
    ];
    const podSpec = (rotate: boolean) => ({
      serviceAccountName: this.serviceAccount.metadata.name,
      restartPolicy: "Never",
      // RESTRICTED_UID, a high UID (checkov CKV_K8S_40): the script needs no user of the image, only a writable HOME (/tmp).
      securityContext: restrictedPodSecurityContextV1(),
      container: [
        {
          name: "bootstrap",
          image: `${MLFLOW_IMAGE.repository}:${MLFLOW_IMAGE.tag}`,
          imagePullPolicy: "IfNotPresent",
          command: ["python", "-c", DATABASE_BOOTSTRAP_SCRIPT],
          env: containerEnv(rotate),
          resources: { requests: { ...REQUESTS }, limits: { memory: "512Mi" } },
          securityContext: restrictedContainerSecurityContextV1(),
          volumeMount: [{ name: "tmp", mountPath: "/tmp" }],
        },
      ],
      volume: [{ name: "tmp", emptyDir: {} }],
    });

    // The capacity model counts both (one pod each, on the untainted system nodes).
    registry.cluster?.capacity.addWorkload(this, { kind: "Job", namespace: DB_ADMIN_NAMESPACE, name: "mlflow-db-bootstrap", requests: { ...REQUESTS } });
    registry.cluster?.capacity.addWorkload(this, { kind: "CronJob", namespace: DB_ADMIN_NAMESPACE, name: "mlflow-db-rotate", requests: { ...REQUESTS } });

    // Before the job runs: the job reaches RDS (5432 in the VPC) and, through their interface endpoints in
    // the VPC, STS (IRSA) and Secrets Manager; nothing reaches it, and it reaches nothing outside the VPC.
    this.networkPolicies = new NamespaceNetworkPolicies(this, "network-policies", {
      namespace: this.namespace.metadata.name,
      allows: [ALLOW.awsApis(env.vpcCidr), { name: "allow-postgres-egress", direction: "egress", peers: [{ cidr: env.vpcCidr }], ports: [{ port: SERVER_PORTS.postgres }] }],
    });
    // The script is in the pod template, which Kubernetes cannot change: a new script replaces the Job, which runs again.
    this.job = new JobV1(this, "job", {
      metadata: { name: "mlflow-db-bootstrap", namespace: this.namespace.metadata.name, labels: { ...LABELS } },
      spec: {
        backoffLimit: 4,
        activeDeadlineSeconds: 600,
        template: { metadata: { labels: { ...LABELS } }, spec: podSpec(false) },
      },
      waitForCompletion: true,
      timeouts: { create: "12m", update: "12m" },
      dependsOn: [this.masterCredentials.externalSecret, ...this.networkPolicies.policies],
    });
    this.rotation = new CronJobV1(this, "rotation", {
      metadata: { name: "mlflow-db-rotate", namespace: this.namespace.metadata.name, labels: { ...LABELS } },
      spec: {
        schedule,
        timezone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: {},
          spec: { backoffLimit: 4, activeDeadlineSeconds: 600, template: { metadata: { labels: { ...LABELS } }, spec: podSpec(true) } },
        },
      },
      dependsOn: [this.job],
    });
  }
}
