import { RuleResult, TfResource, verdict } from "../rule";
import { isTrue } from "../private/values";

/** The subnet does not give instances a public IP address by default. */
export function subnetNoPublicIp(r: TfResource): RuleResult {
  if (r.type !== "aws_subnet") return "not-applicable";
  return verdict(!isTrue(r.config.map_public_ip_on_launch));
}
