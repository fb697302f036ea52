import { RuleResult, TfResource, verdict } from "../rule";
import { isTrue } from "../private/values";

/** The database instance keeps a synchronous standby in another zone. */
export function rdsMultiAz(r: TfResource): RuleResult {
  if (r.type !== "aws_db_instance") return "not-applicable";
  if (r.config.replicate_source_db !== undefined) return "not-applicable";
  return verdict(isTrue(r.config.multi_az));
}
