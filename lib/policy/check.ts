import { ConfigError } from "../core/errors";
import { POLICY_PACK, PolicySeverity } from "./pack";
import { StackIndex } from "./stack-index";
import { Suppression, recordedSuppressions, suppressionCovers, suppressionProblems } from "./suppressions";

export interface PolicyFinding {
  readonly ruleId: string;
  readonly checkovId: string;
  readonly severity: PolicySeverity;
  readonly explanation: string;
  /** Terraform address, `type.name`. */
  readonly resourceAddress: string;
  readonly constructPath?: string;
  /** Set on suppressed findings. */
  readonly suppression?: { readonly reason: string };
}

/** A suppression and how many findings it suppressed (0: it is stale and should go). */
export interface SuppressionUse extends Suppression {
  readonly matched: number;
}

export interface PolicyReport {
  readonly stackName: string;
  /** Unsuppressed findings, most severe first. */
  readonly findings: PolicyFinding[];
  readonly suppressed: PolicyFinding[];
  /** Every suppression that applied to the stack (recorded in its JSON or passed in). */
  readonly suppressions: SuppressionUse[];
}

export interface PolicyCheckOptions {
  /** Suppressions in addition to those recorded in the stack's JSON. @default - none */
  readonly suppressions?: readonly Suppression[];
}

const ORDER: Record<PolicySeverity, number> = { high: 0, medium: 1, low: 2 };

/**
 * Runs every rule of the pack on every resource of one stack's Terraform JSON (cdktf
 * output or plain `.tf.json`). Suppressions recorded in the JSON by PolicySuppressions
 * apply, plus `options.suppressions`; an invalid suppression (unknown rule, no reason)
 * throws a ConfigError rather than silently suppressing.
 */
export function checkStack(stackName: string, tfJson: object, options: PolicyCheckOptions = {}): PolicyReport {
  const suppressions = [...recordedSuppressions(tfJson), ...(options.suppressions ?? [])];
  const problems = suppressions.flatMap(suppressionProblems);
  if (problems.length > 0) throw new ConfigError(problems);

  const stack = new StackIndex(tfJson as Record<string, any>);
  const matched = new Array<number>(suppressions.length).fill(0);
  const findings: PolicyFinding[] = [];
  const suppressed: PolicyFinding[] = [];
  for (const resource of stack.resources) {
    for (const entry of POLICY_PACK) {
      if (entry.rule(resource, stack) !== "non-compliant") continue;
      const finding: PolicyFinding = {
        ruleId: entry.id,
        checkovId: entry.checkovId,
        severity: entry.severity,
        explanation: entry.explanation,
        resourceAddress: resource.address,
        ...(resource.constructPath ? { constructPath: resource.constructPath } : {}),
      };
      const i = suppressions.findIndex((s) => s.ruleId === entry.id && suppressionCovers(s, resource.constructPath, resource.address));
      if (i < 0) {
        findings.push(finding);
      } else {
        matched[i]++;
        suppressed.push({ ...finding, suppression: { reason: suppressions[i].reason } });
      }
    }
  }
  const bySeverity = (a: PolicyFinding, b: PolicyFinding) =>
    ORDER[a.severity] - ORDER[b.severity] || a.resourceAddress.localeCompare(b.resourceAddress) || a.ruleId.localeCompare(b.ruleId);
  return {
    stackName,
    findings: findings.sort(bySeverity),
    suppressed: suppressed.sort(bySeverity),
    suppressions: suppressions.map((s, i) => ({ ruleId: s.ruleId, constructPath: s.constructPath, reason: s.reason, matched: matched[i] })),
  };
}

/** True when a report has an unsuppressed finding of high severity. */
export function hasBlockingFindings(report: PolicyReport): boolean {
  return report.findings.some((f) => f.severity === "high");
}
