import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";

/**
 * promtool (Debian's `prometheus` package; .ci/run installs it) checks the alert rules
 * the library generates and runs their unit tests with synthetic series.
 */
export function promtoolAvailable(): boolean {
  try {
    execFileSync("promtool", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

if (!promtoolAvailable()) process.stderr.write("\n*** SKIPPING PROMTOOL TESTS: promtool is not on the PATH (apt-get install prometheus) ***\n\n");

export const describeWithPromtool: jest.Describe = promtoolAvailable() ? describe : describe.skip;

export interface PromtoolResult {
  readonly ok: boolean;
  readonly output: string;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"));
}

/** `promtool check rules` on a rule file ({ groups: [...] }, e.g. a PrometheusRule's spec). */
export function checkRules(ruleFile: object): PromtoolResult {
  const dir = tempDir();
  const file = path.join(dir, "rules.yaml");
  fs.writeFileSync(file, stringify(ruleFile));
  const res = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8" });
  return { ok: res.status === 0, output: `${res.stdout}${res.stderr}` };
}

/** One promtool unit test: input series and the alerts expected at given times. */
export interface RuleTest {
  readonly interval: string;
  readonly input_series: { series: string; values: string }[];
  readonly alert_rule_test?: { eval_time: string; alertname: string; exp_alerts: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[] }[];
  readonly promql_expr_test?: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[];
}

/** `promtool test rules`: the rule file and its tests; ok only when every test passes. */
export function testRules(ruleFile: object, tests: readonly RuleTest[]): PromtoolResult {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "rules.yaml"), stringify(ruleFile));
  fs.writeFileSync(path.join(dir, "tests.yaml"), stringify({ rule_files: ["rules.yaml"], evaluation_interval: "1m", tests }));
  const res = spawnSync("promtool", ["test", "rules", "tests.yaml"], { cwd: dir, encoding: "utf8" });
  return { ok: res.status === 0, output: `${res.stdout}${res.stderr}` };
}
