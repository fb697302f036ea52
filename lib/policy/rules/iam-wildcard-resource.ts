import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";
import { allowStatements } from "../private/policy-document";
import { identityPolicy, isUnrestrictableAction } from "../private/iam";

/**
 * No identity policy allows an action that can be scoped to resources on `"*"`. Actions
 * AWS cannot scope (ec2:Describe*, ecr:GetAuthorizationToken...) are accepted on `"*"`, and
 * so are statements narrowed by a condition (a resource-tag condition, for example).
 */
export function iamWildcardResource(r: TfResource, stack: StackIndex): RuleResult {
  const doc = identityPolicy(r, stack);
  if (!doc) return "not-applicable";
  return verdict(
    !allowStatements(doc).some((s) => (s.resources.includes("*") || s.notResources.length > 0) && !s.hasCondition && s.actions.some((a) => !isUnrestrictableAction(a))),
  );
}
