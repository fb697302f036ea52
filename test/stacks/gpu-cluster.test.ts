import { synthSummary } from "../../lib/review/synth-summary";
import { helmReleases, unknownReleaseKeys } from "../support/chart-values";
import { synthReferenceApp, stackJsonFromDir } from "../support/reference-app";

/**
 * The training cluster in the reference platform: a general GPU pool everywhere (spot from
 * zero outside production, on demand and critical in production), a multi-node EFA pool in
 * production only, every GPU add-on release key-checked, and the GPU worst case in the
 * synth summary of every environment.
 */
const { outdir, stacks } = synthReferenceApp();

/** cluster-autoscaler arguments documented only in comments of its values.yaml (test/fixtures/charts/cluster-autoscaler-9.59.0, lines 220-235). */
const DOCUMENTED: Record<string, Record<string, string>> = {
  "cluster-autoscaler": Object.fromEntries(
    ["skip-nodes-with-local-storage", "expander", "balance-similar-node-groups", "scale-down-unneeded-time", "skip-nodes-with-system-pods"].map((arg) => [
      `extraArgs.${arg}`,
      "values.yaml, commented example under extraArgs",
    ]),
  ),
};

const nodeGroups = (json: any, pool: string): any[] =>
  Object.entries(json.resource.aws_eks_node_group ?? {})
    .filter(([n]) => n.startsWith(`training_gpu-pool-${pool}_`))
    .map(([, g]) => g);

describe("the training cluster in every environment", () => {
  for (const { environment, infra, platform } of stacks) {
    const json = stackJsonFromDir(outdir, infra.node.id);

    test(`${infra.node.id} has the general pool: ${environment.isProduction ? "on demand" : "spot"}, from zero`, () => {
      const [general] = nodeGroups(json, "general");
      expect(general.capacity_type).toBe(environment.isProduction ? "ON_DEMAND" : "SPOT");
      expect(general.scaling_config.min_size).toBe(0);
      expect(general.instance_types.every((t: string) => /^g[56]\./.test(t))).toBe(true);
    });

    test(`${infra.node.id} ${environment.isProduction ? "has" : "has no"} multi-node EFA pool`, () => {
      const multi = nodeGroups(json, "h100-multinode");
      expect(multi).toHaveLength(environment.isProduction ? 1 : 0);
      expect(Object.keys(json.resource.aws_placement_group ?? {})).toHaveLength(environment.isProduction ? 1 : 0);
    });

    test(`${platform.node.id}: every GPU add-on release sets only keys its pinned chart has`, () => {
      const releases = helmReleases(stackJsonFromDir(outdir, platform.node.id)).filter((r) => ["nvidia-device-plugin", "dcgm-exporter", "cluster-autoscaler"].includes(r.chart));
      expect(releases.map((r) => r.chart).sort()).toEqual(["cluster-autoscaler", "dcgm-exporter", "nvidia-device-plugin"]);
      for (const r of releases) expect([r.chart, unknownReleaseKeys(r, { documented: DOCUMENTED[r.chart] })]).toEqual([r.chart, []]);
    });
  }

  test("the synth summary prints each environment's GPU worst case within its budget", () => {
    const summary = synthSummary(
      outdir,
      stacks.map((s) => s.environment),
    );
    expect(summary).toContain("  GPU worst case $2,854.59/month (budget $5,000.00): general 4 x g6.2xlarge $2,854.59\n");
    expect(summary).toContain("  GPU worst case $5,709.18/month (budget $12,000.00): general 8 x g6.2xlarge $5,709.18\n");
    expect(summary).toContain("  GPU worst case $91,776.77/month (budget $120,000.00): general 16 x g6.2xlarge $11,418.37, h100-multinode 2 x p5.48xlarge $80,358.40\n");
  });
});
