import { RuleResult, TfResource, verdict } from "../rule";
import { isSet } from "../private/values";

/** The cache is encrypted at rest with a customer-managed KMS key. */
export function elasticacheKms(r: TfResource): RuleResult {
  if (r.type !== "aws_elasticache_replication_group") return "not-applicable";
  return verdict(isSet(r.config.kms_key_id));
}
