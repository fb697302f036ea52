import { Construct } from "constructs";
import { Environment } from "../core/environment";
import { IEnvironmentKey } from "../core/environment-key";
import { Validator } from "../core/errors";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { IGrantable } from "../iam/policy-statement";
import { SecureBucket, bucketNameProblem } from "../storage/secure-bucket";

/**
 * Where an endpoint writes its inference logs (an InferenceLogBucket is one): the
 * `s3://` URI of the endpoint's own prefix, given to the server as INFERENCE_LOG_URI.
 */
export interface IInferenceLogs {
  /** `s3://<bucket>/inference-logs/<endpoint>/` */
  logUri(endpoint: string): string;
  /** Lets a model server write its own logs (and nothing else). */
  grantWrite(grantee: IGrantable, endpoint: string): void;
  /** Lets a drift monitor list and read one endpoint's logs. */
  grantRead(grantee: IGrantable, endpoint: string): void;
}

export interface InferenceLogBucketProps {
  /** The environment key: logs are encrypted with SSE-KMS under it. */
  readonly key: IEnvironmentKey;
  /** Globally unique bucket name. @default "<prefix>-inference-logs-<account>" */
  readonly bucketName?: string;
  /**
   * Days a log object is kept (inference inputs may hold personal data: keep them no longer than the
   * drift window and the investigations need).
   * @default - 30 in development, 90 otherwise
   */
  readonly retentionDays?: number;
}

/** Key prefix of every endpoint's logs; each endpoint writes under `inference-logs/<endpoint>/`. */
export const INFERENCE_LOG_PREFIX = "inference-logs/";

const ENDPOINT_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;

/**
 * The inference logging contract's bucket (lib/endpoint/README.md, "Drift monitoring"): each
 * endpoint writes JSON Lines records of its inputs and outputs under
 * `inference-logs/<endpoint>/dt=YYYY-MM-DD/`, and its drift monitor reads them. A SecureBucket
 * (SSE-KMS with the environment key, TLS only, versioned, access logs to the stack's
 * AccessLogBucket) whose objects expire after `retentionDays`.
 *
 * Grants are per endpoint prefix: `grantWrite` gives a serving role PutObject on its own prefix
 * and kms:GenerateDataKey on the key, nothing else (no read, no list, no delete: a compromised
 * server cannot read other endpoints' inputs nor erase its own history); `grantRead` gives a
 * drift monitor's role List/Get on one prefix and kms:Decrypt.
 */
export class InferenceLogBucket extends Construct implements IInferenceLogs {
  public readonly bucket: SecureBucket;
  public readonly bucketName: string;
  public readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: InferenceLogBucketProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      key: LibraryShapes.key,
      bucketName: Shape.optional(Shape.string()),
      retentionDays: Shape.optional(Shape.number()),
    });
    const env = Environment.of(this);
    const v = new Validator(this.node.path);
    this.bucketName = props.bucketName ?? `${env.prefix}-inference-logs-${env.accountId}`;
    this.retentionDays = props.retentionDays ?? env.byTier({ development: 30, staging: 90, production: 90 });
    const problem = bucketNameProblem(this.bucketName);
    v.checkProblem("bucketName", this.bucketName, problem);
    v.check(
      Number.isInteger(this.retentionDays) && this.retentionDays >= 1 && this.retentionDays <= 3650,
      "retentionDays",
      this.retentionDays,
      "must be a whole number of days from 1 to 3650",
    );
    v.throwIfAny();
    // Replaced versions go a day later: logs are written once, never overwritten.
    this.bucket = new SecureBucket(this, "bucket", { bucketName: this.bucketName, key: props.key, expirationDays: this.retentionDays, noncurrentVersionExpirationDays: 1 });
  }

  /** The key prefix of one endpoint's logs: `inference-logs/<endpoint>/`. */
  public prefixOf(endpoint: string): string {
    return `${INFERENCE_LOG_PREFIX}${endpoint}/`;
  }

  public logUri(endpoint: string): string {
    return `s3://${this.bucketName}/${this.prefixOf(endpoint)}`;
  }

  /**
   * What a model server needs to log: s3:PutObject on its own prefix and kms:GenerateDataKey on the
   * key (SSE-KMS of a single-part upload). Records are small objects written in one PUT: multipart
   * uploads would also need kms:Decrypt, which the server is not given.
   */
  public grantWrite(grantee: IGrantable, endpoint: string): void {
    this.checkEndpoint("grantWrite", endpoint);
    grantee.addToPolicy({ actions: ["s3:PutObject"], resources: [`${this.bucket.bucketArn}/${this.prefixOf(endpoint)}*`] });
    grantee.addToPolicy({ actions: ["kms:GenerateDataKey"], resources: [this.bucket.key.keyArn] });
  }

  /** What a drift monitor needs: list and read one endpoint's prefix, decrypt with the key. */
  public grantRead(grantee: IGrantable, endpoint: string): void {
    this.checkEndpoint("grantRead", endpoint);
    const prefix = this.prefixOf(endpoint);
    grantee.addToPolicy({ actions: ["s3:ListBucket"], resources: [this.bucket.bucketArn], conditions: { StringLike: { "s3:prefix": [`${prefix}*`] } } });
    grantee.addToPolicy({ actions: ["s3:GetObject"], resources: [`${this.bucket.bucketArn}/${prefix}*`] });
    grantee.addToPolicy({ actions: ["kms:Decrypt"], resources: [this.bucket.key.keyArn] });
  }

  private checkEndpoint(method: string, endpoint: string): void {
    const v = new Validator(this.node.path);
    v.check(ENDPOINT_NAME.test(endpoint), `${method} endpoint`, endpoint, "must be an endpoint name (1 to 40 lowercase letters, digits or '-', starting with a letter)");
    v.throwIfAny();
  }
}
