import { RuleResult, TfResource, verdict } from "../rule";
import { isFalse } from "../private/values";

/** Minor engine versions (security fixes) are applied automatically in the maintenance window. */
export function rdsMinorUpgrades(r: TfResource): RuleResult {
  if (r.type !== "aws_db_instance" && r.type !== "aws_rds_cluster_instance") return "not-applicable";
  return verdict(!isFalse(r.config.auto_minor_version_upgrade)); // the provider's default is true
}
