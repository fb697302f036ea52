import { RuleResult, TfResource, verdict } from "../rule";
import { blocks } from "../private/values";

/** Images are encrypted with KMS (the default is AES256 with an AWS-owned key). */
export function ecrKms(r: TfResource): RuleResult {
  if (r.type !== "aws_ecr_repository") return "not-applicable";
  return verdict(blocks(r.config.encryption_configuration).some((e) => e.encryption_type === "KMS"));
}
