import { blockingFindings } from "../../../lib/review/blocking";
import { reviewStack } from "../../../lib/review/stack";
import { change, config, metadata, plan, stack } from "./fixtures";

const dev = metadata("dev", "development");

describe("blocking findings", () => {
  test("a replaced stateful resource blocks, with the attributes that force it and Terraform's reason", () => {
    // GIVEN a plan that replaces a database because its identifier changes
    const p = plan(
      change(
        "aws_db_instance.registry_db_1A2B3C4D",
        ["delete", "create"],
        { identifier: "a" },
        { identifier: "b" },
        { replace_paths: [["identifier"]], action_reason: "replace_because_cannot_update" },
      ),
    );
    // WHEN reviewed
    const [finding, ...rest] = blockingFindings(stack("ml-dev-infra", dev, p, { "aws_db_instance.registry_db_1A2B3C4D": {} }));
    // THEN one blocking finding names the resource, the forcing attribute, the reason and what is lost
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      stack: "ml-dev-infra",
      environment: "dev",
      address: "aws_db_instance.registry_db_1A2B3C4D",
      action: "replace",
      replacePaths: ["identifier"],
      actionReason: "replace_because_cannot_update",
      constructPath: "ml-dev-infra/registry/db",
    });
    expect(finding.loses).toMatch(/database/);
  });

  test("a destroyed stateful resource blocks", () => {
    const p = plan(change("aws_s3_bucket.data", ["delete"], { bucket: "x" }, null, { action_reason: "delete_because_no_resource_config" }));
    expect(blockingFindings(stack("ml-dev-infra", dev, p))).toMatchObject([{ action: "delete", actionReason: "delete_because_no_resource_config" }]);
  });

  test("replacing a resource that holds no state does not block", () => {
    const p = plan(change("aws_route.r", ["delete", "create"], {}, {}, { replace_paths: [["destination_cidr_block"]] }));
    expect(blockingFindings(stack("ml-dev-infra", dev, p))).toEqual([]);
  });

  test("a plan Terraform refused because of prevent_destroy blocks and names the resource", () => {
    // GIVEN Terraform's error output for a protected bucket (as printed with -no-color)
    const error = [
      "Error: Instance cannot be destroyed",
      "",
      "  on cdk.tf.json line 120, in resource.aws_s3_bucket.state-bucket_828F7150:",
      " 120:       },",
      "",
      "Resource aws_s3_bucket.state-bucket_828F7150 has lifecycle.prevent_destroy",
      "set, but the plan calls for this resource to be destroyed. To avoid this error",
      "and continue with the plan, either disable lifecycle.prevent_destroy or reduce",
      "the scope of the plan using the -target option.",
    ].join("\n");
    const s = reviewStack("ml-prod-bootstrap", { config: config(metadata("prod", "production")), error });
    // WHEN reviewed  THEN it is a blocking deletion of that bucket
    expect(blockingFindings(s)).toMatchObject([{ address: "aws_s3_bucket.state-bucket_828F7150", type: "aws_s3_bucket", action: "delete", stoppedByPreventDestroy: true }]);
  });
});
