import { RuleResult, TfResource, verdict } from "../rule";
import { block, isSet, isTrue } from "../private/values";

/** The table is encrypted with a customer-managed KMS key rather than an AWS-owned one. */
export function dynamodbKms(r: TfResource): RuleResult {
  if (r.type !== "aws_dynamodb_table") return "not-applicable";
  const sse = block(r.config.server_side_encryption);
  return verdict(isTrue(sse?.enabled) && isSet(sse?.kms_key_arn));
}
