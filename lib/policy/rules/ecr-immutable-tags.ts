import { RuleResult, TfResource, verdict } from "../rule";

/** Image tags are immutable: a pushed `v1.2` can never silently become different code. */
export function ecrImmutableTags(r: TfResource): RuleResult {
  if (r.type !== "aws_ecr_repository") return "not-applicable";
  return verdict(r.config.image_tag_mutability === "IMMUTABLE" || r.config.image_tag_mutability === "IMMUTABLE_WITH_EXCLUSION");
}
