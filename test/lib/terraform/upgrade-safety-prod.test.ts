import { UpgradeHarness } from "../../../lib/terraform";
import { prod } from "../../../stacks/environments";
import { describeWithTerraform, pluginMirror } from "../../support/terraform";
import { actions, addresses, statefulLosses, synthInfra } from "./upgrade-cases";

/**
 * Upgrade safety of the prod infrastructure stack under real Terraform. Prod protects its
 * data: every stateful resource has prevent_destroy, so Terraform itself must refuse a
 * plan that would replace one, while ordinary changes plan normally.
 */
describeWithTerraform("upgrade safety: prod infrastructure", () => {
  let harness: UpgradeHarness;

  beforeAll(async () => {
    harness = await UpgradeHarness.converge(synthInfra(prod), { pluginMirror: pluginMirror() });
  }, 240_000);

  afterAll(() => harness?.dispose());

  test("with prevent_destroy in place, the unchanged configuration plans no changes against the converged state", async () => {
    const report = await harness.planBaseline();
    expect(report).toMatchObject({ changes: [] });
    expect(report.refusal).toBeUndefined();
  });

  test("scaling the system node group plans an in-place update, which terraform accepts", async () => {
    const report = await harness.planChange(synthInfra(prod, undefined, { cluster: { systemNodeCount: 4 } }));
    expect(report.refusal).toBeUndefined();
    expect(actions(report)).toEqual(["update"]);
    expect(addresses(report, "update")).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_eks_node_group\.training_system-nodes_/)]));
  });

  test("renaming the artifact bucket is refused by terraform: prevent_destroy protects it", async () => {
    // GIVEN the destructive change that dev plans as a replacement
    const report = await harness.planChange(
      synthInfra(prod, (s) => {
        s.registry.artifactBucket.bucket.addOverride("bucket", "ml-prod-mlflow-artifacts-renamed-333333333333");
      }),
    );
    // THEN terraform refuses the plan, naming the bucket; the refused plan replaces it (and its configuration resources)
    expect(report.refusal?.addresses).toEqual([expect.stringMatching(/^aws_s3_bucket\.model-registry_artifacts_bucket_/)]);
    expect(report.refusal?.message).toContain("Instance cannot be destroyed");
    expect(statefulLosses(report).map((c) => c.address)).toEqual(report.refusal?.addresses);
    expect(addresses(report, "replace")).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_s3_bucket_versioning\.model-registry_artifacts_/)]));
  });
});
