import { BlockingFinding, blockingFindings, preventDestroyRefusals, removedStackFindings } from "./blocking";
import { ClusterStackDiff, clusterBlocking, clusterDiff } from "./cluster-diff";
import { CostOptions, CostReport, costReport } from "./cost";
import { ParityExplainer, ParityReport, parity } from "./parity";
import { ChangeCounts, NO_CHANGES, countChanges, forgotten, moves } from "./plan";
import { PolicySection, policySection } from "./policy";
import { PlanBasis, ReviewStack, compareText, environmentOrder } from "./stack";
import { Warning, warnings } from "./warnings";

/** The headline of one stack. */
export interface StackSummary {
  readonly stack: string;
  readonly environment: string;
  readonly layer: string;
  readonly status: ReviewStack["status"];
  readonly reason?: string;
  readonly counts: ChangeCounts;
  /** What the plan was made against. */
  readonly basis?: PlanBasis;
  /** Resources whose address changes by a `moved` block. */
  readonly moved?: number;
  /** Resources Terraform stops managing (`removed` without destroy). */
  readonly forgotten?: number;
  /** Terraform refused the plan because of `prevent_destroy` (the counts are of the plan without it). */
  readonly refusedByPreventDestroy?: boolean;
  /** For a stack that needs a live cluster: releases and objects its configuration diff found changed. */
  readonly configurationDiff?: { readonly releases: number; readonly objects: number };
}

/** A resource address change covered by a `moved` block: Terraform keeps the object. */
export interface MoveFinding {
  readonly stack: string;
  readonly environment: string;
  readonly from: string;
  readonly to: string;
  readonly type: string;
}

/**
 * What the plans can show about destruction:
 * - `base`: planned against the base (its simulated or real state): replacements and deletions show;
 * - `empty-state`: offline plans on an empty state only show creations, so destruction is not checked;
 * - `unknown`: plans read from a directory; the review cannot tell what they were made against.
 */
export type DestructionVisibility = "base" | "empty-state" | "unknown";

/** Everything the review found, before rendering: Markdown and JSON are both views of this. */
export interface Review {
  readonly stacks: readonly StackSummary[];
  readonly blocking: readonly BlockingFinding[];
  /** Address changes covered by `moved` blocks: shown, not blocking. */
  readonly moves: readonly MoveFinding[];
  /** In-cluster stacks (not planned offline): their synthesized configuration compared with the base's. */
  readonly clusterDiffs: readonly ClusterStackDiff[];
  readonly destruction: DestructionVisibility;
  readonly warnings: readonly Warning[];
  readonly policy: PolicySection;
  readonly parity: ParityReport;
  readonly cost: CostReport;
  /** Stacks whose plan failed for a reason other than prevent_destroy: the review is incomplete. */
  readonly failures: readonly { readonly stack: string; readonly reason: string }[];
}

export interface ReviewOptions extends CostOptions {
  /** The base branch's stacks (plans, and synthesized JSON when known): cost delta and prevent_destroy changes. @default - no comparison */
  readonly base?: readonly ReviewStack[];
  /** @default DEFAULT_EXPLAINERS */
  readonly parityExplainers?: readonly ParityExplainer[];
}

/** Orders stacks as the review lists them: by environment (dev, staging, prod), then by name. */
export function sortStacks(stacks: readonly ReviewStack[]): ReviewStack[] {
  return [...stacks].sort((a, b) => environmentOrder(a.environment, b.environment) || compareText(a.name, b.name));
}

/** Reviews a change: pure, from the stacks' (masked) plans and synthesized JSON. */
export function reviewChange(input: readonly ReviewStack[], options: ReviewOptions = {}): Review {
  const stacks = sortStacks(input);
  const baseByName = new Map((options.base ?? []).map((s) => [s.name, s]));
  // Stacks that need a live cluster: with a base, their configuration is compared with it.
  const inCluster = options.base ? stacks.filter((s) => s.status === "not-planned" && s.config && usesClusterProviders(s.config)) : [];
  const diffs = inCluster.map((s) => ({ s, base: baseByName.get(s.name)?.config, diff: clusterDiff(s.name, s.environment.name, baseByName.get(s.name)?.config, s.config!) }));
  const clusterDiffs = diffs.map((d) => d.diff).filter((d) => d.releases.length + d.objects.length > 0);
  const diffByStack = new Map(clusterDiffs.map((d) => [d.stack, d]));
  return {
    stacks: stacks.map((s) => ({
      stack: s.name,
      environment: s.environment.name,
      layer: s.layer,
      status: s.status,
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
      counts: s.plan ? countChanges(s.plan) : NO_CHANGES,
      ...(s.basis ? { basis: s.basis } : {}),
      ...(s.plan && moves(s.plan).length > 0 ? { moved: moves(s.plan).length } : {}),
      ...(s.plan && forgotten(s.plan).length > 0 ? { forgotten: forgotten(s.plan).length } : {}),
      ...(s.refusal ? { refusedByPreventDestroy: true } : {}),
      ...(diffByStack.has(s.name) ? { configurationDiff: { releases: diffByStack.get(s.name)!.releases.length, objects: diffByStack.get(s.name)!.objects.length } } : {}),
    })),
    blocking: [
      ...stacks.flatMap((s) => blockingFindings(s, baseByName.get(s.name)?.config)),
      ...diffs.flatMap((d) => clusterBlocking(d.diff, d.base, d.s.config!)),
      ...(options.base ? removedStackFindings(stacks, options.base) : []),
    ],
    clusterDiffs,
    moves: stacks.flatMap((s) => (s.plan ? moves(s.plan) : []).map((m) => ({ stack: s.name, environment: s.environment.name, from: m.from, to: m.to, type: m.type }))),
    destruction: destructionVisibility(stacks),
    warnings: stacks.flatMap((s) => warnings(s, baseByName.get(s.name)?.config)),
    policy: policySection(stacks),
    parity: parity(stacks, options.parityExplainers),
    cost: costReport(stacks, options.base, options),
    failures: stacks.filter((s) => s.status === "failed" && preventDestroyRefusals(s).length === 0).map((s) => ({ stack: s.name, reason: s.reason ?? "unknown failure" })),
  };
}

/** True for a stack that configures the kubernetes or helm provider (planned only against a live cluster). */
function usesClusterProviders(config: Record<string, any>): boolean {
  return Object.keys(config.provider ?? {}).some((p) => p === "kubernetes" || p === "helm");
}

/** Whether the planned stacks could show a destroy at all (see DestructionVisibility). */
export function destructionVisibility(stacks: readonly ReviewStack[]): DestructionVisibility {
  const planned = stacks.filter((s) => s.status !== "not-planned");
  if (planned.some((s) => s.basis === "base-state" || s.basis === "unchanged" || s.basis === "real-state")) return "base";
  if (planned.length > 0 && planned.every((s) => s.basis === "empty-state")) return "empty-state";
  return "unknown";
}

/** 0: nothing blocks; 2: blocking findings; 1: the review is incomplete (a plan failed). */
export function exitCode(review: Review): 0 | 1 | 2 {
  if (review.failures.length > 0) return 1;
  return review.blocking.length > 0 ? 2 : 0;
}
