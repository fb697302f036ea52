import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";
import { bucketSseAlgorithms } from "../private/s3";

/** The bucket encrypts with KMS (aws:kms or aws:kms:dsse), so that reading needs a key grant too. */
export function s3KmsEncryption(r: TfResource, stack: StackIndex): RuleResult {
  if (r.type !== "aws_s3_bucket") return "not-applicable";
  return verdict(bucketSseAlgorithms(stack, r).some((d) => d.algorithm === "aws:kms" || d.algorithm === "aws:kms:dsse"));
}
