import { checkovBaseline, checkovKubernetesSkipCovers, checkovKubernetesSkips, checkovSkipCovers, checkovSkips } from "../../../lib/policy";

/** A small cdktf-shaped stack: a database under a suppression, a bucket, and a KMS key with its policy document. */
function stack(): any {
  return {
    "//": { policy_suppressions: [{ ruleId: "RDS-MULTI-AZ", constructPath: "s/registry/database", reason: "single zone by design" }] },
    data: {
      aws_iam_policy_document: {
        key_policy: { "//": { metadata: { path: "s/kms/policy" } }, statement: [] },
        other_doc: { "//": { metadata: { path: "s/other" } }, statement: [] },
      },
    },
    resource: {
      aws_db_instance: { db: { "//": { metadata: { path: "s/registry/database/instance" } } } },
      aws_db_subnet_group: { subnets: { "//": { metadata: { path: "s/registry/database/subnets" } } } },
      aws_s3_bucket: { other_db_bucket: { "//": { metadata: { path: "s/registry/databases" } } } },
      aws_kms_key: { key: { policy: "${data.aws_iam_policy_document.key_policy.json}" } },
    },
  };
}

describe("checkovSkips: the pack's decisions in checkov IDs", () => {
  test("a recorded suppression skips its rule's checkov ID on every resource of the subtree, with its reason", () => {
    const skips = checkovSkips(stack()).filter((s) => s.source === "pack suppression RDS-MULTI-AZ");
    expect(skips.map((s) => [s.checkovId, s.resource, s.reason])).toEqual([
      ["CKV_AWS_157", "aws_db_instance.db", "single zone by design"],
      ["CKV_AWS_157", "aws_db_subnet_group.subnets", "single zone by design"],
    ]);
  });

  test("IAM checks are not adopted for a policy document that is a KMS key policy, and only for that one", () => {
    const ids = (name: string) =>
      checkovSkips(stack())
        .filter((s) => s.resource === `aws_iam_policy_document.${name}`)
        .map((s) => s.checkovId)
        .sort();
    expect(ids("key_policy")).toEqual(["CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356"]);
    expect(ids("other_doc")).toEqual([]);
  });

  test("a skip covers checkov's failure under either name checkov gives the block", () => {
    const [skip] = checkovSkips(stack()).filter((s) => s.checkovId === "CKV_AWS_157" && s.resource === "aws_db_instance.db");
    expect(checkovSkipCovers(skip, { check_id: "CKV_AWS_157", resource: "resource.db" })).toBe(true);
    expect(checkovSkipCovers(skip, { check_id: "CKV_AWS_157", resource: "aws_db_instance.db" })).toBe(true);
    expect(checkovSkipCovers(skip, { check_id: "CKV_AWS_293", resource: "resource.db" })).toBe(false);
    expect(checkovSkipCovers(skip, { check_id: "CKV_AWS_157", resource: "resource.other" })).toBe(false);
  });

  test("the baseline lists each skipped block under both names, for checkov --baseline", () => {
    const baseline = checkovBaseline(stack(), "/cdk.tf.json");
    const db = baseline.failed_checks[0].findings.filter((f) => f.resource.endsWith(".db"));
    expect(db).toEqual([
      { resource: "aws_db_instance.db", check_ids: ["CKV_AWS_157"] },
      { resource: "resource.db", check_ids: ["CKV_AWS_157"] },
    ]);
  });
});

describe("checkovKubernetesSkips: the pack's decisions for the Kubernetes objects it builds", () => {
  const deployment = (sa: string) => ({
    kind: "Deployment",
    metadata: { name: "ranker", namespace: "serving" },
    spec: { template: { spec: { serviceAccountName: sa, containers: [{ name: "c", image: "x:1" }] } } },
  });
  const serviceAccount = (name: string, automount: boolean) => ({ kind: "ServiceAccount", metadata: { name, namespace: "serving" }, automountServiceAccountToken: automount });

  test("CKV_K8S_38 is excused only when the pod's ServiceAccount disables token automounting", () => {
    const ids = (objects: any[]) => checkovKubernetesSkips(objects).map((s) => s.checkovId);
    expect(ids([deployment("ranker"), serviceAccount("ranker", false)])).toContain("CKV_K8S_38");
    expect(ids([deployment("ranker"), serviceAccount("ranker", true)])).not.toContain("CKV_K8S_38");
    expect(ids([deployment("other"), serviceAccount("ranker", false)])).not.toContain("CKV_K8S_38");
  });

  test("a workload's skip covers the pod checkov derives from it, not another workload's", () => {
    // A graph check (CKV2_K8S_6, a pod without a NetworkPolicy) names the pod checkov derives from the workload.
    const skip = { checkovId: "CKV2_K8S_6", resource: "Deployment.serving.ranker", kind: "resource" as const, reason: "test", source: "not adopted" };
    expect(checkovKubernetesSkipCovers(skip, { check_id: "CKV2_K8S_6", resource: "Pod.serving.ranker.app-ranker" })).toBe(true);
    expect(checkovKubernetesSkipCovers(skip, { check_id: "CKV2_K8S_6", resource: "Pod.serving.ranker-blue.app-ranker" })).toBe(false);
    expect(checkovKubernetesSkipCovers(skip, { check_id: "CKV2_K8S_6", resource: "Deployment.serving.ranker" })).toBe(true);
  });
});
