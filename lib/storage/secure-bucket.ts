import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { Environment } from "../core/environment";
import { IEnvironmentKey } from "../core/environment-key";
import { Validator } from "../core/errors";
import { IGrantable, PolicyStatement } from "../iam/policy-statement";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { claimPhysicalName } from "../core/physical-names";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { AccessLogBucket } from "./access-log-bucket";
import { bucketNameProblem } from "./bucket-name";
import { applyBucketBaseline } from "./private/bucket-baseline";

export interface SecureBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /** The environment's key: objects are encrypted with SSE-KMS under it. */
  readonly key: IEnvironmentKey;
  /** Days a replaced or deleted object version is kept. @default - 30 in development, 90 otherwise */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Days after which current objects expire (data kept for a bounded time, such as inference logs).
   * @default - objects are kept until deleted
   */
  readonly expirationDays?: number;
  /**
   * S3 server access logs (every request: who, what, when) into the stack's AccessLogBucket,
   * under `<bucket name>/`. @default true
   */
  readonly accessLogs?: boolean;
}

export { bucketNameProblem } from "./bucket-name";

/**
 * A private S3 bucket the way every bucket of the library is made: versioned, SSE-KMS
 * with the environment key (bucket keys on, to keep KMS costs flat), all public access
 * blocked, ACLs disabled, a policy that denies requests without TLS, noncurrent
 * versions expired and incomplete uploads aborted, server access logs delivered to the
 * stack's AccessLogBucket. In development the bucket may be
 * destroyed with its objects; elsewhere the stack's data protection keeps it.
 */
export class SecureBucket extends Construct {
  public readonly bucket: S3Bucket;
  public readonly bucketName: string;
  public readonly key: IEnvironmentKey;
  /** Where its server access logs go (unless accessLogs is false). */
  public readonly accessLogBucket?: AccessLogBucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      bucketName: Shape.string(),
      key: LibraryShapes.key,
      noncurrentVersionExpirationDays: Shape.optional(Shape.number()),
      expirationDays: Shape.optional(Shape.number()),
      accessLogs: Shape.optional(Shape.boolean()),
    });
    const env = Environment.of(this);
    const v = new Validator(this.node.path);
    const problem = bucketNameProblem(props.bucketName);
    v.checkProblem("bucketName", props.bucketName, problem);
    const days = props.noncurrentVersionExpirationDays ?? env.byTier({ development: 30, staging: 90, production: 90 });
    v.check(Number.isInteger(days) && days >= 1, "noncurrentVersionExpirationDays", days, "must be a whole number of days >= 1");
    if (props.expirationDays !== undefined) {
      v.check(Number.isInteger(props.expirationDays) && props.expirationDays >= 1, "expirationDays", props.expirationDays, "must be a whole number of days >= 1");
    }
    v.throwIfAny();
    claimPhysicalName(this, "S3 bucket", "bucketName", props.bucketName, "global");

    this.bucketName = props.bucketName;
    this.key = props.key;
    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName, forceDestroy: !env.protectsData });
    applyBucketBaseline(this, this.bucket, {
      encryption: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.key.keyArn }, bucketKeyEnabled: true },
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: days }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
        ...(props.expirationDays !== undefined
          ? [
              {
                id: "expire-objects",
                status: "Enabled",
                filter: [{ prefix: "" }],
                expiration: [{ days: props.expirationDays }],
              },
            ]
          : []),
      ],
    });
    if (props.accessLogs ?? true) {
      this.accessLogBucket = AccessLogBucket.of(this);
      new S3BucketLoggingA(this, "access-logs", {
        bucket: this.bucket.id,
        targetBucket: this.accessLogBucket.bucket.id,
        targetPrefix: `${props.bucketName}/`,
      });
    }
  }

  // Made once: every read of a resource attribute is a new cdktf token, and cdktf records a stack trace for each (README.md, Performance).
  private bucketArnToken?: string;

  public get bucketArn(): string {
    return (this.bucketArnToken ??= this.bucket.arn);
  }

  /** Read objects under `prefix` (default: all) and decrypt them. */
  public grantRead(grantee: IGrantable, prefix = "*"): void {
    for (const s of this.statements(["s3:GetObject", "s3:GetObjectVersion"], prefix, ["kms:Decrypt", "kms:DescribeKey"])) grantee.addToPolicy(s);
  }

  /** Read, write and delete objects under `prefix` (default: all), encrypting with the key. */
  public grantReadWrite(grantee: IGrantable, prefix = "*"): void {
    const actions = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"];
    const kms = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"];
    for (const s of this.statements(actions, prefix, kms)) grantee.addToPolicy(s);
  }

  private statements(objectActions: string[], prefix: string, kmsActions: string[]): PolicyStatement[] {
    const listCondition = prefix === "*" ? undefined : { StringLike: { "s3:prefix": [prefix.replace(/\*?$/, "*")] } };
    return [
      { actions: ["s3:ListBucket"], resources: [this.bucketArn], ...(listCondition ? { conditions: listCondition } : {}) },
      { actions: ["s3:GetBucketLocation"], resources: [this.bucketArn] },
      { actions: objectActions, resources: [`${this.bucketArn}/${prefix}`] },
      { actions: kmsActions, resources: [this.key.keyArn] },
    ];
  }
}
