import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OfflineTerraform, ResourceChange, TerraformPlan } from "../terraform/offline";
import { TerraformStateV4 } from "../terraform/state-from-plan";
import { UpgradeHarness, withoutPreventDestroy } from "../terraform/upgrade-harness";
import { OfflinePlanOptions, SynthesizedStack, mapLimit, offlineBlocker, resourceCount, terraformError } from "./planner";
import { ReviewStack, StackConfig, reviewStack } from "./stack";

/**
 * Offline review against the base: every AWS-only stack of the change is planned by real
 * Terraform against a state simulated from the base's synthesized stack (the upgrade
 * harness converges it), so that replacements, deletions and `prevent_destroy` refusals
 * show as they would on the deployed environment, without credentials.
 *
 * - a stack identical to the base's is not planned again: against a state converged from
 *   that very configuration Terraform plans no change (the harness stops converging only
 *   then). Its plan is the empty-state plan with every action `no-op`, for the cost table;
 * - a stack the base does not have is planned on an empty state: it really is new;
 * - a stack Terraform refuses to plan because of `prevent_destroy` is planned again
 *   without it, to show everything the change would do, and carries the refusal.
 */
export async function planOfflineAgainstBase(head: readonly SynthesizedStack[], base: readonly ReviewStack[], options: OfflinePlanOptions = {}): Promise<ReviewStack[]> {
  const baseByName = new Map(base.map((s) => [s.name, s]));
  return mapLimit(
    head,
    options.concurrency ?? 2,
    async (s) => {
      const blocker = offlineBlocker(s.config);
      if (blocker) return reviewStack(s.name, { config: s.config, notPlanned: blocker });
      const started = Date.now();
      const before = baseByName.get(s.name);
      try {
        if (!before?.config || offlineBlocker(before.config)) {
          const plan = await emptyStatePlan(s.dir, options);
          options.log?.(`planned ${s.name} offline (new stack: empty state) in ${seconds(started)} s`);
          return reviewStack(s.name, { config: s.config, plan, basis: "empty-state" });
        }
        if (sameConfiguration(before.config, s.config)) {
          const plan = unchangedPlan(before.plan ?? (await emptyStatePlan(s.dir, options)));
          options.log?.(`${s.name} is identical to the base: no changes (${seconds(started)} s)`);
          return reviewStack(s.name, { config: s.config, plan, basis: "unchanged" });
        }
        const state = await convergedState(s.name, before.config, options);
        const { plan, refusal } = await planAgainstState(s, state, options);
        options.log?.(`planned ${s.name} offline against the base's simulated state in ${seconds(started)} s${refusal ? " (refused by prevent_destroy)" : ""}`);
        return reviewStack(s.name, { config: s.config, plan, basis: "base-state", ...(refusal ? { refusal } : {}) });
      } catch (err) {
        options.log?.(`plan of ${s.name} failed`);
        return reviewStack(s.name, { config: s.config, error: terraformError(err), basis: before ? "base-state" : "empty-state" });
      }
    },
    (s) => {
      if (offlineBlocker(s.config)) return 0;
      const before = baseByName.get(s.name)?.config;
      // A changed stack costs about three plans (the base's on an empty state, the check
      // that the simulated state converged, the change's own), any other one plan.
      const changed = before !== undefined && !offlineBlocker(before) && !sameConfiguration(before, s.config);
      return (changed ? 3 : 1) * (1 + resourceCount(s.config));
    },
  );
}

/**
 * True when two synthesized stacks are the same Terraform configuration for a plan. The
 * backend is left out: the offline harness replaces it, and cdktf writes a local
 * backend's path as an absolute path, which differs between two checkouts of one app.
 */
export function sameConfiguration(a: StackConfig, b: StackConfig): boolean {
  return canonical(a) === canonical(b);
}

/**
 * The plan of an unchanged configuration against a state converged from it: every
 * resource as it is (`no-op`, before = after), from the plan of the same configuration
 * on an empty state. Data sources and deletions are left out.
 */
export function unchangedPlan(plan: TerraformPlan): TerraformPlan {
  // A saved plan may itself have been made against a state (a later --base): what it deleted is gone.
  const resourceChanges = (plan.resource_changes ?? [])
    .filter((rc) => rc.mode === "managed" && !(rc.change.actions.length === 1 && rc.change.actions[0] === "delete"))
    .map((rc): ResourceChange => ({
      ...rc,
      change: {
        ...rc.change,
        actions: ["no-op"],
        before: rc.change.after,
        before_sensitive: rc.change.after_sensitive,
        after_unknown: {},
      },
    }));
  const { prior_state: _prior, ...rest } = plan;
  return { ...rest, resource_changes: resourceChanges };
}

// Converged states by the digest of the base configuration (provider versions included:
// cdktf pins them in required_providers) and the Terraform version. The harness is
// deterministic (fake values derive from addresses), so a state converged once serves every
// later review against the same base: in memory for this process, on disk across runs.
const converged = new Map<string, Promise<TerraformStateV4>>();
let terraformVersion: string | undefined;

/** Where converged states are kept between runs; ML_REVIEW_STATE_CACHE=0 turns the disk cache off. */
export function stateCacheDir(): string | undefined {
  const setting = process.env.ML_REVIEW_STATE_CACHE;
  if (setting === "0") return undefined;
  return setting || path.join(os.tmpdir(), "offline-tf-states");
}

async function convergedState(name: string, config: StackConfig, options: OfflinePlanOptions): Promise<TerraformStateV4> {
  terraformVersion ??= (() => {
    try {
      return execFileSync("terraform", ["version", "-json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    } catch {
      return "unknown";
    }
  })();
  const key = createHash("sha256").update(canonical(config)).update(terraformVersion).digest("hex");
  let state = converged.get(key);
  if (!state) {
    const cacheDir = stateCacheDir();
    const file = cacheDir ? path.join(cacheDir, `${key}.json`) : undefined;
    state = (async () => {
      if (file && fs.existsSync(file)) {
        options.log?.(`simulated state of the base's ${name} from the cache (${file})`);
        return JSON.parse(fs.readFileSync(file, "utf8")) as TerraformStateV4;
      }
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-base-"));
      try {
        fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(config));
        const started = Date.now();
        const harness = await UpgradeHarness.converge(dir, { pluginMirror: options.pluginMirror });
        try {
          options.log?.(`simulated state of the base's ${name}: converged in ${harness.baseline.rounds} round${harness.baseline.rounds === 1 ? "" : "s"}, ${seconds(started)} s`);
          if (file) {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(`${file}.${process.pid}`, JSON.stringify(harness.baselineState));
            fs.renameSync(`${file}.${process.pid}`, file);
          }
          return harness.baselineState;
        } finally {
          harness.dispose();
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    })();
    converged.set(key, state);
    state.catch(() => converged.delete(key));
  }
  return state;
}

/** `terraform plan -refresh=false` of the head stack against the simulated state; on a prevent_destroy refusal, planned again without it. */
async function planAgainstState(stack: SynthesizedStack, state: TerraformStateV4, options: OfflinePlanOptions): Promise<{ plan: TerraformPlan; refusal?: string }> {
  const terraform = new OfflineTerraform(stack.dir, { pluginMirror: options.pluginMirror });
  try {
    fs.writeFileSync(path.join(terraform.workDir, "terraform.tfstate"), JSON.stringify(state));
    try {
      return { plan: await terraform.plan(["-refresh=false"]) };
    } catch (err) {
      const refusal = terraformError(err);
      if (!/lifecycle\.prevent_destroy/.test(refusal)) throw err;
      fs.writeFileSync(path.join(terraform.workDir, "cdk.tf.json"), JSON.stringify(withoutPreventDestroy(stack.config)));
      return { plan: await terraform.plan(["-refresh=false"]), refusal };
    }
  } finally {
    terraform.dispose();
  }
}

async function emptyStatePlan(dir: string, options: OfflinePlanOptions): Promise<TerraformPlan> {
  const terraform = new OfflineTerraform(dir, { pluginMirror: options.pluginMirror });
  try {
    return await terraform.plan();
  } finally {
    terraform.dispose();
  }
}

/** JSON with sorted keys, without cdktf's metadata comments (`//`) and the backend (see sameConfiguration). */
function canonical(config: StackConfig): string {
  const { backend: _backend, ...terraform } = (config.terraform ?? {}) as Record<string, unknown>;
  return canonicalJson({ ...config, terraform });
}

function canonicalJson(value: unknown): string {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .filter((k) => k !== "//")
          .sort()
          .map((k) => [k, strip((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(strip(value));
}

function seconds(started: number): string {
  return ((Date.now() - started) / 1000).toFixed(1);
}
