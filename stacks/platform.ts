import { App } from "cdktf";
import {
  AlertReceiver,
  ArgoRollouts,
  BootstrapStack,
  DriftMonitor,
  InferenceLogBucket,
  Keda,
  MonitoredEndpoint,
  MonitoredEndpointProps,
  Observability,
  ObservabilitySecrets,
  RolloutStrategy,
} from "../lib";
import {
  Capacity,
  ClusterBaseline,
  Environment,
  EnvironmentKey,
  ExternalSecretsOperator,
  GpuClusterAddons,
  GpuInstance,
  GpuTrainingCluster,
  GpuTrainingClusterProps,
  InfraStack,
  Network,
  PlatformStack,
  Reloader,
  MlflowServer,
  ModelRegistry,
  ModelRegistryProps,
  FeatureServer,
  FeatureStore,
  FeatureStoreProps,
  TrainingOperator,
  DistributedTraining,
} from "../lib";

/** The stacks of one environment of the reference platform. */
export interface EnvironmentStacks {
  readonly environment: Environment;
  /** Creates the S3 state bucket (environments whose state lives in S3). */
  readonly bootstrap?: BootstrapStack;
  /** Every AWS resource: network, key, cluster, databases, buckets, IAM. Planned offline in tests. */
  readonly infra: InfraStack;
  /** The training cluster (in `infra`), which the platform constructs take as `cluster`. */
  readonly cluster: GpuTrainingCluster;
  /** MLflow's database, artifact bucket and IRSA role (in `infra`); `registry.model(...)` references models for endpoints. */
  readonly registry: ModelRegistry;
  /** Feast's offline store, registry, online store and IRSA roles (in `infra`); grants online/offline reads to serving and training roles. */
  readonly featureStore: FeatureStore;
  /**
   * Operators that bring CRDs (External Secrets, kube-prometheus-stack): applied before
   * `platform`, whose ServiceMonitors, PrometheusRules and ExternalSecrets need the CRDs at plan time.
   */
  readonly addons: PlatformStack;
  /** Everything else in the cluster: GPU add-ons, MLflow, Feast, model endpoints. */
  readonly platform: PlatformStack;
  /** Team queues, flavors and training runtimes (in `platform`); Kubeflow Trainer and Kueue are in `addons`. */
  readonly training: DistributedTraining;
}

/**
 * Props that replace the reference values below, as an edit of this file would: the
 * upgrade tests plan such edits against a state of the unchanged environment.
 */
export interface ReferenceChanges {
  /** @default - the reference values */
  readonly cluster?: Partial<GpuTrainingClusterProps>;
  /** @default - the reference values */
  readonly registry?: Partial<ModelRegistryProps>;
}

/**
 * Builds one environment: the same construct tree for every environment. What differs
 * between the reference environments is written here, where each construct is created,
 * by tier (each reference environment has its own tier); everything not written here is
 * the construct's own tier default (see each prop's `@default`). Construct IDs here are
 * Terraform addresses: never rename one without a migration.
 */
export function buildEnvironment(app: App, env: Environment, changes: ReferenceChanges = {}): EnvironmentStacks {
  const bootstrap = env.stateBackend.type === "s3" ? new BootstrapStack(app, env.stackName("bootstrap"), { environment: env }) : undefined;

  // ---- infrastructure (aws provider only) ----
  const infra = new InfraStack(app, env.stackName("infra"), { environment: env });
  const key = new EnvironmentKey(infra, "kms");
  const network = new Network(infra, "network", { key });
  const clusterName = `${env.prefix}-training`;
  const cluster = new GpuTrainingCluster(infra, "training", {
    network,
    key,
    clusterName,
    // System nodes (default m6i.large), by tier:
    // - development, 4 vCPUs: the platform's pods that run only there (monitoring, MLflow, Feast and its
    //   materialization, the CPU endpoint, KEDA, Argo Rollouts, the EKS add-ons) request about 4.1 cores, more than
    //   two m6i.large (the pool's max size) allocate after the DaemonSets; the capacity check at synth refuses it.
    // - production, 16 GiB: Prometheus requests 8Gi there, more than an m6i.large can allocate (about 7.3Gi at most
    //   after the kubelet's reservations), so it would never schedule.
    ...env.byTier<Pick<GpuTrainingClusterProps, "systemNodeInstanceType">>({
      development: { systemNodeInstanceType: "m6i.xlarge" },
      staging: {},
      production: { systemNodeInstanceType: "m6i.xlarge" },
    }),
    gpuPools: [
      {
        // Single-GPU nodes for experiments, fine-tuning and batch inference; scale to zero when idle.
        name: "general",
        instanceTypes: [GpuInstance.of("g6.xlarge"), GpuInstance.of("g6.2xlarge")],
        capacity: env.byTier({ development: Capacity.spot(), staging: Capacity.spot(), production: Capacity.onDemand() }),
        critical: env.isProduction,
        maxNodes: env.byTier({ development: 4, staging: 8, production: 16 }),
      },
      // Multi-node distributed training (8 x H100 per node, EFA, one placement group): production only.
      ...(env.isProduction ? [{ name: "h100-multinode", instanceTypes: [GpuInstance.of("p5.48xlarge")], maxNodes: 2, multiNode: true, diskSizeGiB: 500 }] : []),
    ],
    ...changes.cluster,
  });

  // MLflow tracking server and model registry: RDS PostgreSQL, artifact bucket, IRSA role.
  // Backup retention is the tier default (1, 7 and 14 days).
  const registry = new ModelRegistry(infra, "model-registry", {
    cluster,
    ...env.byTier({
      development: { instanceClass: "db.t4g.medium", allocatedStorageGiB: 20 },
      staging: { instanceClass: "db.t4g.large", allocatedStorageGiB: 50 },
      // Memory-optimized: the tracking store's working set (runs, metrics, params) should stay in cache.
      production: { instanceClass: "db.r7g.large", allocatedStorageGiB: 100 },
    } satisfies Record<string, Partial<ModelRegistryProps>>),
    ...changes.registry,
  });

  // Feast: Parquet offline store and registry in S3; online store DynamoDB, or in production Redis
  // for sub-millisecond online reads on the serving path (Multi-AZ with failover, which production requires).
  const featureStore = new FeatureStore(infra, "feature-store", {
    cluster,
    project: "features",
    ...env.byTier({
      development: { onlineStore: "dynamodb", server: { replicas: 1 } },
      staging: { onlineStore: "dynamodb", server: { replicas: 2 } },
      production: { onlineStore: "redis", redis: { nodeType: "cache.r7g.large" }, server: { replicas: 3 } },
    } satisfies Record<string, Partial<FeatureStoreProps>>),
  });

  // The example endpoint's IRSA role: reads the registry's model artifacts and the online features, nothing else.
  const rankerRole = cluster.addServiceAccountRole("ranker-serving", { namespace: "serving", serviceAccount: "ranker" });
  registry.grantRead(rankerRole);
  featureStore.grantOnlineRead(rankerRole);
  // Inference logs (the contract DriftMonitor reads): the endpoint may write its own prefix; its
  // drift monitor has a role of its own that may read it (both granted by the constructs below).
  const inferenceLogs = new InferenceLogBucket(infra, "inference-logs", { key });
  const rankerDriftRole = cluster.addServiceAccountRole("ranker-drift", { namespace: "serving", serviceAccount: "ranker-drift" });

  // ---- in-cluster (kubernetes + helm), configured from the cluster looked up by name ----
  const addons = new PlatformStack(app, env.stackName("addons"), { environment: env, clusterName });
  addons.addDependency(infra);
  const externalSecrets = new ExternalSecretsOperator(addons, "external-secrets", { cluster });
  // Restarts MLflow when RDS rotates its database password (and when any synced credential changes).
  new Reloader(addons, "reloader", { cluster });
  // StorageClass and PriorityClasses first: the monitoring volumes below claim the class.
  const baseline = new ClusterBaseline(addons, "baseline", { cluster });
  // Prometheus, Alertmanager, Grafana; their credentials are Secrets Manager secrets in infra (values set by an operator).
  const observabilitySecrets = new ObservabilitySecrets(infra, "observability", { cluster });
  const observability = new Observability(addons, "observability", {
    secrets: observabilitySecrets,
    externalSecrets,
    baseline,
    receivers: env.byTier({
      development: [AlertReceiver.slack({ channel: `#${env.prefix}-alerts` })],
      staging: [AlertReceiver.slack({ channel: `#${env.prefix}-alerts` }), watchdogHeartbeat(env)],
      production: [AlertReceiver.pagerDuty(), AlertReceiver.slack({ channel: `#${env.prefix}-alerts` }), watchdogHeartbeat(env)],
    }),
  });
  // Demand-based autoscaling (ScaledObjects) and progressive delivery (Rollouts, AnalysisTemplates) of endpoints:
  // CRDs for the platform stack; both query Prometheus, and their charts' ServiceMonitors need its CRD.
  const controllerPrometheus = { namespace: observability.namespace, dependsOn: [observability.chart.release] };
  new Keda(addons, "keda", { prometheus: controllerPrometheus, cluster });
  new ArgoRollouts(addons, "argo-rollouts", { prometheus: controllerPrometheus, cluster });
  // Kubeflow Trainer (with JobSet) and Kueue in every environment: teams try their jobs and queues in
  // dev before production. Their CRDs come with them, so they go in the addons stack, before the queues
  // and runtimes of the platform stack.
  const trainingOperator = new TrainingOperator(addons, "training-operator", { cluster });
  const platform = new PlatformStack(app, env.stackName("platform"), { environment: env, clusterName });
  platform.addDependency(addons);
  // The training namespace's GPU quota: in production, two 8-GPU multi-node nodes plus the
  // general pool; serving uses the same pools outside this quota.
  new GpuClusterAddons(platform, "gpu-addons", { cluster, trainingGpuQuota: env.byTier({ development: 4, staging: 8, production: 32 }) });
  // Team GPU queues in one cohort: each team is guaranteed its quota and borrows what the other leaves
  // idle. The H100 pool exists in production only; the general pool's quotas leave room for serving.
  const training = new DistributedTraining(platform, "distributed-training", { cluster, operator: trainingOperator });
  // Each team's jobs run as their own IRSA role (infra stack): read and write the datasets bucket, nothing else.
  for (const team of ["vision", "language"]) {
    const role = cluster.addServiceAccountRole(`${team}-training`, { namespace: team, serviceAccount: "training" });
    cluster.datasets.grantReadWrite(role);
    training.addTeam(team, {
      gpuQuota: env.byTier<Record<string, number>>({ development: { general: 1 }, staging: { general: 2 }, production: { general: 4, "h100-multinode": 8 } }),
      serviceAccountRole: role,
    });
  }
  new MlflowServer(platform, "mlflow", { registry, replicas: env.byTier({ development: 1, staging: 2, production: 3 }) });
  new FeatureServer(platform, "feast", { featureStore });

  // An example model endpoint. Development: on CPU, scaled by KEDA on requests per second, never to zero (the ranker
  // has no queue whose depth could wake it). Staging and production: on the GPU pool, scaled on requests and GPU
  // utilisation, and a new model version rolls out as a canary with a smoke test and SLO analysis (Argo Rollouts).
  const servingImage = `${env.accountId}.dkr.ecr.${env.region}.amazonaws.com/${env.prefix}/serving`;
  const ranker = new MonitoredEndpoint(platform, "ranker", {
    name: "ranker",
    cluster,
    serviceAccountRole: rankerRole,
    features: featureStore,
    inferenceLogs,
    ...env.byTier<Pick<MonitoredEndpointProps, "image" | "model" | "gpu" | "rollout" | "autoscaling">>({
      development: {
        image: `${servingImage}:model-server-1.4.0`,
        model: registry.model("ranker", { alias: "champion" }),
        autoscaling: { demand: { requestsPerSecond: 20 } },
      },
      staging: {
        image: `${servingImage}:model-server-1.4.0-cuda12`,
        gpu: { pool: "general" },
        model: registry.model("ranker", { version: RANKER_VERSION }),
        autoscaling: { demand: { requestsPerSecond: 50, gpuUtilization: 70 } },
        rollout: { strategy: RANKER_CANARY },
      },
      production: {
        image: `${servingImage}:model-server-1.4.0-cuda12`,
        gpu: { pool: "general" },
        model: registry.model("ranker", { version: RANKER_VERSION }),
        autoscaling: { demand: { requestsPerSecond: 50, gpuUtilization: 70 } },
        rollout: { strategy: RANKER_CANARY },
      },
    }),
  });
  // Input drift of the ranker against a sample of its training data (in the feature store's offline bucket,
  // encrypted with the environment key, which the drift role may decrypt for the logs already).
  new DriftMonitor(platform, "ranker-drift", {
    endpoint: ranker,
    serviceAccountRole: rankerDriftRole,
    inferenceLogs,
    referenceUri: `s3://${featureStore.offlineBucket.bucketName}/reference/ranker/training-sample.jsonl`,
    features: ["query_length", "user_tenure_days", "item_price", "item_category"],
    image: `${env.accountId}.dkr.ecr.${env.region}.amazonaws.com/${env.prefix}/drift-job:1.0.0`,
    threshold: 0.2,
  });

  return { environment: env, bootstrap, infra, cluster, registry, featureStore, addons, platform, training };
}

/**
 * The dead man's switch: an Opsgenie heartbeat named after the environment, pinged by the
 * Watchdog alert every 5 minutes; Opsgenie alerts when the pings stop. Its API key is the
 * `heartbeat` property of the Alertmanager secret.
 */
function watchdogHeartbeat(env: Environment): AlertReceiver {
  return AlertReceiver.heartbeat({ url: `https://api.opsgenie.com/v2/heartbeats/${env.prefix}-watchdog/ping`, authorizationType: "GenieKey" });
}

/** The ranker version that serves in staging and production: changing it starts a canary rollout in the cluster. */
const RANKER_VERSION = 8;

/** A fifth of the replicas first (smoke test, then 5 minutes of SLO analysis), half, then all. */
const RANKER_CANARY = RolloutStrategy.canary([{ weight: 20 }, { pause: "5m" }, { weight: 50 }, { pause: "5m" }, { weight: 100 }]);

/** The whole reference platform: every environment's stacks in one app. */
export function buildApp(app: App, environments: readonly Environment[]): EnvironmentStacks[] {
  return environments.map((env) => buildEnvironment(app, env));
}
