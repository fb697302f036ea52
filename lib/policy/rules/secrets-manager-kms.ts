import { RuleResult, TfResource, verdict } from "../rule";
import { isSet } from "../private/values";

/** The secret is encrypted with a customer-managed KMS key, so that reading it needs a key grant too. */
export function secretsManagerKms(r: TfResource): RuleResult {
  if (r.type !== "aws_secretsmanager_secret") return "not-applicable";
  return verdict(isSet(r.config.kms_key_id));
}
