import { RuleResult, TfResource, verdict } from "../rule";
import { isTrue } from "../private/values";

/** The database cannot be deleted until deletion protection is turned off on purpose. */
export function rdsDeletionProtection(r: TfResource): RuleResult {
  if (r.type !== "aws_db_instance" && r.type !== "aws_rds_cluster") return "not-applicable";
  return verdict(isTrue(r.config.deletion_protection));
}
