import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";
import { allowStatements, isAnyonePrincipal } from "../private/policy-document";

/**
 * No key policy statement allows any principal (`"*"`) without a condition. A `"*"`
 * resource in a key policy means "this key" and is not judged.
 */
export function kmsWildcardPrincipal(r: TfResource, stack: StackIndex): RuleResult {
  if (r.type !== "aws_kms_key" || r.config.policy === undefined) return "not-applicable";
  const doc = stack.policyDocument(r.config.policy);
  if (!doc) return "not-applicable";
  return verdict(!allowStatements(doc).some((s) => isAnyonePrincipal(s) && !s.hasCondition));
}
