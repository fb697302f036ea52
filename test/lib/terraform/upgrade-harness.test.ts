import { TerraformPlan, preventDestroyAddresses, upgradeChangesOf, withoutPreventDestroy } from "../../../lib/terraform";

/** The harness's pure parts: reading terraform's answer, and the convergence configuration. */
describe("upgradeChangesOf", () => {
  const plan = (changes: [string, string[], string[][]?][]): TerraformPlan => ({
    format_version: "1.2",
    resource_changes: changes.map(([address, actions, replacePaths]) => ({
      address,
      mode: "managed",
      type: address.split(".")[0],
      name: address.split(".")[1],
      change: { actions, before: {}, after: {}, ...(replacePaths ? { replace_paths: replacePaths } : {}) },
    })) as never,
  });

  test("maps terraform's actions to update, replace (either order), create and delete, leaving out no-ops", () => {
    const changes = upgradeChangesOf(
      plan([
        ["aws_s3_bucket.a", ["delete", "create"], [["bucket"]]],
        ["aws_subnet.b", ["create", "delete"]],
        ["aws_db_instance.c", ["update"]],
        ["aws_iam_role.d", ["create"]],
        ["aws_kms_key.e", ["delete"]],
        ["aws_vpc.f", ["no-op"]],
      ]),
    );
    expect(changes).toEqual([
      { address: "aws_db_instance.c", type: "aws_db_instance", action: "update", stateful: true },
      { address: "aws_iam_role.d", type: "aws_iam_role", action: "create", stateful: false },
      { address: "aws_kms_key.e", type: "aws_kms_key", action: "delete", stateful: true },
      { address: "aws_s3_bucket.a", type: "aws_s3_bucket", action: "replace", stateful: true, replacePaths: ["bucket"] },
      { address: "aws_subnet.b", type: "aws_subnet", action: "replace", stateful: false },
    ]);
  });
});

describe("preventDestroyAddresses", () => {
  test("reads the protected addresses from terraform's refusal", () => {
    const output = [
      "Error: Instance cannot be destroyed",
      "Resource aws_s3_bucket.model-registry_artifacts_bucket_04DFD583 has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.",
      "Resource aws_db_instance.db has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.",
    ].join("\n");
    expect(preventDestroyAddresses(output)).toEqual(["aws_s3_bucket.model-registry_artifacts_bucket_04DFD583", "aws_db_instance.db"]);
  });

  test("finds nothing in an unrelated error", () => {
    expect(preventDestroyAddresses("Error: Invalid reference")).toEqual([]);
  });
});

describe("withoutPreventDestroy", () => {
  test("removes prevent_destroy and keeps other lifecycle settings, without touching the input", () => {
    const config = { resource: { aws_s3_bucket: { b: { bucket: "x", lifecycle: { prevent_destroy: true, ignore_changes: ["tags"] } } } } };
    expect(withoutPreventDestroy(config)).toEqual({ resource: { aws_s3_bucket: { b: { bucket: "x", lifecycle: { ignore_changes: ["tags"] } } } } });
    expect(config.resource.aws_s3_bucket.b.lifecycle.prevent_destroy).toBe(true);
  });
});
