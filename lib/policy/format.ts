import { PolicyFinding, PolicyReport, hasBlockingFindings } from "./check";
import { POLICY_PACK, PolicySeverity } from "./pack";

/** A stack's report with the environment it belongs to. */
export interface EnvironmentPolicyReport {
  readonly environment: string;
  readonly report: PolicyReport;
}

const SEVERITIES: readonly PolicySeverity[] = ["high", "medium", "low"];

/**
 * The text of `npm run policy`: per environment, per severity, every unsuppressed
 * finding; then every suppression with its reason (and whether it still matches
 * anything); then the verdict.
 */
export function formatPolicyReports(reports: readonly EnvironmentPolicyReport[]): string {
  const lines: string[] = [`Policy pack: ${POLICY_PACK.length} rules on ${reports.length} stacks`];
  const environments = [...new Set(reports.map((r) => r.environment))];
  for (const env of environments) {
    const mine = reports.filter((r) => r.environment === env);
    const findings = mine.flatMap((r) => r.report.findings.map((f) => ({ stack: r.report.stackName, f })));
    lines.push("", `${env}: ${findings.length === 0 ? "no unsuppressed findings" : countLine(findings.map((x) => x.f))}` + ` (${mine.map((r) => r.report.stackName).join(", ")})`);
    for (const severity of SEVERITIES) {
      const here = findings.filter((x) => x.f.severity === severity);
      if (here.length === 0) continue;
      lines.push(`  ${severity.toUpperCase()} (${here.length})`);
      for (const { stack, f } of here) {
        lines.push(`    ${f.ruleId} [${f.checkovId}] ${stack}: ${f.resourceAddress}${f.constructPath ? ` (${f.constructPath})` : ""}`);
        lines.push(`      ${f.explanation}`);
      }
    }
  }
  const suppressions = reports.flatMap((r) => r.report.suppressions.map((s) => ({ env: r.environment, stack: r.report.stackName, s })));
  lines.push("", `Suppressions (${suppressions.length}):`);
  for (const { env, stack, s } of suppressions) {
    lines.push(
      `  ${env} ${stack}: ${s.ruleId} at ${s.constructPath}: ${s.reason}${s.matched === 0 ? " [matches nothing: remove it]" : ` [${s.matched} finding${s.matched === 1 ? "" : "s"}]`}`,
    );
  }
  const all = reports.flatMap((r) => r.report.findings);
  const blocking = reports.filter((r) => hasBlockingFindings(r.report)).length;
  lines.push(
    "",
    all.length === 0
      ? "Result: no unsuppressed findings."
      : `Result: ${countLine(all)} unsuppressed${blocking > 0 ? `; high-severity findings in ${blocking} stack${blocking === 1 ? "" : "s"} fail the check` : ""}.`,
  );
  return lines.join("\n") + "\n";
}

function countLine(findings: readonly PolicyFinding[]): string {
  return SEVERITIES.map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(", ");
}

/** The exit code of the policy check: 1 when any stack has an unsuppressed high-severity finding. */
export function policyExitCode(reports: readonly EnvironmentPolicyReport[]): number {
  return reports.some((r) => hasBlockingFindings(r.report)) ? 1 : 0;
}
