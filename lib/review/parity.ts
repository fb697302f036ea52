import type { StackEnvironmentMetadata } from "../core/stacks";
import { ConditionRecord, conditionCovers, recordedConditions } from "../core/stack-records";
import { addressesAfter } from "./plan";
import { ReviewEnvironment, ReviewStack, compareText, constructPath, environmentsOf } from "./stack";

/**
 * A resource address (or a whole stack) present in some environments and not in others.
 * `explanation` says which part of the EnvironmentConfig causes it; a difference
 * without one is flagged: the construct tree differs for a reason no config declares.
 */
export interface ParityDifference {
  readonly layer: string;
  /** Undefined when the whole stack is missing in some environments. */
  readonly address?: string;
  readonly constructPath?: string;
  readonly presentIn: readonly string[];
  readonly missingIn: readonly string[];
  readonly explanation?: string;
}

export interface ParityReport {
  readonly environments: readonly string[];
  readonly differences: readonly ParityDifference[];
}

/** What an explainer sees: the difference and the environments on each side. */
export interface ParityCase {
  readonly layer: string;
  readonly address?: string;
  readonly constructPath?: string;
  readonly present: readonly ReviewEnvironment[];
  readonly missing: readonly ReviewEnvironment[];
  /** Construct paths (without the stack) of the layer's resources in an environment, to compare with siblings. */
  readonly pathsIn: (environment: string) => ReadonlySet<string>;
  /** What the layer's stack in an environment recorded about its conditional resources. */
  readonly recordsIn: (environment: string) => readonly ConditionRecord[];
}

/** Explains a difference by configuration, or returns undefined. */
export type ParityExplainer = (c: ParityCase) => string | undefined;

/**
 * Compares, layer by layer, the resource addresses of every environment's stack. The
 * synthesized stack is the source (it exists for stacks that were not planned, such as
 * in-cluster stacks offline); a plan alone is used when no synthesized stack is known.
 */
export function parity(stacks: readonly ReviewStack[], explainers: readonly ParityExplainer[] = DEFAULT_EXPLAINERS): ParityReport {
  const envs = environmentsOf(stacks);
  const layers = [...new Set(stacks.map((s) => s.layer))].sort(compareText);
  const differences: ParityDifference[] = [];
  const explain = (c: ParityCase) => explainers.map((x) => x(c)).find((e) => e !== undefined);
  for (const layer of layers) {
    const byEnv = new Map(stacks.filter((s) => s.layer === layer).map((s) => [s.environment.name, s]));
    if (envs.length < 2) continue;
    const present = envs.filter((e) => byEnv.has(e.name));
    const missing = envs.filter((e) => !byEnv.has(e.name));
    if (missing.length > 0) {
      const c: ParityCase = { layer, present, missing, pathsIn: () => new Set(), recordsIn: () => [] };
      differences.push({ layer, presentIn: names(present), missingIn: names(missing), ...withExplanation(explain(c)) });
    }
    if (present.length < 2) continue;
    const addresses = new Map(present.map((e) => [e.name, new Set(addressesOf(byEnv.get(e.name)!))]));
    const paths = new Map(present.map((e) => [e.name, constructPathsOf(byEnv.get(e.name)!)]));
    const pathsIn = (name: string) => paths.get(name) ?? new Set<string>();
    const records = new Map(present.map((e) => [e.name, recordedConditions(byEnv.get(e.name)!.config)]));
    const recordsIn = (name: string) => records.get(name) ?? [];
    const all = [...new Set([...addresses.values()].flatMap((a) => [...a]))].sort(compareText);
    for (const address of all) {
      const has = present.filter((e) => addresses.get(e.name)!.has(address));
      if (has.length === present.length) continue;
      const lacks = present.filter((e) => !addresses.get(e.name)!.has(address));
      const path = constructPath(byEnv.get(has[0].name)!.config, address);
      const c: ParityCase = { layer, address, present: has, missing: lacks, pathsIn, recordsIn, ...(path ? { constructPath: path } : {}) };
      differences.push({ layer, address, ...(path ? { constructPath: path } : {}), presentIn: names(has), missingIn: names(lacks), ...withExplanation(explain(c)) });
    }
  }
  const key = (d: ParityDifference) => d.constructPath ?? d.address ?? "";
  differences.sort((a, b) => compareText(a.layer, b.layer) || Number(!!a.explanation) - Number(!!b.explanation) || compareText(key(a), key(b)));
  return { environments: names(envs), differences };
}

function withExplanation(explanation: string | undefined): { explanation?: string } {
  return explanation ? { explanation } : {};
}

function names(envs: readonly ReviewEnvironment[]): string[] {
  return envs.map((e) => e.name);
}

/** Managed resource addresses of a stack: from its synthesized JSON, else from its plan. */
export function addressesOf(stack: ReviewStack): string[] {
  if (stack.config) {
    return Object.entries((stack.config.resource ?? {}) as Record<string, Record<string, unknown>>).flatMap(([type, byName]) =>
      Object.keys(byName).map((name) => `${type}.${name}`),
    );
  }
  return stack.plan ? addressesAfter(stack.plan) : [];
}

/** Construct paths of a stack's resources, without the stack's own name. */
function constructPathsOf(stack: ReviewStack): Set<string> {
  const out = new Set<string>();
  for (const byName of Object.values((stack.config?.resource ?? {}) as Record<string, Record<string, any>>)) {
    for (const block of Object.values(byName)) {
      const p = block?.["//"]?.metadata?.path;
      if (typeof p === "string") out.add(p.split("/").slice(1).join("/"));
    }
  }
  return out;
}

const meta = (e: ReviewEnvironment): StackEnvironmentMetadata | undefined => e.metadata;
const list = (envs: readonly ReviewEnvironment[]) => names(envs).join(", ");

/** The bootstrap stack creates the S3 state bucket; environments with local state have none. */
export const stateBackendExplainer: ParityExplainer = (c) => {
  if (c.address) return undefined;
  const backend = (e: ReviewEnvironment) => meta(e)?.environmentStateBackend;
  if (c.present.every((e) => backend(e) === "s3") && c.missing.every((e) => backend(e) === "local")) {
    return `stateBackend: ${list(c.missing)} keep${c.missing.length === 1 ? "s" : ""} state in the local backend, so there is no state bucket to bootstrap`;
  }
  return undefined;
};

/** Per-zone resources of a zone that some environments do not use. */
export const availabilityZonesExplainer: ParityExplainer = (c) => {
  if (!c.address) return undefined;
  const zones = new Set([...c.present, ...c.missing].flatMap((e) => meta(e)?.availabilityZones ?? []));
  const inAddress = [...zones].filter((z) => c.address!.includes(z));
  const zone = inAddress.find((z) => c.present.every((e) => meta(e)?.availabilityZones.includes(z)) && c.missing.every((e) => meta(e) && !meta(e)!.availabilityZones.includes(z)));
  if (!zone) return undefined;
  const counts = [...c.present, ...c.missing].map((e) => `${e.name} ${meta(e)!.availabilityZones.length}`).join(", ");
  return `availabilityZones: ${zone} is not a zone of ${list(c.missing)} (zones: ${counts})`;
};

/**
 * A resource that a construct created because of a setting's value in some environments:
 * the construct recorded the setting, its value and what it created in every environment
 * (ConditionalResources, lib/core/stack-records.ts), so the explanation is read from the
 * synthesized stacks, not re-derived from construct defaults or guessed from paths.
 */
export const recordedConditionExplainer: ParityExplainer = (c) => {
  if (!c.constructPath || c.present.length === 0) return undefined;
  const path = c.constructPath.split("/").slice(1).join("/");
  for (const record of c.recordsIn(c.present[0].name).filter((r) => conditionCovers(r, path))) {
    const same = (e: ReviewEnvironment) => c.recordsIn(e.name).find((r) => r.constructPath === record.constructPath && r.setting === record.setting);
    const present = c.present.map(same);
    const missing = c.missing.map(same);
    if (present.some((r) => !r || !conditionCovers(r, path)) || missing.some((r) => !r || conditionCovers(r, path))) continue;
    // The value must differ: the same value creating different children is no explanation.
    const values = new Set(present.map((r) => r!.value));
    if (missing.some((r) => values.has(r!.value))) continue;
    return `${record.setting}: ${valuesIn(c.present, present as ConditionRecord[])}; ${valuesIn(c.missing, missing as ConditionRecord[])} (${record.reason})`;
  }
  return undefined;
};

/** `"one-per-az" in staging, prod` per distinct value, in environment order. */
function valuesIn(envs: readonly ReviewEnvironment[], records: readonly ConditionRecord[]): string {
  const byValue = new Map<string, string[]>();
  envs.forEach((e, i) => byValue.set(records[i].value, [...(byValue.get(records[i].value) ?? []), e.name]));
  return [...byValue].map(([value, in_]) => `${JSON.stringify(value)} in ${in_.join(", ")}`).join(", ");
}

export const DEFAULT_EXPLAINERS: readonly ParityExplainer[] = [stateBackendExplainer, availabilityZonesExplainer, recordedConditionExplainer];
