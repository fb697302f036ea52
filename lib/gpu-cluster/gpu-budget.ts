import { Environment } from "../core/environment";
import { HOURS_PER_MONTH } from "./gpu-instances";
import { PoolSpec } from "./private/pool-spec";

/** One pool's line in the budget guard. */
export interface PoolWorstCase {
  readonly name: string;
  readonly maxNodes: number;
  /** The pool's priciest instance type. */
  readonly instanceType: string;
  readonly hourlyUsd: number;
  /** maxNodes x hourlyUsd x 730. */
  readonly monthlyUsd: number;
}

/** The GPU worst case of an environment: every pool at its maximum, on demand, all month. */
export interface GpuWorstCase {
  readonly pools: readonly PoolWorstCase[];
  readonly totalMonthlyUsd: number;
}

export function gpuWorstCase(pools: readonly PoolWorstCase[]): GpuWorstCase {
  return { pools, totalMonthlyUsd: pools.reduce((sum, p) => sum + p.monthlyUsd, 0) };
}

/** The worst case of declared pools, each priced at its priciest instance type. */
export function poolsWorstCase(specs: readonly PoolSpec[]): GpuWorstCase {
  return gpuWorstCase(
    specs.map((s) => {
      const priciest = s.instances.reduce((a, b) => (b.onDemandUsdPerHour > a.onDemandUsdPerHour ? b : a));
      return { name: s.name, maxNodes: s.maxNodes, instanceType: priciest.instanceType, hourlyUsd: s.worstHourlyUsd, monthlyUsd: s.worstCaseMonthlyUsd };
    }),
  );
}

/** "$12,345.67"; hourly prices keep up to 4 decimals ("$1.006"). */
export function formatUsd(usd: number, maxFractionDigits = 2): string {
  return `$${usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: maxFractionDigits })}`;
}

function poolLine(p: PoolWorstCase): string {
  return `pool "${p.name}": ${p.maxNodes} x ${p.instanceType} x ${formatUsd(p.hourlyUsd, 4)}/h x ${HOURS_PER_MONTH} h = ${formatUsd(p.monthlyUsd)}`;
}

/**
 * The budget guard's verdict: undefined within budget, else one message listing every
 * pool, its worst case, the total and the budget.
 */
export function overBudgetMessage(where: string, env: Environment, worst: GpuWorstCase): string | undefined {
  const budget = env.gpuMonthlyBudgetUsd;
  // Compared in whole cents, as the message shows them: a budget typed as the worst case
  // the summary prints ($2,854.59) is within budget, whatever the float arithmetic says.
  if (budget === undefined || Math.round(worst.totalMonthlyUsd * 100) <= Math.round(budget * 100)) return undefined;
  return [
    `${where}: the GPU pools' monthly worst case is ${formatUsd(worst.totalMonthlyUsd)}, over environment "${env.name}"'s gpuMonthlyBudgetUsd of ${formatUsd(budget)}:`,
    ...worst.pools.map((p) => `  ${poolLine(p)}`),
    `  total ${formatUsd(worst.totalMonthlyUsd)} > budget ${formatUsd(budget)}; lower maxNodes, choose cheaper instance types, or raise gpuMonthlyBudgetUsd`,
  ].join("\n");
}

/** The synth summary's line for an environment. */
export function summaryLine(env: Environment, worst: GpuWorstCase): string {
  const budget = env.gpuMonthlyBudgetUsd === undefined ? "no GPU budget" : `budget ${formatUsd(env.gpuMonthlyBudgetUsd)}`;
  const pools = worst.pools.map((p) => `${p.name} ${p.maxNodes} x ${p.instanceType} ${formatUsd(p.monthlyUsd)}`).join(", ");
  return `GPU worst case ${formatUsd(worst.totalMonthlyUsd)}/month (${budget})${pools ? `: ${pools}` : ""}`;
}

/** A team's GPU quotas by pool name, as the budget guard sees them. */
export interface TeamGpuQuota {
  readonly name: string;
  readonly gpuQuota: Readonly<Record<string, number>>;
}

/**
 * The guard over team quotas: on every pool, the teams' nominal GPU quotas together fit in
 * the pool at its maximum (maxNodes x GPUs per node), so the quotas never promise GPUs the
 * pool maxima (which the budget prices) cannot deliver. One problem per pool over capacity.
 */
export function teamQuotaProblems(
  where: string,
  pools: readonly { name: string; maxNodes: number; gpusPerNode: number; gpuModel: string }[],
  teams: readonly TeamGpuQuota[],
): string[] {
  const problems: string[] = [];
  for (const pool of pools) {
    const shares = teams.map((t) => ({ team: t.name, gpus: t.gpuQuota[pool.name] ?? 0 })).filter((s) => Number.isInteger(s.gpus) && s.gpus > 0);
    const total = shares.reduce((sum, s) => sum + s.gpus, 0);
    const capacity = pool.maxNodes * pool.gpusPerNode;
    if (shares.length > 1 && total > capacity) {
      problems.push(
        `${where}: the teams' GPU quotas on pool "${pool.name}" add up to ${total} (${shares.map((s) => `${s.team} ${s.gpus}`).join(", ")}); ` +
          `the pool holds at most ${capacity} (maxNodes ${pool.maxNodes} x ${pool.gpusPerNode} ${pool.gpuModel} per node): lower the quotas (teams borrow each other's idle GPUs anyway) or raise the pool's maxNodes`,
      );
    }
  }
  return problems;
}
