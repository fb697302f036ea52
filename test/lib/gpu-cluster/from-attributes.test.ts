import { App, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import {
  Capacity,
  Cpu,
  DistributedTraining,
  EnvironmentKey,
  FeatureServer,
  FeatureStore,
  GpuClusterAddons,
  GpuInstance,
  GpuPoolProps,
  GpuTrainingCluster,
  InfraStack,
  Memory,
  MlflowServer,
  ModelRegistry,
  MonitoredEndpoint,
  Network,
  PlatformStack,
  TrainingClusterAttributes,
} from "../../../lib";
import { testEnvironment } from "../../support/env";
import { errorOf, resourcesOfType } from "../../support/synth";
import { describeWithTerraform, plannedTypes, synthStackDir, validateAndPlan } from "../../support/terraform";
import { synthStacks } from "../model-registry/fixtures";
import { featureStoreApp } from "../feature-store/fixtures";
import { MULTI, trainingFixture } from "../training/fixture";
import { GENERAL as TRAINING_GENERAL, platformFor, testCluster } from "./fixture";
import { KEY_ARN, VPC } from "../../support/imports";

/**
 * In-cluster stacks in another app than the one that made the EKS cluster (issue 15 item 4):
 * GpuTrainingCluster.fromAttributes and FeatureStore.fromAttributes stand for what the owning
 * app outputs; this app creates no VPC, no key and no cluster, only what it places on them.
 */
const OIDC_ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9";
const CLUSTER = {
  clusterName: "ml-test-training",
  oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/${OIDC_ISSUER}`,
  workloadSecurityGroupId: "sg-0123456789abcdef0",
};
const FEATURES = {
  project: "features",
  offlineBucketName: "ml-test-feature-store-123456789012",
  serverRoleArn: "arn:aws:iam::123456789012:role/ml-test-feast-feast-feature-server",
  materializeRoleArn: "arn:aws:iam::123456789012:role/ml-test-feast-feast-materialize",
  onlineStore: "redis" as const,
  redis: {
    endpoint: "master.ml-test-feast.abc123.use1.cache.amazonaws.com:6379",
    authSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ml-test/feast/redis-auth-AbCdEf",
  },
};
const GENERAL = { name: "general", instanceTypes: [GpuInstance.of("g6.xlarge")], capacity: Capacity.spot(), maxNodes: 2 };

/** A second app: an infra stack (new registry database, IRSA roles) and a platform stack, on an imported VPC, key, cluster and feature store. */
/** The stack's resources without the construct paths of their "//" metadata (the same object built in two places). */
function withoutPaths(json: any): any {
  return JSON.parse(JSON.stringify(json.resource, (k, v) => (k === "//" ? undefined : v)));
}

/** `c` imported into `scope` from its attributes, with its GPU pools declared as its owner declares them. */
function importedFrom(scope: Construct, c: GpuTrainingCluster, gpuPools: GpuPoolProps[]) {
  return GpuTrainingCluster.fromAttributes(scope, "training-cluster", {
    clusterName: c.clusterName,
    oidcProviderArn: c.oidcProviderArn,
    oidcIssuerUrl: c.oidcIssuerUrl,
    workloadSecurityGroupId: c.workloadSecurityGroupId,
    network: c.network,
    key: c.key,
    gpuPools,
  });
}

function secondApp(cluster: Partial<TrainingClusterAttributes> = {}, server: { memoryGiB?: number } = {}) {
  const app = Testing.app();
  const environment = testEnvironment();
  const infra = new InfraStack(app, "test-infra", { environment });
  const key = EnvironmentKey.fromKeyArn(infra, "kms", KEY_ARN);
  const network = Network.fromAttributes(infra, "network", VPC);
  const training = GpuTrainingCluster.fromAttributes(infra, "training", {
    ...CLUSTER,
    network,
    key,
    gpuPools: [GENERAL],
    systemNodePool: { instanceTypes: ["m6i.xlarge"], maxNodes: 4 },
    ...cluster,
  });
  const registry = new ModelRegistry(infra, "model-registry", { cluster: training });
  const featureStore = FeatureStore.fromAttributes(infra, "feature-store", {
    ...FEATURES,
    key,
    cluster: training,
    server: server.memoryGiB ? { resources: { cpu: Cpu.millicores(250), memory: Memory.gibibytes(server.memoryGiB) } } : undefined,
  });
  const rankerRole = training.addServiceAccountRole("ranker-serving", { namespace: "serving", serviceAccount: "ranker" });
  registry.grantRead(rankerRole);
  featureStore.grantOnlineRead(rankerRole);

  const platform = new PlatformStack(app, "test-platform", { environment, clusterName: CLUSTER.clusterName });
  platform.addDependency(infra);
  new MlflowServer(platform, "mlflow", { registry });
  new FeatureServer(platform, "feast", { featureStore });
  new MonitoredEndpoint(platform, "ranker", {
    name: "ranker",
    cluster: training,
    serviceAccountRole: rankerRole,
    features: featureStore,
    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/ml-test/serving:model-server-1.4.0-cuda12",
    model: registry.model("ranker", { alias: "champion" }),
    gpu: { pool: "general" },
  });
  return { app, infra, platform, training, rankerRole };
}

describe("GpuTrainingCluster.fromAttributes and FeatureStore.fromAttributes", () => {
  test("a second app creates no VPC, key, cluster or node group; its roles trust the given OIDC provider and its database admits the given node group", () => {
    const stacks = synthStacks(secondApp().app);
    const infra = stacks["test-infra"];
    for (const json of Object.values<any>(stacks)) {
      for (const type of [
        "aws_vpc",
        "aws_subnet",
        "aws_kms_key",
        "aws_eks_cluster",
        "aws_eks_node_group",
        "aws_iam_openid_connect_provider",
        "aws_elasticache_replication_group",
      ]) {
        expect([type, Object.keys(resourcesOfType(json, type))]).toEqual([type, []]);
      }
    }
    // IRSA roles made here (MLflow, the database bootstrap, the ranker) trust exactly the given provider and its issuer.
    const trusts = Object.values<any>(resourcesOfType(infra, "aws_iam_role"))
      .map((r) => JSON.parse(r.assume_role_policy).Statement[0])
      .filter((t) => t.Action === "sts:AssumeRoleWithWebIdentity");
    expect(trusts.length).toBeGreaterThanOrEqual(3);
    for (const t of trusts) {
      expect(t.Principal.Federated).toBe(CLUSTER.oidcProviderArn);
      expect(Object.keys(t.Condition.StringEquals).sort()).toEqual([`${OIDC_ISSUER}:aud`, `${OIDC_ISSUER}:sub`]);
    }
    // The new registry database is in the given subnets and admits the given workload security group on 5432.
    expect(Object.values<any>(resourcesOfType(infra, "aws_db_subnet_group")).map((g) => g.subnet_ids)).toEqual([VPC.privateSubnetIds]);
    const ingress = Object.values<any>(resourcesOfType(infra, "aws_vpc_security_group_ingress_rule"));
    expect(ingress.some((r) => r.referenced_security_group_id === CLUSTER.workloadSecurityGroupId && r.from_port === 5432)).toBe(true);
    // The ranker's role reads the imported feature store: its Redis secret and registry, with the given key.
    const ranker = Object.entries<any>(resourcesOfType(infra, "aws_iam_role_policy")).find(([name]) => name.startsWith("training_ranker-serving"))![1];
    const policy = ranker.policy as string;
    for (const value of [FEATURES.redis.authSecretArn, `arn:aws:s3:::${FEATURES.offlineBucketName}/registry/*`, KEY_ARN]) expect(policy).toContain(value);
  });

  test("the endpoint lands on the declared GPU pool and the feature server runs as the given roles, all in the imported cluster's capacity model", () => {
    const stacks = synthStacks(secondApp().app);
    const platform = JSON.stringify(stacks["test-platform"].resource);
    expect(platform).toContain('"ml-platform/pool":"general"');
    expect(platform).toContain(`"eks.amazonaws.com/role-arn":"${FEATURES.serverRoleArn}"`);
    expect(platform).toContain(`"eks.amazonaws.com/role-arn":"${FEATURES.materializeRoleArn}"`);
    // The model is in the stack of the imported cluster: declared pools, and the workloads of the other stack placed on them.
    const [model] = Object.values<any>(stacks["test-infra"]["//"].capacity);
    expect(model.unchecked).toBeUndefined();
    expect(model.pools.map((p: any) => p.name)).toEqual(["system", "general"]);
    const placed = Object.fromEntries(model.workloads.map((w: any) => [w.id, w.pools]));
    expect(placed["Deployment feast/feast-feature-server"]).toEqual(["system"]);
    expect(Object.entries(placed).find(([id]) => id.endsWith("serving/ranker"))?.[1]).toEqual(["general"]);
  });

  test("with the system nodes declared, a workload that fits no declared node fails synth; without them, the check is skipped and says why", () => {
    const tooBig = secondApp({}, { memoryGiB: 64 });
    expect(errorOf(() => tooBig.app.synth())).toMatch(
      /^test-platform\/feast: Deployment feast\/feast-feature-server requests cpu 250m, memory 65536Mi per pod; it fits no node it can land on: pool "system" m6i\.xlarge/m,
    );
    const undeclared = secondApp({ systemNodePool: undefined }, { memoryGiB: 64 });
    const stacks = synthStacks(undeclared.app);
    const [model] = Object.values<any>(stacks["test-infra"]["//"].capacity);
    expect(model.unchecked).toMatch(/^imported cluster without systemNodePool: its node pools are unknown to this app/);
    expect(model.pools).toEqual([]);
  });

  test("a GPU endpoint on a pool the import does not declare is refused, naming the declared ones", () => {
    expect(errorOf(() => secondApp({ gpuPools: [{ ...GENERAL, name: "a100" }] }))).toBe(
      'test-platform/ranker: gpu.pool is "general"; must be one of the cluster\'s GPU pools: "a100"',
    );
  });

  describe("bad attributes are one ConfigError each", () => {
    test.each([
      [
        "a security group given by name",
        { workloadSecurityGroupId: "ml-test-training-workloads" },
        'test-infra/training: workloadSecurityGroupId is "ml-test-training-workloads"; must be the ID of a security group (sg- and 8 or 17 hexadecimal digits, such as sg-0a1b2c3d4e5f67890)',
      ],
      [
        "the cluster's ARN instead of its OIDC provider's",
        { oidcProviderArn: "arn:aws:eks:us-east-1:123456789012:cluster/ml-test-training" },
        'test-infra/training: oidcProviderArn is "arn:aws:eks:us-east-1:123456789012:cluster/ml-test-training"; must be the ARN of the cluster\'s IAM OIDC provider, such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9',
      ],
      [
        "an issuer that is not the provider's",
        { oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" },
        `test-infra/training: oidcIssuerUrl is "https://oidc.eks.us-east-1.amazonaws.com/id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"; must be the issuer of oidcProviderArn, https://${OIDC_ISSUER} (or omitted)`,
      ],
      [
        "a pool its owner could not have declared",
        { gpuPools: [{ ...GENERAL, instanceTypes: ["m6i.large"] }] },
        /^test-infra\/training\/gpu-pool "general": instanceTypes\[0\] is "m6i.large"; /,
      ],
    ])("%s", (_what, attrs, expected) => {
      const message = errorOf(() => secondApp(attrs as never));
      if (typeof expected === "string") expect(message).toBe(expected);
      else expect(message).toMatch(expected);
    });

    test("a Redis feature store without its endpoint", () => {
      const app = Testing.app();
      const infra = new InfraStack(app, "test-infra", { environment: testEnvironment() });
      const key = EnvironmentKey.fromKeyArn(infra, "kms", KEY_ARN);
      const { redis: _omitted, ...rest } = FEATURES;
      expect(errorOf(() => FeatureStore.fromAttributes(infra, "features", { ...rest, key }))).toBe(
        'test-infra/features: redis is undefined; is required with onlineStore "redis": { endpoint: "<host>:<port>", authSecretArn }',
      );
    });
  });

  test("FeatureServer on the attributes of a feature store builds the same objects as on the store itself", () => {
    // GIVEN the reference: a FeatureServer on the FeatureStore of the same app (Redis online store)
    const built = featureStoreApp({}, { onlineStore: "redis" });
    const s = built.store;
    // WHEN a second platform stack builds it from the store's attributes only
    const other = new PlatformStack(built.app, "test-platform-imported", { environment: built.platform.environment, clusterName: built.platform.clusterName });
    const imported = FeatureStore.fromAttributes(other, "features", {
      project: s.project,
      offlineBucketName: s.offlineBucketName,
      key: s.cluster.key,
      serverRoleArn: s.serverRoleArn,
      materializeRoleArn: s.materializeRoleArn,
      onlineStore: "redis",
      redis: { endpoint: s.onlineStoreEndpoint, authSecretArn: s.onlineStoreSecret!.secretArn },
    });
    new FeatureServer(other, "feast", { featureStore: imported });
    const stacks = synthStacks(built.app);
    // THEN every resource is identical, but for the construct paths in the "//" metadata
    expect(withoutPaths(stacks["test-platform-imported"])).toEqual(withoutPaths(stacks["test-platform"]));
    expect(imported.featureStoreYaml).toBe(s.featureStoreYaml);
  });

  test("DistributedTraining on the attributes of a cluster and its declared pools builds the same objects as on the cluster itself", () => {
    // GIVEN the reference: distributed training with a team on a GpuTrainingCluster of the same app
    const built = trainingFixture();
    built.training.addTeam("vision", { gpuQuota: { general: 1, multi: 8 } });
    const c = built.cluster;
    // WHEN a second platform stack builds it on the cluster's attributes, with its pools declared as the owner declares them
    const other = new PlatformStack(c.node.root, "test-platform-imported", { environment: built.platform.environment, clusterName: c.clusterName });
    const imported = importedFrom(other, c, [TRAINING_GENERAL, MULTI]);
    const training = new DistributedTraining(other, "training", { cluster: imported, operator: built.operator });
    training.addTeam("vision", { gpuQuota: { general: 1, multi: 8 } });
    const stacks = synthStacks(c.node.root as App);
    // THEN the flavors, queues and runtimes are identical (but for the "//" construct paths)
    expect(withoutPaths(stacks["test-platform-imported"])).toEqual(withoutPaths(stacks["test-platform"]));
    expect(imported.gpuPools).toEqual(c.gpuPools);
  });

  test("MonitoredEndpoint on a GPU pool of the attributes of a cluster builds the same objects as on the cluster itself", () => {
    // GIVEN the reference: a GPU endpoint on a GpuTrainingCluster of the same app
    const { cluster: c } = testCluster({}, { gpuPools: [TRAINING_GENERAL] });
    const role = c.addServiceAccountRole("fraud-serving", { namespace: "serving", serviceAccount: "fraud" });
    const props = {
      name: "fraud",
      model: { uri: "models:/fraud@champion" },
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlflow-serve:2.17.0",
      serviceAccountRole: role,
      gpu: { pool: "general" },
    };
    new MonitoredEndpoint(platformFor(c), "fraud", { ...props, cluster: c });
    // WHEN another platform stack serves it on the cluster's attributes
    const infra = TerraformStack.of(c) as InfraStack;
    const other = new PlatformStack(c.node.root, "test-platform-imported", { environment: infra.environment, clusterName: c.clusterName });
    const imported = importedFrom(other, c, [TRAINING_GENERAL]);
    new MonitoredEndpoint(other, "fraud", { ...props, cluster: imported });
    const stacks = synthStacks(c.node.root as App);
    // THEN every object (Deployment on the pool, Service, autoscaling, monitors, policies) is identical
    expect(withoutPaths(stacks["test-platform-imported"])).toEqual(withoutPaths(stacks["test-platform"]));
    expect(JSON.stringify(stacks["test-platform"].resource)).toContain('"ml-platform/pool":"general"');
  });

  test("the owner's add-ons are refused on an import, naming what they need", () => {
    const { platform, training } = secondApp();
    expect(errorOf(() => new GpuClusterAddons(platform, "gpu-addons", { cluster: training as never }))).toMatch(
      /^test-platform\/gpu-addons: cluster is ImportedTrainingCluster .*; must be a GpuTrainingCluster$/,
    );
  });

  test("a cluster ARN from another stack needs its issuer given", () => {
    const built = trainingFixture();
    const c = built.cluster;
    expect(errorOf(() => GpuTrainingCluster.fromAttributes(built.platform, "imported", { ...CLUSTER, oidcProviderArn: c.oidcProviderArn, network: c.network, key: c.key }))).toBe(
      "test-platform/imported: oidcIssuerUrl is undefined; is required when oidcProviderArn is not a literal ARN: the issuer cannot be read from a reference",
    );
  });

  describeWithTerraform("under real Terraform", () => {
    test("the second app's AWS-only stack validates and plans: a registry database and IRSA roles, no VPC, key or cluster", async () => {
      const { app } = secondApp();
      const { plan, terraform } = await validateAndPlan(synthStackDir(app, "test-infra"));
      terraform.dispose();
      const types = plannedTypes(plan);
      expect(types).toEqual(expect.objectContaining({ aws_db_instance: 1, aws_iam_role: expect.any(Number) }));
      for (const type of ["aws_vpc", "aws_kms_key", "aws_eks_cluster", "aws_eks_node_group", "aws_iam_openid_connect_provider"]) expect(types[type]).toBeUndefined();
    }, 300_000);
  });
});
