import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";
import { blocks } from "../private/values";

/**
 * The VPC's default security group is adopted and left without rules (Terraform then
 * removes AWS's allow-all defaults), so that a resource launched without a group is isolated.
 */
export function vpcDefaultSecurityGroupClosed(r: TfResource, stack: StackIndex): RuleResult {
  if (r.type !== "aws_vpc") return "not-applicable";
  return verdict(stack.referencing("aws_default_security_group", "vpc_id", r).some((g) => blocks(g.config.ingress).length === 0 && blocks(g.config.egress).length === 0));
}
