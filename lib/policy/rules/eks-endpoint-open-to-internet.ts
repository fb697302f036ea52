import { RuleResult, TfResource, verdict } from "../rule";
import { block, isFalse, strings } from "../private/values";

/** The EKS API endpoint, when public, is limited to known CIDR ranges (the provider's default is 0.0.0.0/0). */
export function eksEndpointOpenToInternet(r: TfResource): RuleResult {
  if (r.type !== "aws_eks_cluster") return "not-applicable";
  const vpc = block(r.config.vpc_config) ?? {};
  if (isFalse(vpc.endpoint_public_access)) return "compliant";
  const cidrs = strings(vpc.public_access_cidrs);
  return verdict(cidrs.length > 0 && !cidrs.includes("0.0.0.0/0"));
}
