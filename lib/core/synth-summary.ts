import * as fs from "fs";
import * as path from "path";
import { Environment } from "./environment";

/** Extra lines per environment in the synth summary (the GPU worst case, for example). */
export type EnvironmentSummaryLine = (env: Environment) => string | undefined;
const extraLines: EnvironmentSummaryLine[] = [];

/** Lets a capability add a line per environment to the synth summary. */
export function addSummaryLine(line: EnvironmentSummaryLine): void {
  extraLines.push(line);
}

/** One screen: per stack, its resources by type; per environment, the registered extra lines. */
export function synthSummary(outdir: string, environments: readonly Environment[]): string {
  const stacksDir = path.join(outdir, "stacks");
  const names = fs.readdirSync(stacksDir).sort();
  const lines: string[] = [];
  for (const env of environments) {
    lines.push(`${env.name} (${env.tier}, ${env.region}, ${env.availabilityZones.length} zones)`);
    for (const name of names.filter((n) => n.startsWith(`${env.prefix}-`))) {
      const json = JSON.parse(fs.readFileSync(path.join(stacksDir, name, "cdk.tf.json"), "utf8"));
      const counts = Object.entries(json.resource ?? {}).map(([type, byName]) => [type, Object.keys(byName as object).length] as const);
      const total = counts.reduce((n, [, c]) => n + c, 0);
      const types = counts.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t, c]) => `${t.replace(/^aws_/, "")} ${c}`);
      lines.push(`  ${name.padEnd(22)} ${String(total).padStart(4)} resources: ${types.join(", ")}`);
    }
    for (const extra of extraLines) {
      const line = extra(env);
      if (line) lines.push(`  ${line}`);
    }
  }
  return lines.join("\n") + "\n";
}
