import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { Environment, EnvironmentConfig } from "../../../lib/core";
import { CHARTS } from "../../../lib/kubernetes/charts";
import { buildEnvironment } from "../../../stacks/platform";
import { dev, prod } from "../../../stacks/environments";

/**
 * A chart version bump changes only in-cluster stacks, which need the kubernetes and helm
 * providers and a live cluster to plan: the upgrade harness cannot plan them offline. What
 * can be shown offline is that the bump leaves every AWS stack (and so every stateful
 * resource) byte-for-byte unchanged, so that it cannot replace or delete data.
 */
function synthAll(config: EnvironmentConfig): Record<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "chart-bump-"));
  const app = new App({ outdir });
  buildEnvironment(app, new Environment(config));
  app.synth();
  const stacks = path.join(outdir, "stacks");
  return Object.fromEntries(fs.readdirSync(stacks).map((n) => [n, fs.readFileSync(path.join(stacks, n, "cdk.tf.json"), "utf8")]));
}

function withMlflowChart<T>(version: string, run: () => T): T {
  const ref = CHARTS.mlflow as { version: string };
  const pinned = ref.version;
  ref.version = version;
  try {
    return run();
  } finally {
    ref.version = pinned;
  }
}

describe.each([
  ["dev", dev],
  ["prod", prod],
] as const)("bumping the MLflow chart version in %s", (_name, config) => {
  const before = synthAll(config);
  const after = withMlflowChart("1.11.6", () => synthAll(config));

  test("leaves every AWS-only stack byte-for-byte unchanged", () => {
    const infra = Object.keys(before).filter((n) => /-(infra|bootstrap)$/.test(n));
    expect(infra.length).toBeGreaterThan(0);
    expect(infra.filter((n) => before[n] !== after[n])).toEqual([]);
  });

  test("changes only the in-cluster stack that installs the chart", () => {
    const changed = Object.keys(before).filter((n) => before[n] !== after[n]);
    expect(changed).toEqual([`${new Environment(config).prefix}-platform`]);
    expect(after[changed[0]]).toContain('"version": "1.11.6"');
  });
});
