import { DistributedTraining, TrainingOperator } from "../../../lib";
import { A10G_POOL, TestCluster } from "../../support/cluster";
import { platformStack } from "../../support/env";
import { JOBSET_SUBCHART } from "../../../lib/kubernetes/charts";
import { chartDefaults, helmRelease, unknownReleaseKeys } from "../../support/chart-values";
import { parse } from "yaml";
import { errorOf, synthJson } from "../../support/synth";
import { crdSchemaErrors } from "../../support/crd-schema";
import { trainingFixture } from "./fixture";
import { restrictedViolations } from "../../support/pod-security";

const manifests = (json: any) => Object.values<any>(json.resource.kubernetes_manifest ?? {}).map((r) => r.manifest);
const ofKind = (json: any, kind: string) => manifests(json).filter((m) => m.kind === kind);

describe("DistributedTraining", () => {
  test("a team with an IRSA role gets its ServiceAccount in its namespace, annotated with the role, without an API token", () => {
    const { cluster, platform, training } = trainingFixture();
    const role = cluster.addServiceAccountRole("vision-training", { namespace: "vision", serviceAccount: "training" });
    const team = training.addTeam("vision", { gpuQuota: { general: 1 }, serviceAccountRole: role });
    expect(team.serviceAccount).toBe("training");
    const accounts = Object.values<any>(synthJson(platform).resource.kubernetes_service_account_v1 ?? {});
    expect(accounts.map((a) => ({ metadata: { ...a.metadata, annotations: Object.keys(a.metadata.annotations) }, automount: a.automount_service_account_token }))).toEqual([
      { metadata: { name: "training", namespace: "vision", labels: { "ml-platform/team": "vision" }, annotations: ["eks.amazonaws.com/role-arn"] }, automount: false },
    ]);
  });

  test("a team's IRSA role must trust the team's namespace", () => {
    const { cluster, training } = trainingFixture();
    const role = cluster.addServiceAccountRole("vision-training", { namespace: "serving", serviceAccount: "training" });
    expect(errorOf(() => training.addTeam("vision", { gpuQuota: { general: 1 }, serviceAccountRole: role }))).toBe(
      'test-platform/training/team "vision": serviceAccountRole is "serving/training"; must be a role of a service account in the team\'s namespace "vision": IRSA trusts that namespace and account only',
    );
  });

  test("one ResourceFlavor per GPU pool, with the pool's node labels and the GPU taint", () => {
    const { platform } = trainingFixture();
    const flavors = ofKind(synthJson(platform), "ResourceFlavor");
    expect(flavors.map((f) => [f.metadata.name, f.spec])).toEqual([
      ["general", { nodeLabels: { "ml-platform/pool": "general" }, nodeTaints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }] }],
      ["multi", { nodeLabels: { "ml-platform/pool": "multi" }, nodeTaints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }] }],
    ]);
  });

  test("a PyTorch runtime per pool: its node selector, toleration and GPUs per node; EFA only on the multi-node pool", () => {
    const { platform } = trainingFixture();
    const runtimes = ofKind(synthJson(platform), "ClusterTrainingRuntime");
    const pod = (name: string) => runtimes.find((r) => r.metadata.name === name).spec.template.spec.replicatedJobs[0].template.spec.template.spec;
    const general = pod("torch-distributed-general");
    expect(general.nodeSelector).toEqual({ "ml-platform/pool": "general" });
    expect(general.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
    expect(general.containers[0].resources.limits).toEqual({ "nvidia.com/gpu": "1" });
    expect(general.containers[0].env).toEqual([]);
    const multi = pod("torch-distributed-multi");
    expect(multi.containers[0].resources.limits).toEqual({ "nvidia.com/gpu": "8", "vpc.amazonaws.com/efa": "1" });
    // g5 has no GPUDirect RDMA: libfabric must not try it.
    expect(Object.fromEntries(multi.containers[0].env.map((e: any) => [e.name, e.value]))).toEqual({
      FI_PROVIDER: "efa",
      FI_EFA_USE_DEVICE_RDMA: "0",
      FI_EFA_FORK_SAFE: "1",
      FI_EFA_USE_HUGE_PAGE: "0",
      NCCL_DEBUG: "WARN",
    });
    expect(multi.priorityClassName).toBe("ml-training-preemptible");
  });

  test("every runtime's pod is admitted by the restricted Pod Security level (the runtime is a custom resource: the in-cluster pod check does not see it)", () => {
    const { platform } = trainingFixture();
    const runtimes = ofKind(synthJson(platform), "ClusterTrainingRuntime");
    expect(runtimes.length).toBeGreaterThan(0);
    for (const r of runtimes) {
      const pod = r.spec.template.spec.replicatedJobs[0].template.spec.template.spec;
      expect([r.metadata.name, restrictedViolations(pod)]).toEqual([r.metadata.name, []]);
    }
  });

  test("addTeam: a restricted namespace, a ClusterQueue in the cohort with the team's quotas on every pool, a default LocalQueue", () => {
    const { platform, training } = trainingFixture();
    training.addTeam("vision", { gpuQuota: { multi: 8 } });
    const json = synthJson(platform);
    const ns = Object.values<any>(json.resource.kubernetes_namespace_v1).find((n) => n.metadata.name === "vision");
    expect(ns.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted", "ml-platform/kueue-managed": "true", "ml-platform/team": "vision" });
    const policies = Object.values<any>(json.resource.kubernetes_network_policy_v1)
      .filter((p) => p.metadata.namespace === "vision")
      .map((p) => p.metadata.name);
    expect(policies).toContain("default-deny");
    const [cq] = ofKind(json, "ClusterQueue");
    expect(cq.spec.cohortName).toBe("ml-platform");
    expect(cq.spec.namespaceSelector).toEqual({ matchLabels: { "kubernetes.io/metadata.name": "vision" } });
    // The pool with quota first; the other with 0, so the team can borrow there.
    expect(cq.spec.resourceGroups[0].flavors).toEqual([
      {
        name: "multi",
        resources: [
          { name: "cpu", nominalQuota: "192" },
          { name: "memory", nominalQuota: "768Gi" },
          { name: "nvidia.com/gpu", nominalQuota: "8" },
        ],
      },
      {
        name: "general",
        resources: [
          { name: "cpu", nominalQuota: "0" },
          { name: "memory", nominalQuota: "0Gi" },
          { name: "nvidia.com/gpu", nominalQuota: "0" },
        ],
      },
    ]);
    expect(ofKind(json, "LocalQueue")).toEqual([
      { apiVersion: "kueue.x-k8s.io/v1beta2", kind: "LocalQueue", metadata: { name: "default", namespace: "vision" }, spec: { clusterQueue: "vision" } },
    ]);
  });

  test("the idle-GPU alert watches the shared training namespace and every team's, including teams added later", () => {
    const { platform, training } = trainingFixture();
    training.addTeam("vision", { gpuQuota: { general: 1 } });
    training.addTeam("nlp", { gpuQuota: { general: 1 } });
    const [rule] = ofKind(synthJson(platform), "PrometheusRule");
    const idle = rule.spec.groups[0].rules.find((r: any) => r.alert === "TrainingGpusIdle");
    expect(idle.expr).toContain('exported_namespace=~"training|vision|nlp"');
  });

  test("the Kueue ServiceMonitor scrapes https with Prometheus's token and validates against its CRD", () => {
    const { platform, training } = trainingFixture();
    synthJson(platform);
    expect((training.kueueMonitor.object as any).spec.endpoints[0]).toEqual({
      port: "https",
      path: "/metrics",
      interval: "30s",
      scheme: "https",
      tlsConfig: { insecureSkipVerify: true },
      bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token",
    });
    expect(crdSchemaErrors(training.kueueMonitor.object)).toEqual([]);
  });
});

describe("TrainingOperator", () => {
  test("Kueue: TrainJob, JobSet and Job integrations, gang admission, team namespaces managed without a queue label", () => {
    const { addons } = trainingFixture();
    const json = synthJson(addons);
    const kueue = Object.values<any>(json.resource.helm_release).find((r) => r.chart === "kueue");
    const config = parse(JSON.parse(kueue.values[0]).managerConfig.controllerManagerConfigYaml);
    expect(config.integrations.frameworks).toEqual(["trainer.kubeflow.org/trainjob", "jobset.x-k8s.io/jobset", "batch/job"]);
    expect(config.waitForPodsReady).toMatchObject({ timeout: "10m", blockAdmission: false });
    expect(config.manageJobsWithoutQueueName).toBe(true);
    expect(config.managedJobsNamespaceSelector).toEqual({ matchLabels: { "ml-platform/kueue-managed": "true" } });
    expect(config.metrics.enableClusterQueueResources).toBe(true);
  });

  test("installs Kubeflow Trainer from the pinned chart with its JobSet subchart, not a second jobset release", () => {
    const { addons } = trainingFixture();
    const charts = Object.values<any>(synthJson(addons).resource.helm_release)
      .map((r) => `${r.chart} ${r.version}`)
      .sort();
    expect(charts).toEqual(["kubeflow-trainer 2.3.0", "kueue 0.19.2"]);
  });

  test("bad podsReadyTimeoutMinutes", () => {
    const { addons } = trainingFixture();
    expect(errorOf(() => new TrainingOperator(addons, "other", { podsReadyTimeoutMinutes: 0 }))).toBe(
      "test-addons/other: podsReadyTimeoutMinutes is 0; must be a whole number of minutes from 1 to 1440",
    );
  });
});

describe("TrainingOperator chart values", () => {
  test("every values key exists in the pinned charts (kubeflow-trainer with its jobset subchart, kueue)", () => {
    const { addons } = trainingFixture();
    const json = synthJson(addons);
    const jobset = chartDefaults(JOBSET_SUBCHART.chart, JOBSET_SUBCHART.version);
    expect(unknownReleaseKeys(helmRelease(json, "kubeflow-trainer"), { subcharts: { jobset } })).toEqual([]);
    expect(unknownReleaseKeys(helmRelease(json, "kueue"))).toEqual([]);
  });

  test("the key check catches a misspelt key (it would be silently ignored by helm)", () => {
    const release = { chart: "kueue", version: "0.19.2", values: { controllerManager: { nodeSelectr: {} } } } as any;
    expect(unknownReleaseKeys(release)).toEqual(["controllerManager.nodeSelectr"]);
  });
});

describe("DistributedTraining on a Karpenter pool", () => {
  test("the runtime's pods carry the pool's do-not-disrupt annotation, so consolidation never evicts a running job", () => {
    const stack = platformStack();
    const cluster = new TestCluster(stack, "karpenter-cluster", {
      gpuPools: [{ ...A10G_POOL, provisioner: "karpenter", podAnnotations: { "karpenter.sh/do-not-disrupt": "true" } }],
    });
    const operator = new TrainingOperator(stack, "operator");
    const training = new DistributedTraining(stack, "training", { cluster, operator });
    const runtime: any = training.objects.find((o: any) => o.kind === "ClusterTrainingRuntime");
    expect(runtime.spec.template.spec.replicatedJobs[0].template.spec.template.metadata).toEqual({ annotations: { "karpenter.sh/do-not-disrupt": "true" } });
  });
});
