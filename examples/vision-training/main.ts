/**
 * A vision team's training platform in one environment, with Karpenter as the GPU
 * provisioner: the library imported by its package name, as an outside user does. Two GPU
 * pools declared exactly as for cluster-autoscaler (a spot A10G pool for experiments, an
 * on-demand L4 pool for deadline-bound runs); Karpenter launches their nodes for pending
 * pods and consolidates them when idle. Prometheus/Grafana scrape the controller.
 *
 *     cd examples/vision-training && npx cdktf synth
 */
import { App } from "cdktf";
import {
  AlertReceiver,
  Capacity,
  ClusterBaseline,
  Environment,
  EnvironmentKey,
  ExternalSecretsOperator,
  GpuClusterAddons,
  GpuInstance,
  GpuTrainingCluster,
  InfraStack,
  KarpenterController,
  Network,
  Observability,
  ObservabilitySecrets,
  PlatformStack,
  exitOnConfigError,
} from "cdktf-ml-platform";

exitOnConfigError(() => {
  const app = new App();
  const env = new Environment({
    name: "vision-dev",
    tier: "development",
    accountId: "555566667777",
    // The role that runs Terraform: the cluster's admin, by access entry (the creator gets no implicit admin).
    deployRoleArn: "arn:aws:iam::555566667777:role/vision-dev-deploy",
    region: "us-west-2",
    availabilityZones: ["us-west-2a", "us-west-2b"],
    vpcCidr: "10.52.0.0/16",
    owner: "vision-ml",
    costCenter: "cc-8120",
    monthlyBudgetUsd: 10000,
    gpuMonthlyBudgetUsd: 9000,
    stateBackend: { type: "local" },
  });

  // AWS: network, key, a cluster whose GPU pools Karpenter provisions (its controller role,
  // node role, interruption queue and discovery tags come with it).
  const infra = new InfraStack(app, env.stackName("infra"), { environment: env });
  const key = new EnvironmentKey(infra, "kms");
  const network = new Network(infra, "network", { key });
  const cluster = new GpuTrainingCluster(infra, "training", {
    network,
    key,
    provisioner: "karpenter",
    gpuPools: [
      { name: "a10g", instanceTypes: [GpuInstance.of("g5.xlarge"), GpuInstance.of("g5.2xlarge")], capacity: Capacity.spot(), maxNodes: 4 },
      { name: "l4", instanceTypes: [GpuInstance.of("g6.xlarge")], maxNodes: 2, diskSizeGiB: 300, labels: { "vision.example.com/tier": "deadline" } },
      // Two-node data-parallel runs over EFA: a cluster placement group in one zone; Karpenter
      // attaches the EFA interfaces when the job's pods request vpc.amazonaws.com/efa.
      { name: "dist", instanceTypes: [GpuInstance.of("g6.8xlarge")], maxNodes: 2, multiNode: true },
    ],
  });
  const observabilitySecrets = new ObservabilitySecrets(infra, "observability", { cluster });

  // In the cluster: operators with CRDs first (Karpenter's among them), then the platform.
  const addons = new PlatformStack(app, env.stackName("addons"), { environment: env, clusterName: cluster.clusterName });
  addons.addDependency(infra);
  const externalSecrets = new ExternalSecretsOperator(addons, "external-secrets", { cluster });
  const baseline = new ClusterBaseline(addons, "baseline", { cluster });
  new Observability(addons, "observability", {
    secrets: observabilitySecrets,
    externalSecrets,
    baseline,
    receivers: [AlertReceiver.slack({ channel: "#vision-ml-alerts" })],
  });
  const karpenter = new KarpenterController(addons, "karpenter", { cluster });

  const platform = new PlatformStack(app, env.stackName("platform"), { environment: env, clusterName: cluster.clusterName });
  platform.addDependency(addons);
  new GpuClusterAddons(platform, "gpu-addons", { cluster, karpenter });

  app.synth();
});
