import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { denied, roleStatements, IamStatement } from "../support/iam";
import { MotoServer, startMoto } from "../support/moto";
import { venvOrReason } from "../support/python";
import { synthJson } from "../support/synth";
import { describeIf, freePort, runs, waitUntil } from "../support/tools";
import { LOG_BUCKET, driftFixture } from "../lib/endpoint/drift-fixture";
import { manifestsOfKind } from "../lib/endpoint/fixture";

/**
 * The drift computation the DriftMonitor ships, run for real: the script is taken from the synthesized
 * ConfigMap, its environment from the synthesized CronJob, and it runs with the pinned libraries
 * (test/requirements-drift.txt) against moto's S3 holding a reference dataset and inference logs laid out
 * as the logging contract says. Its metrics go to a real Pushgateway (Debian's prometheus-pushgateway)
 * and to a file; promtool checks both as Prometheus exposition. Every S3 request it makes is checked
 * against the drift role's synthesized policy; the logs are written as the endpoint's role would.
 */
const { venv, missing: venvMissing } = venvOrReason("drift");
const FIXTURE = path.join(__dirname, "..", "fixtures", "drift", "make_data.py");
const missing = [
  ...venvMissing,
  ...(runs("promtool") ? [] : ["promtool (apt-get install prometheus)"]),
  ...(runs("prometheus-pushgateway", ["--version"]) ? [] : ["prometheus-pushgateway (apt-get install prometheus-pushgateway)"]),
];

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly metricsFile: string;
}

describeIf(missing, "drift job (the shipped script, pinned numpy/scipy) on fixture data", () => {
  const f = driftFixture();
  const monitor = f.monitor();
  const platform = synthJson(f.platform);
  const infra = synthJson(f.infra);
  const script = manifestsOfKind(platform, "ConfigMap").find((c) => c.metadata.name === "fraud-drift-job").data["drift_job.py"] as string;
  const cronJob = manifestsOfKind(platform, "CronJob")[0];
  const jobEnv: Record<string, string> = Object.fromEntries(cronJob.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
  const driftPolicy: IamStatement[] = roleStatements(infra, f.infra.getLogicalId(f.driftRole.role));
  const endpointPolicy: IamStatement[] = roleStatements(infra, f.infra.getLogicalId(f.endpointRole.role));
  const [, refBucket, refKey] = /^s3:\/\/([^/]+)\/(.+)$/.exec(jobEnv.REFERENCE_URI)!;
  const logPrefix = jobEnv.INFERENCE_LOG_URI.replace(`s3://${LOG_BUCKET}/`, "");
  const today = new Date().toISOString().slice(0, 10);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), "drift-it-"));
  const scriptFile = path.join(work, "drift_job.py");
  let moto: MotoServer;
  let pushgateway: ChildProcess;
  let pushgatewayUrl = "";

  beforeAll(async () => {
    fs.writeFileSync(scriptFile, script);
    moto = await startMoto(venv!);
    const port = await freePort();
    pushgatewayUrl = `http://127.0.0.1:${port}`;
    pushgateway = spawn("prometheus-pushgateway", [`--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
    await waitUntil(`Pushgateway on ${pushgatewayUrl}`, async () => (await fetch(`${pushgatewayUrl}/-/ready`)).ok, 30000);
  }, 120000);

  afterAll(async () => {
    pushgateway?.kill("SIGTERM");
    await moto?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** Fresh buckets per case: moto's state is reset, then the fixture writes reference and logs. */
  async function seed(shift: number): Promise<void> {
    expect((await fetch(`${moto.endpoint}/moto-api/reset`, { method: "POST" })).ok).toBe(true);
    const res = spawnSync(venv!.python, [FIXTURE, refBucket, refKey, LOG_BUCKET, logPrefix, today, String(shift)], { env: venv!.env(moto.awsEnv), encoding: "utf8" });
    if (res.status !== 0) throw new Error(`make_data.py failed:\n${res.stdout}${res.stderr}`);
  }

  function runJob(extra: Record<string, string> = {}): Run {
    const metricsFile = path.join(work, `metrics-${Date.now()}.prom`);
    moto.resetRecording();
    const res = spawnSync(venv!.python, [scriptFile], {
      env: venv!.env({ ...moto.awsEnv, ...jobEnv, HOME: work, PUSHGATEWAY_URL: pushgatewayUrl, METRICS_FILE: metricsFile, ...extra }),
      encoding: "utf8",
      timeout: 120000,
    });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr, metricsFile };
  }

  const resultOf = (run: Run) => JSON.parse(run.stdout.trim().split("\n").pop()!);

  test("no drift: the score stays under the threshold, and every S3 read is one the drift role allows", async () => {
    await seed(0);
    const run = runJob();
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const result = resultOf(run);
    expect(result.current).toBe(600);
    expect(result.reference).toBe(2000);
    const score = Math.max(...Object.values<any>(result.features).map((x) => x.psi));
    expect(score).toBeLessThan(monitor.threshold);
    expect(result.features.amount.ks_pvalue).toBeGreaterThan(0.01);
    const accesses = moto.accesses();
    expect(accesses.map((a) => a.action).sort()).toEqual(expect.arrayContaining(["s3:GetObject", "s3:ListBucket"]));
    expect(denied(driftPolicy, accesses)).toEqual([]);
  });

  test("shifted inputs: the score is over the threshold, per feature too", async () => {
    await seed(1);
    const run = runJob();
    expect(run.status).toBe(0);
    const result = resultOf(run);
    expect(result.features.amount.psi).toBeGreaterThan(monitor.threshold);
    expect(result.features.merchant_category.psi).toBeGreaterThan(monitor.threshold);
    expect(result.features.amount.ks_pvalue).toBeLessThan(1e-6);
  });

  test("the metrics are valid Prometheus exposition, in the file and as the Pushgateway serves them to Prometheus", async () => {
    await seed(1);
    const run = runJob();
    expect(run.status).toBe(0);
    const file = fs.readFileSync(run.metricsFile, "utf8");
    const check = spawnSync("promtool", ["check", "metrics"], { input: file, encoding: "utf8" });
    expect(`${check.stdout}${check.stderr}`).toBe("");
    expect(check.status).toBe(0);
    expect(file).toMatch(/^ml_drift_score\{endpoint="fraud"\} (\S+)$/m);
    // What Prometheus scrapes (honorLabels keeps job and instance): the drift families, linted.
    const scraped = await (await fetch(`${pushgatewayUrl}/metrics`)).text();
    const driftFamilies =
      scraped
        .split("\n")
        .filter((l) => /^(# (HELP|TYPE) )?ml_drift_/.test(l))
        .join("\n") + "\n";
    const scrapedCheck = spawnSync("promtool", ["check", "metrics"], { input: driftFamilies, encoding: "utf8" });
    expect(`${scrapedCheck.stdout}${scrapedCheck.stderr}`).toBe("");
    const score = driftFamilies.match(/^ml_drift_score\{(.*)\} (\S+)$/m);
    expect(score?.[1]).toContain('job="ml-drift"');
    expect(score?.[1]).toContain('endpoint="fraud"');
    expect(Number(score?.[2])).toBeGreaterThan(monitor.threshold);
  });

  test("too few recent records: only the counts are published, no score", async () => {
    await seed(0);
    const run = runJob({ MIN_SAMPLES: "1000" });
    expect(run.status).toBe(0);
    const file = fs.readFileSync(run.metricsFile, "utf8");
    expect(file).toContain('ml_drift_samples{dataset="current",endpoint="fraud"} 600.0');
    expect(file).not.toContain("ml_drift_score");
    expect(run.stderr).toContain("600 recent records (< MIN_SAMPLES 1000)");
  });

  test("a missing reference fails the run with one line saying why (the Job fails, the alert fires)", async () => {
    await seed(0);
    const run = runJob({ REFERENCE_URI: `s3://${refBucket}/missing.jsonl` });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^drift: failed: (ClientError|NoSuchKey): .*(NoSuchKey|does not exist)/)]);
  });

  test("the endpoint's role allows writing logs as the contract lays them out, and not reading them back", async () => {
    moto.resetRecording();
    await seed(0);
    const writes = moto.accesses().filter((a) => a.action === "s3:PutObject" && a.arn.includes(LOG_BUCKET));
    expect(writes).toHaveLength(3);
    expect(denied(endpointPolicy, writes)).toEqual([]);
    expect(denied(endpointPolicy, [{ action: "s3:GetObject", arn: writes[0].arn }])).toHaveLength(1);
  });
});
