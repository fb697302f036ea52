import { TfResource } from "../rule";
import { StackIndex } from "../stack-index";
import { block, blocks } from "./values";

/** A bucket's separate configuration resources of one type (provider v4+ style), matched by reference or literal name. */
export function bucketPart(stack: StackIndex, bucket: TfResource, type: string): TfResource[] {
  return stack.referencing(type, "bucket", bucket, "bucket");
}

/** The default-encryption algorithms of a bucket, from its encryption resource or the legacy inline block. */
export function bucketSseAlgorithms(stack: StackIndex, bucket: TfResource): { algorithm: unknown; keyId: unknown }[] {
  const rules = [
    ...bucketPart(stack, bucket, "aws_s3_bucket_server_side_encryption_configuration").flatMap((e) => blocks(e.config.rule)),
    ...blocks(block(bucket.config.server_side_encryption_configuration)?.rule),
  ];
  return rules
    .map((rule) => block(rule.apply_server_side_encryption_by_default))
    .filter((d): d is Record<string, any> => !!d)
    .map((d) => ({ algorithm: d.sse_algorithm, keyId: d.kms_master_key_id }));
}
