import { EnvironmentKey, SecureBucket, ServiceAccountRole } from "../../../lib";
import { infraStack } from "../../support/env";
import { errorOf, onlyResource, synthJson } from "../../support/synth";

function bucket(overrides: Parameters<typeof infraStack>[0] = {}, name = "ml-test-artifacts") {
  const stack = infraStack(overrides);
  const key = new EnvironmentKey(stack, "kms");
  const b = new SecureBucket(stack, "bucket", { bucketName: name, key });
  return { stack, key, b };
}

describe("SecureBucket", () => {
  test("is versioned, SSE-KMS with the environment key, private and owner-enforced", () => {
    const json = synthJson(bucket().stack);
    expect(onlyResource(json, "aws_s3_bucket_versioning").versioning_configuration.status).toBe("Enabled");
    const rule = onlyResource(json, "aws_s3_bucket_server_side_encryption_configuration").rule[0];
    expect(rule.apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
    expect(rule.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/aws_kms_key\..*\.arn/);
    expect(onlyResource(json, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
    expect(onlyResource(json, "aws_s3_bucket_ownership_controls").rule.object_ownership).toBe("BucketOwnerEnforced");
  });

  test("denies every request without TLS", () => {
    const policy = JSON.parse(onlyResource(synthJson(bucket().stack), "aws_s3_bucket_policy").policy);
    expect(policy.Statement[0]).toMatchObject({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  });

  test("expires noncurrent versions and aborts stale uploads", () => {
    const rule = onlyResource(synthJson(bucket().stack), "aws_s3_bucket_lifecycle_configuration").rule[0];
    expect(rule.noncurrent_version_expiration[0].noncurrent_days).toBe(30);
    expect(rule.abort_incomplete_multipart_upload[0].days_after_initiation).toBe(7);
  });

  test("can be destroyed with its objects in development only", () => {
    expect(onlyResource(synthJson(bucket().stack), "aws_s3_bucket").force_destroy).toBe(true);
    const prod = onlyResource(synthJson(bucket({ tier: "production", name: "prod" }).stack), "aws_s3_bucket");
    expect(prod.force_destroy).toBe(false);
    expect(prod.lifecycle.prevent_destroy).toBe(true);
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
      namespace: "serving", serviceAccount: "model",
    });
    b.grantRead(role, "models/*");
    const statements = role.policyStatements;
    expect(statements.map((s) => s.actions)).toEqual([["s3:ListBucket"], ["s3:GetBucketLocation"], ["s3:GetObject", "s3:GetObjectVersion"], ["kms:Decrypt", "kms:DescribeKey"]]);
    expect(statements[0].conditions).toEqual({ StringLike: { "s3:prefix": ["models/*"] } });
    expect(statements[2].resources[0]).toMatch(/\/models\/\*$/);
    expect(statements.flatMap((s) => s.resources)).not.toContain("*");
  });
});
