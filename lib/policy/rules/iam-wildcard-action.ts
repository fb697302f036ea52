import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";
import { allowStatements } from "../private/policy-document";
import { identityPolicy, isAllActions } from "../private/iam";

/**
 * No identity policy allows `"*"` as an action, or allows through `NotAction` (which
 * grants every action but the listed ones, including those AWS adds later). Deny
 * statements, such as the empty IRSA role's deny-all placeholder, are never flagged.
 */
export function iamWildcardAction(r: TfResource, stack: StackIndex): RuleResult {
  const doc = identityPolicy(r, stack);
  if (!doc) return "not-applicable";
  return verdict(!allowStatements(doc).some((s) => s.actions.some(isAllActions) || s.notActions.length > 0));
}
