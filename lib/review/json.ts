import { PlanTexts } from "./plan-text";
import { Review, exitCode } from "./review";

/** Version of the JSON document's shape; bump on a breaking change. */
export const REVIEW_JSON_VERSION = 1;

/**
 * The review, machine-readable: the same findings as the Markdown, plus the exit code
 * and each stack's plan text. Values are masked as in the Markdown.
 */
export function reviewJson(review: Review, planTexts: ReadonlyMap<string, PlanTexts> = new Map()): Record<string, unknown> {
  return {
    version: REVIEW_JSON_VERSION,
    exitCode: exitCode(review),
    summary: {
      blocking: review.blocking.length,
      moves: review.moves.length,
      destructionChecked: review.destruction === "base",
      warnings: review.warnings.length,
      policyFindings: review.policy.checked.reduce((n, s) => n + s.findings.length, 0),
      parityDifferences: review.parity.differences.length,
      unexplainedParityDifferences: review.parity.differences.filter((d) => !d.explanation).length,
      failedPlans: review.failures.length,
    },
    stacks: review.stacks.map((s) => ({ ...s, ...(planTexts.has(s.stack) ? { planText: planTexts.get(s.stack)!.full } : {}) })),
    destruction: review.destruction,
    blocking: review.blocking,
    moves: review.moves,
    clusterDiffs: review.clusterDiffs,
    warnings: review.warnings,
    policy: review.policy,
    parity: review.parity,
    cost: review.cost,
    failures: review.failures,
  };
}

export function renderJson(review: Review, planTexts?: ReadonlyMap<string, PlanTexts>): string {
  return JSON.stringify(reviewJson(review, planTexts), null, 2) + "\n";
}
