import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import {
  CHECKOV_KUBERNETES_NOT_ADOPTED,
  CHECKOV_NOT_ADOPTED,
  CheckovSkip,
  checkovBaseline,
  checkovKubernetesSkipCovers,
  checkovKubernetesSkips,
  checkovSkipCovers,
  checkovSkips,
} from "../../lib/policy";
import { environmentSet } from "../support/in-cluster";
import { venvOrReason } from "../support/python";
import { stackJsonFromDir, synthReferenceApp } from "../support/reference-app";
import * as os from "os";
import { describeIf } from "../support/tools";

/**
 * checkov 3.3.30 (test/requirements-checkov.txt) as an independent gate over every stack of the reference
 * platform (cdktf.out, framework terraform_json). Staging and production: no failed check except those the
 * policy pack excuses, exported by `checkovSkips` (the pack's recorded suppressions in checkov IDs, plus the
 * checks the pack does not adopt, each with its reason). Development is counted, not gated (it trades
 * Multi-AZ, deletion protection and a year of log retention for cost, by tier default).
 */
const { venv, missing } = venvOrReason("checkov");

interface CheckovRecord {
  readonly check_id: string;
  readonly check_name: string;
  readonly resource: string;
  readonly file_path: string;
}

interface StackResult {
  readonly stack: string;
  readonly passed: CheckovRecord[];
  readonly failed: CheckovRecord[];
  readonly skips: CheckovSkip[];
  /** Failed checks no skip covers. */
  readonly unexcused: CheckovRecord[];
}

const stackOf = (r: CheckovRecord) => r.file_path.split("/").filter(Boolean)[0];

describeIf(missing, "checkov over every synthesized stack: the policy pack and checkov agree", () => {
  let results: StackResult[] = [];
  let outdir: string;

  beforeAll(() => {
    outdir = synthReferenceApp().outdir;
    const stacksDir = path.join(outdir, "stacks");
    const res = spawnSync(venv!.bin("checkov"), ["-d", stacksDir, "--framework", "terraform_json", "-o", "json", "--compact", "--skip-download"], {
      encoding: "utf8",
      env: venv!.env({ LOG_LEVEL: "ERROR" }),
      maxBuffer: 256 * 1024 * 1024,
      timeout: 180000,
    });
    // Exit code 1 means "some check failed"; anything else, or no JSON, is checkov not working.
    if (res.status !== 0 && res.status !== 1) throw new Error(`checkov exited ${res.status ?? res.signal}:\n${res.stderr.slice(-4000)}`);
    const reports = [].concat(JSON.parse(res.stdout)) as any[];
    const report = reports.find((r) => r.check_type === "terraform_json");
    if (!report) throw new Error(`checkov reported no terraform_json results:\n${res.stdout.slice(0, 2000)}`);
    const passed: CheckovRecord[] = report.results.passed_checks;
    const failed: CheckovRecord[] = report.results.failed_checks;
    results = fs
      .readdirSync(stacksDir)
      .sort()
      .map((stack) => {
        const skips = checkovSkips(stackJsonFromDir(outdir, stack));
        const stackFailed = failed.filter((r) => stackOf(r) === stack);
        return {
          stack,
          passed: passed.filter((r) => stackOf(r) === stack),
          failed: stackFailed,
          skips,
          unexcused: stackFailed.filter((r) => !skips.some((s) => checkovSkipCovers(s, r))),
        };
      });
    const line = (r: StackResult) =>
      `${r.stack}: ${r.passed.length} passed, ${r.failed.length} failed (${r.failed.length - r.unexcused.length} excused by the pack, ${r.unexcused.length} not)`;
    process.stdout.write(`checkov 3.3.30, terraform_json:\n${results.map(line).join("\n")}\n`);
  });

  afterAll(() => {
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
  });

  test("checkov evaluated every stack", () => {
    expect(results.map((r) => r.stack)).toEqual(expect.arrayContaining(["ml-dev-infra", "ml-staging-infra", "ml-prod-infra", "ml-prod-platform"]));
    for (const r of results) expect({ stack: r.stack, evaluated: r.passed.length + r.failed.length > 0 }).toEqual({ stack: r.stack, evaluated: true });
  });

  test.each(["staging", "prod"])("ml-%s-*: no failed check except those the pack excuses with a reason", (env) => {
    const unexcused = results.filter((r) => r.stack.startsWith(`ml-${env}-`)).flatMap((r) => r.unexcused.map((f) => `${r.stack}: ${f.check_id} ${f.resource} (${f.check_name})`));
    expect(unexcused).toEqual([]);
  });

  test("every pack suppression exported to checkov excuses a check checkov fails: none is stale or mapped to the wrong ID", () => {
    // A suppression covers a subtree (every block under the construct); it is used when it excuses a failure on one of them.
    const stale = results.flatMap((r) => {
      const exported = new Set(r.skips.filter((s) => s.source !== "not adopted").map((s) => `${s.source} -> ${s.checkovId}`));
      return [...exported]
        .filter((key) => !r.skips.some((s) => `${s.source} -> ${s.checkovId}` === key && r.failed.some((f) => checkovSkipCovers(s, f))))
        .map((key) => `${r.stack}: ${key} excuses nothing`);
    });
    expect(stale).toEqual([]);
    // The reference platform records suppressions (staging's single-zone database), so this is not vacuous.
    expect(results.some((r) => r.skips.some((s) => s.source !== "not adopted"))).toBe(true);
  });

  test("checkov itself, given checkovBaseline as its --baseline, fails nothing in ml-staging-infra", () => {
    // GIVEN the stack that records a suppression (its single-zone database) and fails checks without the baseline
    const stack = "ml-staging-infra";
    expect(results.find((r) => r.stack === stack)!.failed.length).toBeGreaterThan(0);
    const dir = path.join(outdir, "stacks", stack);
    const baseline = path.join(outdir, `${stack}.baseline.json`);
    fs.writeFileSync(baseline, JSON.stringify(checkovBaseline(stackJsonFromDir(outdir, stack), "/cdk.tf.json")));
    // WHEN checkov runs with the exported baseline THEN it reports no failed check
    const res = spawnSync(venv!.bin("checkov"), ["-d", dir, "--framework", "terraform_json", "--baseline", baseline, "-o", "json", "--compact", "--skip-download"], {
      encoding: "utf8",
      env: venv!.env({ LOG_LEVEL: "ERROR" }),
      maxBuffer: 64 * 1024 * 1024,
      timeout: 180000,
    });
    expect({ status: res.status, stderr: res.status === 0 ? "" : res.stderr.slice(-2000) }).toEqual({ status: 0, stderr: "" });
    const summary = ([].concat(JSON.parse(res.stdout)) as any[]).map((r) => r.summary ?? r)[0];
    expect(summary.failed).toBe(0);
  });

  test("every check the pack does not adopt still fails somewhere in checkov (otherwise the exception should go)", () => {
    const used = (id: string) => results.some((r) => r.skips.some((s) => s.checkovId === id && s.source === "not adopted" && r.failed.some((f) => checkovSkipCovers(s, f))));
    expect(CHECKOV_NOT_ADOPTED.filter((n) => !used(n.checkovId)).map((n) => `${n.checkovId} on ${n.blockType}`)).toEqual([]);
  });
});

/**
 * The Kubernetes objects the library builds itself (typed kubernetes_* resources and kubernetes_manifests,
 * converted by test/support/in-cluster.ts to the objects the provider applies) through checkov's kubernetes
 * framework. Objects rendered from Helm charts are not gated here (third-party charts: node exporters need the
 * host network, the DCGM exporter runs privileged, ...); the README records their counts.
 */
describeIf(missing, "checkov over the Kubernetes objects the library builds: staging and prod fail nothing the pack does not excuse", () => {
  interface EnvResult {
    readonly env: string;
    readonly passed: number;
    readonly failed: CheckovRecord[];
    readonly skips: CheckovSkip[];
    readonly unexcused: CheckovRecord[];
  }
  let results: EnvResult[] = [];

  beforeAll(() => {
    const { outdir } = synthReferenceApp();
    const envs = ["ml-staging", "ml-prod"];
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "checkov-k8s-"));
    const objectsByEnv: Record<string, any[]> = {};
    for (const env of envs) {
      // Without helm_release: only the library's own objects (and no chart rendering).
      const stacks = Object.fromEntries(
        fs
          .readdirSync(path.join(outdir, "stacks"))
          .filter((s) => s.startsWith(`${env}-`))
          .map((s) => {
            const json = stackJsonFromDir(outdir, s);
            if (json.resource) delete json.resource.helm_release;
            return [s, json];
          }),
      );
      objectsByEnv[env] = environmentSet(env, stacks).objects.map((o) => o.object);
      fs.mkdirSync(path.join(work, env));
      objectsByEnv[env].forEach((o, i) => fs.writeFileSync(path.join(work, env, `${String(i).padStart(4, "0")}.yaml`), stringify(o)));
    }
    fs.rmSync(outdir, { recursive: true, force: true });
    const res = spawnSync(venv!.bin("checkov"), ["-d", work, "--framework", "kubernetes", "-o", "json", "--compact", "--skip-download"], {
      encoding: "utf8",
      env: venv!.env({ LOG_LEVEL: "ERROR" }),
      maxBuffer: 256 * 1024 * 1024,
      timeout: 180000,
    });
    fs.rmSync(work, { recursive: true, force: true });
    if (res.status !== 0 && res.status !== 1) throw new Error(`checkov exited ${res.status ?? res.signal}:\n${res.stderr.slice(-4000)}`);
    const report = ([].concat(JSON.parse(res.stdout)) as any[]).find((r) => r.check_type === "kubernetes");
    if (!report) throw new Error(`checkov reported no kubernetes results:\n${res.stdout.slice(0, 2000)}`);
    results = envs.map((env) => {
      const skips = checkovKubernetesSkips(objectsByEnv[env]);
      const failed = (report.results.failed_checks as CheckovRecord[]).filter((r) => stackOf(r) === env);
      return {
        env,
        passed: (report.results.passed_checks as CheckovRecord[]).filter((r) => stackOf(r) === env).length,
        failed,
        skips,
        unexcused: failed.filter((f) => !skips.some((s) => checkovKubernetesSkipCovers(s, f))),
      };
    });
    process.stdout.write(
      `checkov 3.3.30, kubernetes (the library's own objects):\n${results
        .map((r) => `${r.env}: ${r.passed} passed, ${r.failed.length} failed (${r.failed.length - r.unexcused.length} excused by the pack, ${r.unexcused.length} not)`)
        .join("\n")}\n`,
    );
  });

  test("checkov evaluated the workloads of both environments", () => {
    for (const r of results) expect({ env: r.env, passed: r.passed > 50 }).toEqual({ env: r.env, passed: true });
  });

  test.each(["ml-staging", "ml-prod"])("%s: no failed check except those the pack excuses with a reason", (env) => {
    const r = results.find((x) => x.env === env)!;
    expect(r.unexcused.map((f) => `${f.check_id} ${f.resource} (${f.check_name})`)).toEqual([]);
  });

  test("every Kubernetes check the pack does not adopt still fails somewhere (otherwise the exception should go)", () => {
    const used = (id: string) => results.some((r) => r.failed.some((f) => f.check_id === id && r.skips.some((s) => checkovKubernetesSkipCovers(s, f))));
    expect(CHECKOV_KUBERNETES_NOT_ADOPTED.filter((n) => !used(n.checkovId)).map((n) => n.checkovId)).toEqual([]);
  });
});
