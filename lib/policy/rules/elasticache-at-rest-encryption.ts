import { RuleResult, TfResource, verdict } from "../rule";
import { isTrue } from "../private/values";

/** The cache's data, snapshots and swap are encrypted at rest. */
export function elasticacheAtRestEncryption(r: TfResource): RuleResult {
  if (r.type !== "aws_elasticache_replication_group") return "not-applicable";
  return verdict(isTrue(r.config.at_rest_encryption_enabled));
}
