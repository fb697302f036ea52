import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { Environment } from "../core/environment";
import { EnvironmentKey } from "../core/environment-key";
import { Validator } from "../core/errors";
import { IGrantable, PolicyStatement } from "../iam/policy-statement";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { claimPhysicalName } from "../core/physical-names";

export interface SecureBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /** The environment's key: objects are encrypted with SSE-KMS under it. */
  readonly key: EnvironmentKey;
  /** Days a replaced or deleted object version is kept. @default - 30 in development, 90 otherwise */
  readonly noncurrentVersionExpirationDays?: number;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Validates an S3 bucket name against AWS's rules; returns the problem or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (!BUCKET_NAME.test(name)) return "must be 3 to 63 characters of lowercase letters, digits, '.' and '-', starting and ending with a letter or digit";
  if (name.includes("..")) return "must not contain two adjacent periods";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "must not be formatted as an IP address";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|--x-s3)$/.test(name)) return "must not use a prefix or suffix AWS reserves";
  return undefined;
}

/**
 * A private S3 bucket the way every bucket of the library is made: versioned, SSE-KMS
 * with the environment key (bucket keys on, to keep KMS costs flat), all public access
 * blocked, ACLs disabled, a policy that denies requests without TLS, noncurrent
 * versions expired and incomplete uploads aborted. In development the bucket may be
 * destroyed with its objects; elsewhere the stack's data protection keeps it.
 */
export class SecureBucket extends Construct {
  public readonly bucket: S3Bucket;
  public readonly bucketName: string;
  public readonly key: EnvironmentKey;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      bucketName: Shape.string(),
      key: LibraryShapes.key,
      noncurrentVersionExpirationDays: Shape.optional(Shape.number()),
    });
    const env = Environment.of(this);
    const v = new Validator(this.node.path);
    const problem = bucketNameProblem(props.bucketName);
    v.check(problem === undefined, "bucketName", props.bucketName, problem ?? "");
    const days = props.noncurrentVersionExpirationDays ?? env.byTier({ development: 30, staging: 90, production: 90 });
    v.check(Number.isInteger(days) && days >= 1, "noncurrentVersionExpirationDays", days, "must be a whole number of days >= 1");
    v.throwIfAny();
    claimPhysicalName(this, "S3 bucket", "bucketName", props.bucketName, "global");

    this.bucketName = props.bucketName;
    this.key = props.key;
    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName, forceDestroy: !env.protectsData });
    new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [{
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.key.keyArn },
        bucketKeyEnabled: true,
      }],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }],
      }),
      dependsOn: [publicAccess],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [{
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: [{ prefix: "" }],
        noncurrentVersionExpiration: [{ noncurrentDays: days }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      }],
    });
  }

  public get bucketArn(): string {
    return this.bucket.arn;
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
      { actions: ["s3:ListBucket"], resources: [this.bucket.arn], ...(listCondition ? { conditions: listCondition } : {}) },
      { actions: ["s3:GetBucketLocation"], resources: [this.bucket.arn] },
      { actions: objectActions, resources: [`${this.bucket.arn}/${prefix}`] },
      { actions: kmsActions, resources: [this.key.keyArn] },
    ];
  }
}
