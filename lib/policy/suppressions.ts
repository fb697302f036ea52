import { StackRecord } from "../core/stack-records";
import { IConstruct } from "constructs";
import { ConfigError, formatValue } from "../core/errors";
import { packRule } from "./pack";

/**
 * An accepted finding: rule `ruleId` does not apply to `constructPath` and everything
 * under it (or, for plain Terraform JSON without construct paths, to the resource whose
 * address is `constructPath`), for the written `reason`.
 */
export interface Suppression {
  readonly ruleId: string;
  readonly constructPath: string;
  readonly reason: string;
}

/** Where suppressions declared in the construct tree are written in a stack's Terraform JSON. */
export const SUPPRESSIONS_KEY = "policy_suppressions";

/** The problems with a suppression, as messages naming it; empty when it is valid. */
export function suppressionProblems(s: Suppression): string[] {
  const where = `policy suppression of ${formatValue(s.ruleId)} at ${formatValue(s.constructPath)}`;
  const problems: string[] = [];
  if (typeof s.ruleId !== "string" || !packRule(s.ruleId)) {
    problems.push(`${where}: ruleId is ${formatValue(s.ruleId)}; must be the ID of a rule of the policy pack (lib/policy/pack.ts)`);
  }
  if (typeof s.constructPath !== "string" || s.constructPath.trim() === "") {
    problems.push(`${where}: constructPath is ${formatValue(s.constructPath)}; must be a construct path (or a resource address)`);
  }
  if (typeof s.reason !== "string" || s.reason.trim() === "") {
    problems.push(`${where}: reason is ${formatValue(s.reason)}; every suppression needs a written reason`);
  }
  return problems;
}

/** True when the suppression covers a finding at this construct path or resource address. */
export function suppressionCovers(s: Suppression, constructPath: string | undefined, address: string): boolean {
  if (s.constructPath === address) return true;
  return constructPath !== undefined && (constructPath === s.constructPath || constructPath.startsWith(`${s.constructPath}/`));
}

/** The suppressions recorded in a synthesized stack (see PolicySuppressions). */
export function recordedSuppressions(tfJson: object): Suppression[] {
  const list = (tfJson as Record<string, any>)["//"]?.[SUPPRESSIONS_KEY];
  return Array.isArray(list) ? list : [];
}

/**
 * Suppressions declared in the construct tree, next to the code they excuse:
 *
 *     PolicySuppressions.of(registry.database).add("RDS-MULTI-AZ", "staging runs a single instance by design");
 *
 * A suppression covers the scope and its whole subtree. It is written into the stack's
 * synthesized JSON under `"//"."policy_suppressions"` (Terraform ignores `//` keys), so
 * every reader of the synthesized stack (`npm run policy`, the plan review, checkStack)
 * sees the same suppressions without running the app again.
 */
export class PolicySuppressions {
  public static of(scope: IConstruct): PolicySuppressions {
    return new PolicySuppressions(scope);
  }

  private constructor(private readonly scope: IConstruct) {}

  /** Suppresses `ruleId` for this scope's subtree; throws a ConfigError on an unknown rule or an empty reason. */
  public add(ruleId: string, reason: string): Suppression {
    const suppression: Suppression = { ruleId, constructPath: this.scope.node.path, reason };
    const problems = suppressionProblems(suppression);
    if (problems.length > 0) throw new ConfigError(problems);
    return StackRecord.of<Suppression>(this.scope, SUPPRESSIONS_KEY).add(suppression);
  }

  /** The suppressions declared so far in this scope's stack. */
  public get all(): readonly Suppression[] {
    return StackRecord.find<Suppression>(this.scope, SUPPRESSIONS_KEY)?.all ?? [];
  }
}
