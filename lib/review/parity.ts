import type { StackEnvironmentMetadata } from "../core/stacks";
import { recordedSettings } from "../core/recorded-settings";
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
  /**
   * The settings the constructs of an environment recorded, over all its stacks
   * (`recordSetting`: `"Network.natGateways"`, `"FeatureStore.onlineStore"`...).
   */
  readonly settingsOf: (environment: string) => Readonly<Record<string, string | number | boolean>>;
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
  const settings = new Map<string, Record<string, string | number | boolean>>();
  for (const s of stacks) settings.set(s.environment.name, { ...settings.get(s.environment.name), ...recordedSettings(s.config) });
  const settingsOf = (name: string) => settings.get(name) ?? {};
  for (const layer of layers) {
    const byEnv = new Map(stacks.filter((s) => s.layer === layer).map((s) => [s.environment.name, s]));
    if (envs.length < 2) continue;
    const present = envs.filter((e) => byEnv.has(e.name));
    const missing = envs.filter((e) => !byEnv.has(e.name));
    if (missing.length > 0) {
      const c: ParityCase = { layer, present, missing, pathsIn: () => new Set(), settingsOf };
      differences.push({ layer, presentIn: names(present), missingIn: names(missing), ...withExplanation(explain(c)) });
    }
    if (present.length < 2) continue;
    const addresses = new Map(present.map((e) => [e.name, new Set(addressesOf(byEnv.get(e.name)!))]));
    const paths = new Map(present.map((e) => [e.name, constructPathsOf(byEnv.get(e.name)!)]));
    const pathsIn = (name: string) => paths.get(name) ?? new Set<string>();
    const all = [...new Set([...addresses.values()].flatMap((a) => [...a]))].sort(compareText);
    for (const address of all) {
      const has = present.filter((e) => addresses.get(e.name)!.has(address));
      if (has.length === present.length) continue;
      const lacks = present.filter((e) => !addresses.get(e.name)!.has(address));
      const path = constructPath(byEnv.get(has[0].name)!.config, address);
      const c: ParityCase = { layer, address, present: has, missing: lacks, pathsIn, settingsOf, ...(path ? { constructPath: path } : {}) };
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
    return Object.entries((stack.config.resource ?? {}) as Record<string, Record<string, unknown>>)
      .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
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

/** NAT gateways (and their Elastic IPs): one, or one per zone, by the Network's `natGateways`. */
export const natGatewaysExplainer: ParityExplainer = (c) => {
  if (!c.address || !/^aws_(nat_gateway|eip)\./.test(c.address)) return undefined;
  const mode = (e: ReviewEnvironment) => c.settingsOf(e.name)["Network.natGateways"];
  const modes = (envs: readonly ReviewEnvironment[]) => new Set(envs.map(mode));
  const p = modes(c.present);
  const m = modes(c.missing);
  if (p.size !== 1 || !p.has("one-per-az") || m.size !== 1 || !m.has("single")) return undefined;
  return `Network natGateways: "one-per-az" in ${list(c.present)}, "single" in ${list(c.missing)}`;
};

/** Per-zone resources of a zone that some environments do not use. */
export const availabilityZonesExplainer: ParityExplainer = (c) => {
  if (!c.address) return undefined;
  const zones = new Set([...c.present, ...c.missing].flatMap((e) => meta(e)?.availabilityZones ?? []));
  const inAddress = [...zones].filter((z) => c.address!.includes(z));
  const zone = inAddress.find((z) =>
    c.present.every((e) => meta(e)?.availabilityZones.includes(z)) && c.missing.every((e) => meta(e) && !meta(e)!.availabilityZones.includes(z)));
  if (!zone) return undefined;
  const counts = [...c.present, ...c.missing].map((e) => `${e.name} ${meta(e)!.availabilityZones.length}`).join(", ");
  return `availabilityZones: ${zone} is not a zone of ${list(c.missing)} (zones: ${counts})`;
};

/** The bootstrap stack creates the S3 state bucket; environments with local state have none. */
export const stateBackendExplainer: ParityExplainer = (c) => {
  if (c.address) return undefined;
  const backend = (e: ReviewEnvironment) => meta(e)?.environmentStateBackend;
  if (c.present.every((e) => backend(e) === "s3") && c.missing.every((e) => backend(e) === "local")) {
    return `stateBackend: ${list(c.missing)} keep${c.missing.length === 1 ? "s" : ""} state in the local backend, so there is no state bucket to bootstrap`;
  }
  return undefined;
};

/**
 * A construct named after a value that only some environments' recorded settings hold,
 * such as the Redis online store that only production's FeatureStore uses.
 */
export const sizingValueExplainer: ParityExplainer = (c) => {
  if (!c.constructPath) return undefined;
  const segments = c.constructPath.split("/").slice(1);
  for (const segment of segments) {
    // A construct named after the value, or after the value and a suffix ("redis" -> "redis-auth").
    for (const value of new Set([segment, segment.split("-")[0]])) {
      const where = (e: ReviewEnvironment) => findInSizing(c.settingsOf(e.name), value);
      const paths = c.present.map(where);
      if (paths.every((p) => p !== undefined) && c.missing.every((e) => where(e) === undefined)) {
        return `${paths[0]!.replace(".", " ")}: "${value}" is set in ${list(c.present)} only`;
      }
    }
  }
  return undefined;
};

/** The dotted path of the first key or string value equal to `needle` in a settings object. */
export function findInSizing(sizing: unknown, needle: string, at = ""): string | undefined {
  if (sizing === null || sizing === undefined) return undefined;
  if (typeof sizing === "string") return sizing === needle ? at : undefined;
  if (typeof sizing !== "object") return undefined;
  for (const [k, v] of Object.entries(sizing as Record<string, unknown>)) {
    const here = Array.isArray(sizing) ? `${at}[${k}]` : at ? `${at}.${k}` : k;
    if (!Array.isArray(sizing) && k === needle) return here;
    const found = findInSizing(v, needle, here);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * GPU pools are chosen per tier (a production-only H100 pool, for example): a pool's
 * resources present in some tiers and absent in the others follow the tier.
 */
export const gpuPoolTierExplainer: ParityExplainer = (c) => {
  const pool = c.constructPath?.split("/").find((seg) => seg.startsWith("gpu-pool-"));
  if (!pool) return undefined;
  const tiers = (envs: readonly ReviewEnvironment[]) => new Set(envs.map((e) => meta(e)?.tier));
  const present = tiers(c.present);
  const missing = tiers(c.missing);
  if (present.has(undefined) || missing.has(undefined) || [...present].some((t) => missing.has(t))) return undefined;
  return `tier: GPU pool "${pool.slice("gpu-pool-".length)}" is declared for the ${[...present].join(", ")} tier only`;
};

/**
 * AWS's EFA device plugin is installed where the cluster has a multi-node (EFA) GPU pool
 * (GpuClusterAddons), so it follows that pool's tiers, like the pool itself.
 */
export const efaDevicePluginExplainer: ParityExplainer = (c) => {
  if (!c.constructPath || !/\/aws-efa-k8s-device-plugin\/release$/.test(c.constructPath)) return undefined;
  const tiers = (envs: readonly ReviewEnvironment[]) => new Set(envs.map((e) => meta(e)?.tier));
  const present = tiers(c.present);
  const missing = tiers(c.missing);
  if (present.has(undefined) || missing.has(undefined) || [...present].some((t) => missing.has(t))) return undefined;
  return `tier: the EFA device plugin follows the multi-node (EFA) GPU pool, declared for the ${[...present].join(", ")} tier only`;
};

/** MLflow's disruption budget exists with two or more replicas: the MlflowServer's `replicas`. */
export const registryReplicasExplainer: ParityExplainer = (c) => {
  if (!c.constructPath || !/\/mlflow\/disruption-budget$/.test(c.constructPath)) return undefined;
  const replicas = (e: ReviewEnvironment) => {
    const n = c.settingsOf(e.name)["MlflowServer.replicas"];
    return typeof n === "number" ? n : undefined;
  };
  if (!c.present.every((e) => (replicas(e) ?? 0) >= 2) || !c.missing.every((e) => (replicas(e) ?? 2) < 2)) return undefined;
  const each = [...c.present, ...c.missing].map((e) => `${replicas(e)} in ${e.name}`).join(", ");
  return `MlflowServer replicas: ${each}; a disruption budget needs 2 or more`;
};

/**
 * MonitoredEndpoint with `blueGreen` runs each colour's resources under `<endpoint>/blue`
 * and `<endpoint>/green`; without it, one set directly under `<endpoint>`. Environments
 * that choose blue/green by tier differ by exactly these addresses.
 */
export const blueGreenExplainer: ParityExplainer = (c) => {
  if (!c.constructPath) return undefined;
  const rel = c.constructPath.split("/").slice(1);
  const tiers = (envs: readonly ReviewEnvironment[]) => [...new Set(envs.map((e) => meta(e)?.tier ?? "unknown"))].join(", ");
  const tierSet = (envs: readonly ReviewEnvironment[]) => new Set(envs.map((e) => meta(e)?.tier));
  const missingTiers = tierSet(c.missing);
  if ([...tierSet(c.present)].some((t) => t === undefined || missingTiers.has(t))) return undefined;
  const colour = rel.findIndex((seg) => seg === "blue" || seg === "green");
  if (colour > 0) {
    // A colour's resource: the environments without it run the same resource uncoloured.
    const plain = [...rel.slice(0, colour), ...rel.slice(colour + 1)].join("/");
    if (c.missing.every((e) => c.pathsIn(e.name).has(plain))) {
      return `tier: ${list(c.present)} (${tiers(c.present)}) deploy ${rel.slice(0, colour).join("/")} blue/green; ${list(c.missing)} (${tiers(c.missing)}) a single version`;
    }
    return undefined;
  }
  // An uncoloured resource: the environments without it run it per colour.
  const last = rel.length - 1;
  const coloured = (col: string) => [...rel.slice(0, last), col, rel[last]].join("/");
  if (last > 0 && c.missing.every((e) => c.pathsIn(e.name).has(coloured("blue")) || c.pathsIn(e.name).has(coloured("green")))) {
    return `tier: ${list(c.missing)} (${tiers(c.missing)}) deploy ${rel.slice(0, last).join("/")} blue/green; ${list(c.present)} (${tiers(c.present)}) a single version`;
  }
  return undefined;
};

/** What MonitoredEndpoint creates with `rollout` (Argo Rollouts) instead of its Deployment. */
const ROLLOUT_PARTS = ["rollout", "canary-service", "preview-service", "analysis-template", "smoke-test-template"];

/**
 * MonitoredEndpoint with `rollout` is a Rollout (`<endpoint>/rollout`) with its canary or
 * preview Service and AnalysisTemplates; without it, a Deployment (`<endpoint>/deployment`).
 * Environments that choose progressive delivery by tier differ by exactly these addresses.
 */
export const rolloutExplainer: ParityExplainer = (c) => {
  if (!c.constructPath) return undefined;
  const rel = c.constructPath.split("/").slice(1);
  const last = rel.length - 1;
  if (last < 1 || ![...ROLLOUT_PARTS, "deployment"].includes(rel[last])) return undefined;
  const tierSet = (envs: readonly ReviewEnvironment[]) => new Set(envs.map((e) => meta(e)?.tier));
  const missingTiers = tierSet(c.missing);
  if ([...tierSet(c.present)].some((t) => t === undefined || missingTiers.has(t))) return undefined;
  const tiers = (envs: readonly ReviewEnvironment[]) => [...new Set(envs.map((e) => meta(e)?.tier ?? "unknown"))].join(", ");
  const endpoint = rel.slice(0, last).join("/");
  const at = (e: ReviewEnvironment, part: string) => c.pathsIn(e.name).has([...rel.slice(0, last), part].join("/"));
  const [withRollout, withDeployment] = rel[last] === "deployment" ? [c.missing, c.present] : [c.present, c.missing];
  if (!withRollout.every((e) => at(e, "rollout")) || !withDeployment.every((e) => at(e, "deployment"))) return undefined;
  return `tier: ${list(withRollout)} (${tiers(withRollout)}) deliver ${endpoint} with Argo Rollouts (rollout); ${list(withDeployment)} (${tiers(withDeployment)}) a Deployment`;
};

/**
 * A model endpoint that reads a Redis online store syncs the store's password
 * (`<endpoint>/online-store-secret`), and the feature server and the endpoint get a
 * NetworkPolicy to reach Redis (6379, in the VPC); with DynamoDB there is neither. Follows
 * the FeatureStore's `onlineStore`.
 */
export const onlineStoreSecretExplainer: ParityExplainer = (c) => {
  const segments = c.constructPath?.split("/") ?? [];
  const secret = segments.includes("online-store-secret");
  const policy = !!c.address?.startsWith("kubernetes_network_policy_v1.") && segments.some((s) => /(^|-)redis(-|$)/.test(s));
  if (!secret && !policy) return undefined;
  const store = (e: ReviewEnvironment) => c.settingsOf(e.name)["FeatureStore.onlineStore"];
  if (!c.present.every((e) => store(e) === "redis") || !c.missing.every((e) => store(e) !== undefined && store(e) !== "redis")) return undefined;
  return `FeatureStore onlineStore: "redis" in ${list(c.present)} (${secret ? "its password is synced for the endpoint" : "a NetworkPolicy allows Redis on 6379"}), ` +
    `${[...new Set(c.missing.map((e) => `"${store(e)}"`))].join(", ")} in ${list(c.missing)}`;
};

export const DEFAULT_EXPLAINERS: readonly ParityExplainer[] = [
  stateBackendExplainer,
  natGatewaysExplainer,
  availabilityZonesExplainer,
  sizingValueExplainer,
  gpuPoolTierExplainer,
  efaDevicePluginExplainer,
  registryReplicasExplainer,
  blueGreenExplainer,
  rolloutExplainer,
  onlineStoreSecretExplainer,
];
