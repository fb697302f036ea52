import { RuleResult, TfResource, verdict } from "../rule";
import { numberOf } from "../private/values";

/** The log group declares a retention: "never expire" is unbounded cost and unbounded exposure. */
export function logGroupRetention(r: TfResource): RuleResult {
  if (r.type !== "aws_cloudwatch_log_group") return "not-applicable";
  const days = numberOf(r.config.retention_in_days);
  return verdict(days !== undefined && days > 0);
}
