import type { StackEnvironmentMetadata } from "../core/stacks";
import { TerraformPlan } from "../terraform/offline";
import { maskPlan } from "./mask";

/** A synthesized stack (`cdk.tf.json`), parsed. */
export type StackConfig = Record<string, any>;

/** The environment a stack belongs to: its recorded metadata, else what its name tells. */
export interface ReviewEnvironment {
  readonly name: string;
  /** Absent for stacks synthesized without the library's InfraStack/PlatformStack. */
  readonly metadata?: StackEnvironmentMetadata;
}

export type StackStatus = "planned" | "not-planned" | "failed";

/**
 * What a stack's plan was made against, which decides what it can show:
 * - `empty-state`: an offline plan with no state; it can only show creations.
 * - `base-state`: an offline plan against a state simulated from the base's synthesized stack (UpgradeHarness).
 * - `unchanged`: the synthesized stack is identical to the base's: no changes, not re-planned.
 * - `real-state`: `terraform plan` with credentials against the stack's real state.
 * - `plan-file`: a plan made elsewhere (`--plan-dir`); the review cannot tell against what.
 */
export type PlanBasis = "empty-state" | "base-state" | "unchanged" | "real-state" | "plan-file";

/** One stack as the review sees it. */
export interface ReviewStack {
  readonly name: string;
  readonly environment: ReviewEnvironment;
  /** The stack's role in its environment (`infra`, `bootstrap`...): stacks of the same layer are compared for parity. */
  readonly layer: string;
  readonly status: StackStatus;
  /** Why the stack was not planned, or how its plan failed. */
  readonly reason?: string;
  /** The plan with sensitive values masked. */
  readonly plan?: TerraformPlan;
  /** The synthesized stack, when available: lifecycle settings, construct paths, policy checks. */
  readonly config?: StackConfig;
  /** What the plan was made against. @default - unknown */
  readonly basis?: PlanBasis;
  /**
   * Terraform's refusal of the plan because of `prevent_destroy`; `plan` is then the same
   * change planned without `prevent_destroy`, to show everything it would do.
   */
  readonly refusal?: string;
}

export interface ReviewStackOptions {
  /** How the plan was made. @default - an empty-state offline plan */
  readonly basis?: PlanBasis;
  /** Terraform's refusal (prevent_destroy) of the change. @default - none */
  readonly refusal?: string;
  /** The stack's plan. @default - none: the stack was not planned */
  readonly plan?: TerraformPlan;
  /** The synthesized configuration. @default - none */
  readonly config?: StackConfig;
  /** Set when the stack was deliberately not planned. @default - planned */
  readonly notPlanned?: string;
  /** Set when planning failed: Terraform's error output. @default - no error */
  readonly error?: string;
}

/** Builds the review's view of a stack; the plan is masked here, before anything reads it. */
export function reviewStack(name: string, options: ReviewStackOptions): ReviewStack {
  const metadata = options.config?.["//"]?.environment as StackEnvironmentMetadata | undefined;
  const { environment, layer } = metadata ? fromMetadata(name, metadata) : fromName(name);
  const status: StackStatus = options.error !== undefined ? "failed" : options.plan ? "planned" : "not-planned";
  const reason = options.error ?? (status === "not-planned" ? (options.notPlanned ?? "no plan was given") : undefined);
  return {
    name,
    environment,
    layer,
    status,
    ...(reason !== undefined ? { reason } : {}),
    ...(options.plan && status === "planned" ? { plan: maskPlan(options.plan) } : {}),
    ...(options.config ? { config: options.config } : {}),
    ...(options.basis ? { basis: options.basis } : {}),
    ...(options.refusal && status === "planned" ? { refusal: options.refusal } : {}),
  };
}

function fromMetadata(name: string, metadata: StackEnvironmentMetadata): { environment: ReviewEnvironment; layer: string } {
  const prefix = `${metadata.project}-${metadata.name}-`;
  return { environment: { name: metadata.name, metadata }, layer: name.startsWith(prefix) ? name.slice(prefix.length) : name };
}

/** `<project>-<environment>-<layer>`, the library's naming convention; anything else is its own environment. */
function fromName(name: string): { environment: ReviewEnvironment; layer: string } {
  const parts = name.split("-");
  if (parts.length < 3) return { environment: { name }, layer: name };
  return { environment: { name: parts.slice(1, -1).join("-") }, layer: parts[parts.length - 1] };
}

/** Splits `aws_db_instance.registry_db_1A2B[0]` (or `data.…`, `module.m.…`) into type and name. */
export function parseAddress(address: string): { type: string; name: string } {
  const parts = address.replace(/\[[^\]]*\]$/, "").split(".");
  return { type: parts[parts.length - 2] ?? "", name: parts[parts.length - 1] };
}

/** The synthesized resource block behind an address. */
export function configuredResource(config: StackConfig | undefined, address: string): Record<string, any> | undefined {
  if (!config) return undefined;
  const { type, name } = parseAddress(address);
  return config.resource?.[type]?.[name];
}

/** The construct path that created a resource (`ml-prod-infra/network/vpc`), when the synthesized stack is known. */
export function constructPath(config: StackConfig | undefined, address: string): string | undefined {
  return configuredResource(config, address)?.["//"]?.metadata?.path;
}

const TIER_ORDER: Readonly<Record<string, number>> = { development: 0, staging: 1, production: 2 };

/** Environments in the order a reviewer reads them: development, staging, production, then by name. */
export function environmentOrder(a: ReviewEnvironment, b: ReviewEnvironment): number {
  const rank = (x: ReviewEnvironment) => (x.metadata ? (TIER_ORDER[x.metadata.tier] ?? 3) : 3);
  return rank(a) - rank(b) || compareText(a.name, b.name);
}

/** Locale-independent ordering, so that the review is the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Distinct environments of the stacks, in review order. */
export function environmentsOf(stacks: readonly ReviewStack[]): ReviewEnvironment[] {
  const seen = new Map<string, ReviewEnvironment>();
  for (const s of stacks) if (!seen.has(s.environment.name) || s.environment.metadata) seen.set(s.environment.name, s.environment);
  return [...seen.values()].sort(environmentOrder);
}
