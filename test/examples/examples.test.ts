import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cachedPlan, describeWithTerraform, plannedTypes } from "../support/terraform";
import { checkStack } from "../../lib/policy";

/**
 * Examples run as an outside user runs them: their own process, the library imported by
 * its package name, `cdktf synth` semantics (CDKTF_OUTDIR). The AWS stack they produce
 * is planned by real Terraform.
 */
const root = path.resolve(__dirname, "..", "..");

function runExample(name: string): { outdir: string; status: number | null; stderr: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `example-${name}-`));
  const res = spawnSync(process.execPath, ["-r", path.join(root, "scripts", "register.js"), "main.ts"], {
    cwd: path.join(root, "examples", name),
    env: { ...process.env, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  return { outdir, status: res.status, stderr: res.stderr };
}

describe("examples/fraud-detection", () => {
  const run = runExample("fraud-detection");

  test("imports the library by its package name, not by a path into lib/", () => {
    const source = fs.readFileSync(path.join(root, "examples", "fraud-detection", "main.ts"), "utf8");
    expect(source).toContain('from "cdktf-ml-platform"');
    expect(source).not.toMatch(/from "\.\.?\//);
  });

  test("synthesizes its three stacks", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(fs.readdirSync(path.join(run.outdir, "stacks")).sort()).toEqual(["ml-fraud-dev-addons", "ml-fraud-dev-infra", "ml-fraud-dev-platform"]);
  });

  describeWithTerraform("under real Terraform", () => {
    test("its infrastructure stack validates and plans the cluster, registry and feature store", async () => {
      const plan = await cachedPlan(path.join(run.outdir, "stacks", "ml-fraud-dev-infra"));
      expect(Object.keys(plannedTypes(plan))).toEqual(expect.arrayContaining(["aws_eks_cluster", "aws_eks_node_group", "aws_db_instance", "aws_s3_bucket", "aws_iam_role"]));
    });
  });
});

describe("examples/vision-training (Karpenter GPU pools)", () => {
  const run = runExample("vision-training");

  test("imports the library by its package name, not by a path into lib/", () => {
    const source = fs.readFileSync(path.join(root, "examples", "vision-training", "main.ts"), "utf8");
    expect(source).toContain('from "cdktf-ml-platform"');
    expect(source).not.toMatch(/from "\.\.?\//);
  });

  test("synthesizes its three stacks", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(fs.readdirSync(path.join(run.outdir, "stacks")).sort()).toEqual(["ml-vision-dev-addons", "ml-vision-dev-infra", "ml-vision-dev-platform"]);
  });

  test("its stacks pass the policy pack without a finding (the Karpenter controller's policy included)", () => {
    for (const stack of fs.readdirSync(path.join(run.outdir, "stacks"))) {
      const json = JSON.parse(fs.readFileSync(path.join(run.outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
      expect([stack, checkStack(stack, json).findings.map((f) => `${f.severity} ${f.ruleId} ${f.resourceAddress}`)]).toEqual([stack, []]);
    }
  });

  describeWithTerraform("under real Terraform", () => {
    test("its infrastructure stack plans Karpenter's AWS side, and no node group for its GPU pools", async () => {
      const plan = await cachedPlan(path.join(run.outdir, "stacks", "ml-vision-dev-infra"));
      const types = plannedTypes(plan);
      expect(Object.keys(types)).toEqual(
        expect.arrayContaining([
          "aws_sqs_queue",
          "aws_sqs_queue_policy",
          "aws_cloudwatch_event_rule",
          "aws_cloudwatch_event_target",
          "aws_eks_access_entry",
          "aws_ec2_tag",
          "aws_placement_group",
        ]),
      );
      expect(types.aws_cloudwatch_event_rule).toBe(5);
      // The system node group only: the GPU pools are Karpenter's.
      expect(types.aws_eks_node_group).toBe(1);
    });
  });
});
