import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { Construct } from "constructs";
import { InfraStack } from "../../../lib/core";
import { PolicySuppressions, checkStack } from "../../../lib/policy";
import { errorOf } from "../../support/synth";
import { testEnvironment } from "../../support/env";
import { tf } from "./fixtures";

/** Synthesizes with cdktf's metadata (`//`), which Testing.synth strips. */
function synthWithMetadata(app: App, stack: TerraformStack): any {
  app.synth();
  return JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8"));
}

/** A stack with two bare buckets (no encryption, versioning, public access block, lifecycle) under `data/`, and one under `logs/`. */
function bareBuckets(): { app: App; stack: InfraStack; data: Construct; raw: Construct; logs: Construct } {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "policy-")) });
  const stack = new InfraStack(app, "s", { environment: testEnvironment() });
  const data = new Construct(stack, "data");
  const raw = new Construct(data, "raw");
  new S3Bucket(raw, "bucket", { bucket: "raw-bucket" });
  new S3Bucket(new Construct(data, "features"), "bucket", { bucket: "features-bucket" });
  const logs = new Construct(stack, "logs");
  new S3Bucket(logs, "bucket", { bucket: "logs-bucket" });
  return { app, stack, data, raw, logs };
}

const pabFindings = (findings: readonly { ruleId: string; constructPath?: string }[]) =>
  findings
    .filter((f) => f.ruleId === "S3-PUBLIC-ACCESS-BLOCK")
    .map((f) => f.constructPath)
    .sort();

describe("checkStack", () => {
  test("reports a non-compliant resource with rule, checkov ID, severity, explanation, address and construct path", () => {
    // GIVEN a synthesized stack with bare buckets
    const { app, stack } = bareBuckets();
    // WHEN checked
    const report = checkStack("s", synthWithMetadata(app, stack));
    // THEN the missing public access block is a high finding naming the resource
    const finding = report.findings.find((f) => f.ruleId === "S3-PUBLIC-ACCESS-BLOCK" && f.constructPath === "s/data/raw/bucket");
    expect(finding).toEqual({
      ruleId: "S3-PUBLIC-ACCESS-BLOCK",
      checkovId: "CKV2_AWS_6",
      severity: "high",
      explanation: "The bucket has no public access block with all four settings on: one ACL or policy mistake makes it public.",
      resourceAddress: expect.stringMatching(/^aws_s3_bucket\.data_raw_bucket_[A-F0-9]{8}$/),
      constructPath: "s/data/raw/bucket",
    });
    expect(report.stackName).toBe("s");
  });

  test("lists findings most severe first", () => {
    const { app, stack } = bareBuckets();
    const severities = checkStack("s", synthWithMetadata(app, stack)).findings.map((f) => f.severity);
    expect(severities).toEqual([...severities].sort((a, b) => ["high", "medium", "low"].indexOf(a) - ["high", "medium", "low"].indexOf(b)));
    expect(new Set(severities)).toEqual(new Set(["high", "medium", "low"]));
  });

  test("reads resource blocks written as a list of objects (also valid Terraform JSON)", () => {
    const report = checkStack("plain", { resource: [{ aws_kms_key: { a: {} } }, { aws_kms_key: { b: { enable_key_rotation: true } } }] });
    expect(report.findings.filter((f) => f.ruleId === "KMS-ROTATION").map((f) => f.resourceAddress)).toEqual(["aws_kms_key.a"]);
  });

  test("never throws on odd but possible values: no resources, nulls, numbers where strings are expected", () => {
    expect(checkStack("empty", {}).findings).toEqual([]);
    const odd = tf({
      aws_iam_role_policy: { p: { policy: 42 } },
      aws_iam_policy: { q: { policy: '{"Statement": 7}' } },
      aws_security_group: { g: { ingress: "x" } },
      aws_s3_bucket: { b: null as never },
      aws_eks_cluster: { c: { vpc_config: [null] } },
      aws_kms_key: { k: { policy: "${var.key_policy}" } },
    });
    expect(() => checkStack("odd", odd)).not.toThrow();
  });

  test("works on plain Terraform JSON without construct paths", () => {
    const report = checkStack("plain", tf({ aws_s3_bucket: { b: { bucket: "x" } } }));
    expect(report.findings.map((f) => f.resourceAddress)).toContain("aws_s3_bucket.b");
    expect(report.findings.every((f) => f.constructPath === undefined)).toBe(true);
  });
});

describe("suppressions", () => {
  test("a suppression covers its construct path's whole subtree", () => {
    // GIVEN a suppression on data/ (two buckets below it)
    const { app, stack } = bareBuckets();
    const json = synthWithMetadata(app, stack);
    // WHEN checked with it
    const report = checkStack("s", json, { suppressions: [{ ruleId: "S3-PUBLIC-ACCESS-BLOCK", constructPath: "s/data", reason: "fixture" }] });
    // THEN both data buckets are suppressed, with the reason, and the logs bucket is not
    expect(pabFindings(report.suppressed)).toEqual(["s/data/features/bucket", "s/data/raw/bucket"]);
    expect(report.suppressed.every((f) => f.suppression?.reason === "fixture")).toBe(true);
    expect(pabFindings(report.findings)).toEqual(["s/logs/bucket"]);
  });

  test("a suppression does not cover a sibling whose path merely starts with the same characters", () => {
    const { app, stack } = bareBuckets();
    const report = checkStack("s", synthWithMetadata(app, stack), { suppressions: [{ ruleId: "S3-PUBLIC-ACCESS-BLOCK", constructPath: "s/dat", reason: "fixture" }] });
    expect(report.suppressed).toEqual([]);
  });

  test("a suppression covers only its rule", () => {
    const { app, stack } = bareBuckets();
    const report = checkStack("s", synthWithMetadata(app, stack), { suppressions: [{ ruleId: "S3-VERSIONING", constructPath: "s/data/raw", reason: "fixture" }] });
    expect(report.suppressed.map((f) => `${f.ruleId} ${f.constructPath}`)).toEqual(["S3-VERSIONING s/data/raw/bucket"]);
  });

  test("in plain Terraform JSON a suppression can name the resource address", () => {
    const report = checkStack("plain", tf({ aws_s3_bucket: { b: { bucket: "x" } } }), {
      suppressions: [{ ruleId: "S3-LIFECYCLE", constructPath: "aws_s3_bucket.b", reason: "objects are deleted by the producer" }],
    });
    expect(report.suppressed.map((f) => f.ruleId)).toEqual(["S3-LIFECYCLE"]);
  });

  test("declared in the construct tree, a suppression is recorded in the synthesized JSON and applied", () => {
    // GIVEN PolicySuppressions on the raw bucket's scope
    const { app, stack, raw } = bareBuckets();
    PolicySuppressions.of(raw).add("S3-PUBLIC-ACCESS-BLOCK", "raw data is published on purpose (fixture)");
    // WHEN synthesized and checked without passing any suppression
    const json = synthWithMetadata(app, stack);
    const report = checkStack("s", json);
    // THEN the JSON carries it and the report lists it as used once
    expect(json["//"].policy_suppressions).toEqual([{ ruleId: "S3-PUBLIC-ACCESS-BLOCK", constructPath: "s/data/raw", reason: "raw data is published on purpose (fixture)" }]);
    expect(pabFindings(report.suppressed)).toEqual(["s/data/raw/bucket"]);
    expect(report.suppressions).toEqual([{ ruleId: "S3-PUBLIC-ACCESS-BLOCK", constructPath: "s/data/raw", reason: "raw data is published on purpose (fixture)", matched: 1 }]);
  });

  test("the report lists a suppression that matches nothing, with 0 matches", () => {
    const { app, stack, logs } = bareBuckets();
    PolicySuppressions.of(logs).add("RDS-MULTI-AZ", "no database here (fixture)");
    expect(checkStack("s", synthWithMetadata(app, stack)).suppressions).toEqual([
      { ruleId: "RDS-MULTI-AZ", constructPath: "s/logs", reason: "no database here (fixture)", matched: 0 },
    ]);
  });

  test("a suppression without a reason is refused in the construct tree", () => {
    const { raw } = bareBuckets();
    expect(errorOf(() => PolicySuppressions.of(raw).add("S3-VERSIONING", "  "))).toBe(
      'policy suppression of "S3-VERSIONING" at "s/data/raw": reason is "  "; every suppression needs a written reason',
    );
  });

  test("a suppression of an unknown rule is refused", () => {
    const { raw } = bareBuckets();
    expect(errorOf(() => PolicySuppressions.of(raw).add("S3-VERSIONNING", "typo"))).toBe(
      'policy suppression of "S3-VERSIONNING" at "s/data/raw": ruleId is "S3-VERSIONNING"; must be the ID of a rule of the policy pack (lib/policy/pack.ts)',
    );
  });

  test("a suppression without a reason is refused by checkStack", () => {
    expect(errorOf(() => checkStack("plain", tf({}), { suppressions: [{ ruleId: "S3-LIFECYCLE", constructPath: "x", reason: "" }] }))).toBe(
      'policy suppression of "S3-LIFECYCLE" at "x": reason is ""; every suppression needs a written reason',
    );
  });
});
