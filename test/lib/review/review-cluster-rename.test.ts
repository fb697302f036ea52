import * as fs from "fs";
import * as path from "path";
import { runReview } from "../../../lib/review/cli";
import { describeWithTerraform, pluginMirror } from "../../support/terraform";
import { removeTempDirs, synthApps, tempDir } from "./review-apps";

/**
 * Renaming the EKS cluster, reviewed offline against the base with real Terraform: the
 * cluster's name forces a new cluster, which the review blocks (verdict in Markdown and JSON).
 */
describeWithTerraform("offline review against the base: renaming the cluster (real Terraform)", () => {
  afterAll(removeTempDirs);
  test("a new cluster name replaces the cluster: blocking, `name` (and the role's ARN) force it; exit 2", async () => {
    process.env.TF_PLUGIN_MIRROR ??= pluginMirror();
    process.env.ML_REVIEW_STATE_CACHE = tempDir("review-states-");
    const env = { name: "dev", tier: "development" as const };
    const dir = tempDir("review-cluster-rename-");
    const base = path.join(dir, "base");
    // GIVEN the base's synthesized stack (no plan needed: --base reads <stack>.tf.json)
    const baseOut = synthApps({ env, layer: "compute", clusterName: "ml-dev-training" });
    fs.mkdirSync(base);
    fs.copyFileSync(path.join(baseOut, "stacks", "ml-dev-compute", "cdk.tf.json"), path.join(base, "ml-dev-compute.tf.json"));
    // WHEN the cluster is renamed and reviewed
    const head = synthApps({ env, layer: "compute", clusterName: "ml-dev-training-v2" });
    const out = path.join(dir, "r.md");
    const json = path.join(dir, "r.json");
    const code = await runReview(["--offline", "--base", base, "--out", out, "--json", json], { synthesize: () => head, log: () => undefined });
    // THEN
    const md = fs.readFileSync(out, "utf8");
    const report = JSON.parse(fs.readFileSync(json, "utf8"));
    expect(code).toBe(2);
    expect(report.exitCode).toBe(2);
    const cluster = report.blocking.find((f: any) => f.type === "aws_eks_cluster");
    // the name forces it, and so does the cluster role's ARN (the role's name derives from the cluster's)
    expect(cluster).toMatchObject({
      stack: "ml-dev-compute",
      action: "replace",
      replacePaths: expect.arrayContaining(["name", "role_arn"]),
      actionReason: "replace_because_cannot_update",
    });
    expect(md).toContain(
      `- **\`${cluster.address}\`** in \`ml-dev-compute\` (dev) would be **replaced** (destroyed, then created again): ${cluster.replacePaths.map((p: string) => `\`${p}\``).join(", ")} force the replacement.`,
    );
    expect(md).toContain("**Blocking:");
  }, 600_000);
});
