import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";
import { bucketPart } from "../private/s3";
import { block, blocks, isTrue } from "../private/values";

/** The bucket is versioned: an overwrite or delete keeps the previous version. */
export function s3Versioning(r: TfResource, stack: StackIndex): RuleResult {
  if (r.type !== "aws_s3_bucket") return "not-applicable";
  const separate = bucketPart(stack, r, "aws_s3_bucket_versioning").some((v) => blocks(v.config.versioning_configuration).some((c) => c.status === "Enabled"));
  return verdict(separate || isTrue(block(r.config.versioning)?.enabled));
}
