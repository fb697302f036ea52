/**
 * A team's own ML platform in one environment, using the library the way an outside user
 * does: by its package name. A GPU cluster with one spot pool that scales to zero, MLflow,
 * Feast, Prometheus/Grafana, and a fraud-detection model served behind SLO alerts.
 *
 *     cd examples/fraud-detection && npx cdktf synth
 */
import { App } from "cdktf";
import {
  AlertReceiver,
  Capacity,
  ClusterBaseline,
  Environment,
  EnvironmentKey,
  ExternalSecretsOperator,
  FeatureServer,
  FeatureStore,
  Reloader,
  GpuClusterAddons,
  GpuInstance,
  GpuTrainingCluster,
  InfraStack,
  MlflowServer,
  ModelRegistry,
  MonitoredEndpoint,
  Network,
  Observability,
  ObservabilitySecrets,
  PlatformStack,
  exitOnConfigError,
} from "cdktf-ml-platform";

exitOnConfigError(() => {
  const app = new App();
  const env = new Environment({
    name: "fraud-dev",
    tier: "development",
    accountId: "444455556666",
    // The role that runs Terraform (CI's or the one your profile assumes): the cluster's admin, by access entry.
    deployRoleArn: "arn:aws:iam::444455556666:role/fraud-dev-deploy",
    region: "eu-west-1",
    availabilityZones: ["eu-west-1a", "eu-west-1b"],
    vpcCidr: "10.42.0.0/16",
    owner: "fraud-ml",
    costCenter: "cc-7310",
    monthlyBudgetUsd: 4000,
    gpuMonthlyBudgetUsd: 3000,
    stateBackend: { type: "local" },
  });

  // AWS: network, key, cluster with a GPU pool, registry, feature store, serving identity.
  const infra = new InfraStack(app, env.stackName("infra"), { environment: env });
  const key = new EnvironmentKey(infra, "kms");
  const network = new Network(infra, "network", { key });
  const cluster = new GpuTrainingCluster(infra, "training", {
    network,
    key,
    // The platform's pods that run only on the system nodes (monitoring, MLflow, Feast, the
    // cluster add-ons) request about 3.7 cores: more than two m6i.large (the default, at max size) allocate.
    systemNodeInstanceType: "m6i.xlarge",
    gpuPools: [{ name: "a10g", instanceTypes: [GpuInstance.of("g5.xlarge")], capacity: Capacity.spot(), maxNodes: 3 }],
  });
  const registry = new ModelRegistry(infra, "model-registry", { cluster });
  const features = new FeatureStore(infra, "feature-store", { cluster, project: "fraud" });
  const servingRole = cluster.addServiceAccountRole("fraud-serving", { namespace: "serving", serviceAccount: "fraud-detector" });
  registry.grantRead(servingRole);
  features.grantOnlineRead(servingRole);
  const observabilitySecrets = new ObservabilitySecrets(infra, "observability", { cluster });

  // In the cluster: operators with CRDs first, then the platform.
  const addons = new PlatformStack(app, env.stackName("addons"), { environment: env, clusterName: cluster.clusterName });
  addons.addDependency(infra);
  const externalSecrets = new ExternalSecretsOperator(addons, "external-secrets", { cluster });
  // Restarts MLflow when RDS rotates its database password.
  new Reloader(addons, "reloader", { cluster });
  const baseline = new ClusterBaseline(addons, "baseline", { cluster });
  new Observability(addons, "observability", {
    secrets: observabilitySecrets,
    externalSecrets,
    baseline,
    receivers: [AlertReceiver.slack({ channel: "#fraud-ml-alerts" })],
  });

  const platform = new PlatformStack(app, env.stackName("platform"), { environment: env, clusterName: cluster.clusterName });
  platform.addDependency(addons);
  new GpuClusterAddons(platform, "gpu-addons", { cluster });
  new MlflowServer(platform, "mlflow", { registry });
  new FeatureServer(platform, "feast", { featureStore: features });
  new MonitoredEndpoint(platform, "fraud-detector", {
    name: "fraud-detector",
    cluster,
    serviceAccountRole: servingRole,
    image: "444455556666.dkr.ecr.eu-west-1.amazonaws.com/ml-fraud-dev/serving:1.0.0",
    model: registry.model("fraud-detector", { alias: "champion" }),
    features,
    slo: { latencyObjectiveSeconds: 0.2, errorRatioObjective: 0.01 },
  });

  app.synth();
});
