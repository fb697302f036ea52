import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { Environment, EnvironmentConfig } from "../../../lib/core";
import { AddressChange, UpgradeAction, UpgradeReport } from "../../../lib/terraform";
import { EnvironmentStacks, ReferenceChanges, buildEnvironment } from "../../../stacks/platform";

/** A code change to the reference environment, applied to its constructs before synth. */
export type Change = (stacks: EnvironmentStacks) => void;

/**
 * Synthesizes one environment of the reference platform (the same construct tree as
 * stacks/platform.ts), optionally changed, and returns the directory of its infra stack.
 */
export function synthInfra(config: EnvironmentConfig, change?: Change, props: ReferenceChanges = {}): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "upgrade-"));
  const app = new App({ outdir });
  const stacks = buildEnvironment(app, new Environment(config), props);
  change?.(stacks);
  app.synth();
  return path.join(outdir, "stacks", stacks.infra.node.id);
}

/** Addresses by action, for readable assertions. */
export function addresses(report: UpgradeReport, action: UpgradeAction): string[] {
  return report.changes.filter((c) => c.action === action).map((c) => c.address);
}

/** Stateful resources the plan would destroy (replace or delete): must be empty for a safe change. */
export function statefulLosses(report: UpgradeReport): AddressChange[] {
  return report.changes.filter((c) => c.stateful && (c.action === "replace" || c.action === "delete"));
}

/** The set of actions in a report. */
export function actions(report: UpgradeReport): UpgradeAction[] {
  return [...new Set(report.changes.map((c) => c.action))].sort();
}
