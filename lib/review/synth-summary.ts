import * as fs from "fs";
import * as path from "path";
import { Environment } from "../core/environment";
import { GPU_WORST_CASE_KEY } from "../gpu-cluster/gpu-training-cluster";
import { PoolWorstCase, gpuWorstCase, summaryLine } from "../gpu-cluster/gpu-budget";

/**
 * One screen: per stack, its resources by type; per environment, the GPU worst case of
 * every cluster, read from what the clusters recorded in their synthesized stacks.
 */
export function synthSummary(outdir: string, environments: readonly Environment[]): string {
  const stacksDir = path.join(outdir, "stacks");
  const stacks = fs
    .readdirSync(stacksDir)
    .sort()
    .map((name) => ({ name, json: JSON.parse(fs.readFileSync(path.join(stacksDir, name, "cdk.tf.json"), "utf8")) }));
  const lines: string[] = [];
  for (const env of environments) {
    const clusters: { cluster: string; pools: PoolWorstCase[] }[] = [];
    lines.push(`${env.name} (${env.tier}, ${env.region}, ${env.availabilityZones.length} zones)`);
    // A stack belongs to the environment its `//` metadata names (EnvironmentStack).
    for (const { name, json } of stacks.filter((s) => s.json["//"]?.environment?.name === env.name)) {
      clusters.push(...(json["//"]?.[GPU_WORST_CASE_KEY] ?? []));
      const counts = Object.entries(json.resource ?? {}).map(([type, byName]) => [type, Object.keys(byName as object).length] as const);
      const total = counts.reduce((n, [, c]) => n + c, 0);
      const types = counts.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t, c]) => `${t.replace(/^aws_/, "")} ${c}`);
      lines.push(`  ${name.padEnd(22)} ${String(total).padStart(4)} resources: ${types.join(", ")}`);
    }
    if (clusters.length > 0) {
      const pools = clusters.flatMap((c) => (clusters.length > 1 ? c.pools.map((p) => ({ ...p, name: `${c.cluster}/${p.name}` })) : c.pools));
      lines.push(`  ${summaryLine(env, gpuWorstCase(pools))}`);
    }
  }
  return lines.join("\n") + "\n";
}
