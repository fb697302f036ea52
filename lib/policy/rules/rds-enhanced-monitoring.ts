import { RuleResult, TfResource, verdict } from "../rule";
import { numberOf } from "../private/values";

/** Enhanced monitoring collects OS metrics of the database host. */
export function rdsEnhancedMonitoring(r: TfResource): RuleResult {
  if (r.type !== "aws_db_instance" && r.type !== "aws_rds_cluster_instance") return "not-applicable";
  const interval = numberOf(r.config.monitoring_interval);
  return verdict(interval !== undefined && interval > 0);
}
