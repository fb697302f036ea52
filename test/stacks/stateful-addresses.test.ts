import * as fs from "fs";
import * as path from "path";
import { isStatefulType } from "../../lib/core";
import { stackJsonFromDir, synthReferenceApp } from "../support/reference-app";
import { STATEFUL_ADDRESSES } from "./stateful-addresses";

const EXPLANATION = [
  "Construct IDs are Terraform addresses: renaming a construct, or moving it under another parent, replaces the",
  "resource. Keep the old construct ID; if the move is intended, add a `moved` block (or a `terraform state mv`",
  "runbook) for existing environments, then update test/stacks/stateful-addresses.ts in the same reviewed change.",
];

/** The failure message when a stack's stateful addresses differ from the reviewed list, else undefined. */
function addressProblem(stack: string, actual: readonly string[], reviewed: readonly string[]): string | undefined {
  const missing = reviewed.filter((a) => !actual.includes(a)).sort();
  const added = actual.filter((a) => !reviewed.includes(a)).sort();
  if (missing.length === 0 && added.length === 0) return undefined;
  return [
    `Stateful resources of ${stack} are not at their reviewed addresses.`,
    ...(missing.length > 0 ? ["  Gone from the configuration (Terraform would DESTROY them, with their data):", ...missing.map((a) => `    - ${a}`)] : []),
    ...(added.length > 0 ? ["  New addresses (Terraform would CREATE them, empty):", ...added.map((a) => `    + ${a}`)] : []),
    ...EXPLANATION,
  ].join("\n");
}

/**
 * Pins the Terraform address of every stateful resource of the reference stacks to the
 * reviewed list in stateful-addresses.ts, so that renaming a construct fails here instead
 * of reaching a plan that destroys data.
 */
describe("addresses of stateful resources", () => {
  const { outdir } = synthReferenceApp();
  const names = fs.readdirSync(path.join(outdir, "stacks")).sort();

  function statefulAddresses(name: string): string[] {
    const json = stackJsonFromDir(outdir, name);
    return Object.entries(json.resource ?? {})
      .filter(([type]) => isStatefulType(type))
      .flatMap(([type, byName]) => Object.keys(byName as object).map((n) => `${type}.${n}`))
      .sort();
  }

  for (const name of names) {
    test(`${name}: stateful addresses match the reviewed list`, () => {
      const actual = statefulAddresses(name);
      const problem = addressProblem(name, actual, STATEFUL_ADDRESSES[name] ?? []);
      if (problem) throw new Error(problem);
      expect(actual).toEqual([...(STATEFUL_ADDRESSES[name] ?? [])].sort());
    });
  }

  test("a renamed construct fails with the addresses and why construct IDs matter", () => {
    // GIVEN the artifact bucket's construct renamed from "artifacts" to "artifact-store"
    const reviewed = STATEFUL_ADDRESSES["ml-prod-infra"];
    const renamed = reviewed.map((a) => a.replace("model-registry_artifacts_bucket_04DFD583", "model-registry_artifact-store_bucket_1A2B3C4D"));
    // WHEN compared with the reviewed list  THEN the message names both addresses and the rule
    expect(addressProblem("ml-prod-infra", renamed, reviewed)).toBe(
      [
        "Stateful resources of ml-prod-infra are not at their reviewed addresses.",
        "  Gone from the configuration (Terraform would DESTROY them, with their data):",
        "    - aws_s3_bucket.model-registry_artifacts_bucket_04DFD583",
        "  New addresses (Terraform would CREATE them, empty):",
        "    + aws_s3_bucket.model-registry_artifact-store_bucket_1A2B3C4D",
        ...EXPLANATION,
      ].join("\n"),
    );
  });

  test("every stack in the reviewed list exists", () => {
    expect(Object.keys(STATEFUL_ADDRESSES).filter((n) => !names.includes(n))).toEqual([]);
  });
});
