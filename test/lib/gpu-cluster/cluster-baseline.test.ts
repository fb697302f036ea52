import { ClusterBaseline } from "../../../lib";
import { onlyResource, resourcesOfType } from "../../support/synth";
import { GENERAL, platformFor, synthApp, testCluster } from "./fixture";

function baseline(overrides: Parameters<typeof testCluster>[0] = {}) {
  const { cluster } = testCluster(overrides, { gpuPools: [GENERAL] });
  const addons = platformFor(cluster);
  new ClusterBaseline(addons, "baseline", { cluster });
  return synthApp(addons);
}

describe("ClusterBaseline", () => {
  const json = baseline();

  test("PriorityClasses: serving outranks and may preempt training; training never preempts", () => {
    const classes = Object.values(resourcesOfType(json, "kubernetes_priority_class_v1")) as any[];
    const training = classes.find((c) => c.metadata.name === "ml-training-preemptible");
    const serving = classes.find((c) => c.metadata.name === "ml-serving-critical");
    expect(training.preemption_policy).toBe("Never");
    expect(serving.preemption_policy).toBe("PreemptLowerPriority");
    expect(serving.value).toBeGreaterThan(training.value);
  });

  test("the default StorageClass is gp3 encrypted with the environment key", () => {
    const sc = onlyResource(json, "kubernetes_storage_class_v1");
    expect(sc.metadata).toEqual({ name: "gp3-encrypted", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } });
    expect(sc.storage_provisioner).toBe("ebs.csi.aws.com");
    expect(sc.parameters).toEqual({ type: "gp3", encrypted: "true", kmsKeyId: expect.stringMatching(/cross-stack-output-aws_kms_keykms_key_[0-9A-F]+arn\}$/) });
    expect(sc.volume_binding_mode).toBe("WaitForFirstConsumer");
    expect(sc.reclaim_policy).toBe("Delete");
  });

  test("volumes are retained where the environment protects its data", () => {
    expect(onlyResource(baseline({ tier: "production", name: "prod" }), "kubernetes_storage_class_v1").reclaim_policy).toBe("Retain");
  });
});
