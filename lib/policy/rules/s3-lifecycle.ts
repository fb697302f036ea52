import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";
import { bucketPart } from "../private/s3";
import { blocks } from "../private/values";

/** The bucket has an enabled lifecycle rule, so that old versions and failed uploads do not pile up. */
export function s3Lifecycle(r: TfResource, stack: StackIndex): RuleResult {
  if (r.type !== "aws_s3_bucket") return "not-applicable";
  const separate = bucketPart(stack, r, "aws_s3_bucket_lifecycle_configuration").some((l) => blocks(l.config.rule).some((x) => x.status === "Enabled"));
  return verdict(separate || blocks(r.config.lifecycle_rule).some((x) => x.enabled === true));
}
