import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs, runReview } from "../../lib/review/cli";
import { TerraformPlan } from "../../lib/terraform/offline";

const ROOT = path.resolve(__dirname, "..", "..");

/** A plan in `terraform show -json` shape: the reference dev key replaced because its spec changed. */
function keyReplacementPlan(): TerraformPlan {
  return {
    format_version: "1.2",
    terraform_version: "1.11.4",
    resource_changes: [
      {
        address: "aws_kms_key.kms_key_28C05A0F",
        mode: "managed",
        type: "aws_kms_key",
        name: "kms_key_28C05A0F",
        provider_name: "registry.terraform.io/hashicorp/aws",
        action_reason: "replace_because_cannot_update",
        change: {
          actions: ["delete", "create"],
          before: { customer_master_key_spec: "SYMMETRIC_DEFAULT" },
          after: { customer_master_key_spec: "RSA_2048" },
          after_unknown: { arn: true, id: true },
          before_sensitive: {},
          after_sensitive: {},
          replace_paths: [["customer_master_key_spec"]],
        },
      },
    ],
  };
}

function noChangePlan(): TerraformPlan {
  return { format_version: "1.2", terraform_version: "1.11.4", resource_changes: [] };
}

function planDir(plans: Record<string, TerraformPlan>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-cli-"));
  for (const [name, plan] of Object.entries(plans)) fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(plan));
  return dir;
}

/** Runs `npm run review`'s script as a process, synthesizing into a temporary directory. */
function review(args: string[]) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "review-cli-out-"));
  return spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/review.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CDKTF_OUTDIR: outdir },
  });
}

describe("review command line", () => {
  test("flags parse as the issue names them", () => {
    expect(parseArgs(["--offline", "--base", "b", "--out", "r.md", "--json=r.json"])).toEqual({ offline: true, help: false, base: "b", out: "r.md", json: "r.json" });
  });

  test("--offline and --plan-dir together are a usage error", () => {
    expect(() => parseArgs(["--offline", "--plan-dir", "x"])).toThrow("--offline and --plan-dir exclude each other: --plan-dir reviews plans that already exist");
  });

  test("a flag without its value is a usage error", () => {
    expect(() => parseArgs(["--out"])).toThrow("--out needs a value");
  });

  test("an unknown argument exits 1 without synthesizing", async () => {
    const synthesize = jest.fn(() => "never");
    expect(await runReview(["--plan"], { synthesize, log: () => undefined })).toBe(1);
    expect(synthesize).not.toHaveBeenCalled();
  });

  test("a plan directory that does not exist makes the review fail with exit 1", () => {
    const result = review(["--plan-dir", "/nonexistent/plans"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("review failed: plan directory /nonexistent/plans does not exist");
  });

  test("plans without blocking findings exit 0, and the Markdown goes to the --out file", () => {
    // GIVEN a plan directory where ml-dev-infra has no change
    const dir = planDir({ "ml-dev-infra": noChangePlan() });
    const out = path.join(dir, "review.md");
    // WHEN the review script runs on it
    const result = review(["--plan-dir", dir, "--out", out]);
    // THEN it exits 0; stacks without a plan file are reported as not planned
    expect(result.status).toBe(0);
    const md = fs.readFileSync(out, "utf8");
    expect(md).toContain("**No blocking finding:**");
    expect(md).toContain("(1) Not planned: no <stack>.json plan file for it in the plan directory.");
    expect(md).toContain("| prod | `ml-prod-infra` | – | – | – | – | not planned (1) |");
  });

  test("a stateful replacement exits 2 and the JSON names the resource", () => {
    const dir = planDir({ "ml-dev-infra": keyReplacementPlan() });
    const json = path.join(dir, "review.json");
    const result = review(["--plan-dir", dir, "--out", path.join(dir, "review.md"), "--json", json]);
    expect(result.status).toBe(2);
    expect(JSON.parse(fs.readFileSync(json, "utf8")).blocking).toMatchObject([
      {
        stack: "ml-dev-infra",
        address: "aws_kms_key.kms_key_28C05A0F",
        replacePaths: ["customer_master_key_spec"],
        actionReason: "replace_because_cannot_update",
        constructPath: "ml-dev-infra/kms/key",
      },
    ]);
  });

  test("plans saved with --save-plans serve as --base, and the cost table shows the delta", () => {
    // GIVEN the base branch's plan has one NAT gateway and the head's two
    const nat = (name: string) => ({
      address: `aws_nat_gateway.${name}`,
      mode: "managed" as const,
      type: "aws_nat_gateway",
      name,
      change: { actions: ["create"], before: null, after: {}, after_unknown: {}, before_sensitive: false, after_sensitive: {} },
    });
    const base = planDir({ "ml-dev-infra": { ...noChangePlan(), resource_changes: [nat("a")] } });
    const head = planDir({ "ml-dev-infra": { ...noChangePlan(), resource_changes: [nat("a"), nat("b")] } });
    const saved = path.join(base, "saved");
    expect(review(["--plan-dir", base, "--out", path.join(base, "r.md"), "--save-plans", saved]).status).toBe(0);
    // WHEN the head is reviewed against the saved base plans
    const out = path.join(head, "r.md");
    expect(review(["--plan-dir", head, "--base", saved, "--out", out]).status).toBe(0);
    // THEN dev's baseline grows by one gateway
    expect(fs.readFileSync(out, "utf8")).toContain("| dev | $65.70 | +$32.85 |");
  });

  test("a file that is not a terraform show -json plan makes the review fail with exit 1", () => {
    const dir = planDir({});
    fs.writeFileSync(path.join(dir, "ml-dev-infra.json"), JSON.stringify({ resources: [] }));
    const result = review(["--plan-dir", dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("is not a plan written by terraform show -json (no format_version)");
  });

  test("the package bin runs in this repository and prints its usage", () => {
    const result = spawnSync(process.execPath, [path.join(ROOT, "bin", "cdktf-ml-review.js"), "--help"], { cwd: ROOT, encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: cdktf-ml-review [--offline | --plan-dir DIR] [--base DIR | --base-ref REF] [--out FILE] [--json FILE]");
  });

  test("the package bin synthesizes the app of cdktf.json and reviews plans from a directory", () => {
    const dir = planDir({ "ml-dev-infra": keyReplacementPlan() });
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "review-bin-out-"));
    const result = spawnSync(process.execPath, [path.join(ROOT, "bin", "cdktf-ml-review.js"), "--plan-dir", dir, "--out", path.join(dir, "r.md")], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, CDKTF_OUTDIR: outdir },
    });
    expect(result.status).toBe(2);
    expect(fs.readFileSync(path.join(dir, "r.md"), "utf8")).toContain("**`aws_kms_key.kms_key_28C05A0F`** in `ml-dev-infra` (dev) would be **replaced**");
  });
});
