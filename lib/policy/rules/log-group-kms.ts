import { RuleResult, TfResource, verdict } from "../rule";
import { isSet } from "../private/values";

/** The log group is encrypted with a customer-managed KMS key. */
export function logGroupKms(r: TfResource): RuleResult {
  if (r.type !== "aws_cloudwatch_log_group") return "not-applicable";
  return verdict(isSet(r.config.kms_key_id));
}
