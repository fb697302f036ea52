import { BlockingFinding, blockingFindings, preventDestroyRefusals } from "./blocking";
import { CostOptions, CostReport, costReport } from "./cost";
import { ParityExplainer, ParityReport, parity } from "./parity";
import { ChangeCounts, NO_CHANGES, countChanges } from "./plan";
import { PolicySection, policySection } from "./policy";
import { ReviewStack, compareText, environmentOrder } from "./stack";
import { Warning, warnings } from "./warnings";

/** The headline of one stack. */
export interface StackSummary {
  readonly stack: string;
  readonly environment: string;
  readonly layer: string;
  readonly status: ReviewStack["status"];
  readonly reason?: string;
  readonly counts: ChangeCounts;
}

/** Everything the review found, before rendering: Markdown and JSON are both views of this. */
export interface Review {
  readonly stacks: readonly StackSummary[];
  readonly blocking: readonly BlockingFinding[];
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
  return {
    stacks: stacks.map((s) => ({
      stack: s.name,
      environment: s.environment.name,
      layer: s.layer,
      status: s.status,
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
      counts: s.plan ? countChanges(s.plan) : NO_CHANGES,
    })),
    blocking: stacks.flatMap(blockingFindings),
    warnings: stacks.flatMap((s) => warnings(s, baseByName.get(s.name)?.config)),
    policy: policySection(stacks),
    parity: parity(stacks, options.parityExplainers),
    cost: costReport(stacks, options.base, options),
    failures: stacks
      .filter((s) => s.status === "failed" && preventDestroyRefusals(s).length === 0)
      .map((s) => ({ stack: s.name, reason: s.reason ?? "unknown failure" })),
  };
}

/** 0: nothing blocks; 2: blocking findings; 1: the review is incomplete (a plan failed). */
export function exitCode(review: Review): 0 | 1 | 2 {
  if (review.failures.length > 0) return 1;
  return review.blocking.length > 0 ? 2 : 0;
}
