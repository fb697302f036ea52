import { RuleResult, TfResource, verdict } from "../rule";
import { isTrue } from "../private/values";

/** IAM database authentication is on, so that clients can log in with short-lived tokens instead of passwords. */
export function rdsIamAuthentication(r: TfResource): RuleResult {
  if (r.type !== "aws_db_instance" && r.type !== "aws_rds_cluster") return "not-applicable";
  return verdict(isTrue(r.config.iam_database_authentication_enabled));
}
