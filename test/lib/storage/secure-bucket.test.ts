import { EnvironmentKey, SecureBucket, ServiceAccountRole } from "../../../lib";
import { infraStack } from "../../support/env";
import { errorOf, synthJson } from "../../support/synth";

/** The one resource of a type outside the stack's AccessLogBucket (which SecureBucket adds at the stack's root). */
function ownResource(json: any, type: string): any {
  const all = Object.entries<any>(json.resource?.[type] ?? {})
    .filter(([address]) => !address.startsWith("access-logs_"))
    .map(([, r]) => r);
  if (all.length !== 1) throw new Error(`expected exactly one ${type} outside access-logs, found ${all.length}`);
  return all[0];
}

function bucket(overrides: Parameters<typeof infraStack>[0] = {}, name = "ml-test-artifacts") {
  const stack = infraStack(overrides);
  const key = new EnvironmentKey(stack, "kms");
  const b = new SecureBucket(stack, "bucket", { bucketName: name, key });
  return { stack, key, b };
}

describe("SecureBucket", () => {
  test("is versioned, SSE-KMS with the environment key, private and owner-enforced", () => {
    const json = synthJson(bucket().stack);
    expect(ownResource(json, "aws_s3_bucket_versioning").versioning_configuration.status).toBe("Enabled");
    const rule = ownResource(json, "aws_s3_bucket_server_side_encryption_configuration").rule[0];
    expect(rule.apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
    expect(rule.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/aws_kms_key\..*\.arn/);
    expect(ownResource(json, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(ownResource(json, "aws_s3_bucket_ownership_controls").rule.object_ownership).toBe("BucketOwnerEnforced");
  });

  test("denies every request without TLS", () => {
    const policy = JSON.parse(ownResource(synthJson(bucket().stack), "aws_s3_bucket_policy").policy);
    expect(policy.Statement[0]).toMatchObject({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  test("expires noncurrent versions and aborts stale uploads", () => {
    const rule = ownResource(synthJson(bucket().stack), "aws_s3_bucket_lifecycle_configuration").rule[0];
    expect(rule.noncurrent_version_expiration[0].noncurrent_days).toBe(30);
    expect(rule.abort_incomplete_multipart_upload[0].days_after_initiation).toBe(7);
  });

  test("can be destroyed with its objects in development only", () => {
    expect(ownResource(synthJson(bucket().stack), "aws_s3_bucket").force_destroy).toBe(true);
    const prod = ownResource(synthJson(bucket({ tier: "production", name: "prod" }).stack), "aws_s3_bucket");
    expect(prod.force_destroy).toBe(false);
    expect(prod.lifecycle.prevent_destroy).toBe(true);
  });

  test("logs every request into the stack's access-log bucket: one per stack, SSE-S3, written only by the logging service for this account", () => {
    const { stack, key } = bucket();
    new SecureBucket(stack, "second", { bucketName: "ml-test-datasets", key });
    const json = synthJson(stack);
    const logging = Object.values<any>(json.resource.aws_s3_bucket_logging);
    expect(logging.map((l) => [l.bucket, l.target_bucket, l.target_prefix])).toEqual([
      [expect.stringMatching(/^\$\{aws_s3_bucket\.bucket_[0-9A-F]{8}\.id\}$/), "${aws_s3_bucket.access-logs_bucket_7E528747.id}", "ml-test-artifacts/"],
      [expect.stringMatching(/^\$\{aws_s3_bucket\.second_bucket_[0-9A-F]{8}\.id\}$/), "${aws_s3_bucket.access-logs_bucket_7E528747.id}", "ml-test-datasets/"],
    ]);
    expect(json.resource.aws_s3_bucket["access-logs_bucket_7E528747"].bucket).toBe("test-infra-access-logs-123456789012");
    const logs = (type: string) =>
      Object.entries<any>(json.resource[type])
        .filter(([address]) => address.startsWith("access-logs_"))
        .map(([, r]) => r);
    expect(logs("aws_s3_bucket_server_side_encryption_configuration").map((r) => r.rule[0].apply_server_side_encryption_by_default)).toEqual([{ sse_algorithm: "AES256" }]);
    const statements = JSON.parse(logs("aws_s3_bucket_policy")[0].policy).Statement;
    expect(statements[1]).toEqual({
      Sid: "S3ServerAccessLogsDelivery",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: "${aws_s3_bucket.access-logs_bucket_7E528747.arn}/*",
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
    });
    expect(logs("aws_s3_bucket_lifecycle_configuration").map((r) => r.rule[0].expiration)).toEqual([[{ days: 90 }]]);
  });

  test("accessLogs: false logs nothing and creates no log bucket", () => {
    const stack = infraStack();
    new SecureBucket(stack, "bucket", { bucketName: "ml-test-artifacts", key: new EnvironmentKey(stack, "kms"), accessLogs: false });
    const json = synthJson(stack);
    expect(json.resource.aws_s3_bucket_logging).toBeUndefined();
    expect(Object.values<any>(json.resource.aws_s3_bucket).map((b) => b.bucket)).toEqual(["ml-test-artifacts"]);
  });

  test("a stack whose name makes the access-log bucket's name too long is refused, naming the way out", () => {
    const stack = infraStack({}, "ml-platform-with-a-very-long-stack-name-infra");
    expect(errorOf(() => new SecureBucket(stack, "bucket", { bucketName: "ml-test-artifacts", key: new EnvironmentKey(stack, "kms") }))).toBe(
      'ml-platform-with-a-very-long-stack-name-infra/bucket: accessLogs is "ml-platform-with-a-very-long-stack-name-infra-access-logs-123456789012"; ' +
        'the stack\'s access-log bucket would be named "ml-platform-with-a-very-long-stack-name-infra-access-logs-123456789012", which must be 3 to 63 characters ' +
        "of lowercase letters, digits, '.' and '-', starting and ending with a letter or digit: shorten the stack's name, or pass accessLogs: false",
    );
  });

  test("an invalid bucket name is refused", () => {
    expect(errorOf(() => bucket({}, "ML_Artifacts"))).toBe(
      "test-infra/bucket: bucketName is \"ML_Artifacts\"; must be 3 to 63 characters of lowercase letters, digits, '.' and '-', starting and ending with a letter or digit",
    );
  });

  test("grantRead gives read of exactly this bucket's objects and decrypt on its key", () => {
    const { stack, b } = bucket();
    const role = new ServiceAccountRole(stack, "reader", {
      identity: { oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/x", oidcIssuerUrl: "https://x" },
      namespace: "serving",
      serviceAccount: "model",
    });
    b.grantRead(role, "models/*");
    const statements = role.policyStatements;
    expect(statements.map((s) => s.actions)).toEqual([["s3:ListBucket"], ["s3:GetBucketLocation"], ["s3:GetObject", "s3:GetObjectVersion"], ["kms:Decrypt", "kms:DescribeKey"]]);
    expect(statements[0].conditions).toEqual({ StringLike: { "s3:prefix": ["models/*"] } });
    expect(statements[2].resources[0]).toMatch(/\/models\/\*$/);
    expect(statements.flatMap((s) => s.resources)).not.toContain("*");
  });
});
