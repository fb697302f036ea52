import { RuleResult, TfResource, verdict } from "../rule";
import { isSet, isTrue, strings } from "../private/values";

/**
 * Clients must authenticate: TLS plus an AUTH token, or (preferred, no shared secret in
 * state) RBAC user groups, which checkov's CKV_AWS_31 predates.
 */
export function elasticacheAuthentication(r: TfResource): RuleResult {
  if (r.type !== "aws_elasticache_replication_group") return "not-applicable";
  return verdict(isTrue(r.config.transit_encryption_enabled) && (isSet(r.config.auth_token) || strings(r.config.user_group_ids).length > 0));
}
