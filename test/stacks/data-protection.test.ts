import { isStatefulType } from "../../lib/core";
import { stackJsonFromDir, synthReferenceApp } from "../support/reference-app";

/**
 * Data protection of the reference platform as synthesized: in staging and prod every
 * resource of a stateful type has prevent_destroy and the services' own protections are
 * on; in dev nothing is protected, so that dev can be torn down and rebuilt.
 */
describe("data protection of the reference stacks", () => {
  const { outdir, stacks } = synthReferenceApp();
  const infraLike = stacks.flatMap(({ environment, infra, bootstrap }) =>
    [infra, bootstrap].filter((s) => s !== undefined).map((s) => ({ environment, name: s!.node.id, json: stackJsonFromDir(outdir, s!.node.id) })),
  );

  const resources = (json: any) =>
    Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
      Object.entries(byName as Record<string, any>).map(([name, config]) => ({ address: `${type}.${name}`, type, config })),
    );

  for (const { environment, name, json } of infraLike) {
    if (environment.protectsData) {
      test(`${name}: every stateful resource has lifecycle.prevent_destroy`, () => {
        const unprotected = resources(json).filter((r) => isStatefulType(r.type) && r.config.lifecycle?.prevent_destroy !== true);
        expect(unprotected.map((r) => r.address)).toEqual([]);
        expect(resources(json).some((r) => isStatefulType(r.type))).toBe(true);
      });

      test(`${name}: databases keep deletion protection and a final snapshot; tables keep deletion protection`, () => {
        const dbs = resources(json).filter((r) => r.type === "aws_db_instance" || r.type === "aws_rds_cluster");
        expect(
          dbs.filter((r) => r.config.deletion_protection !== true || r.config.skip_final_snapshot !== false || !r.config.final_snapshot_identifier).map((r) => r.address),
        ).toEqual([]);
        const tables = resources(json).filter((r) => r.type === "aws_dynamodb_table");
        expect(tables.filter((r) => r.config.deletion_protection_enabled !== true).map((r) => r.address)).toEqual([]);
      });
    } else {
      test(`${name}: no resource has prevent_destroy (dev stays disposable)`, () => {
        expect(
          resources(json)
            .filter((r) => r.config.lifecycle?.prevent_destroy !== undefined)
            .map((r) => r.address),
        ).toEqual([]);
      });
    }
  }
});
