import { renderJson } from "../../../lib/review/json";
import { renderMarkdown } from "../../../lib/review/markdown";
import { changeKind, moves } from "../../../lib/review/plan";
import { planText } from "../../../lib/review/plan-text";
import { exitCode, reviewChange } from "../../../lib/review/review";
import { reviewStack } from "../../../lib/review/stack";
import { unchangedPlan, sameConfiguration } from "../../../lib/review/base-state";
import { change, config, metadata, plan } from "./fixtures";

/**
 * Findings that only a review against the base can make: forgotten resources, moves,
 * stacks of the base that are gone, prevent_destroy refusals next to the plan without
 * it, and the honest headline of empty-state plans. Plans in `terraform show -json` shape.
 */
const dev = metadata("dev", "development");
const prod = metadata("prod", "production");

function moved(from: string, to: string, actions = ["no-op"]) {
  return { ...change(to, actions, { bucket: "b" }, { bucket: "b" }), previous_address: from };
}

describe("review against the base", () => {
  test("a `removed` block without destroy (forget) of a stateful type is blocking; the JSON and the exit code agree", () => {
    // GIVEN Terraform 1.7+'s forget action on a bucket
    const p = plan(change("aws_s3_bucket.artifacts", ["forget"], { bucket: "b" }, null));
    const review = reviewChange([reviewStack("ml-dev-infra", { config: config(dev), plan: p, basis: "base-state" })]);
    // THEN it is a blocking "forget"
    expect(changeKind(["forget"])).toBe("forget");
    expect(review.blocking).toMatchObject([{ address: "aws_s3_bucket.artifacts", action: "forget" }]);
    expect(exitCode(review)).toBe(2);
    expect(JSON.parse(renderJson(review))).toMatchObject({ exitCode: 2, blocking: [{ action: "forget" }] });
    expect(renderMarkdown(review)).toContain("**Blocking: 1 stateful resource would no longer be managed by Terraform.**");
    expect(renderMarkdown(review)).toContain("would be **forgotten**: Terraform stops managing it");
    expect(planText(p)).toContain("# aws_s3_bucket.artifacts will no longer be managed by Terraform (forgotten: the object is kept)");
  });

  test("moves are listed, not blocking, and the plan text says where each resource went", () => {
    const p = plan(moved("aws_s3_bucket.old", "aws_s3_bucket.new"));
    expect(moves(p)).toEqual([{ from: "aws_s3_bucket.old", to: "aws_s3_bucket.new", type: "aws_s3_bucket", kind: "no-op" }]);
    const review = reviewChange([reviewStack("ml-dev-infra", { config: config(dev), plan: p, basis: "base-state" })]);
    expect(review.blocking).toEqual([]);
    expect(review.moves).toEqual([{ stack: "ml-dev-infra", environment: "dev", from: "aws_s3_bucket.old", to: "aws_s3_bucket.new", type: "aws_s3_bucket" }]);
    expect(renderMarkdown(review)).toContain("| `ml-dev-infra` | `aws_s3_bucket.old` | `aws_s3_bucket.new` |");
    expect(planText(p)).toContain("# aws_s3_bucket.old has moved to aws_s3_bucket.new");
  });

  test("a base stack that is no longer synthesized is blocking, and a new stack with its resources is named as the rename", () => {
    // GIVEN the base has ml-dev-data (a bucket, a role); the head has ml-dev-store with the same resources
    const resources = { "aws_s3_bucket.registry_bucket_1A2B3C4D": {}, "aws_iam_role.registry_role_0A1B2C3D": {} };
    const base = [reviewStack("ml-dev-data", { config: config(dev, resources, "ml-dev-data"), notPlanned: "base" })];
    const head = [reviewStack("ml-dev-store", { config: config(dev, resources, "ml-dev-store"), plan: plan(), basis: "empty-state" })];
    const review = reviewChange(head, { base });
    expect(review.blocking).toEqual([
      expect.objectContaining({
        stack: "ml-dev-data",
        action: "remove-stack",
        renamedTo: "ml-dev-store",
        loses: "its 2 resources, 1 of them stateful (`aws_s3_bucket.registry_bucket_1A2B3C4D`)",
      }),
    ]);
    expect(exitCode(review)).toBe(2);
  });

  test("a base stack still synthesized, or known only by its plan, is not reported as removed", () => {
    const base = [reviewStack("ml-dev-infra", { plan: plan() }), reviewStack("ml-dev-data", { config: config(dev, {}, "ml-dev-data"), notPlanned: "base" })];
    const head = [reviewStack("ml-dev-data", { config: config(dev, {}, "ml-dev-data"), plan: plan(), basis: "unchanged" })];
    expect(reviewChange(head, { base }).blocking).toEqual([]);
  });

  test("a refusal carried next to the plan marks the refused resources and adds protected ones the plan lacks", () => {
    // GIVEN prod's plan without prevent_destroy deletes a database; Terraform refused because of it
    const refusal =
      "Error: Instance cannot be destroyed\n\n  on cdk.tf.json line 1:\n\nResource aws_db_instance.db has lifecycle.prevent_destroy set, but the plan calls for\nthis resource to be destroyed.";
    const p = plan(change("aws_db_instance.db", ["delete"], { identifier: "x" }, null, { action_reason: "delete_because_no_resource_config" }));
    const review = reviewChange([reviewStack("ml-prod-infra", { config: config(prod), plan: p, refusal, basis: "base-state" })]);
    expect(review.blocking).toEqual([expect.objectContaining({ address: "aws_db_instance.db", action: "delete", stoppedByPreventDestroy: true })]);
    expect(review.failures).toEqual([]);
    expect(review.stacks[0]).toMatchObject({ refusedByPreventDestroy: true, counts: { destroy: 1 } });
  });

  test("without a base, empty-state plans never say that nothing is destroyed", () => {
    const review = reviewChange([reviewStack("ml-dev-infra", { config: config(dev), plan: plan(change("aws_s3_bucket.b", ["create"], null, {})), basis: "empty-state" })]);
    const md = renderMarkdown(review);
    expect(review.destruction).toBe("empty-state");
    expect(md).toContain("**No blocking finding in empty-state plans, which can only show creations:**");
    expect(md).toContain("`--base-ref origin/main`");
    expect(md).not.toContain("no stateful resource is destroyed or replaced");
    expect(JSON.parse(renderJson(review))).toMatchObject({ exitCode: 0, destruction: "empty-state", summary: { destructionChecked: false } });
  });

  test("an unchanged stack's plan keeps every resource as it is (no-op), for the cost table", () => {
    const p = plan(
      change("aws_nat_gateway.a", ["create"], null, { connectivity_type: "public" }),
      change("aws_nat_gateway.gone", ["delete"], { connectivity_type: "public" }, null),
    );
    const unchanged = unchangedPlan(p);
    expect(unchanged.resource_changes).toEqual([
      expect.objectContaining({ change: expect.objectContaining({ actions: ["no-op"], before: { connectivity_type: "public" }, after: { connectivity_type: "public" } }) }),
    ]);
    expect(sameConfiguration({ a: 1, "//": { x: 1 }, b: [{ c: 2, d: 3 }] }, { b: [{ d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(sameConfiguration({ a: 1 }, { a: 2 })).toBe(false);
    // a local backend's absolute path differs between two checkouts of the same app (a --base-ref worktree)
    const stackAt = (dir: string) => ({
      terraform: { backend: { local: { path: `${dir}/terraform.ml-dev-infra.tfstate` } }, required_providers: { aws: { version: "5.100.0" } } },
      resource: {},
    });
    expect(sameConfiguration(stackAt("/work/app"), stackAt("/tmp/review-base-ref-1/checkout"))).toBe(true);
    expect(sameConfiguration(stackAt("/a"), { ...stackAt("/a"), terraform: { ...stackAt("/a").terraform, required_providers: { aws: { version: "6.0.0" } } } })).toBe(false);
  });

  test("first-deploy noise is grouped and counted after the changes to existing resources", () => {
    // GIVEN 30 new IAM roles and one changed role policy
    const roles = Array.from({ length: 30 }, (_, i) => change(`aws_iam_role.r${i}`, ["create"], null, { name: `r${i}` }));
    const updated = change("aws_iam_role_policy.p", ["update"], { policy: "{}" }, { policy: '{"a":1}' });
    const review = reviewChange([reviewStack("ml-dev-infra", { config: config(dev), plan: plan(...roles, updated), basis: "base-state" })]);
    const md = renderMarkdown(review);
    // THEN the update is in view first; the new roles are one counted line, their rows folded
    const warningsText = md.slice(md.indexOf("### Warnings"), md.indexOf("### Policy"));
    expect(warningsText).toContain("**IAM roles and policies** (1)");
    expect(warningsText).toContain("- IAM roles and policies: 30 new (30 in `ml-dev-infra`)");
    expect(warningsText.indexOf("`aws_iam_role_policy.p`")).toBeLessThan(warningsText.indexOf("**New resources** (30"));
    expect(warningsText).toContain("<details><summary>IAM roles and policies: 30 new resources</summary>");
  });

  test("the exit code, the JSON and the Markdown carry the same findings", () => {
    const cases = [
      [reviewStack("ml-dev-infra", { config: config(dev), plan: plan(change("aws_s3_bucket.b", ["delete"], { bucket: "b" }, null)), basis: "base-state" })],
      [reviewStack("ml-dev-infra", { config: config(dev), plan: plan(change("aws_s3_bucket.b", ["update"], { acl: "a" }, { acl: "b" })), basis: "base-state" })],
      [reviewStack("ml-dev-infra", { config: config(dev), error: "Error: no valid credential sources found" })],
    ];
    const codes = cases.map((stacks) => {
      const review = reviewChange(stacks);
      const json = JSON.parse(renderJson(review));
      const md = renderMarkdown(review);
      expect(json.exitCode).toBe(exitCode(review));
      expect(json.blocking.length).toBe(review.blocking.length);
      expect(md.includes(`### Blocking (${json.blocking.length})`)).toBe(json.blocking.length > 0);
      expect(md.includes("**Review incomplete")).toBe(json.summary.failedPlans > 0);
      return json.exitCode;
    });
    expect(codes).toEqual([2, 0, 1]);
  });
});
