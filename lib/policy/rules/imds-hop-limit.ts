import { RuleResult, TfResource, verdict } from "../rule";
import { block, numberOf } from "../private/values";

/**
 * The metadata response hop limit stays at 1, so that containers (one hop further) cannot
 * reach the node's instance role; pods use IRSA instead.
 */
export function imdsHopLimit(r: TfResource): RuleResult {
  if (r.type !== "aws_launch_template" && r.type !== "aws_instance") return "not-applicable";
  const limit = numberOf(block(r.config.metadata_options)?.http_put_response_hop_limit);
  return verdict(limit === undefined || limit <= 1);
}
