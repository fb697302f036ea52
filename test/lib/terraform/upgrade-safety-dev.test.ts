import { UpgradeHarness } from "../../../lib/terraform";
import { dev } from "../../../stacks/environments";
import { describeWithTerraform, pluginMirror } from "../../support/terraform";
import { ReferenceChanges } from "../../../stacks/platform";
import { Change, actions, addresses, statefulLosses, synthInfra } from "./upgrade-cases";

/**
 * Upgrade safety of the dev infrastructure stack under real Terraform: a fake state of
 * the existing environment (one Kubernetes version behind), then code changes planned
 * against it. Dev has no prevent_destroy, so destructive changes show as replacements.
 * Plans run one after another (one terraform at a time per file).
 */
const baseline = { cluster: { kubernetesVersion: "1.32" } };
/** The dev infra stack, one Kubernetes version behind, with a change. */
const devInfra = (change?: Change, props: ReferenceChanges = {}) => synthInfra(dev, change, { ...props, cluster: { ...baseline.cluster, ...props.cluster } });

describeWithTerraform("upgrade safety: dev infrastructure", () => {
  let harness: UpgradeHarness;

  beforeAll(async () => {
    harness = await UpgradeHarness.converge(devInfra(), { pluginMirror: pluginMirror() });
  }, 240_000);

  afterAll(() => harness?.dispose());

  test("the fake state converges: the unchanged configuration plans no changes", () => {
    // GIVEN the state built from the plan  WHEN terraform plans the same configuration against it (the last round)
    const { rounds, changesPerRound } = harness.baseline;
    // THEN it sees nothing to do, after a bounded number of rounds
    expect(changesPerRound[changesPerRound.length - 1]).toBe(0);
    expect(rounds).toBeLessThanOrEqual(4);
    expect(harness.baselineState.resources.length).toBeGreaterThan(50);
  });

  test("scaling the GPU pool updates its node group in place", async () => {
    const report = await harness.planChange(
      devInfra((s) => {
        s.cluster.pools[0].nodeGroup!.addOverride("scaling_config.max_size", 6);
      }),
    );
    expect(actions(report)).toEqual(["update"]);
    expect(addresses(report, "update")).toEqual([expect.stringMatching(/^aws_eks_node_group\.training_gpu-pool-general_node-group_/)]);
  });

  test("upgrading Kubernetes 1.32 -> 1.33 updates the control plane and every node group in place and destroys nothing", async () => {
    const report = await harness.planChange(devInfra(undefined, { cluster: { kubernetesVersion: "1.33" } }));
    expect(addresses(report, "update")).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_eks_cluster\.training_cluster_/),
        expect.stringMatching(/^aws_eks_node_group\.training_system-nodes_/),
        expect.stringMatching(/^aws_eks_node_group\.training_gpu-pool-general_node-group_/),
      ]),
    );
    expect(addresses(report, "replace")).toEqual([]);
    expect(addresses(report, "delete")).toEqual([]);
  });

  test("adding a GPU pool only creates resources", async () => {
    const report = await harness.planChange(
      devInfra((s) => {
        s.cluster.addGpuPool("l4-batch", { instanceTypes: ["g6.xlarge"], maxNodes: 2 });
      }),
    );
    expect(actions(report)).toEqual(["create"]);
    expect(addresses(report, "create")).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_eks_node_group\.training_gpu-pool-l4-batch_/)]));
  });

  test("changing the database instance class updates the registry database in place", async () => {
    const report = await harness.planChange(devInfra(undefined, { registry: { instanceClass: "db.t4g.large" } }));
    expect(actions(report)).toEqual(["update"]);
    expect(addresses(report, "update")).toEqual([expect.stringMatching(/^aws_db_instance\.model-registry_database_instance_/)]);
  });

  test("adding an endpoint (its IRSA role, registry and feature grants) only creates resources", async () => {
    const report = await harness.planChange(
      devInfra((s) => {
        const role = s.cluster.addServiceAccountRole("fraud-serving", { namespace: "serving", serviceAccount: "fraud" });
        s.registry.grantRead(role);
        s.featureStore.grantOnlineRead(role);
      }),
    );
    expect(actions(report)).toEqual(["create"]);
    expect(addresses(report, "create")).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_iam_role\.training_fraud-serving_role_/)]));
  });

  test("renaming the artifact bucket shows up as a replacement of a stateful resource", async () => {
    // GIVEN a deliberately destructive change: a bucket's name forces a new bucket
    const report = await harness.planChange(
      devInfra((s) => {
        s.registry.artifactBucket.bucket.addOverride("bucket", "ml-dev-mlflow-artifacts-renamed-111111111111");
      }),
    );
    // THEN terraform plans to replace it, and says which attribute forces it
    expect(statefulLosses(report)).toEqual([
      expect.objectContaining({
        address: expect.stringMatching(/^aws_s3_bucket\.model-registry_artifacts_bucket_/),
        action: "replace",
        replacePaths: ["bucket"],
      }),
    ]);
    expect(report.refusal).toBeUndefined();
  });

  test("renaming the database identifier is an in-place rename (aws provider 5.x), not a replacement: data is kept, the endpoint changes", async () => {
    const report = await harness.planChange(
      devInfra((s) => {
        s.registry.database.instance.addOverride("identifier", "ml-dev-mlflow-renamed");
      }),
    );
    expect(statefulLosses(report)).toEqual([]);
    expect(addresses(report, "update")).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_db_instance\.model-registry_database_instance_/)]));
  });
});
