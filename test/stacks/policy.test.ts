import { TerraformStack } from "cdktf";
import { checkStack } from "../../lib/policy";
import { stackJsonFromDir, synthReferenceApp } from "../support/reference-app";

/**
 * The reference platform passes its own policy pack: staging and production have no
 * unsuppressed finding of any severity, and no stack of any environment has an
 * unsuppressed high one (which would fail `npm run policy`).
 */
describe("the reference platform against the policy pack", () => {
  const { outdir, stacks } = synthReferenceApp();
  const all = stacks.flatMap(({ environment, ...rest }) =>
    (Object.values(rest) as unknown[]).filter((s): s is TerraformStack => s instanceof TerraformStack)
      .map((s) => ({ environment, name: s.node.id })));

  for (const { environment, name } of all) {
    const report = () => checkStack(name, stackJsonFromDir(outdir, name));
    if (environment.protectsData) {
      test(`${name} (${environment.tier}) has no unsuppressed finding`, () => {
        expect(report().findings.map((f) => `${f.severity} ${f.ruleId} ${f.resourceAddress}`)).toEqual([]);
      });
    } else {
      test(`${name} (${environment.tier}) has no unsuppressed high-severity finding`, () => {
        expect(report().findings.filter((f) => f.severity === "high").map((f) => `${f.ruleId} ${f.resourceAddress}`)).toEqual([]);
      });
    }
    test(`${name}: every suppression still matches a finding`, () => {
      expect(report().suppressions.filter((s) => s.matched === 0).map((s) => `${s.ruleId} at ${s.constructPath}`)).toEqual([]);
    });
  }
});
