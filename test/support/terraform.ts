import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { OfflineTerraform, TerraformPlan, ValidateResult } from "../../lib/terraform/offline";

const CANDIDATES = ["/opt/tf-plugins", "/usr/share/terraform/plugins", "/usr/local/share/terraform/plugins", `${process.env.HOME}/.terraform.d/plugins`];

/**
 * The filesystem mirror holding hashicorp/aws: TF_PLUGIN_MIRROR when set (.ci/run sets
 * it), else the first well-known location that has the aws provider.
 */
export function pluginMirror(): string | undefined {
  if (process.env.TF_PLUGIN_MIRROR) return process.env.TF_PLUGIN_MIRROR;
  return CANDIDATES.find((dir) => fs.existsSync(path.join(dir, "registry.terraform.io", "hashicorp", "aws")));
}

export function terraformAvailable(): boolean {
  try {
    execFileSync("terraform", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const missing = !terraformAvailable() ? "terraform is not on the PATH" : !pluginMirror() ? "no filesystem mirror of hashicorp/aws was found (set TF_PLUGIN_MIRROR)" : undefined;
if (missing) {
  // Loud on purpose: these are the suite's strongest checks. .ci/run fails instead of skipping.
  process.stderr.write(`\n*** SKIPPING REAL TERRAFORM TESTS: ${missing} ***\n\n`);
}

/** `describe` for tests that need real Terraform: skipped, loudly, where it is missing. */
export const describeWithTerraform: jest.Describe = missing ? describe.skip : describe;

export interface OfflineRun {
  readonly validate: ValidateResult;
  readonly plan: TerraformPlan;
  readonly terraform: OfflineTerraform;
}

/** Synthesizes the app and returns the directory of one stack. */
export function synthStackDir(app: App, stackName: string): string {
  app.synth();
  const dir = path.join(app.outdir, "stacks", stackName);
  if (!fs.existsSync(path.join(dir, "cdk.tf.json"))) throw new Error(`stack ${stackName} was not synthesized into ${app.outdir}`);
  return dir;
}

const CACHE = path.resolve(__dirname, "..", "..", "node_modules", ".cache", "offline-plans");

/**
 * The offline plan of a synthesized stack, validated first. Plans are cached by the
 * SHA-256 of the stack's exact Terraform JSON (and the Terraform version), so test files
 * that plan the same stack share one real plan per run; a changed stack is planned
 * anew. A fresh clone (CI) has no cache. ML_PLAN_CACHE=0 turns the cache off.
 */
export async function cachedPlan(stackDir: string): Promise<TerraformPlan> {
  const content = fs.readFileSync(path.join(stackDir, "cdk.tf.json"));
  const version = execFileSync("terraform", ["version", "-json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const key = createHash("sha256").update(content).update(version).digest("hex");
  const file = path.join(CACHE, `${key}.json`);
  if (process.env.ML_PLAN_CACHE !== "0" && fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8"));
  const { plan, terraform } = await validateAndPlan(stackDir);
  terraform.dispose();
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify(plan));
  fs.renameSync(`${file}.${process.pid}`, file);
  return plan;
}

/** Runs `fn` over `items` with at most `limit` at a time (terraform plans: one per core). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Runs terraform init, validate and plan offline on a synthesized stack directory. */
export async function validateAndPlan(stackDir: string): Promise<OfflineRun> {
  const terraform = new OfflineTerraform(stackDir, { pluginMirror: pluginMirror() });
  const validate = await terraform.validate();
  if (!validate.valid) {
    throw new Error(`terraform validate failed for ${stackDir}:\n${validate.diagnostics.map((d) => `${d.severity}: ${d.summary} ${d.detail ?? ""}`).join("\n")}`);
  }
  const plan = await terraform.plan();
  return { validate, plan, terraform };
}

/** Resource types the plan would create, with counts. */
export function plannedTypes(plan: TerraformPlan): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== "managed") continue;
    counts[rc.type] = (counts[rc.type] ?? 0) + 1;
  }
  return counts;
}
