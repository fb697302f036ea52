import { execFileSync } from "child_process";
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
