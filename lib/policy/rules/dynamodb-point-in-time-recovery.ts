import { RuleResult, TfResource, verdict } from "../rule";
import { block, isTrue } from "../private/values";

/** Point-in-time recovery lets the table be restored to any second of the last 35 days. */
export function dynamodbPointInTimeRecovery(r: TfResource): RuleResult {
  if (r.type !== "aws_dynamodb_table") return "not-applicable";
  return verdict(isTrue(block(r.config.point_in_time_recovery)?.enabled));
}
