import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { EnvironmentConfig, InfraStack } from "../../../lib";
import { UpgradeHarness } from "../../../lib/terraform/upgrade-harness";
import { OfflineTerraform, TerraformPlan } from "../../../lib/terraform/offline";
import { runReview } from "../../../lib/review/cli";
import { reviewStack } from "../../../lib/review/stack";
import { exitCode, reviewChange } from "../../../lib/review/review";
import { testEnvironment } from "../../support/env";
import { describeWithTerraform, pluginMirror } from "../../support/terraform";

/**
 * Real plans of a change against an existing state, from the upgrade-safety harness:
 * the stack is converged to a fake state at v1, then v2 is planned against it. v2
 * renames the bucket, which Terraform must replace.
 */

function synthVersion(version: 1 | 2, overrides: Partial<EnvironmentConfig>): { outdir: string; stackDir: string; name: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `review-v${version}-`));
  const app = new App({ outdir });
  const env = testEnvironment(overrides);
  const name = env.stackName("data");
  const stack = new InfraStack(app, name, { environment: env });
  new S3Bucket(stack, "artifacts", { bucket: `${env.prefix}-artifacts-v${version}` });
  app.synth();
  return { outdir, stackDir: path.join(outdir, "stacks", name), name };
}

/**
 * Converges a fake state of v1 with the harness, then plans v2 against it with the
 * offline harness: Terraform's full plan JSON, or its error output when it refuses.
 */
async function planV2(overrides: Partial<EnvironmentConfig>): Promise<{ v2: ReturnType<typeof synthVersion>; plan?: TerraformPlan; refusal?: string }> {
  const v1 = synthVersion(1, overrides);
  const v2 = synthVersion(2, overrides);
  const harness = await UpgradeHarness.converge(v1.stackDir, { pluginMirror: pluginMirror() });
  const state = harness.baselineState;
  harness.dispose();
  const terraform = new OfflineTerraform(v2.stackDir, { pluginMirror: pluginMirror() });
  try {
    fs.writeFileSync(path.join(terraform.workDir, "terraform.tfstate"), JSON.stringify(state));
    return { v2, plan: await terraform.plan(["-refresh=false"]) };
  } catch (err) {
    return { v2, refusal: (err as Error).message };
  } finally {
    terraform.dispose();
  }
}

describeWithTerraform("review of real plans that replace a stateful resource", () => {
  let replaced: { v2: { outdir: string; stackDir: string; name: string }; plan?: TerraformPlan };
  let refused: { v2: { outdir: string; stackDir: string; name: string }; refusal?: string };
  let planDir: string;

  beforeAll(async () => {
    // Both changes at once (one per core): development (no prevent_destroy) and staging (prevent_destroy).
    [replaced, refused] = await Promise.all([planV2({ name: "test", tier: "development" }), planV2({ name: "stage", tier: "staging" })]);
    planDir = fs.mkdtempSync(path.join(os.tmpdir(), "review-plans-"));
    fs.writeFileSync(path.join(planDir, `${replaced.v2.name}.json`), JSON.stringify(replaced.plan));
  });

  test("Terraform's plan replaces the bucket because its name changes (the fixture is real)", () => {
    const bucket = replaced.plan!.resource_changes!.find((rc) => rc.type === "aws_s3_bucket")!;
    expect(bucket.change.actions).toEqual(["delete", "create"]);
    expect(bucket.change.replace_paths).toEqual([["bucket"]]);
  });

  test("the review command exits 2 and names the replaced bucket with the attribute that forces it", async () => {
    // GIVEN the real plan in a plan directory  WHEN the review command reads it
    const out = path.join(planDir, "review.md");
    const json = path.join(planDir, "review.json");
    const code = await runReview(["--plan-dir", planDir, "--out", out, "--json", json], { synthesize: () => replaced.v2.outdir, log: () => undefined });
    // THEN it exits 2, and both outputs name the resource
    expect(code).toBe(2);
    const md = fs.readFileSync(out, "utf8");
    expect(md).toContain("**Blocking: 1 stateful resource would be destroyed or replaced.**");
    expect(md).toMatch(
      /- \*\*`aws_s3_bucket\.artifacts`\*\* in `ml-test-data` \(test\) would be \*\*replaced\*\* \(destroyed, then created again\): `bucket` forces the replacement\. Terraform's reason: `replace_because_cannot_update`\. Construct: `ml-test-data\/artifacts`\./,
    );
    const findings = JSON.parse(fs.readFileSync(json, "utf8"));
    expect(findings.exitCode).toBe(2);
    expect(findings.blocking).toMatchObject([{ address: "aws_s3_bucket.artifacts", action: "replace", replacePaths: ["bucket"] }]);
  });

  test("a plan refused by prevent_destroy (an environment that protects its data) is blocking, not a failure, and names the bucket", () => {
    // GIVEN Terraform's refusal of the staging change  WHEN the review reads it
    expect(refused.refusal).toBeDefined();
    const config = JSON.parse(fs.readFileSync(path.join(refused.v2.stackDir, "cdk.tf.json"), "utf8"));
    const review = reviewChange([reviewStack(refused.v2.name, { config, error: refused.refusal })]);
    // THEN the bucket is a blocking finding and the review exits 2
    expect(review.blocking).toMatchObject([{ address: "aws_s3_bucket.artifacts", stoppedByPreventDestroy: true }]);
    expect(review.failures).toEqual([]);
    expect(exitCode(review)).toBe(2);
  });
});
