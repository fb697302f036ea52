import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { Environment } from "../core/environment";
import { Validator } from "../core/errors";
import { claimPhysicalName } from "../core/physical-names";
import { PolicySuppressions } from "../policy/suppressions";
import { bucketNameProblem } from "./bucket-name";
import { applyBucketBaseline } from "./private/bucket-baseline";

/**
 * The bucket that receives the S3 server access logs of a stack's buckets: one per stack,
 * named `<stack>-access-logs-<account>`, created by the first SecureBucket that logs.
 *
 * S3 delivers server access logs only to a bucket whose default encryption is SSE-S3
 * (AWS S3 User Guide, "Enabling Amazon S3 server access logging": SSE-KMS default encryption
 * is not supported on the destination bucket), so this bucket is the one bucket of the
 * library without the environment key; the logs hold request metadata, not objects. With
 * ACLs disabled (BucketOwnerEnforced) delivery is granted by the bucket policy to the
 * logging service principal `logging.s3.amazonaws.com`, for this account's buckets only
 * (User Guide, "Permissions for log delivery"). Logs expire after 90 days in development,
 * 365 otherwise. The bucket does not log its own access (that would log its own deliveries).
 */
export class AccessLogBucket extends Construct {
  /** The stack's access-log bucket, created at the stack's root on first use (found again through the construct tree). */
  public static of(scope: Construct): AccessLogBucket {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild("access-logs");
    return existing instanceof AccessLogBucket ? existing : new AccessLogBucket(stack, "access-logs", scope.node.path);
  }

  public readonly bucket: S3Bucket;
  public readonly bucketName: string;
  public readonly retentionDays: number;

  private constructor(scope: TerraformStack, id: string, requestedBy: string) {
    super(scope, id);
    const env = Environment.of(this);
    this.bucketName = `${scope.node.id}-access-logs-${env.accountId}`;
    const v = new Validator(requestedBy);
    const problem = bucketNameProblem(this.bucketName);
    v.check(
      problem === undefined,
      "accessLogs",
      this.bucketName,
      `the stack's access-log bucket would be named ${JSON.stringify(this.bucketName)}, which ${problem}: shorten the stack's name, or pass accessLogs: false`,
    );
    v.throwIfAny();
    claimPhysicalName(this, "S3 bucket", "bucketName", this.bucketName, "global");
    this.retentionDays = env.byTier({ development: 90, staging: 365, production: 365 });

    this.bucket = new S3Bucket(this, "bucket", { bucket: this.bucketName, forceDestroy: !env.protectsData });
    PolicySuppressions.of(this.bucket).add(
      "S3-KMS",
      "S3 server access logs can only be delivered to a bucket with SSE-S3 default encryption (AWS S3 User Guide); the logs hold request metadata",
    );
    applyBucketBaseline(this, this.bucket, {
      // SSE-S3: the only default encryption S3 delivers server access logs to.
      encryption: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      statements: [
        {
          Sid: "S3ServerAccessLogsDelivery",
          Effect: "Allow",
          Principal: { Service: "logging.s3.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `${this.bucket.arn}/*`,
          Condition: { StringEquals: { "aws:SourceAccount": env.accountId } },
        },
      ],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: this.retentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 7 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
  }
}
