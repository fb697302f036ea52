import { Cpu, Memory } from "../../../lib/kubernetes/resources";
import { Testing, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import {
  ClusterAccessPolicy,
  AlertReceiver,
  Capacity,
  ClusterBaseline,
  Environment,
  EnvironmentConfig,
  EnvironmentKey,
  ExternalSecretsOperator,
  FeatureServer,
  FeatureStore,
  GpuClusterAddons,
  GpuInstance,
  GpuTrainingCluster,
  GrafanaDashboard,
  ImageRepository,
  InfraStack,
  MlflowServer,
  ModelRegistry,
  ArgoRollouts,
  DriftMonitor,
  InferenceLogBucket,
  Keda,
  MonitoredEndpoint,
  Network,
  Observability,
  ObservabilitySecrets,
  PlatformStack,
  PrometheusRule,
  RegistryAuth,
  RolloutStrategy,
  SecureBucket,
  ServiceMonitor,
  DistributedTraining,
  TrainingOperator,
} from "../../../lib";
import { testConfig } from "../../support/env";
import { KEY_ARN as IMPORTED_KEY_ARN } from "../../support/imports";

/**
 * Every exported construct and factory with a valid baseline input, for the bad-input
 * tests: each subject builds a fresh app from props, runs the constructs and the
 * app's validations, and synthesizes, so that a problem found at any of those stages
 * shows up as what a user would see.
 */
export interface Subject {
  readonly name: string;
  /** A valid input: building with it must succeed. */
  readonly baseline: () => Record<string, any>;
  /** Builds (and synthesizes) with the given props. */
  readonly build: (props: any) => void;
}

function synthAll(app: Construct): void {
  for (const child of app.node.children) {
    if (child instanceof TerraformStack) Testing.synth(child, true);
  }
}

interface World {
  app: Construct;
  env: Environment;
  infra: InfraStack;
  platform: PlatformStack;
  addons: PlatformStack;
  key: EnvironmentKey;
  network: Network;
  cluster: GpuTrainingCluster;
}

function world(config: Partial<EnvironmentConfig> = {}): World {
  const app = Testing.app();
  const env = new Environment(testConfig({ gpuMonthlyBudgetUsd: 100000, ...config }));
  const infra = new InfraStack(app, "ml-test-infra", { environment: env });
  const key = new EnvironmentKey(infra, "kms");
  const network = new Network(infra, "network", { key });
  const cluster = new GpuTrainingCluster(infra, "training", {
    network,
    key,
    gpuPools: [{ name: "general", instanceTypes: [GpuInstance.of("g6.xlarge")], maxNodes: 2 }],
  });
  const addons = new PlatformStack(app, "ml-test-addons", { environment: env, clusterName: cluster.clusterName });
  const platform = new PlatformStack(app, "ml-test-platform", { environment: env, clusterName: cluster.clusterName });
  return { app, env, infra, platform, addons, key, network, cluster };
}

export const SUBJECTS: readonly Subject[] = [
  {
    name: "Environment",
    baseline: () => testConfig() as any,
    build: (config) => {
      new Environment(config);
    },
  },
  {
    name: "InfraStack",
    baseline: () => ({ localState: false }),
    build: (props) => {
      const app = Testing.app();
      new InfraStack(app, "ml-test-infra", { environment: new Environment(testConfig()), ...props });
      synthAll(app);
    },
  },
  {
    name: "PlatformStack",
    baseline: () => ({ clusterName: "ml-test-training" }),
    build: (props) => {
      const app = Testing.app();
      new PlatformStack(app, "ml-test-platform", { environment: new Environment(testConfig()), ...props });
      synthAll(app);
    },
  },
  {
    name: "EnvironmentKey",
    baseline: () => ({ aliasSuffix: "data" }),
    build: (props) => {
      const app = Testing.app();
      const s = new InfraStack(app, "ml-test-infra", { environment: new Environment(testConfig()) });
      new EnvironmentKey(s, "k", props);
      synthAll(app);
    },
  },
  {
    name: "Network",
    baseline: () => ({ natGateways: "single", flowLogRetentionDays: 30 }),
    build: (props) => {
      const app = Testing.app();
      const s = new InfraStack(app, "ml-test-infra", { environment: new Environment(testConfig()) });
      new Network(s, "network", { key: new EnvironmentKey(s, "kms"), ...props });
      synthAll(app);
    },
  },
  {
    name: "SecureBucket",
    baseline: () => ({ bucketName: "ml-test-data-123456789012" }),
    build: (props) => {
      const app = Testing.app();
      const s = new InfraStack(app, "ml-test-infra", { environment: new Environment(testConfig()) });
      new SecureBucket(s, "b", { key: new EnvironmentKey(s, "kms"), ...props });
      synthAll(app);
    },
  },
  {
    name: "GpuTrainingCluster",
    baseline: () => ({
      clusterName: "ml-test-training",
      kubernetesVersion: "1.33",
      systemNodeCount: 1,
      systemNodeInstanceType: "m6i.large",
      provisioner: "cluster-autoscaler",
      publicAccessCidrs: ["203.0.113.0/24"],
      accessEntries: [{ principalArn: "arn:aws:iam::123456789012:role/admin", accessPolicies: [ClusterAccessPolicy.VIEW], namespaces: ["training"] }],
      trainingNamespace: "training",
      gpuPools: [{ name: "general", instanceTypes: ["g6.xlarge"], capacity: Capacity.spot(), minNodes: 0, maxNodes: 2, diskSizeGiB: 200, labels: { team: "vision" } }],
    }),
    build: (props) => {
      const app = Testing.app();
      const s = new InfraStack(app, "ml-test-infra", { environment: new Environment(testConfig({ gpuMonthlyBudgetUsd: 100000 })) });
      const key = new EnvironmentKey(s, "kms");
      new GpuTrainingCluster(s, "training", { key, network: new Network(s, "network", { key }), ...props });
      synthAll(app);
    },
  },
  {
    name: "ServiceAccountRole",
    baseline: () => ({ namespace: "serving", serviceAccount: "ranker" }),
    build: (props) => {
      const w = world();
      w.cluster.addServiceAccountRole("ranker", props);
      synthAll(w.app);
    },
  },
  {
    name: "ImageRepository",
    baseline: () => ({ repositoryName: "ml-test/batch-inference" }),
    build: (props) => {
      const w = world();
      new ImageRepository(w.infra, "repo", { key: w.key, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "ModelRegistry",
    baseline: () => ({ instanceClass: "db.t4g.medium", allocatedStorageGiB: 20, backupRetentionDays: 1 }),
    build: (props) => {
      const w = world();
      new ModelRegistry(w.infra, "model-registry", { cluster: w.cluster, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "FeatureStore",
    baseline: () => ({ project: "fraud", onlineStore: "dynamodb", server: { replicas: 1 } }),
    build: (props) => {
      const w = world();
      new FeatureStore(w.infra, "feature-store", { cluster: w.cluster, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "ObservabilitySecrets",
    baseline: () => ({}),
    build: (props) => {
      const w = world();
      new ObservabilitySecrets(w.infra, "observability", { cluster: w.cluster, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "MlflowServer",
    baseline: () => ({ replicas: 1 }),
    build: (props) => {
      const w = world();
      const registry = new ModelRegistry(w.infra, "model-registry", { cluster: w.cluster });
      new MlflowServer(w.platform, "mlflow", { registry, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "FeatureServer",
    baseline: () => ({}),
    build: (props) => {
      const w = world();
      const featureStore = new FeatureStore(w.infra, "feature-store", { cluster: w.cluster, project: "fraud" });
      new FeatureServer(w.platform, "feast", { featureStore, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "GpuClusterAddons",
    baseline: () => ({}),
    build: (props) => {
      const w = world();
      new GpuClusterAddons(w.platform, "gpu-addons", { cluster: w.cluster, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "TrainingOperator",
    baseline: () => ({ trainerNamespace: "kubeflow-system", kueueNamespace: "kueue-system", podsReadyTimeoutMinutes: 10 }),
    build: (props) => {
      const w = world();
      new TrainingOperator(w.addons, "training-operator", { cluster: w.cluster, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "DistributedTraining",
    baseline: () => ({ cohort: "ml-platform", runtimeImage: "pytorch/pytorch:2.13.0-cuda13.0-cudnn9-runtime", alerts: { pendingMinutes: 30, idleGpuUtilisationPercent: 5 } }),
    build: (props) => {
      const w = world();
      const operator = new TrainingOperator(w.addons, "training-operator");
      new DistributedTraining(w.platform, "training", { cluster: w.cluster, operator, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "DistributedTraining.addTeam",
    baseline: () => ({ namespace: "vision", gpuQuota: { general: 1 }, gpuBorrowingLimit: { general: 1 } }),
    build: (props) => {
      const w = world();
      const operator = new TrainingOperator(w.addons, "training-operator");
      new DistributedTraining(w.platform, "training", { cluster: w.cluster, operator }).addTeam("vision", props);
      synthAll(w.app);
    },
  },
  {
    name: "ClusterBaseline",
    baseline: () => ({}),
    build: (props) => {
      const w = world();
      new ClusterBaseline(w.addons, "baseline", { cluster: w.cluster, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "Observability",
    baseline: () => ({ receivers: [AlertReceiver.slack({ channel: "#ml-alerts" })] }),
    build: (props) => {
      const w = world();
      const secrets = new ObservabilitySecrets(w.infra, "observability", { cluster: w.cluster });
      const externalSecrets = new ExternalSecretsOperator(w.addons, "external-secrets");
      const baseline = new ClusterBaseline(w.addons, "baseline", { cluster: w.cluster });
      new Observability(w.addons, "observability", { secrets, externalSecrets, baseline, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "Keda",
    baseline: () => ({ namespace: "keda", prometheus: { namespace: "monitoring" } }),
    build: (props) => {
      const w = world();
      new Keda(w.addons, "keda", { cluster: w.cluster, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "ArgoRollouts",
    baseline: () => ({ namespace: "argo-rollouts", prometheus: { namespace: "monitoring" } }),
    build: (props) => {
      const w = world();
      new ArgoRollouts(w.addons, "argo-rollouts", { cluster: w.cluster, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "MonitoredEndpoint",
    baseline: () => ({
      name: "ranker",
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/serving:1.0.0",
      port: 8080,
      minReplicas: 1,
      maxReplicas: 2,
      slo: { latencyObjectiveSeconds: 0.2, errorRatioObjective: 0.01 },
      resources: { cpu: Cpu.millicores(500), memory: Memory.gibibytes(1) },
      env: { LOG_LEVEL: "info" },
      metrics: { gauges: ["model_auc"] },
      autoscaling: { demand: { requestsPerSecond: 20 } },
      rollout: { strategy: RolloutStrategy.canary([{ weight: 20 }, { pause: "5m" }, { weight: 100 }]), analysis: { maxErrorRatio: 0.02 }, smokeTestPath: "/health" },
    }),
    build: (props) => {
      const w = world();
      const registry = new ModelRegistry(w.infra, "model-registry", { cluster: w.cluster });
      const role = w.cluster.addServiceAccountRole("ranker-serving", { namespace: "serving", serviceAccount: "ranker" });
      new MonitoredEndpoint(w.platform, "ranker", { cluster: w.cluster, serviceAccountRole: role, model: registry.model("ranker", { alias: "champion" }), ...props });
      synthAll(w.app);
    },
  },
  {
    name: "InferenceLogBucket",
    baseline: () => ({ bucketName: "ml-test-inference-logs", retentionDays: 30 }),
    build: (props) => {
      const w = world();
      new InferenceLogBucket(w.infra, "inference-logs", { key: w.key, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "DriftMonitor",
    baseline: () => ({
      referenceUri: "s3://ml-test-reference/ranker/sample.jsonl",
      features: ["query_length", "item_category"],
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/drift-job:1.0.0",
      schedule: "0 * * * *",
      windowDays: 1,
      threshold: 0.2,
      thresholdFor: "15m",
      minSamples: 100,
      bins: 10,
      resources: { cpu: "500m", memory: "1Gi" },
      severity: "warning",
    }),
    build: (props) => {
      const w = world();
      const inferenceLogs = new InferenceLogBucket(w.infra, "inference-logs", { key: w.key });
      const role = w.cluster.addServiceAccountRole("ranker-serving", { namespace: "serving", serviceAccount: "ranker" });
      const driftRole = w.cluster.addServiceAccountRole("ranker-drift", { namespace: "serving", serviceAccount: "ranker-drift" });
      const endpoint = new MonitoredEndpoint(w.platform, "ranker", {
        name: "ranker",
        image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/serving:1.0.0",
        cluster: w.cluster,
        serviceAccountRole: role,
        model: { uri: "models:/ranker@champion" },
        inferenceLogs,
      });
      new DriftMonitor(w.platform, "ranker-drift", { endpoint, serviceAccountRole: driftRole, inferenceLogs, ...props });
      synthAll(w.app);
    },
  },
  {
    name: "GrafanaDashboard",
    baseline: () => ({
      name: "ranker",
      namespace: "monitoring",
      uid: "ranker",
      title: "Ranker",
      panels: [{ title: "RPS", queries: [{ expr: "sum(rate(ranker_requests_total[5m]))" }] }],
    }),
    build: (props) => {
      const w = world();
      new GrafanaDashboard(w.platform, "dash", props);
      synthAll(w.app);
    },
  },
  {
    name: "PrometheusRule",
    baseline: () => ({
      name: "ranker",
      namespace: "serving",
      groups: [{ name: "ranker", rules: [{ alert: "RankerDown", expr: "up == 0", for: "5m", severity: "critical", summary: "down" }] }],
    }),
    build: (props) => {
      const w = world();
      new PrometheusRule(w.platform, "rule", props);
      synthAll(w.app);
    },
  },
  {
    name: "ServiceMonitor",
    baseline: () => ({ name: "ranker", namespace: "serving", selector: { app: "ranker" }, port: "http" }),
    build: (props) => {
      const w = world();
      new ServiceMonitor(w.platform, "sm", props);
      synthAll(w.app);
    },
  },
  {
    name: "AlertReceiver.slack",
    baseline: () => ({ channel: "#ml-alerts" }),
    build: (props) => {
      AlertReceiver.slack(props as any);
    },
  },
  {
    name: "RegistryAuth.oidc",
    baseline: () => ({ discoveryUrl: "https://login.example.com/.well-known/openid-configuration", clientId: "mlflow" }),
    build: (props) => {
      RegistryAuth.oidc(props as any);
    },
  },
  {
    name: "Network.fromAttributes",
    baseline: () => ({
      vpcId: "vpc-0a1b2c3d4e5f67890",
      vpcCidr: "10.0.0.0/16",
      privateSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"],
    }),
    build: (props) => {
      const app = Testing.app();
      const s = new InfraStack(app, "ml-test-infra", { environment: new Environment(testConfig()) });
      const network = Network.fromAttributes(s, "network", props as any);
      network.tagPrivateSubnets({ "karpenter.sh/discovery": "ml-test-training" }, "test");
      synthAll(app);
    },
  },
  {
    name: "EnvironmentKey.fromAttributes",
    baseline: () => ({ keyArn: IMPORTED_KEY_ARN, aliasName: "alias/ml-test", grantedServiceUses: ["EventBridgeToKarpenterQueue"] }),
    build: (props) => {
      const app = Testing.app();
      const s = new InfraStack(app, "ml-test-infra", { environment: new Environment(testConfig()) });
      new SecureBucket(s, "bucket", { bucketName: "ml-test-data-123456789012", key: EnvironmentKey.fromAttributes(s, "kms", props as any) });
      synthAll(app);
    },
  },
  {
    name: "GpuTrainingCluster.fromAttributes",
    baseline: () => ({
      clusterName: "ml-test-training",
      oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9",
      workloadSecurityGroupId: "sg-0123456789abcdef0",
      gpuPools: [{ name: "general", instanceTypes: ["g6.xlarge"], maxNodes: 2 }],
      systemNodePool: { instanceTypes: ["m6i.xlarge"], maxNodes: 2 },
      trainingNamespace: "training",
    }),
    build: (props) => {
      const w = world();
      const cluster = GpuTrainingCluster.fromAttributes(w.infra, "imported", { network: w.network, key: w.key, ...props });
      cluster.addServiceAccountRole("reader", { namespace: "serving", serviceAccount: "reader" });
      synthAll(w.app);
    },
  },
  {
    name: "FeatureStore.fromAttributes",
    baseline: () => ({
      project: "features",
      offlineBucketName: "ml-test-feature-store-123456789012",
      serverRoleArn: "arn:aws:iam::123456789012:role/ml-test-feast-feast-feature-server",
      materializeRoleArn: "arn:aws:iam::123456789012:role/ml-test-feast-feast-materialize",
      onlineStore: "redis",
      redis: {
        endpoint: "master.ml-test-feast.abc123.use1.cache.amazonaws.com:6379",
        authSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ml-test/feast/redis-auth-AbCdEf",
      },
      server: { replicas: 1 },
    }),
    build: (props) => {
      const w = world();
      const store = FeatureStore.fromAttributes(w.platform, "features", { key: w.key, ...props });
      new FeatureServer(w.platform, "feast", { featureStore: store });
      synthAll(w.app);
    },
  },
];
