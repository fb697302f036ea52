import { GPU_INSTANCES, GPU_PRICES } from "../gpu-cluster/gpu-instances";
import { PRICES, PriceTable } from "../pricing/prices";
import { ResourceChange } from "../terraform/offline";
import { afterObject, changeKind, managedChanges } from "./plan";
import { ReviewEnvironment, ReviewStack, environmentsOf } from "./stack";

/** GPU instance prices, from the GPU instance catalog. */
export interface GpuPriceBook {
  readonly asOf: string;
  readonly source: string;
  readonly region: string;
  /** On-demand USD per hour of a GPU instance type, or undefined for a type that is not a GPU instance. */
  hourly(instanceType: string): number | undefined;
}

const GPU_HOURLY = new Map(GPU_INSTANCES.map((g) => [g.instanceType, g.onDemandUsdPerHour]));

/** GPU prices from the library's GPU instance catalog (lib/gpu-cluster/gpu-instances.ts). */
export const CATALOG_GPU_PRICES: GpuPriceBook = {
  asOf: GPU_PRICES.asOf,
  source: GPU_PRICES.source,
  region: GPU_PRICES.region,
  hourly: (instanceType) => GPU_HOURLY.get(instanceType),
};

export type CostCategory = "eks" | "nat" | "nodes" | "database" | "cache" | "gpu";

/** One priced resource of an environment after the change. */
export interface CostLine {
  readonly stack: string;
  readonly address: string;
  readonly category: CostCategory;
  /** What was priced, e.g. `3 x m6i.large` or `max 4 x p4d.24xlarge`. */
  readonly quantity: string;
  readonly monthlyUsd: number;
}

export interface EnvironmentCost {
  readonly environment: string;
  /** Always-on monthly cost: EKS control plane, NAT gateways, system nodes, databases, caches. */
  readonly baselineUsd: number;
  /** Every GPU pool at its max size all month. */
  readonly gpuWorstCaseUsd: number;
  readonly lines: readonly CostLine[];
  /** Resources that cost money but have no price in the tables (`address: why`). */
  readonly unpriced: readonly string[];
  /** The same estimate for the base branch's plans, when given. */
  readonly base?: { readonly baselineUsd: number; readonly gpuWorstCaseUsd: number };
  readonly monthlyBudgetUsd?: number;
  readonly gpuMonthlyBudgetUsd?: number;
  /** Stacks of the environment that were not planned, so not costed. */
  readonly notCosted: readonly string[];
}

export interface CostReport {
  readonly environments: readonly EnvironmentCost[];
  readonly prices: { readonly asOf: string; readonly source: string; readonly region: string; readonly hoursPerMonth: number };
  readonly gpuPrices: { readonly asOf: string; readonly source: string; readonly region: string };
}

export interface CostOptions {
  /** @default PRICES */
  readonly prices?: PriceTable;
  /** @default CATALOG_GPU_PRICES */
  readonly gpuPrices?: GpuPriceBook;
}

/**
 * Monthly estimate per environment from the planned state after apply (what will run,
 * not what changes), with the base branch's estimate for the delta. Usage-billed
 * items (data processing, requests, storage growth) are outside the estimate.
 */
export function costReport(head: readonly ReviewStack[], base: readonly ReviewStack[] | undefined, options: CostOptions = {}): CostReport {
  const prices = options.prices ?? PRICES;
  const gpuPrices = options.gpuPrices ?? CATALOG_GPU_PRICES;
  const environments = environmentsOf(head).map((env) => {
    const mine = head.filter((s) => s.environment.name === env.name);
    const estimate = estimateEnvironment(mine, prices, gpuPrices);
    // A base known only by its synthesized stacks (--base-ref) has no plan to cost.
    // The base's Karpenter NodePools come from its synthesized stacks, as the head's do; a base without any plan has no estimate.
    const baseStacks = base?.filter((s) => s.environment.name === env.name);
    const baseEstimate = baseStacks && baseStacks.some((s) => s.plan) ? estimateEnvironment(baseStacks, prices, gpuPrices) : undefined;
    return {
      environment: env.name,
      ...estimate,
      ...(baseEstimate ? { base: { baselineUsd: baseEstimate.baselineUsd, gpuWorstCaseUsd: baseEstimate.gpuWorstCaseUsd } } : {}),
      ...budgets(env),
      notCosted: mine.filter((s) => s.status !== "planned").map((s) => s.name),
    };
  });
  return {
    environments,
    prices: { asOf: prices.asOf, source: prices.source, region: prices.region, hoursPerMonth: prices.hoursPerMonth },
    gpuPrices: { asOf: gpuPrices.asOf, source: gpuPrices.source, region: gpuPrices.region },
  };
}

function budgets(env: ReviewEnvironment): { monthlyBudgetUsd?: number; gpuMonthlyBudgetUsd?: number } {
  const m = env.metadata;
  if (!m) return {};
  return { monthlyBudgetUsd: m.monthlyBudgetUsd, ...(m.gpuMonthlyBudgetUsd !== undefined ? { gpuMonthlyBudgetUsd: m.gpuMonthlyBudgetUsd } : {}) };
}

function estimateEnvironment(stacks: readonly ReviewStack[], prices: PriceTable, gpu: GpuPriceBook | undefined) {
  const lines: CostLine[] = [];
  const unpriced: string[] = [];
  for (const stack of stacks) {
    for (const rc of stack.plan ? managedChanges(stack.plan) : []) {
      if (changeKind(rc.change.actions) === "delete") continue;
      const priced = priceResource(rc, prices, gpu);
      if (!priced) continue;
      if ("unpriced" in priced) unpriced.push(`${rc.address}: ${priced.unpriced}`);
      else lines.push({ stack: stack.name, address: rc.address, ...priced });
    }
    for (const pool of karpenterNodePools(stack)) {
      const priced = priceKarpenterNodePool(pool.manifest, gpu, (h, n) => round2(h * (n ?? 1) * prices.hoursPerMonth));
      if ("unpriced" in priced) unpriced.push(`${pool.address}: ${priced.unpriced}`);
      else lines.push({ stack: stack.name, address: pool.address, ...priced });
    }
  }
  const sum = (ls: CostLine[]) => round2(ls.reduce((n, l) => n + l.monthlyUsd, 0));
  return {
    baselineUsd: sum(lines.filter((l) => l.category !== "gpu")),
    gpuWorstCaseUsd: sum(lines.filter((l) => l.category === "gpu")),
    lines,
    unpriced,
  };
}

/**
 * A Karpenter GPU pool is in no AWS plan: Karpenter launches its instances. Its ceiling is the
 * NodePool's nvidia.com/gpu limit (maxNodes x GPUs per node), read from the synthesized stack
 * that creates it (a platform stack, which is not planned offline).
 */
function karpenterNodePools(stack: ReviewStack): { address: string; manifest: Record<string, any> }[] {
  return Object.entries<any>(stack.config?.resource?.kubernetes_manifest ?? {})
    .filter(([, r]) => r?.manifest?.apiVersion === "karpenter.sh/v1" && r.manifest.kind === "NodePool" && r.manifest.spec?.limits?.["nvidia.com/gpu"] !== undefined)
    .map(([id, r]) => ({ address: `kubernetes_manifest.${id}`, manifest: r.manifest }));
}

const GPUS_PER_NODE = new Map(GPU_INSTANCES.map((g) => [g.instanceType, g.gpuCount]));

function priceKarpenterNodePool(manifest: Record<string, any>, gpu: GpuPriceBook | undefined, month: (h: number, n?: number) => number): Priced {
  const types: string[] = (manifest.spec?.template?.spec?.requirements ?? []).find((r: any) => r.key === "node.kubernetes.io/instance-type" && r.operator === "In")?.values ?? [];
  const known = types.filter((t) => gpu?.hourly(t) !== undefined && GPUS_PER_NODE.has(t));
  if (types.length === 0 || known.length !== types.length) {
    return { unpriced: `Karpenter NodePool ${manifest.metadata?.name} with instance types ${JSON.stringify(types)} not all in the GPU price book` };
  }
  const nodes = Math.floor(Number(manifest.spec.limits["nvidia.com/gpu"]) / Math.min(...types.map((t) => GPUS_PER_NODE.get(t)!)));
  const worst = types.reduce((a, b) => (gpu!.hourly(b)! > gpu!.hourly(a)! ? b : a));
  return { category: "gpu", quantity: `max ${nodes} x ${worst} (Karpenter NodePool ${manifest.metadata?.name})`, monthlyUsd: month(gpu!.hourly(worst)!, nodes) };
}

/** What one resource costs a month, or why it is not priced. */
export type Priced = { category: CostCategory; quantity: string; monthlyUsd: number } | { unpriced: string };

/** The monthly price of one planned resource; undefined for resources billed only by usage or not at all. */
export function priceResource(rc: ResourceChange, prices: PriceTable, gpu?: GpuPriceBook): Priced | undefined {
  const after = afterObject(rc);
  if (!after) return undefined;
  const month = (usdPerHour: number, count = 1) => round2(usdPerHour * count * prices.hoursPerMonth);
  switch (rc.type) {
    case "aws_eks_cluster":
      return { category: "eks", quantity: "1 control plane", monthlyUsd: month(prices.eksClusterUsdPerHour) };
    case "aws_nat_gateway":
      return { category: "nat", quantity: "1 gateway (before data processing)", monthlyUsd: month(prices.natGatewayUsdPerHour) };
    case "aws_eks_node_group":
      return priceNodeGroup(after, prices, gpu, month);
    case "aws_db_instance": {
      const cls = String(after.instance_class ?? "");
      const hourly = prices.rdsUsdPerHour[cls];
      if (hourly === undefined) return { unpriced: `no price for RDS instance class ${cls || "(unknown)"}` };
      const copies = after.multi_az === true ? 2 : 1;
      const gb = Number(after.allocated_storage ?? 0);
      const storage = (prices.rdsStorageUsdPerGbMonth[String(after.storage_type ?? "gp3")] ?? prices.rdsStorageUsdPerGbMonth.gp3) * gb * copies;
      return {
        category: "database",
        quantity: `${cls}${copies === 2 ? " Multi-AZ" : ""}, ${gb} GB`,
        monthlyUsd: round2(month(hourly, copies) + storage),
      };
    }
    case "aws_elasticache_replication_group": {
      const node = String(after.node_type ?? "");
      const hourly = prices.elasticacheUsdPerHour[node];
      if (hourly === undefined) return { unpriced: `no price for ElastiCache node type ${node || "(unknown)"}` };
      const nodes =
        typeof after.num_cache_clusters === "number" && after.num_cache_clusters > 0
          ? after.num_cache_clusters
          : Number(after.num_node_groups ?? 1) * (Number(after.replicas_per_node_group ?? 0) + 1);
      return { category: "cache", quantity: `${nodes} x ${node}`, monthlyUsd: month(hourly, nodes) };
    }
    case "aws_rds_cluster_instance":
    case "aws_elasticache_cluster":
    case "aws_elasticache_serverless_cache":
      return { unpriced: `${rc.type} is not in the price table` };
    default:
      return undefined;
  }
}

function priceNodeGroup(after: Record<string, unknown>, prices: PriceTable, gpu: GpuPriceBook | undefined, month: (h: number, n?: number) => number): Priced {
  const types = ((after.instance_types as string[] | null) ?? []).filter((t) => typeof t === "string");
  const scaling = ((after.scaling_config as Record<string, unknown>[] | null) ?? [])[0] ?? {};
  if (types.length === 0) return { unpriced: "node group without instance_types (launch template sizing is not read)" };
  const gpuHourly = types.map((t) => gpu?.hourly(t));
  if (gpuHourly.some((h) => h !== undefined)) {
    // Worst case: the pool at its max size, all month, on the dearest of its types.
    const max = Number(scaling.max_size ?? 0);
    const dearest = Math.max(...gpuHourly.filter((h): h is number => h !== undefined));
    const type = types[gpuHourly.indexOf(dearest)];
    return { category: "gpu", quantity: `max ${max} x ${type}`, monthlyUsd: month(dearest, max) };
  }
  const missing = types.filter((t) => prices.ec2UsdPerHour[t] === undefined);
  if (missing.length > 0) {
    return { unpriced: `no price for instance type ${missing.join(", ")} in lib/pricing/prices.ts or the GPU instance catalog` };
  }
  const desired = Number(scaling.desired_size ?? scaling.min_size ?? 0);
  const hourly = Math.max(...types.map((t) => prices.ec2UsdPerHour[t]));
  return { category: "nodes", quantity: `${desired} x ${types.join("/")}`, monthlyUsd: month(hourly, desired) };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
