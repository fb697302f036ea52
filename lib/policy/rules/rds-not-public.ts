import { RuleResult, TfResource, verdict } from "../rule";
import { isTrue } from "../private/values";

/** The database instance has no public IP address. */
export function rdsNotPublic(r: TfResource): RuleResult {
  if (r.type !== "aws_db_instance" && r.type !== "aws_rds_cluster_instance") return "not-applicable";
  return verdict(!isTrue(r.config.publicly_accessible));
}
