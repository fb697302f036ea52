import { RuleResult, TfResource, verdict } from "../rule";
import { block, isFalse } from "../private/values";

/** The EKS API endpoint is private only (the provider enables the public endpoint unless told not to). */
export function eksPublicEndpoint(r: TfResource): RuleResult {
  if (r.type !== "aws_eks_cluster") return "not-applicable";
  return verdict(isFalse(block(r.config.vpc_config)?.endpoint_public_access));
}
