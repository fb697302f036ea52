import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";
import { allowStatements, isAnyonePrincipal } from "../private/policy-document";

/** A role's trust policy does not let any AWS principal (`"*"`) assume it without a condition. */
export function iamTrustAnyPrincipal(r: TfResource, stack: StackIndex): RuleResult {
  if (r.type !== "aws_iam_role") return "not-applicable";
  const doc = stack.policyDocument(r.config.assume_role_policy);
  if (!doc) return "not-applicable";
  return verdict(!allowStatements(doc).some((s) => isAnyonePrincipal(s) && !s.hasCondition));
}
