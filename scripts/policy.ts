import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { Environment, exitOnConfigError } from "../lib/core";
import { EnvironmentPolicyReport, checkStack, formatPolicyReports, policyExitCode } from "../lib/policy";
import { ENVIRONMENTS } from "../stacks/environments";
import { buildApp } from "../stacks/platform";

// `npm run policy`: synthesizes every stack of the reference app and checks it against the
// policy pack. `npm run policy -- --outdir <dir>` checks an already synthesized cdktf.out
// instead (environment taken from the aws provider's `environment` default tag).
// Exit code 1 on any unsuppressed high-severity finding.
exitOnConfigError(() => {
  const at = process.argv.indexOf("--outdir");
  const given = at >= 0 ? process.argv[at + 1] : undefined;
  let outdir: string;
  let environments: Environment[] = [];
  if (given) {
    outdir = path.resolve(given);
  } else {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ml-policy-"));
    const app = new App({ outdir });
    environments = buildApp(app, Environment.all(ENVIRONMENTS)).map((s) => s.environment);
    app.synth();
  }
  const environmentOf = (name: string, tfJson: unknown) => environments.find((e) => name.startsWith(`${e.prefix}-`))?.name ?? tagEnvironment(tfJson) ?? "(no environment tag)";
  const stacksDir = path.join(outdir, "stacks");
  const reports: EnvironmentPolicyReport[] = fs
    .readdirSync(stacksDir)
    .sort()
    .map((name) => {
      const tfJson = JSON.parse(fs.readFileSync(path.join(stacksDir, name, "cdk.tf.json"), "utf8"));
      return { environment: environmentOf(name, tfJson), report: checkStack(name, tfJson) };
    });
  const rank = (env: string) => {
    const i = environments.findIndex((e) => e.name === env);
    return i < 0 ? environments.length : i;
  };
  reports.sort((a, b) => rank(a.environment) - rank(b.environment));
  process.stdout.write(formatPolicyReports(reports));
  if (!given) fs.rmSync(outdir, { recursive: true, force: true });
  process.exitCode = policyExitCode(reports);
});

function tagEnvironment(tfJson: any): string | undefined {
  const aws = [].concat(tfJson?.provider?.aws ?? [])[0] as any;
  return []
    .concat(aws?.default_tags ?? [])
    .map((t: any) => t?.tags?.environment)
    .find((e) => typeof e === "string");
}
