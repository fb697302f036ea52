import * as fs from "fs";
import * as path from "path";
import { DRIFT_JOB_REQUIREMENTS, DRIFT_JOB_SCRIPT } from "../../../lib/endpoint/private/drift-job-script";
import { allows, denied, roleStatements } from "../../support/iam";
import { errorOf, synthJson } from "../../support/synth";
import { InferenceLogBucket } from "../../../lib";
import { LOG_BUCKET, driftFixture } from "./drift-fixture";
import { manifestsOfKind } from "./fixture";

const logArn = (key: string) => `arn:aws:s3:::${LOG_BUCKET}/${key}`;

describe("inference logging contract", () => {
  test("the endpoint's server is told where to log, and its role may write exactly its own prefix", () => {
    // GIVEN an endpoint with inferenceLogs
    const f = driftFixture();
    // WHEN synthesized
    const platform = synthJson(f.platform);
    const infra = synthJson(f.infra);
    // THEN the container has the contract's variables
    const container = manifestsOfKind(platform, "Deployment").find((d) => d.metadata.name === "fraud").spec.template.spec.containers[0];
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: "INFERENCE_LOG_URI", value: `s3://${LOG_BUCKET}/inference-logs/fraud/` },
        { name: "INFERENCE_LOG_FORMAT", value: "jsonl" },
      ]),
    );
    // AND the role allows PutObject on its own prefix and GenerateDataKey, nothing more on the logs
    const statements = roleStatements(infra, f.infra.getLogicalId(f.endpointRole.role));
    expect(denied(statements, [{ action: "s3:PutObject", arn: logArn("inference-logs/fraud/dt=2026-11-30/0000-pod-1.jsonl") }])).toEqual([]);
    const logStatements = statements.filter((s) => JSON.stringify(s).includes(LOG_BUCKET) || JSON.stringify(s).includes("kms"));
    expect(logStatements.filter((s) => JSON.stringify(s.Action).includes("kms"))).toEqual([expect.objectContaining({ Action: ["kms:GenerateDataKey"] })]);
    for (const access of [
      { action: "s3:PutObject", arn: logArn("inference-logs/other/dt=2026-11-30/x.jsonl") },
      { action: "s3:PutObject", arn: logArn("reference/x.jsonl") },
      { action: "s3:GetObject", arn: logArn("inference-logs/fraud/dt=2026-11-30/x.jsonl") },
      { action: "s3:DeleteObject", arn: logArn("inference-logs/fraud/dt=2026-11-30/x.jsonl") },
      { action: "s3:ListBucket", arn: `arn:aws:s3:::${LOG_BUCKET}`, context: { "s3:prefix": "inference-logs/fraud/" } },
    ])
      expect({ access, allowed: allows(statements, access) }).toEqual({ access, allowed: false });
    expect(JSON.stringify(logStatements)).not.toContain("kms:Decrypt");
  });

  test("bad input: one clear error each (retention, bucket name, a grant for a name that is no endpoint's, the contract's variables in env)", () => {
    const f = driftFixture();
    expect(errorOf(() => new InferenceLogBucket(f.infra, "logs-0", { key: f.cluster.key, bucketName: "ml-logs-0", retentionDays: 0 }))).toBe(
      "test-infra/logs-0: retentionDays is 0; must be a whole number of days from 1 to 3650",
    );
    expect(errorOf(() => new InferenceLogBucket(f.infra, "logs-1", { key: f.cluster.key, bucketName: "ML_Logs" }))).toContain('test-infra/logs-1: bucketName is "ML_Logs"');
    expect(errorOf(() => f.logs.grantWrite(f.endpointRole, "Fraud/*"))).toBe(
      "test-infra/inference-logs: grantWrite endpoint is \"Fraud/*\"; must be an endpoint name (1 to 40 lowercase letters, digits or '-', starting with a letter)",
    );
    expect(errorOf(() => f.makeEndpoint("other", { name: "other", inferenceLogs: f.logs, env: { INFERENCE_LOG_URI: "s3://elsewhere/" } }))).toContain(
      'test-platform/other: env["INFERENCE_LOG_URI"] is "INFERENCE_LOG_URI"; is set by inferenceLogs (INFERENCE_LOG_URI, INFERENCE_LOG_FORMAT)',
    );
  });

  test("the log bucket is encrypted with the environment key, logs its access and expires logs", () => {
    const f = driftFixture("production");
    const infra = synthJson(f.infra);
    const lifecycle: any = Object.values(infra.resource.aws_s3_bucket_lifecycle_configuration).find((l: any) => l.bucket.includes("inference-logs"));
    expect(lifecycle.rule).toContainEqual(expect.objectContaining({ id: "expire-objects", expiration: [{ days: 90 }] }));
    const encryption: any = Object.values(infra.resource.aws_s3_bucket_server_side_encryption_configuration).find((e: any) => e.bucket.includes("inference-logs"));
    expect(encryption.rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "aws:kms", kms_master_key_id: expect.stringContaining("aws_kms_key.cluster_kms") });
    const logging: any = Object.values(infra.resource.aws_s3_bucket_logging).find((l: any) => l.bucket.includes("inference-logs"));
    expect(logging.target_prefix).toBe(`${LOG_BUCKET}/`);
  });
});

describe("DriftMonitor", () => {
  test("its role may list and read the endpoint's logs and the reference, and nothing else", () => {
    const f = driftFixture();
    f.monitor();
    const infra = synthJson(f.infra);
    const statements = roleStatements(infra, f.infra.getLogicalId(f.driftRole.role));
    expect(
      denied(statements, [
        { action: "s3:ListBucket", arn: `arn:aws:s3:::${LOG_BUCKET}`, context: { "s3:prefix": "inference-logs/fraud/dt=2026-11-30/" } },
        { action: "s3:GetObject", arn: logArn("inference-logs/fraud/dt=2026-11-30/x.jsonl") },
        { action: "s3:GetObject", arn: "arn:aws:s3:::ml-test-reference/ranker/reference.jsonl" },
      ]),
    ).toEqual([]);
    for (const access of [
      { action: "s3:PutObject", arn: logArn("inference-logs/fraud/dt=2026-11-30/x.jsonl") },
      { action: "s3:GetObject", arn: logArn("inference-logs/other/dt=2026-11-30/x.jsonl") },
      { action: "s3:ListBucket", arn: `arn:aws:s3:::${LOG_BUCKET}`, context: { "s3:prefix": "inference-logs/other/" } },
      { action: "s3:GetObject", arn: "arn:aws:s3:::ml-test-reference/ranker/other.jsonl" },
    ])
      expect({ access, allowed: allows(statements, access) }).toEqual({ access, allowed: false });
    expect(statements.flatMap((s) => s.Action)).toEqual(expect.arrayContaining(["kms:Decrypt"]));
    expect(statements.flatMap((s) => s.Action)).not.toContain("kms:GenerateDataKey");
  });

  test("the CronJob runs the shipped script as a restricted pod with the contract's inputs", () => {
    const f = driftFixture();
    f.monitor({ schedule: "*/30 * * * *", windowDays: 2 });
    const platform = synthJson(f.platform);
    const [configMap] = manifestsOfKind(platform, "ConfigMap").filter((c) => c.metadata.name === "fraud-drift-job");
    expect(configMap.data["drift_job.py"]).toBe(DRIFT_JOB_SCRIPT);
    const [cron] = manifestsOfKind(platform, "CronJob");
    expect(cron.spec).toEqual(expect.objectContaining({ schedule: "*/30 * * * *", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid" }));
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe("fraud-drift");
    expect(pod.securityContext).toEqual(expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }));
    const c = pod.containers[0];
    expect(c.command).toEqual(["python", "/opt/drift/drift_job.py"]);
    expect(c.securityContext).toEqual({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    expect(env).toEqual(
      expect.objectContaining({
        ENDPOINT: "fraud",
        INFERENCE_LOG_URI: `s3://${LOG_BUCKET}/inference-logs/fraud/`,
        REFERENCE_URI: "s3://ml-test-reference/ranker/reference.jsonl",
        FEATURES: "amount,merchant_category",
        WINDOW_DAYS: "2",
        PUSHGATEWAY_URL: "http://fraud-drift-pushgateway.serving.svc:9091",
      }),
    );
    const [sm] = manifestsOfKind(platform, "ServiceMonitor").filter((s) => s.metadata.name === "fraud-drift-pushgateway");
    expect(sm.spec.endpoints[0]).toEqual(expect.objectContaining({ port: "metrics", honorLabels: true }));
  });

  test("the job's image pins are the pins the integration test runs the script with", () => {
    const pins = fs
      .readFileSync(path.join(__dirname, "..", "..", "requirements-drift.txt"), "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#") && !l.startsWith("moto"));
    expect(pins).toEqual([...DRIFT_JOB_REQUIREMENTS]);
  });

  describe("bad input: one clear error each", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      [
        "a schedule that is not cron",
        { schedule: "every hour" },
        'fraud-drift: schedule is "every hour"; has 2 fields; a cron schedule has 5: minute hour day-of-month month day-of-week; must be a 5-field cron schedule',
      ],
      ["a threshold of 0", { threshold: 0 }, "fraud-drift: threshold is 0; must be a PSI above 0 and at most 10"],
      ["a threshold above 10", { threshold: 25 }, "fraud-drift: threshold is 25; must be a PSI above 0 and at most 10"],
      [
        "a reference that is not s3://",
        { referenceUri: "https://example.com/ref.jsonl" },
        'fraud-drift: referenceUri is "https://example.com/ref.jsonl"; must be the s3:// URI of one object',
      ],
      [
        "a reference that is a prefix",
        { referenceUri: "s3://ml-test-reference/ranker/" },
        'fraud-drift: referenceUri is "s3://ml-test-reference/ranker/"; must be the s3:// URI of one object',
      ],
      ["no feature", { features: [] }, "fraud-drift: features is []; must name at least one input feature to compare"],
      ["a feature with a comma", { features: ["a,b"] }, 'fraud-drift: features[0] is "a,b"; must be a feature name'],
      ["a feature twice", { features: ["amount", "amount"] }, 'lists "amount" more than once'],
      ["a window of 0 days", { windowDays: 0 }, "fraud-drift: windowDays is 0; must be a whole number of days from 1 to 31"],
      ["an unpinned image", { image: "drift-job:latest" }, 'fraud-drift: image is "drift-job:latest"'],
      ["a duration that is not Prometheus's", { thresholdFor: "15 minutes" }, 'fraud-drift: thresholdFor is "15 minutes"'],
    ];
    test.each(cases)("%s", (_what, props, message) => {
      const f = driftFixture();
      const error = errorOf(() => f.monitor(props as any));
      expect(error).toContain(message);
      expect(error.split("\n").filter((l) => l.includes("fraud-drift:"))).toHaveLength(1);
    });

    test("a role of another namespace", () => {
      const f = driftFixture();
      expect(errorOf(() => f.monitor({ serviceAccountRole: f.role("drift", "monitoring") }))).toContain(
        'fraud-drift: serviceAccountRole is "monitoring/drift"; must be a role of a service account in the endpoint\'s namespace "serving"',
      );
    });

    test("the endpoint's own role", () => {
      const f = driftFixture();
      expect(errorOf(() => f.monitor({ serviceAccountRole: f.endpointRole }))).toContain(
        "that service account already serves test-platform/fraud; give the drift monitor its own IRSA role",
      );
    });
  });

  test("the job reaches its Pushgateway past the namespace's default deny", () => {
    const f = driftFixture("production");
    f.monitor();
    expect(Object.keys(synthJson(f.platform).resource.kubernetes_network_policy_v1)).toEqual(
      expect.arrayContaining([expect.stringContaining("fraud-drift-push-egress"), expect.stringContaining("fraud-drift-push-ingress")]),
    );
  });
});
