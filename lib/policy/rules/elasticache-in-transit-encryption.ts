import { RuleResult, TfResource, verdict } from "../rule";
import { isTrue } from "../private/values";

/** Clients talk to the cache over TLS. */
export function elasticacheInTransitEncryption(r: TfResource): RuleResult {
  if (r.type !== "aws_elasticache_replication_group") return "not-applicable";
  return verdict(isTrue(r.config.transit_encryption_enabled));
}
