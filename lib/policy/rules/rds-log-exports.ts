import { RuleResult, TfResource, verdict } from "../rule";
import { strings } from "../private/values";

/** Database logs are exported to CloudWatch Logs, where they outlive the instance. */
export function rdsLogExports(r: TfResource): RuleResult {
  if (r.type !== "aws_db_instance" && r.type !== "aws_rds_cluster") return "not-applicable";
  return verdict(strings(r.config.enabled_cloudwatch_logs_exports).length > 0);
}
