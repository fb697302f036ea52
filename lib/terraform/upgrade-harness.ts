import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isStatefulType } from "../core/stateful-resources";
import { OfflineTerraform, OfflineTerraformOptions, ResourceChange, TerraformPlan } from "./offline";
import { digest } from "./private/fake-values";
import { ProviderSchemas, TerraformStateV4, stateFromPlan } from "./state-from-plan";

/** What Terraform would do to one existing resource. */
export type UpgradeAction = "create" | "update" | "replace" | "delete";

export interface AddressChange {
  readonly address: string;
  readonly type: string;
  readonly action: UpgradeAction;
  /** True when the type is in the stateful catalog (lib/core/stateful-resources.ts). */
  readonly stateful: boolean;
  /** For replacements: the attributes that force the new resource, as Terraform reports them. */
  readonly replacePaths?: readonly string[];
}

export interface UpgradeReport {
  /** Every resource that would change, sorted by address; unchanged resources are left out. */
  readonly changes: readonly AddressChange[];
  /**
   * Set when Terraform refuses the plan because it would destroy a resource with
   * `lifecycle.prevent_destroy`; `changes` then lists what the plan would have done.
   */
  readonly refusal?: { readonly addresses: readonly string[]; readonly message: string };
  /** Seconds the plan took. */
  readonly seconds: number;
}

export interface ConvergedBaseline {
  /** `terraform plan` rounds until the plan against the fake state showed no changes (round 0 is the plan on an empty state). */
  readonly rounds: number;
  /** Resource changes each round still found (the last is 0). */
  readonly changesPerRound: readonly number[];
  readonly seconds: number;
}

export interface UpgradeHarnessOptions extends OfflineTerraformOptions {
  /** Plan rounds before giving up on convergence. @default 8 */
  readonly maxRounds?: number;
  /** Account ID in fake ARNs. @default - the account found in the stack's IAM ARNs */
  readonly accountId?: string;
  /** Keep the work directory (state, plan, configuration) when convergence fails, to debug it. @default false */
  readonly keepWorkDirOnFailure?: boolean;
  /** Progress lines (one per terraform round). @default - silent */
  readonly log?: (line: string) => void;
}

/** Addresses that `prevent_destroy` protects, from Terraform's "Instance cannot be destroyed" errors. */
export function preventDestroyAddresses(terraformOutput: string): string[] {
  return [...new Set([...terraformOutput.matchAll(/Resource (\S+) has lifecycle\.prevent_destroy set/g)].map((m) => m[1]))];
}

/**
 * Shows what real Terraform would do to an existing environment when the code changes,
 * with no AWS account: the stack is planned offline, the plan turned into a state file
 * (planned values plus deterministic fake IDs and ARNs), and `terraform plan
 * -refresh=false` repeated, rewriting the state, until it shows no changes. A changed
 * configuration is then planned against that state; Terraform's own answer says which
 * resources would be updated in place, replaced, created or deleted.
 *
 *     const harness = await UpgradeHarness.converge("cdktf.out/stacks/ml-dev-infra");
 *     const report = await harness.planChange("cdktf.out.next/stacks/ml-dev-infra");
 *     harness.dispose();
 *
 * Convergence plans the configuration without `prevent_destroy` (on the way to a
 * stable state Terraform may want to replace resources whose fake references it has
 * not resolved yet); the baseline check and every change are planned with the stack's
 * own lifecycle settings, so a protected environment refuses a destructive change as
 * it would for real.
 */
export class UpgradeHarness {
  /** Converges a fake state for the stack synthesized in `stackDir`. */
  public static async converge(stackDir: string, options: UpgradeHarnessOptions = {}): Promise<UpgradeHarness> {
    const harness = new UpgradeHarness(stackDir, options);
    try {
      await harness.convergeState();
    } catch (err) {
      if (!options.keepWorkDirOnFailure) harness.dispose();
      throw err;
    }
    return harness;
  }

  public readonly terraform: OfflineTerraform;
  private readonly configuration: Record<string, unknown>;
  private readonly maxRounds: number;
  private readonly accountId?: string;
  private readonly log: (line: string) => void;
  private state?: TerraformStateV4;
  private convergedBaseline?: ConvergedBaseline;

  private constructor(stackDir: string, options: UpgradeHarnessOptions) {
    this.terraform = new OfflineTerraform(stackDir, options);
    this.configuration = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
    this.maxRounds = options.maxRounds ?? 8;
    this.accountId = options.accountId;
    this.log = options.log ?? (() => undefined);
  }

  /** How the baseline converged. */
  public get baseline(): ConvergedBaseline {
    if (!this.convergedBaseline) throw new Error("UpgradeHarness: not converged");
    return this.convergedBaseline;
  }

  /** The converged state (format version 4). */
  public get baselineState(): TerraformStateV4 {
    if (!this.state) throw new Error("UpgradeHarness: not converged");
    return this.state;
  }

  /** Plans the stack's own configuration against the converged state: no changes expected. */
  public async planBaseline(): Promise<UpgradeReport> {
    return this.planConfiguration(this.configuration);
  }

  /** Plans the stack synthesized in `changedStackDir` against the converged state. */
  public async planChange(changedStackDir: string): Promise<UpgradeReport> {
    return this.planConfiguration(JSON.parse(fs.readFileSync(path.join(changedStackDir, "cdk.tf.json"), "utf8")));
  }

  /** Plans a Terraform JSON configuration (the same stack, changed) against the converged state. */
  public async planConfiguration(configuration: Record<string, unknown>): Promise<UpgradeReport> {
    const started = Date.now();
    this.writeConfiguration(configuration);
    this.writeState(this.baselineState);
    let refusal: UpgradeReport["refusal"];
    let planned: StreamedPlan;
    try {
      planned = await this.streamPlan(["-refresh=false"]);
    } catch (err) {
      const message = (err as Error).message;
      const refused = preventDestroyAddresses(message);
      if (refused.length === 0) throw err;
      refusal = { addresses: refused, message: diagnosticText(message) };
      // Show what the refused plan would have done: the same plan without prevent_destroy.
      this.writeConfiguration(withoutPreventDestroy(configuration));
      planned = await this.streamPlan(["-refresh=false"]);
    }
    let changes = planned.changes;
    if (changes.some((c) => c.action === "replace")) {
      // Only the saved plan says which attributes force a replacement.
      changes = upgradeChangesOf(await this.show(planned.planFile));
    }
    return { changes, ...(refusal ? { refusal } : {}), seconds: (Date.now() - started) / 1000 };
  }

  /** Removes the work directory. */
  public dispose(): void {
    this.terraform.dispose();
  }

  private async convergeState(): Promise<void> {
    const started = Date.now();
    this.writeConfiguration(withoutPreventDestroy(this.configuration));
    await this.terraform.init();
    const schemas = await providerSchemas(this.terraform);
    let plan = await this.terraform.plan();
    const changesPerRound = [managedChanges(plan).length];
    this.log(`round 0: ${changesPerRound[0]} changes on an empty state (${(Date.now() - started) / 1000}s)`);
    for (let round = 1; ; round++) {
      const state = stateFromPlan(plan, schemas, { serial: round, accountId: this.accountId });
      this.writeState(state);
      const streamed = await this.streamPlan(["-refresh=false"]);
      changesPerRound.push(streamed.changes.length);
      this.log(
        `round ${round}: ${streamed.changes.length} changes (${(Date.now() - started) / 1000}s)${streamed.changes
          .slice(0, 5)
          .map((c) => ` ${c.action} ${c.address}`)
          .join(",")}`,
      );
      if (streamed.changes.length === 0) {
        this.state = state;
        this.convergedBaseline = { rounds: round, changesPerRound, seconds: (Date.now() - started) / 1000 };
        return;
      }
      plan = await this.show(streamed.planFile);
      if (round >= this.maxRounds) {
        const detail = managedChanges(plan)
          .slice(0, 20)
          .map((rc) => `  ${rc.change.actions.join("+")} ${rc.address}: ${changedAttributes(rc).join(", ")}`)
          .join("\n");
        throw new Error(`UpgradeHarness: the fake state did not converge in ${this.maxRounds} rounds; still changing:\n${detail}`);
      }
    }
  }

  /**
   * `terraform plan -json` (the machine-readable UI stream), saving the plan: the actions
   * per address come from the stream, so that `terraform show` (a second provider start)
   * runs only when planned values or replacement paths are needed.
   */
  private async streamPlan(extra: string[]): Promise<StreamedPlan> {
    const planFile = "harness.tfplan";
    const { stdout } = await this.terraform.terraform(["plan", "-input=false", "-no-color", "-lock=false", "-json", `-out=${planFile}`, ...extra]);
    const changes: AddressChange[] = [];
    for (const line of stdout.split("\n")) {
      if (!line.startsWith("{")) continue;
      const event = JSON.parse(line);
      if (event.type !== "planned_change") continue;
      const resource = event.change?.resource ?? {};
      const action = event.change?.action as string;
      if (typeof resource.addr !== "string" || resource.addr.startsWith("data.") || resource.addr.includes(".data.")) continue;
      if (action !== "create" && action !== "update" && action !== "replace" && action !== "delete") continue;
      changes.push({ address: resource.addr, type: resource.resource_type, action, stateful: isStatefulType(resource.resource_type) });
    }
    return { planFile, changes: changes.sort((x, y) => x.address.localeCompare(y.address)) };
  }

  private async show(planFile: string): Promise<TerraformPlan> {
    const { stdout } = await this.terraform.terraform(["show", "-json", "-no-color", planFile]);
    return JSON.parse(stdout) as TerraformPlan;
  }

  private writeConfiguration(configuration: Record<string, unknown>): void {
    fs.writeFileSync(path.join(this.terraform.workDir, "cdk.tf.json"), JSON.stringify(configuration, null, 2));
  }

  private writeState(state: TerraformStateV4): void {
    fs.writeFileSync(path.join(this.terraform.workDir, "terraform.tfstate"), JSON.stringify(state, null, 2));
  }
}

interface StreamedPlan {
  readonly planFile: string;
  readonly changes: AddressChange[];
}

/** Terraform's error text from a failed `plan -json` (diagnostic summaries and details), else the raw message. */
function diagnosticText(message: string): string {
  const lines = message
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return undefined;
      }
    })
    .filter((e) => e?.type === "diagnostic" && e.diagnostic?.severity === "error")
    .map((e) => `Error: ${e.diagnostic.summary}: ${e.diagnostic.detail ?? ""}`.trim());
  return lines.length > 0 ? [...new Set(lines)].join("\n") : message;
}

/** The configuration with every `lifecycle.prevent_destroy` removed. */
export function withoutPreventDestroy(configuration: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(configuration));
  for (const byName of Object.values(copy.resource ?? {})) {
    for (const r of Object.values(byName as Record<string, any>)) {
      if (r?.lifecycle?.prevent_destroy !== undefined) delete r.lifecycle.prevent_destroy;
    }
  }
  return copy;
}

function managedChanges(plan: TerraformPlan): ResourceChange[] {
  return (plan.resource_changes ?? []).filter((rc) => rc.mode === "managed" && !(rc.change.actions.length === 1 && rc.change.actions[0] === "no-op"));
}

/** Per address, what a plan would do to existing resources. */
export function upgradeChangesOf(plan: TerraformPlan): AddressChange[] {
  return managedChanges(plan)
    .map((rc): AddressChange => {
      const a = rc.change.actions;
      const action: UpgradeAction = a.includes("delete") && a.includes("create") ? "replace" : a.includes("delete") ? "delete" : a.includes("create") ? "create" : "update";
      return {
        address: rc.address,
        type: rc.type,
        action,
        stateful: isStatefulType(rc.type),
        ...(action === "replace" && rc.change.replace_paths ? { replacePaths: rc.change.replace_paths.map((p) => p.join(".")) } : {}),
      };
    })
    .sort((x, y) => x.address.localeCompare(y.address));
}

/** Top-level attributes whose planned value differs from the prior one (for convergence errors). */
function changedAttributes(rc: ResourceChange): string[] {
  const before = (rc.change.before ?? {}) as Record<string, unknown>;
  const after = (rc.change.after ?? {}) as Record<string, unknown>;
  const unknown = (rc.change.after_unknown ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => unknown[k] === true || JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

const schemaCache = new Map<string, ProviderSchemas>();

/**
 * `terraform providers schema -json` of an initialized work directory, cached per
 * provider lock file in memory and in the temporary directory (the aws provider's schema
 * takes seconds to dump and is the same for every stack).
 */
export async function providerSchemas(terraform: OfflineTerraform): Promise<ProviderSchemas> {
  const lock = fs.readFileSync(path.join(terraform.workDir, ".terraform.lock.hcl"), "utf8");
  const key = digest(lock, 24);
  const cached = schemaCache.get(key);
  if (cached) return cached;
  const file = path.join(os.tmpdir(), "offline-tf-schemas", `${key}.json`);
  let schemas: ProviderSchemas;
  if (fs.existsSync(file)) {
    schemas = JSON.parse(fs.readFileSync(file, "utf8"));
  } else {
    const { stdout } = await terraform.terraform(["providers", "schema", "-json"]);
    const full = JSON.parse(stdout);
    // Keep only what the state builder reads: resource schemas.
    schemas = {
      provider_schemas: Object.fromEntries(Object.entries(full.provider_schemas ?? {}).map(([name, p]: [string, any]) => [name, { resource_schemas: p.resource_schemas }])),
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(schemas));
    fs.renameSync(tmp, file);
  }
  schemaCache.set(key, schemas);
  return schemas;
}
