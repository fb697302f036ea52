import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";
import { bucketPart } from "../private/s3";
import { isTrue } from "../private/values";

const SETTINGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

/** The bucket has a public access block with all four settings on. */
export function s3PublicAccessBlock(r: TfResource, stack: StackIndex): RuleResult {
  if (r.type !== "aws_s3_bucket") return "not-applicable";
  return verdict(bucketPart(stack, r, "aws_s3_bucket_public_access_block").some((b) => SETTINGS.every((s) => isTrue(b.config[s]))));
}
