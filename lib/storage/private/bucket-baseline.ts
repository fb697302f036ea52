import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketServerSideEncryptionConfigurationA, S3BucketServerSideEncryptionConfigurationRuleA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";

export interface BucketBaselineOptions {
  /** The bucket's default encryption (SSE-KMS with the environment key, or SSE-S3 where S3 requires it). */
  readonly encryption: S3BucketServerSideEncryptionConfigurationRuleA;
  /** Statements of the bucket policy after the TLS-only deny. @default - none */
  readonly statements?: readonly Record<string, unknown>[];
}

/**
 * What every bucket of the library has, SecureBucket and AccessLogBucket alike: versioning,
 * default encryption, all public access blocked, ACLs disabled (BucketOwnerEnforced), and a
 * policy that denies requests without TLS, applied after the public access block. Children
 * of `scope` with the IDs `versioning`, `encryption`, `public-access`, `ownership` and
 * `policy` (Terraform addresses: keep them).
 */
export function applyBucketBaseline(scope: Construct, bucket: S3Bucket, options: BucketBaselineOptions): void {
  // Each read of an attribute is a new token with its own stack trace (README.md, Performance): read once.
  const bucketId = bucket.id;
  const bucketArn = bucket.arn;
  new S3BucketVersioningA(scope, "versioning", { bucket: bucketId, versioningConfiguration: { status: "Enabled" } });
  new S3BucketServerSideEncryptionConfigurationA(scope, "encryption", { bucket: bucketId, rule: [options.encryption] });
  const publicAccess = new S3BucketPublicAccessBlock(scope, "public-access", {
    bucket: bucketId,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, "ownership", { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } });
  new S3BucketPolicy(scope, "policy", {
    bucket: bucketId,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [bucketArn, `${bucketArn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        ...(options.statements ?? []),
      ],
    }),
    dependsOn: [publicAccess],
  });
}
