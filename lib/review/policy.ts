import { PolicyFinding, checkStack } from "../policy/check";
import { countChanges, hasChanges } from "./plan";
import { ReviewStack } from "./stack";

/** The policy pack's verdict on one stack of the change. */
export interface StackPolicy {
  readonly stack: string;
  readonly environment: string;
  readonly findings: readonly PolicyFinding[];
  readonly suppressedCount: number;
}

export interface PolicySection {
  readonly checked: readonly StackPolicy[];
  /** Stacks the pack did not check, with why. */
  readonly skipped: readonly { readonly stack: string; readonly reason: string }[];
}

/**
 * Runs the policy pack on the synthesized JSON of every stack the change touches: a
 * stack with planned changes, or one that could not be planned (its changes are
 * unknown). A stack planned without changes is skipped; so is one whose synthesized
 * JSON is not at hand (a plan reviewed from a directory, for a stack the app lacks).
 */
export function policySection(stacks: readonly ReviewStack[]): PolicySection {
  const checked: StackPolicy[] = [];
  const skipped: { stack: string; reason: string }[] = [];
  for (const stack of stacks) {
    if (stack.status === "planned" && stack.plan && !hasChanges(countChanges(stack.plan))) continue;
    if (!stack.config) {
      skipped.push({ stack: stack.name, reason: "no synthesized stack JSON to check" });
      continue;
    }
    const report = checkStack(stack.name, stack.config);
    checked.push({ stack: stack.name, environment: stack.environment.name, findings: report.findings, suppressedCount: report.suppressed.length });
  }
  return { checked, skipped };
}
