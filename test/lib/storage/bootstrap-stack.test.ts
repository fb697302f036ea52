import { App, Testing } from "cdktf";
import { BootstrapStack, InfraStack } from "../../../lib";
import { testEnvironment } from "../../support/env";
import { errorOf, onlyResource, synthJson } from "../../support/synth";

/** The one resource of a type outside the stack's AccessLogBucket (which SecureBucket adds at the stack's root). */
function ownResource(json: any, type: string): any {
  const all = Object.entries<any>(json.resource?.[type] ?? {})
    .filter(([address]) => !address.startsWith("access-logs_"))
    .map(([, r]) => r);
  if (all.length !== 1) throw new Error(`expected exactly one ${type} outside access-logs, found ${all.length}`);
  return all[0];
}

function bootstrap(overrides: Parameters<typeof testEnvironment>[0] = {}): BootstrapStack {
  return new BootstrapStack(Testing.app(), "ml-test-bootstrap", { environment: testEnvironment({ tier: "staging", ...overrides }) });
}

describe("BootstrapStack", () => {
  test("GIVEN an S3 backend THEN it creates the named state bucket, encrypted with its own state key", () => {
    const json = synthJson(bootstrap());
    expect(ownResource(json, "aws_s3_bucket").bucket).toBe("test-terraform-state");
    expect(onlyResource(json, "aws_kms_alias").name).toBe("alias/ml-test-terraform-state");
    const rule = ownResource(json, "aws_s3_bucket_server_side_encryption_configuration").rule[0];
    expect(rule.apply_server_side_encryption_by_default.kms_master_key_id).toBe("${aws_kms_key.state-key_753BFC90.arn}");
  });

  test("keeps its own state locally: the bucket cannot hold the state of the stack that creates it", () => {
    const stack = bootstrap();
    const other = new InfraStack(stack.node.scope as App, "ml-test-infra", { environment: stack.environment });
    expect(synthJson(other).terraform.backend.s3.bucket).toBe("test-terraform-state");
    expect(synthJson(stack).terraform.backend?.s3).toBeUndefined();
  });

  test("its key and bucket sit at the addresses the reference bootstrap stacks have always had", () => {
    const json = synthJson(bootstrap());
    expect(Object.keys(json.resource.aws_kms_key)).toEqual(["state-key_753BFC90"]);
    // The access-log bucket (issue 12) is new, at the stack's root: reviewed in test/stacks/stateful-addresses.ts.
    expect(Object.keys(json.resource.aws_s3_bucket)).toEqual(["access-logs_bucket_7E528747", "state-bucket_828F7150"]);
  });

  test("GIVEN production THEN the state bucket and key are protected from destroy", () => {
    const json = synthJson(bootstrap({ tier: "production" }));
    expect(ownResource(json, "aws_s3_bucket").lifecycle.prevent_destroy).toBe(true);
    expect(onlyResource(json, "aws_kms_key").lifecycle.prevent_destroy).toBe(true);
    expect(ownResource(json, "aws_s3_bucket").force_destroy).toBe(false);
  });

  test("GIVEN a backend in another region THEN the bucket and its key are created in the backend's region", () => {
    const json = synthJson(bootstrap({ stateBackend: { type: "s3", bucket: "test-terraform-state", region: "eu-central-1" } }));
    expect(json.provider.aws[0].region).toBe("eu-central-1");
    expect(synthJson(bootstrap()).provider.aws[0].region).toBe("us-east-1");
  });

  test("GIVEN local state THEN it refuses, saying what the environment needs", () => {
    expect(errorOf(() => bootstrap({ tier: "development", stateBackend: { type: "local" } }))).toBe(
      'ml-test-bootstrap: environment.stateBackend.type is "local"; a bootstrap stack creates the S3 state bucket, ' +
        'so the environment must use { type: "s3", bucket } (an environment with local state needs no bootstrap stack)',
    );
  });
});
