import { RuleResult, TfResource, verdict } from "../rule";
import { numberOf } from "../private/values";

/** Automated backups are kept (a retention of 0 turns them and point-in-time restore off). */
export function rdsBackupRetention(r: TfResource): RuleResult {
  if (r.type !== "aws_db_instance" && r.type !== "aws_rds_cluster") return "not-applicable";
  if (r.config.replicate_source_db !== undefined) return "not-applicable";
  const days = numberOf(r.config.backup_retention_period);
  return verdict(days === undefined || days >= 1); // unset: AWS keeps 1 day
}
