import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";
import { allowStatements } from "../private/policy-document";
import { identityPolicy, isAllActions } from "../private/iam";

/** No identity policy allows every action on every resource (`"*"` on `"*"`). */
export function iamFullAdmin(r: TfResource, stack: StackIndex): RuleResult {
  const doc = identityPolicy(r, stack);
  if (!doc) return "not-applicable";
  return verdict(!allowStatements(doc).some((s) => s.actions.some(isAllActions) && s.resources.includes("*")));
}
