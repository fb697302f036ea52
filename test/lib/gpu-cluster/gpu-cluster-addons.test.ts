import { GpuClusterAddons, GpuInstance } from "../../../lib";
import { CLUSTER_AUTOSCALER_IMAGE_TAGS, SUPPORTED_KUBERNETES_VERSIONS } from "../../../lib/gpu-cluster/kubernetes-versions";
import { helmRelease, unknownReleaseKeys } from "../../support/chart-values";
import { onlyResource, resourcesOfType } from "../../support/synth";
import { GENERAL, platformFor, synthApp, testCluster } from "./fixture";

/** cluster-autoscaler arguments its values.yaml documents only in comments (test/fixtures/charts/cluster-autoscaler-9.59.0/values.yaml). */
const AUTOSCALER_DOCUMENTED = {
  "extraArgs.skip-nodes-with-local-storage": "values.yaml line 220",
  "extraArgs.expander": "values.yaml line 221",
  "extraArgs.balance-similar-node-groups": "values.yaml line 223",
  "extraArgs.scale-down-unneeded-time": "values.yaml line 232",
  "extraArgs.skip-nodes-with-system-pods": "values.yaml line 235",
};

function addons(overrides: Parameters<typeof testCluster>[0] = {}, props: { trainingGpuQuota?: number; scaleDownIdleMinutes?: number } = {}) {
  const { cluster } = testCluster(overrides, { gpuPools: [GENERAL] });
  const platform = platformFor(cluster);
  const construct = new GpuClusterAddons(platform, "gpu-addons", { cluster, ...props });
  return { cluster, construct, json: synthApp(platform) };
}

describe("GpuClusterAddons: cluster-autoscaler image", () => {
  /** Newest patch release per minor: git tags cluster-autoscaler-1.3x.y of kubernetes/autoscaler, read 2026-08-22. */
  const NEWEST_PATCH_RELEASES = { "1.30": "1.30.7", "1.31": "1.31.5", "1.32": "1.32.7", "1.33": "1.33.6" };

  test.each(SUPPORTED_KUBERNETES_VERSIONS.map((v) => [v]))("Kubernetes %s runs the newest patch release of its cluster-autoscaler minor", (version) => {
    expect(CLUSTER_AUTOSCALER_IMAGE_TAGS[version]).toBe(`v${NEWEST_PATCH_RELEASES[version]}`);
  });
});

describe("GpuClusterAddons: EFA", () => {
  test("a multi-node (EFA) pool gets AWS's EFA device plugin, tolerating the GPU taint", () => {
    const p5 = { name: "h100", instanceTypes: [GpuInstance.of("p5.48xlarge")], maxNodes: 2, multiNode: true };
    const { cluster } = testCluster({ gpuMonthlyBudgetUsd: 200000, monthlyBudgetUsd: 250000 }, { gpuPools: [GENERAL, p5] });
    const platform = platformFor(cluster);
    new GpuClusterAddons(platform, "gpu-addons", { cluster });
    const release = helmRelease(synthApp(platform), "aws-efa-k8s-device-plugin");
    expect([release.version, release.namespace]).toEqual(["v0.5.30", "kube-system"]);
    expect(release.values).toEqual({
      tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }],
      resources: { requests: { cpu: "10m", memory: "20Mi" } },
    });
    expect(unknownReleaseKeys(release)).toEqual([]);
  });

  test("no EFA pool, no EFA device plugin", () => {
    const releases = Object.values(resourcesOfType(addons().json, "helm_release")) as any[];
    expect(releases.map((r) => r.chart)).not.toContain("aws-efa-k8s-device-plugin");
  });
});

describe("GpuClusterAddons: charts", () => {
  const { json } = addons();

  test("every release is pinned to the catalog version", () => {
    const releases = Object.values(resourcesOfType(json, "helm_release")) as any[];
    expect(releases.map((r) => [r.chart, r.version]).sort()).toEqual([
      ["cluster-autoscaler", "9.59.0"],
      ["dcgm-exporter", "4.8.2"],
      ["nvidia-device-plugin", "0.20.0"],
    ]);
  });

  test("nvidia-device-plugin sets only keys its chart has", () => {
    expect(unknownReleaseKeys(helmRelease(json, "nvidia-device-plugin"))).toEqual([]);
  });

  test("dcgm-exporter sets only keys its chart has", () => {
    expect(unknownReleaseKeys(helmRelease(json, "dcgm-exporter"))).toEqual([]);
  });

  test("cluster-autoscaler sets only keys its chart has or documents", () => {
    expect(unknownReleaseKeys(helmRelease(json, "cluster-autoscaler"), { documented: AUTOSCALER_DOCUMENTED })).toEqual([]);
  });

  test("the device plugin tolerates the GPU taint and runs on GPU nodes only", () => {
    const values = helmRelease(json, "nvidia-device-plugin").values as any;
    expect(values.tolerations).toContainEqual({ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" });
    expect(values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: "ml-platform/gpu", operator: "In", values: ["true"] }] },
    ]);
  });

  test("DCGM exporter runs on GPU nodes with its ServiceMonitor enabled", () => {
    const values = helmRelease(json, "dcgm-exporter").values as any;
    expect(values.nodeSelector).toEqual({ "ml-platform/gpu": "true" });
    expect(values.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
    expect(values.serviceMonitor.enabled).toBe(true);
  });

  test("cluster-autoscaler discovers this cluster's groups and runs as the IRSA role the cluster created", () => {
    const values = helmRelease(json, "cluster-autoscaler").values as any;
    expect(values.autoDiscovery).toEqual({ clusterName: "ml-test-training" });
    expect(values.awsRegion).toBe("us-east-1");
    expect(values.image.tag).toBe("v1.33.6");
    expect(values.rbac.serviceAccount.name).toBe("cluster-autoscaler");
    expect(values.rbac.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toMatch(
      /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-test-infra\.outputs\.cross-stack-output-aws_iam_roletraining_cluster-autoscaler-role_[0-9A-F]+arn\}$/,
    );
  });

  test("cluster-autoscaler removes idle nodes after 10 minutes by default", () => {
    expect((helmRelease(json, "cluster-autoscaler").values as any).extraArgs["scale-down-unneeded-time"]).toBe("10m");
  });

  test("the idle period comes from the scaleDownIdleMinutes prop", () => {
    const other = addons({}, { scaleDownIdleMinutes: 25 }).json;
    expect((helmRelease(other, "cluster-autoscaler").values as any).extraArgs["scale-down-unneeded-time"]).toBe("25m");
  });
});

describe("GpuClusterAddons: training namespace and cluster-wide objects", () => {
  const { json } = addons({}, { trainingGpuQuota: 6 });

  test("creates the training namespace", () => {
    expect(onlyResource(json, "kubernetes_namespace_v1").metadata.name).toBe("training");
  });

  test("quota on requests.nvidia.com/gpu from the trainingGpuQuota prop", () => {
    const quota = onlyResource(json, "kubernetes_resource_quota_v1");
    expect(quota.spec.hard).toEqual({ "requests.nvidia.com/gpu": "6" });
    expect(quota.metadata.namespace).toMatch(/kubernetes_namespace_v1\.gpu-addons_training-namespace_[0-9A-F]+\.metadata\[0\]\.name\}$/);
  });

  test("no quota when trainingGpuQuota is not set", () => {
    expect(resourcesOfType(addons().json, "kubernetes_resource_quota_v1")).toEqual({});
  });

  test("a LimitRange gives containers default requests, and no default limit that larger requests would exceed", () => {
    const limits = onlyResource(json, "kubernetes_limit_range_v1");
    expect(limits.spec.limit).toEqual([{ type: "Container", default_request: { cpu: "500m", memory: "1Gi" } }]);
  });

  test("leaves the StorageClass and PriorityClasses to ClusterBaseline (addons stack)", () => {
    expect(resourcesOfType(json, "kubernetes_storage_class_v1")).toEqual({});
    expect(resourcesOfType(json, "kubernetes_priority_class_v1")).toEqual({});
  });

  test("the training service account carries the datasets IRSA role", () => {
    const sa = onlyResource(json, "kubernetes_service_account_v1");
    expect(sa.metadata.name).toBe("training");
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(/cross-stack-output-aws_iam_roletraining_training-role_[0-9A-F]+arn\}$/);
  });

  test("a quota of one whole node of the smallest pool is accepted", () => {
    const { cluster } = testCluster({}, { gpuPools: [{ name: "octo", instanceTypes: [GpuInstance.of("g6.48xlarge")], maxNodes: 1 }] });
    expect(() => new GpuClusterAddons(platformFor(cluster), "gpu-addons", { cluster, trainingGpuQuota: 8 })).not.toThrow();
  });
});
