import { ResolvedResources, containerResources } from "../../kubernetes/resources";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../kubernetes/pod-security";
import { RELOAD_ON_SECRETS_ANNOTATION } from "../../kubernetes/reloader";
import { RegistryAuth } from "../auth";
import {
  AUTH_DATABASE,
  AUTH_SECRET,
  CLIENT_KINDS,
  DATABASE_SECRET,
  MLFLOW_IMAGE,
  MLFLOW_NAMESPACE,
  MLFLOW_RELEASE,
  MLFLOW_SERVICE_ACCOUNT,
  POSTGRES_PORT,
  TRACKING_DATABASE,
  clientSecretName,
} from "./names";

/** Labels the chart puts on its pods (and selects its Service and PodDisruptionBudget by). */
export const MLFLOW_SELECTOR = { "app.kubernetes.io/name": "mlflow", "app.kubernetes.io/instance": MLFLOW_RELEASE } as const;

/**
 * Keys of the database Secret. `password` feeds libpq (PGPASSWORD), which takes it as it
 * is. The auth database is reached through a URL, so RDS's generated password must be
 * URL-encoded there (`password-url`); basic auth also reads that URL from an INI file
 * through Python's configparser, where a literal `%` must be doubled (`password-ini`).
 * The escaped forms contain only [A-Za-z0-9._~%+-], which also survives the chart's sed.
 */
export const DATABASE_SECRET_TEMPLATE: Readonly<Record<string, string>> = {
  username: "{{ .username }}",
  password: "{{ .password }}",
  "password-url": "{{ .password | urlquery }}",
  "password-ini": '{{ .password | urlquery | replace "%" "%%" }}',
};

/**
 * Keys of the admin Secret. The chart's `ini-file-initializer` pastes the admin's username
 * and password into `sed -e "s/$(ADMIN_PASSWORD_PLACEHOLDER)/${ADMIN_PASSWORD}/g"` and the
 * result into an INI file that MLflow reads with configparser (basic interpolation). So
 * the chart gets forms escaped for both, in this order: `%` doubled for configparser, then
 * `\`, `/` and `&` backslash-escaped for sed's replacement. The shell expands
 * `${ADMIN_PASSWORD}` inside double quotes, so quotes and `$` pass as they are. What
 * cannot pass: a newline, and leading or trailing blanks (configparser strips them).
 */
// Go raw string literals (backquotes) in the template: `\` is one backslash, with no escaping layer between Go and sed.
const SED_INI_ESCAPE = 'replace "%" "%%" | replace `\\` `\\\\` | replace "/" `\\/` | replace "&" `\\&`';

export const ADMIN_SECRET_TEMPLATE: Readonly<Record<string, string>> = {
  username: "{{ .username }}",
  password: "{{ .password }}",
  "username-ini": "{{ .username | " + SED_INI_ESCAPE + " }}",
  "password-ini": "{{ .password | " + SED_INI_ESCAPE + " }}",
};

/** The user of MLflow's image (ghcr.io/mlflow/mlflow runs as 1001, as the chart's values.yaml does). */
const MLFLOW_UID = 1001;

/**
 * Creates the client users (MLflow basic auth) or resets their passwords to the synced
 * secrets, with MLflow's own auth store on the auth database; a restart after a secret
 * changes (Reloader) applies a new password. A client user must not be an admin, and
 * passwords need MLflow's 12 characters.
 */
const CREATE_CLIENT_USERS = [
  "import os, sys",
  "from mlflow.exceptions import MlflowException",
  "from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore",
  "store = SqlAlchemyStore()",
  "store.init_db('postgresql+psycopg2://')",
  "kinds = os.environ['MLFLOW_CLIENT_USERS'].split(',')",
  "users = {k: (os.environ[k.upper() + '_USERNAME'], os.environ[k.upper() + '_PASSWORD']) for k in kinds}",
  "if len({u for u, _ in users.values()}) != len(users): sys.exit('MLflow client users must have distinct usernames: ' + str({k: u for k, (u, _) in users.items()}))",
  "for kind, (username, password) in users.items():",
  "    if len(password) < 12: sys.exit(f'the password of MLflow user {username} ({kind}) must have at least 12 characters')",
  "    if not store.has_user(username):",
  "        try:",
  "            store.create_user(username, password)",
  "            print(f'created MLflow user {username} ({kind})')",
  "            continue",
  "        except MlflowException as e:",
  "            if e.error_code != 'RESOURCE_ALREADY_EXISTS': raise  # else another replica created it first",
  "    if store.get_user(username).is_admin: sys.exit(f'MLflow user {username} ({kind}) is an admin; a client user must not be')",
  "    if not store.authenticate_user(username, password):",
  "        store.update_user(username, password=password)",
  "        print(f'reset the password of MLflow user {username} ({kind})')",
].join("\n");

export interface MlflowValuesInput {
  readonly region: string;
  readonly vpcCidr: string;
  readonly replicas: number;
  readonly resources: ResolvedResources;
  readonly databaseHost: string;
  readonly bucketName: string;
  readonly auth: RegistryAuth;
  readonly logLevel: string;
}

/** The chart's values: every key checked against the chart's defaults and values.schema.json in the tests. */
export function mlflowValues(input: MlflowValuesInput): Record<string, unknown> {
  const resources = containerResources(input.resources);
  const reloadOn =
    input.auth.kind === "basic" ? [DATABASE_SECRET, AUTH_SECRET, ...CLIENT_KINDS.map(clientSecretName)] : input.auth.enabled ? [DATABASE_SECRET, AUTH_SECRET] : [DATABASE_SECRET];
  const authDatabase = { enabled: true, host: input.databaseHost, port: POSTGRES_PORT, database: AUTH_DATABASE, driver: "psycopg2" };
  const auth = input.auth;
  return {
    replicaCount: input.replicas,
    image: { repository: MLFLOW_IMAGE.repository, tag: MLFLOW_IMAGE.tag },
    initImages: { mlflowDbMigration: { repository: MLFLOW_IMAGE.repository, tag: MLFLOW_IMAGE.tag } },
    // Terraform creates the service account (with the IRSA annotation) before the secrets
    // that authenticate as it; the chart only uses it.
    serviceAccount: { create: false, name: MLFLOW_SERVICE_ACCOUNT },
    podSecurityContext: { ...restrictedPodSecurityContext(MLFLOW_UID), fsGroupChangePolicy: "OnRootMismatch" },
    securityContext: restrictedContainerSecurityContext(),
    // Pods with a rotated database password must restart, and a changed client password must reach
    // the users table: Reloader (installed by the `Reloader` construct) restarts them.
    deploymentAnnotations: { [RELOAD_ON_SECRETS_ANNOTATION]: reloadOn.join(",") },
    log: { enabled: true, level: input.logLevel },
    telemetry: { enabled: false },
    backendStore: {
      databaseMigration: true,
      databaseConnectionCheck: true,
      postgres: { enabled: true, host: input.databaseHost, port: POSTGRES_PORT, database: TRACKING_DATABASE, driver: "psycopg2" },
      existingDatabaseSecret: { name: DATABASE_SECRET, usernameKey: "username", passwordKey: "password" },
    },
    // Clients read and write artifacts in S3 directly with their own IRSA roles (registry grants).
    artifactRoot: { proxiedArtifactStorage: false, s3: { enabled: true, bucket: input.bucketName, path: "" } },
    ...(auth.kind === "basic"
      ? {
          auth: {
            enabled: true,
            existingAdminSecret: { name: AUTH_SECRET, usernameKey: "username-ini", passwordKey: "password-ini" },
            defaultPermission: auth.defaultPermission,
            postgres: { ...authDatabase, existingSecret: { name: DATABASE_SECRET, usernameKey: "username", passwordKey: "password-ini" } },
          },
        }
      : {}),
    ...(auth.kind === "oidc"
      ? {
          oidcAuth: {
            enabled: true,
            discoveryUrl: auth.oidc!.discoveryUrl,
            clientId: auth.oidc!.clientId,
            existingSecret: { name: AUTH_SECRET, clientSecretKey: "client_secret" },
            ...(auth.oidc!.redirectUri ? { redirectUri: auth.oidc!.redirectUri } : {}),
            groupName: [...(auth.oidc!.userGroups ?? ["mlflow"])],
            adminGroupName: [...(auth.oidc!.adminGroups ?? ["mlflow-admin"])],
            defaultPermission: auth.defaultPermission,
            database: { postgres: { ...authDatabase, existingSecret: { name: DATABASE_SECRET, usernameKey: "username", passwordKey: "password-url" } } },
          },
        }
      : {}),
    ...(auth.enabled
      ? {
          // The auth database exists already: the database bootstrap Job creates it, owned by MLflow's role.
          initContainers: auth.kind === "basic" ? [createClientUsersContainer(resources)] : [],
        }
      : {}),
    extraEnvVars: {
      // rds.force_ssl refuses plain connections; libpq's default ("prefer") would also try TLS, but say so.
      PGSSLMODE: "require",
      AWS_DEFAULT_REGION: input.region,
      AWS_STS_REGIONAL_ENDPOINTS: "regional",
    },
    serverAllowedHosts: allowedHosts(input.vpcCidr),
    resources,
    // The chart's ServiceMonitor cannot log in to /metrics (behind basic auth) and targets a port
    // name the container does not have: MlflowServer creates its own. Without the chart's, the
    // metrics flag must be set here; it keeps multiprocess metrics in /mlflow/metrics.
    serviceMonitor: { enabled: false },
    extraArgs: { exposePrometheus: "/mlflow/metrics" },
    extraVolumes: [{ name: "prometheus-metrics", emptyDir: {} }],
    extraVolumeMounts: [{ name: "prometheus-metrics", mountPath: "/mlflow/metrics" }],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: "topology.kubernetes.io/zone", labelSelector: { matchLabels: { ...MLFLOW_SELECTOR } } } },
          { weight: 50, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { ...MLFLOW_SELECTOR } } } },
        ],
      },
    },
  };
}

function createClientUsersContainer(resources: Record<string, unknown>): Record<string, unknown> {
  const secretKey = (name: string, key: string) => ({ secretKeyRef: { name, key } });
  return {
    name: "create-client-users",
    image: `${MLFLOW_IMAGE.repository}:${MLFLOW_IMAGE.tag}`,
    imagePullPolicy: "IfNotPresent",
    securityContext: restrictedContainerSecurityContext(),
    resources,
    command: ["python", "-c", CREATE_CLIENT_USERS],
    // PGHOST and PGPORT come from the chart's ConfigMap; PGDATABASE is overridden to the auth database.
    envFrom: [{ configMapRef: { name: `${MLFLOW_RELEASE}-env-configmap` } }],
    env: [
      { name: "PGUSER", valueFrom: secretKey(DATABASE_SECRET, "username") },
      { name: "PGPASSWORD", valueFrom: secretKey(DATABASE_SECRET, "password") },
      { name: "PGSSLMODE", value: "require" },
      { name: "PGDATABASE", value: AUTH_DATABASE },
      { name: "HOME", value: "/tmp" },
      { name: "MLFLOW_CLIENT_USERS", value: CLIENT_KINDS.join(",") },
      ...CLIENT_KINDS.flatMap((kind) => [
        { name: `${kind.toUpperCase()}_USERNAME`, valueFrom: secretKey(clientSecretName(kind), "username") },
        { name: `${kind.toUpperCase()}_PASSWORD`, valueFrom: secretKey(clientSecretName(kind), "password") },
      ]),
    ],
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
  };
}

/**
 * MLflow 3 refuses requests whose Host header it does not know (DNS-rebinding guard).
 * Clients use the Service's names; kubelet probes use the pod IP, inside the VPC range.
 */
export function allowedHosts(vpcCidr: string): string[] {
  const service = [MLFLOW_RELEASE, `${MLFLOW_RELEASE}.${MLFLOW_NAMESPACE}`, `${MLFLOW_RELEASE}.${MLFLOW_NAMESPACE}.svc`, `${MLFLOW_RELEASE}.${MLFLOW_NAMESPACE}.svc.cluster.local`];
  const [ip, prefix] = vpcCidr.split("/");
  const octets = ip.split(".").slice(0, Math.floor(Number(prefix) / 8));
  return [...service.flatMap((h) => [h, `${h}:*`]), "localhost:*", "127.0.0.1:*", `${octets.join(".")}.*`];
}
