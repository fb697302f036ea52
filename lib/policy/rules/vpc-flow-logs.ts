import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";

/** The VPC's traffic is recorded by a flow log. */
export function vpcFlowLogs(r: TfResource, stack: StackIndex): RuleResult {
  if (r.type !== "aws_vpc") return "not-applicable";
  return verdict(stack.referencing("aws_flow_log", "vpc_id", r).length > 0);
}
