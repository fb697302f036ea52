import { RuleResult, TfResource, verdict } from "../rule";
import { isTrue } from "../private/values";

/** Database storage, snapshots and backups are encrypted at rest. */
export function rdsStorageEncrypted(r: TfResource): RuleResult {
  if (r.type !== "aws_db_instance" && r.type !== "aws_rds_cluster") return "not-applicable";
  // A read replica inherits its source's encryption.
  if (r.type === "aws_db_instance" && r.config.replicate_source_db !== undefined) return "not-applicable";
  return verdict(isTrue(r.config.storage_encrypted));
}
