import { Construct } from "constructs";
import { ConditionalResources } from "../core/stack-records";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { ITerraformDependable } from "cdktf";
import { Environment } from "../core/environment";
import { Validator } from "../core/errors";
import { CHARTS } from "../kubernetes/charts";
import { SyncedSecret } from "../kubernetes/external-secrets";
import { HelmChart } from "../kubernetes/helm-chart";
import { PrometheusRule, ServiceMonitor } from "../kubernetes/monitoring";
import { ALLOW, NamespaceNetworkPolicies, SERVER_PODS, SERVER_PORTS } from "../kubernetes/network-policy";
import { IModelRegistry } from "./model-registry-interface";
import { IRSA_ROLE_ANNOTATION } from "../iam/service-account-role";
import { MlflowDatabaseBootstrap } from "./database-bootstrap";
import {
  AUTH_SECRET,
  CLIENT_KINDS,
  DATABASE_SECRET,
  MLFLOW_METRICS_PATH,
  MLFLOW_NAMESPACE,
  MLFLOW_RELEASE,
  MLFLOW_SERVICE_ACCOUNT,
  MLFLOW_SERVICE_PORT_NAME,
  MlflowClientKind,
  clientSecretName,
} from "./private/names";
import { mlflowRuleGroup } from "./private/mlflow-alerts";
import { ADMIN_SECRET_TEMPLATE, DATABASE_SECRET_TEMPLATE, MLFLOW_SELECTOR, mlflowValues } from "./private/mlflow-values";
import { Shape, checkShape } from "../core/shape";
import { restrictedNamespace } from "../kubernetes/pod-security";
import { Cpu, Memory, RESOURCE_REQUESTS_SHAPE, ResourceRequests, resolveResources } from "../kubernetes/resources";

export type MlflowLogLevel = "debug" | "info" | "warning" | "error" | "critical";

export interface MlflowServerProps {
  /** The infrastructure half: database, artifact bucket, secrets and the IRSA role. */
  /** The registry: a `ModelRegistry`, or `ModelRegistry.fromAttributes(...)` for one created elsewhere. */
  readonly registry: IModelRegistry;
  /** Tracking server replicas; production needs at least 2. @default - 1 in development, 2 in staging and production */
  readonly replicas?: number;
  /**
   * Requests of each replica (no CPU limit: throttling a request-bound server only adds latency).
   * @default - { cpu: Cpu.millicores(500), memory: Memory.gibibytes(1) }, memory limit equal to the request
   */
  readonly resources?: ResourceRequests;
  /** @default "info" */
  readonly logLevel?: MlflowLogLevel;
}

const LOG_LEVELS: readonly MlflowLogLevel[] = ["debug", "info", "warning", "error", "critical"];

/**
 * MLflow's tracking server in the cluster, for a ModelRegistry: the community `mlflow`
 * chart with the PostgreSQL backend store on RDS, the S3 artifact root, the IRSA service
 * account, authentication, schema migrations on every upgrade, a PodDisruptionBudget
 * with 2+ replicas, Prometheus metrics scraped through a ServiceMonitor, and alerts.
 *
 * Credentials: the External Secrets Operator copies the RDS-managed master secret and the
 * auth secret from Secrets Manager into Kubernetes Secrets, authenticating as the
 * `mlflow` service account (whose role may read exactly those two secrets). The
 * ExternalSecrets are Terraform-managed manifests (SyncedSecret), not the chart's
 * `extraDeploy`: Terraform can then order namespace -> service account -> synced
 * Secrets -> release and wait for the first sync, and the chart would run its `tpl` over
 * the operator's own `{{ }}` templates. See lib/model-registry/README.md.
 */
export class MlflowServer extends Construct {
  public readonly registry: IModelRegistry;
  public readonly namespace: NamespaceV1;
  public readonly serviceAccount: ServiceAccountV1;
  /** Creates MLflow's own PostgreSQL roles as the master user, outside the mlflow namespace, and rotates their password. */
  public readonly databaseBootstrap: MlflowDatabaseBootstrap;
  /** MLflow's own PostgreSQL login (`registry.databaseAppSecret`), never the master user's. */
  public readonly databaseCredentials: SyncedSecret;
  public readonly authCredentials?: SyncedSecret;
  /** Basic auth: the client users' credentials, synced into the mlflow namespace (the server creates the users; Prometheus logs in as `reader`). */
  public readonly clientCredentials?: Readonly<Record<MlflowClientKind, SyncedSecret>>;
  public readonly chart: HelmChart;
  /** Scrapes /metrics through the Service's port, logging in as the reader user under basic auth. */
  public readonly serviceMonitor: ServiceMonitor;
  /** Default deny in the mlflow namespace, and the flows the tracking server needs. */
  public readonly networkPolicies: NamespaceNetworkPolicies;
  public readonly disruptionBudget?: PodDisruptionBudgetV1;
  /** Tracking server down (critical from staging up), server errors, slow requests. */
  public readonly alerts: PrometheusRule;
  public readonly replicas: number;
  public readonly trackingUri: string;

  constructor(scope: Construct, id: string, props: MlflowServerProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      registry: Shape.like("a ModelRegistry (or ModelRegistry.fromAttributes(...))", [
        "databaseAddress",
        "databaseSecretArn",
        "databaseAppSecretArn",
        "databaseBootstrapRoleArn",
        "artifactBucketName",
        "serverRoleArn",
        "auth",
      ]),
      replicas: Shape.optional(Shape.number()),
      resources: Shape.optional(RESOURCE_REQUESTS_SHAPE),
      logLevel: Shape.optional(Shape.string()),
    });
    const env = Environment.of(this);
    const registry = props.registry;
    this.registry = registry;
    this.trackingUri = registry.trackingUri;
    this.replicas = props.replicas ?? env.byTier({ development: 1, staging: 2, production: 2 });
    const logLevel = props.logLevel ?? "info";

    const v = new Validator(this.node.path);
    v.check(Number.isInteger(this.replicas) && this.replicas >= 1 && this.replicas <= 20, "replicas", this.replicas, "must be a whole number from 1 to 20");
    if (env.isProduction && Number.isInteger(this.replicas)) {
      v.check(this.replicas >= 2, "replicas", this.replicas, "production needs at least 2 replicas, so that a node drain or a rollout never stops the registry");
    }
    const resources = resolveResources(v, "resources", props.resources, { cpu: Cpu.millicores(500), memory: Memory.gibibytes(1) });
    v.check(LOG_LEVELS.includes(logLevel), "logLevel", logLevel, `must be one of ${LOG_LEVELS.join(", ")}`);
    v.throwIfAny();

    this.namespace = restrictedNamespace(this, "namespace", { name: MLFLOW_NAMESPACE });
    this.serviceAccount = new ServiceAccountV1(this, "service-account", {
      metadata: {
        name: MLFLOW_SERVICE_ACCOUNT,
        namespace: this.namespace.metadata.name,
        annotations: { [IRSA_ROLE_ANNOTATION]: registry.serverRoleArn },
      },
      // MLflow never calls the Kubernetes API: no API token in its pods. IRSA's web identity token is a
      // projected volume of its own (the EKS pod identity webhook adds it), and External Secrets
      // requests tokens for this account through the TokenRequest API, neither needing the automount.
      automountServiceAccountToken: false,
    });

    this.databaseBootstrap = new MlflowDatabaseBootstrap(this, "database-bootstrap", { registry });
    this.databaseCredentials = new SyncedSecret(this, "database-credentials", {
      namespace: MLFLOW_NAMESPACE,
      serviceAccount: MLFLOW_SERVICE_ACCOUNT,
      targetSecret: DATABASE_SECRET,
      remoteSecret: registry.databaseAppSecretArn,
      keys: { username: "username", password: "password" },
      template: DATABASE_SECRET_TEMPLATE,
      // The rotation CronJob writes a new login; ESO follows within this interval, then Reloader restarts MLflow.
      refreshInterval: "15m",
      waitUntilReady: true,
      // The secret has a value once the bootstrap Job has run.
      dependsOn: [this.namespace, this.serviceAccount, this.databaseBootstrap.job],
    });
    const synced: SyncedSecret[] = [this.databaseCredentials];
    if (registry.authSecretArn) {
      this.authCredentials = new SyncedSecret(this, "auth-credentials", {
        namespace: MLFLOW_NAMESPACE,
        serviceAccount: MLFLOW_SERVICE_ACCOUNT,
        targetSecret: AUTH_SECRET,
        remoteSecret: registry.authSecretArn,
        keys: registry.auth.kind === "basic" ? { username: "username", password: "password" } : { client_secret: "client_secret" },
        ...(registry.auth.kind === "basic" ? { template: ADMIN_SECRET_TEMPLATE } : {}),
        refreshInterval: "15m",
        waitUntilReady: true,
        dependsOn: [this.namespace, this.serviceAccount],
      });
      synced.push(this.authCredentials);
    }
    if (registry.clientSecretArns) {
      const clients = {} as Record<MlflowClientKind, SyncedSecret>;
      for (const kind of CLIENT_KINDS) {
        clients[kind] = new SyncedSecret(this, `${kind}-credentials`, {
          namespace: MLFLOW_NAMESPACE,
          serviceAccount: MLFLOW_SERVICE_ACCOUNT,
          targetSecret: clientSecretName(kind),
          remoteSecret: registry.clientSecretArns[kind],
          keys: { username: "username", password: "password" },
          refreshInterval: "15m",
          waitUntilReady: true,
          dependsOn: [this.namespace, this.serviceAccount],
        });
        synced.push(clients[kind]);
      }
      this.clientCredentials = clients;
    }

    const dependsOn: ITerraformDependable[] = [this.namespace, this.serviceAccount, ...synced.map((s) => s.externalSecret)];
    ConditionalResources.of(this).record("replicas", this.replicas, {
      creates: this.replicas >= 2 ? ["disruption-budget"] : [],
      reason: "a disruption budget needs 2 or more replicas",
    });
    if (this.replicas >= 2) {
      this.disruptionBudget = new PodDisruptionBudgetV1(this, "disruption-budget", {
        metadata: { name: MLFLOW_RELEASE, namespace: this.namespace.metadata.name },
        spec: { maxUnavailable: "1", selector: { matchLabels: { ...MLFLOW_SELECTOR } } },
      });
    }

    this.chart = new HelmChart(this, "chart", {
      chart: CHARTS.mlflow,
      releaseName: MLFLOW_RELEASE,
      namespace: MLFLOW_NAMESPACE,
      values: mlflowValues({
        region: env.region,
        vpcCidr: env.vpcCidr,
        replicas: this.replicas,
        resources,
        logLevel,
        databaseHost: registry.databaseAddress,
        bucketName: registry.artifactBucketName,
        auth: registry.auth,
      }),
      dependsOn,
    });

    // The tracking server's pod: the init containers request what the server does, so the pod requests that.
    // (An imported registry without its cluster is not checked.)
    registry.cluster?.capacity.addWorkload(this, {
      kind: "Deployment",
      namespace: MLFLOW_NAMESPACE,
      name: MLFLOW_RELEASE,
      replicas: this.replicas,
      requests: { cpu: resources.cpu, memory: resources.memory },
    });

    this.serviceMonitor = new ServiceMonitor(this, "service-monitor", {
      name: MLFLOW_RELEASE,
      namespace: MLFLOW_NAMESPACE,
      // The chart's Service carries the pods' selector labels.
      selector: MLFLOW_SELECTOR,
      port: MLFLOW_SERVICE_PORT_NAME,
      path: MLFLOW_METRICS_PATH,
      interval: "30s",
      scrapeTimeout: "10s",
      ...(this.clientCredentials ? { basicAuth: { secret: this.clientCredentials.reader.secretName, usernameKey: "username", passwordKey: "password" } } : {}),
    });
    this.serviceMonitor.manifest.dependsOn = [this.namespace.fqn];

    // Default deny, then: clients in every namespace (endpoints, training jobs, Prometheus) reach the
    // server's port; the server reaches RDS in the VPC and, over HTTPS, S3, Secrets Manager and STS.
    this.networkPolicies = new NamespaceNetworkPolicies(this, "network-policies", {
      namespace: this.namespace.metadata.name,
      allows: [
        ALLOW.https(),
        { name: "allow-postgres-egress", direction: "egress", peers: [{ cidr: env.vpcCidr }], ports: [{ port: SERVER_PORTS.postgres }] },
        { name: "allow-tracking-ingress", direction: "ingress", pods: SERVER_PODS.mlflow, peers: [{ namespace: "*" }], ports: [{ port: SERVER_PORTS.mlflow }] },
      ],
    });

    this.alerts = new PrometheusRule(this, "alerts", {
      name: "mlflow",
      // The namespace resource's name (not the constant): Terraform then creates the namespace first.
      namespace: this.namespace.metadata.name,
      groups: [mlflowRuleGroup(env.byTier({ development: "warning", staging: "critical", production: "critical" }))],
    });
  }
}
