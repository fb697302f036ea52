import { RuleResult, TfResource, verdict } from "../rule";
import { isTrue } from "../private/values";

/** A symmetric customer-managed key rotates its key material. */
export function kmsRotation(r: TfResource): RuleResult {
  if (r.type !== "aws_kms_key") return "not-applicable";
  const spec = r.config.customer_master_key_spec ?? r.config.key_spec;
  if (spec !== undefined && spec !== "SYMMETRIC_DEFAULT") return "not-applicable"; // AWS rotates symmetric keys only
  return verdict(isTrue(r.config.enable_key_rotation));
}
