import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";
import { bucketSseAlgorithms } from "../private/s3";

/** The bucket declares default server-side encryption. */
export function s3Encryption(r: TfResource, stack: StackIndex): RuleResult {
  if (r.type !== "aws_s3_bucket") return "not-applicable";
  return verdict(bucketSseAlgorithms(stack, r).some((d) => typeof d.algorithm === "string" && d.algorithm !== ""));
}
