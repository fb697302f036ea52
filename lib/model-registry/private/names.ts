/**
 * Names the infrastructure and the in-cluster halves of the registry must agree on: the
 * IRSA role trusts exactly this namespace and service account, and the tracking URI is
 * the Service the chart creates (its fullname collapses to the release name when the
 * release is called after the chart).
 */
export const MLFLOW_NAMESPACE = "mlflow";
export const MLFLOW_RELEASE = "mlflow";
export const MLFLOW_SERVICE_ACCOUNT = "mlflow";
/** The chart's `service.port` default. */
export const MLFLOW_SERVICE_PORT = 80;
/**
 * Name of the Service's port: the chart's `service.name` default (mlflow 1.11.5 values.yaml;
 * templates/service.yaml names the port with it). The container's port is named `mlflow`
 * (`service.containerPortName`), which is why the chart's own ServiceMonitor, whose
 * `targetPort` is `service.name`, never matched.
 */
export const MLFLOW_SERVICE_PORT_NAME = "http";
/** Where `--expose-prometheus` serves metrics (prometheus_flask_exporter's default path). */
export const MLFLOW_METRICS_PATH = "/metrics";
export const MLFLOW_SERVICE_HOST = `${MLFLOW_RELEASE}.${MLFLOW_NAMESPACE}.svc.cluster.local`;
export const MLFLOW_TRACKING_URI = `http://${MLFLOW_SERVICE_HOST}:${MLFLOW_SERVICE_PORT}`;

/** Database of the tracking store and model registry, created with the instance. */
export const TRACKING_DATABASE = "mlflow";
/**
 * Database of MLflow's users and permissions. It cannot share the tracking database:
 * both keep their Alembic revision in a table named `alembic_version`.
 */
export const AUTH_DATABASE = "mlflow_auth";
/**
 * The RDS master user; its password is managed by RDS in Secrets Manager. Only the database
 * bootstrap Job (namespace `mlflow-db-admin`) logs in as it; MLflow never does.
 */
export const MASTER_USERNAME = "mlflow";

/**
 * MLflow's own PostgreSQL roles, created by the database bootstrap Job: `mlflow_app` (NOLOGIN)
 * owns MLflow's databases and every object in them; two LOGIN roles are members of it and
 * switch to it at login (`ALTER ROLE ... SET role`), so what MLflow creates belongs to
 * `mlflow_app`. The server logs in as one of the two; each rotation sets a new password on the
 * other one and then points the secret at it (AWS's "alternating users" strategy), so pods still
 * running with the previous credentials keep working until Reloader has restarted them.
 */
export const APP_OWNER_ROLE = "mlflow_app";
export const APP_LOGIN_ROLES = ["mlflow_app_a", "mlflow_app_b"] as const;
/** Namespace and service account of the database bootstrap Job, the only holders of the master credential in the cluster. */
export const DB_ADMIN_NAMESPACE = "mlflow-db-admin";
export const DB_ADMIN_SERVICE_ACCOUNT = "mlflow-db-bootstrap";
/** The Kubernetes Secret (in DB_ADMIN_NAMESPACE) with the RDS master user's credentials. */
export const MASTER_SECRET = "mlflow-db-master";
export const POSTGRES_PORT = 5432;

/** The image of chart mlflow 1.11.5 (its appVersion), pinned so that our init container runs the same MLflow. */
export const MLFLOW_IMAGE = { repository: "burakince/mlflow", tag: "3.15.1" } as const;

/** Kubernetes Secrets the External Secrets Operator keeps in sync, referenced by the chart. */
export const DATABASE_SECRET = "mlflow-db-credentials";
export const AUTH_SECRET = "mlflow-auth";

/**
 * The MLflow users clients log in as (basic auth), one per kind of client: `reader` for
 * model endpoints and Prometheus (resolve `models:/` URIs, read runs, scrape /metrics),
 * `trainer` for training jobs (log runs, register model versions). Each has a Secrets
 * Manager secret `{"username","password"}` an operator sets; every tracking server pod
 * creates the user (or resets its password to the secret's) before it starts.
 */
export type MlflowClientKind = "reader" | "trainer";
export const CLIENT_KINDS: readonly MlflowClientKind[] = ["reader", "trainer"];
/** The Kubernetes Secret, in the mlflow namespace, of a client user's credentials. */
export function clientSecretName(kind: MlflowClientKind): string {
  return `mlflow-${kind}-credentials`;
}
