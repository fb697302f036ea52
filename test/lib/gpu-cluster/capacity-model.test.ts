import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, Testing } from "cdktf";
import { ConfigError, Environment, EnvironmentConfig, GPU_INSTANCES, GpuInstance, SYSTEM_INSTANCES } from "../../../lib";
import { instanceCapacity, nodeAllocatable, reservedCpuMillicores } from "../../../lib/gpu-cluster/node-allocatable";
import { buildApp, buildEnvironment } from "../../../stacks/platform";
import { ENVIRONMENTS, dev, prod } from "../../../stacks/environments";
import { errorOf } from "../../support/synth";
import { testCluster } from "./fixture";

/** Synthesizes one reference environment with other system nodes, validations included, and returns the ConfigError's message. */
function synthWithSystemNodes(config: EnvironmentConfig, systemNodeInstanceType: string): string {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "capacity-")), skipValidation: false });
  buildEnvironment(app, new Environment(config), { cluster: { systemNodeInstanceType } });
  return errorOf(() => app.synth());
}

describe("node allocatable (EKS AL2023 kubelet reservations)", () => {
  test("every GPU and system catalog type has capacity figures, maxPods included", () => {
    const missing = [...GPU_INSTANCES.map((g) => g.instanceType), ...SYSTEM_INSTANCES.map((s) => s.instanceType)].filter((t) => !(instanceCapacity(t)?.maxPods ?? 0));
    expect(missing).toEqual([]);
  });

  test("m6i.large: 2 vCPUs less 70m (6% + 1%), 8 GiB less 11 MiB x 29 pods + 255 MiB + 100 MiB eviction", () => {
    expect(nodeAllocatable(instanceCapacity("m6i.large")!)).toEqual({ cpuMillicores: 1930, memoryMiB: 8192 - (11 * 29 + 255) - 100, gpus: 0, pods: 29 });
  });

  test("p5.48xlarge: 2 ENIs x 49 addresses + 2 = 100 pods, 8 GPUs; CPU reservation over the whole ladder", () => {
    expect(reservedCpuMillicores(192)).toBe(60 + 10 + 10 + 470);
    expect(nodeAllocatable(instanceCapacity("p5.48xlarge")!)).toMatchObject({ gpus: 8, pods: 100, cpuMillicores: 192000 - 550 });
  });

  test("an instance type in neither catalog has no figures", () => {
    expect(instanceCapacity("x2idn.metal")).toBeUndefined();
  });
});

describe("capacity model at synth", () => {
  test("the reference tiers fit: every workload on a node, every pool at max size holds its pods", () => {
    const stacks = buildApp(Testing.app(), Environment.all(ENVIRONMENTS));
    expect(stacks.map((s) => [s.environment.name, s.cluster.capacity.problems()])).toEqual([
      ["dev", []],
      ["staging", []],
      ["prod", []],
    ]);
  });

  test("the model holds every workload of the reference platform, each on the pool it renders for", () => {
    const [prodStacks] = buildApp(Testing.app(), [new Environment(prod)]);
    const model = prodStacks.cluster.capacity;
    const where = Object.fromEntries(model.workloads.map((w) => [w.id, model.poolsFor(w).join(",")]));
    expect(where).toMatchObject({
      "DaemonSet kube-system/aws-node": "system,general,h100-multinode",
      "DaemonSet kube-system/dcgm-exporter": "general,h100-multinode",
      "DaemonSet kube-system/aws-efa-k8s-device-plugin": "h100-multinode",
      "DaemonSet kube-system/nvidia-device-plugin-mps-control-daemon": "",
      "StatefulSet monitoring/prometheus-kube-prometheus-stack-prometheus": "system",
      "Rollout serving/ranker": "general",
      "Deployment keda/keda-operator": "system",
      "Deployment mlflow/mlflow": "system",
      "CronJob feast/feast-materialize": "system",
    });
  });

  test("production Prometheus (8Gi) on m6i.large system nodes fails at synth, naming the workload, its requests, the pool and the allocatable", () => {
    expect(synthWithSystemNodes(prod, "m6i.large")).toBe(
      "ml-prod-addons/observability: StatefulSet monitoring/prometheus-kube-prometheus-stack-prometheus requests cpu 510m, memory 8224Mi per pod; " +
        'it fits no node it can land on: pool "system" m6i.large allocates cpu 1930m, memory 7518Mi, 0 GPUs, 29 pods, of which its DaemonSets take ' +
        "cpu 200m, memory 136Mi, 4 pods. Lower the requests, or give the pool a larger instance type",
    );
  });

  test("development on m6i.large system nodes: the pool at max size cannot hold the platform's pods", () => {
    const message = synthWithSystemNodes(dev, "m6i.large");
    expect(message).toMatch(
      /^ml-dev-infra\/training: pool "system" at its max size \(2 x m6i\.large\) cannot hold the \d+ pods that can land only there: they request cpu \d+m, memory \d+Mi \(Deployment kube-system\/ebs-csi-controller x2: cpu 50m, memory 192Mi; /,
    );
    // The sum grows as constructs add pods; what two m6i.large allocate does not.
    expect(message).toMatch(
      /; 2 nodes allocate cpu 3460m, memory 14764Mi, 50 pods after the DaemonSets on every node \(aws-node, kube-proxy, ebs-csi-node, kube-prometheus-stack-prometheus-node-exporter\)\. Raise the pool's max size or instance type, or lower the requests$/,
    );
    expect(message.split("\n")).toHaveLength(1);
  });

  test("a GPU workload larger than every node of its pool", () => {
    const { cluster } = testCluster({}, { gpuPools: [{ name: "general", instanceTypes: [GpuInstance.of("g5.xlarge")], maxNodes: 2 }] });
    cluster.capacity.addWorkload(cluster, {
      kind: "Deployment",
      namespace: "serving",
      name: "big",
      requests: { cpu: "2", memory: "32Gi", gpus: 1 },
      nodeSelector: { "ml-platform/pool": "general" },
      tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }],
    });
    expect(cluster.capacity.problems()).toEqual([
      "test-infra/training: Deployment serving/big requests cpu 2000m, memory 32768Mi, 1 GPU per pod; it fits no node it can land on: " +
        'pool "general" g5.xlarge allocates cpu 3920m, memory 15391Mi, 1 GPUs, 58 pods, of which its DaemonSets take cpu 180m, memory 104Mi, 3 pods. ' +
        "Lower the requests, or give the pool a larger instance type",
    ]);
  });

  test("a workload that selects a GPU pool without tolerating its taint lands nowhere", () => {
    const { cluster } = testCluster({}, { gpuPools: [{ name: "general", instanceTypes: [GpuInstance.of("g5.xlarge")], maxNodes: 2 }] });
    cluster.capacity.addWorkload(cluster, { kind: "Deployment", namespace: "x", name: "y", requests: { cpu: "100m" }, nodeSelector: { "ml-platform/pool": "general" } });
    expect(cluster.capacity.problems()).toEqual([
      'test-infra/training: Deployment x/y (nodeSelector {"ml-platform/pool":"general"}, tolerations []) can land on no node pool: ' +
        'pool "system" lacks the label ml-platform/pool=general; pool "general" has the taint nvidia.com/gpu=true:NoSchedule, not tolerated',
    ]);
  });

  test("malformed requests and a workload declared twice are refused when declared", () => {
    const { cluster } = testCluster();
    expect(() => cluster.capacity.addWorkload(cluster, { kind: "Deployment", namespace: "x", name: "y", requests: { memory: "512m" } })).toThrow(ConfigError);
    expect(errorOf(() => cluster.capacity.addWorkload(cluster, { kind: "Deployment", namespace: "kube-system", name: "coredns", requests: {} }))).toBe(
      "test-infra/training: workload Deployment kube-system/coredns: already declared by test-infra/training; declare each workload once",
    );
  });
});
