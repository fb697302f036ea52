import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { OfflineTerraform, TerraformPlan } from "../terraform/offline";
import { maskPlan } from "./mask";
import { ReviewStack, StackConfig, compareText, reviewStack } from "./stack";

const run = promisify(execFile);

/** A synthesized stack: its name, directory and parsed `cdk.tf.json`. */
export interface SynthesizedStack {
  readonly name: string;
  readonly dir: string;
  readonly config: StackConfig;
}

/** Every stack of a cdktf output directory (`cdktf.out`), by name. */
export function readSynthesized(outdir: string): SynthesizedStack[] {
  const stacksDir = path.join(outdir, "stacks");
  if (!fs.existsSync(stacksDir)) throw new Error(`no synthesized stacks in ${outdir} (expected ${stacksDir})`);
  // The manifest lists the stacks of the last synth; directories of removed stacks linger.
  const manifest = path.join(outdir, "manifest.json");
  const names = fs.existsSync(manifest) ? Object.keys(JSON.parse(fs.readFileSync(manifest, "utf8")).stacks ?? {}) : fs.readdirSync(stacksDir);
  return names
    .filter((name) => fs.existsSync(path.join(stacksDir, name, "cdk.tf.json")))
    .sort(compareText)
    .map((name) => {
      const dir = path.join(stacksDir, name);
      return { name, dir, config: JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8")) };
    });
}

/** Why the offline harness cannot plan a stack (providers other than aws need live endpoints), or undefined. */
export function offlineBlocker(config: StackConfig): string | undefined {
  const others = Object.keys(config.provider ?? {})
    .filter((p) => p !== "aws")
    .sort(compareText);
  if (others.length === 0) return undefined;
  return (
    `uses the ${others.join(" and ")} provider${others.length === 1 ? "" : "s"}, which need${others.length === 1 ? "s" : ""} the live cluster at plan time; ` +
    "only AWS-only stacks are planned offline (plan it with credentials, without --offline)"
  );
}

export interface PlanOptions {
  /** Plans run at once. @default 2 */
  readonly concurrency?: number;
  /** Progress lines. @default - silent */
  readonly log?: (line: string) => void;
}

export interface OfflinePlanOptions extends PlanOptions {
  /** @default - TF_PLUGIN_MIRROR; without it, providers are installed by `terraform init` as usual */
  readonly pluginMirror?: string;
}

/** Plans every AWS-only stack with the offline harness; other stacks are reported as not planned, with the reason. */
export async function planOffline(stacks: readonly SynthesizedStack[], options: OfflinePlanOptions = {}): Promise<ReviewStack[]> {
  return mapLimit(
    stacks,
    options.concurrency ?? 2,
    async (s) => {
      const blocker = offlineBlocker(s.config);
      if (blocker) return reviewStack(s.name, { config: s.config, notPlanned: blocker });
      const started = Date.now();
      const terraform = new OfflineTerraform(s.dir, { pluginMirror: options.pluginMirror });
      try {
        const plan = await terraform.plan();
        options.log?.(`planned ${s.name} offline in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return reviewStack(s.name, { config: s.config, plan, basis: "empty-state" });
      } catch (err) {
        options.log?.(`plan of ${s.name} failed`);
        return reviewStack(s.name, { config: s.config, error: terraformError(err) });
      } finally {
        terraform.dispose();
      }
    },
    (s) => (offlineBlocker(s.config) ? 0 : 1 + resourceCount(s.config)),
  );
}

/**
 * Plans every stack in its synthesized directory with the real backend and whatever
 * credentials the environment provides (`terraform init`, `plan`, `show -json`).
 */
export async function planWithCredentials(stacks: readonly SynthesizedStack[], options: PlanOptions = {}): Promise<ReviewStack[]> {
  return mapLimit(stacks, options.concurrency ?? 2, async (s) => {
    const tf = (args: string[]) =>
      run("terraform", args, {
        cwd: s.dir,
        maxBuffer: 512 * 1024 * 1024,
        env: { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" },
      });
    const started = Date.now();
    try {
      await tf(["init", "-input=false", "-no-color"]);
      await tf(["plan", "-input=false", "-no-color", "-out=review.tfplan"]);
      const { stdout } = await tf(["show", "-json", "-no-color", "review.tfplan"]);
      options.log?.(`planned ${s.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return reviewStack(s.name, { config: s.config, plan: JSON.parse(stdout) as TerraformPlan, basis: "real-state" });
    } catch (err) {
      options.log?.(`plan of ${s.name} failed`);
      return reviewStack(s.name, { config: s.config, error: terraformError(err) });
    } finally {
      fs.rmSync(path.join(s.dir, "review.tfplan"), { force: true });
    }
  });
}

/**
 * Reads plans made elsewhere: `<stack>.json` files as written by `terraform show -json`.
 * The synthesized stack comes from `<stack>.tf.json` beside the plan when present, else
 * from `synthesized` (the app's own synth); synthesized stacks without a plan file are
 * reported as not planned.
 */
export function readPlanDir(dir: string, synthesized: readonly SynthesizedStack[] = []): ReviewStack[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`plan directory ${dir} does not exist`);
  const byName = new Map(synthesized.map((s) => [s.name, s.config]));
  const planFiles = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.endsWith(".tf.json"))
    .sort(compareText);
  if (planFiles.length === 0) throw new Error(`plan directory ${dir} holds no <stack>.json plan files`);
  const stacks: ReviewStack[] = planFiles.map((file) => {
    const name = file.slice(0, -".json".length);
    const plan = readJson(path.join(dir, file)) as TerraformPlan;
    if (!plan || typeof plan !== "object" || !("format_version" in plan)) {
      throw new Error(`${path.join(dir, file)} is not a plan written by terraform show -json (no format_version)`);
    }
    const configFile = path.join(dir, `${name}.tf.json`);
    const config = fs.existsSync(configFile) ? (readJson(configFile) as StackConfig) : byName.get(name);
    return reviewStack(name, { plan, basis: "plan-file", ...(config ? { config } : {}) });
  });
  const planned = new Set(stacks.map((s) => s.name));
  for (const s of synthesized) {
    if (!planned.has(s.name)) stacks.push(reviewStack(s.name, { config: s.config, notPlanned: "no <stack>.json plan file for it in the plan directory" }));
  }
  return stacks;
}

/**
 * Writes each planned stack's masked plan and every stack's synthesized JSON (planned or
 * not: the base of a later review needs them all), in the layout readBaseDir reads.
 */
export function savePlans(dir: string, stacks: readonly ReviewStack[]): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const s of stacks) {
    if (s.plan) fs.writeFileSync(path.join(dir, `${s.name}.json`), JSON.stringify(maskPlan(s.plan)) + "\n");
    if (s.config) fs.writeFileSync(path.join(dir, `${s.name}.tf.json`), JSON.stringify(s.config, null, 2) + "\n");
  }
}

/**
 * The base of a review (`--base DIR`): every `<stack>.tf.json` (synthesized stack) and
 * `<stack>.json` (plan) of the directory, as written by `--save-plans` or copied from a
 * synth. A stack with only its synthesized JSON is not planned (the simulated state is
 * built from the JSON); a directory of plans alone still gives cost deltas.
 */
export function readBaseDir(dir: string): ReviewStack[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`base directory ${dir} does not exist`);
  const files = fs.readdirSync(dir);
  const names = [...new Set(files.filter((f) => f.endsWith(".json")).map((f) => f.replace(/(\.tf)?\.json$/, "")))].sort(compareText);
  if (names.length === 0) throw new Error(`base directory ${dir} holds no <stack>.tf.json or <stack>.json files`);
  return names.map((name) => {
    const planFile = path.join(dir, `${name}.json`);
    const configFile = path.join(dir, `${name}.tf.json`);
    const plan = fs.existsSync(planFile) ? (readJson(planFile) as TerraformPlan) : undefined;
    if (plan && (typeof plan !== "object" || !("format_version" in plan))) throw new Error(`${planFile} is not a plan written by terraform show -json (no format_version)`);
    const config = fs.existsSync(configFile) ? (readJson(configFile) as StackConfig) : undefined;
    return reviewStack(name, { ...(plan ? { plan } : { notPlanned: "the base holds no plan of it" }), ...(config ? { config } : {}) });
  });
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Terraform's own error output, without the local paths of a temporary work directory. */
export function terraformError(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  const text = e.stderr || e.message || String(err);
  return text.replace(/ in \/\S+ \(exit/g, " (exit").trim();
}

/**
 * `fn` over every item, at most `limit` at once, results in the items' order. With `cost`,
 * the costliest items start first (longest processing time first): a long plan started
 * last would otherwise run alone at the end while the other workers idle.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>, cost?: (item: T) => number): Promise<R[]> {
  const results = new Array<R>(items.length);
  const order = items.map((_, i) => i);
  if (cost) {
    const costs = items.map(cost);
    order.sort((a, b) => costs[b] - costs[a] || a - b);
  }
  let next = 0;
  const worker = async () => {
    while (next < order.length) {
      const i = order[next++];
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Managed resources of a synthesized stack: what a plan of it costs, roughly. */
export function resourceCount(config: StackConfig): number {
  return Object.values((config.resource ?? {}) as Record<string, object>).reduce((n: number, byName) => n + Object.keys(byName).length, 0);
}
