import { TerraformResource } from "cdktf";
import { STATEFUL_RESOURCE_TYPES } from "../../../lib/core";
import { infraStack } from "../../support/env";
import { synthJson } from "../../support/synth";

/**
 * The DataProtection aspect on every type of the stateful catalog: staging and
 * production stacks protect each one with prevent_destroy, development stacks none,
 * and non-stateful resources are left alone everywhere.
 */
function stackWithOneOfEach(tier: "development" | "staging" | "production"): any {
  const stack = infraStack({ tier });
  for (const { type } of STATEFUL_RESOURCE_TYPES) new TerraformResource(stack, `r-${type}`, { terraformResourceType: type });
  new TerraformResource(stack, "subnet", { terraformResourceType: "aws_subnet" });
  return synthJson(stack);
}

function preventDestroyByType(json: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [type, byName] of Object.entries(json.resource ?? {})) {
    for (const r of Object.values(byName as Record<string, any>)) out[type] = r.lifecycle?.prevent_destroy;
  }
  return out;
}

describe("DataProtection", () => {
  for (const tier of ["staging", "production"] as const) {
    test(`in ${tier}, every stateful type of the catalog gets lifecycle.prevent_destroy`, () => {
      const byType = preventDestroyByType(stackWithOneOfEach(tier));
      expect(STATEFUL_RESOURCE_TYPES.filter(({ type }) => byType[type] !== true).map((t) => t.type)).toEqual([]);
    });

    test(`in ${tier}, a resource whose type is not stateful gets no prevent_destroy`, () => {
      expect(preventDestroyByType(stackWithOneOfEach(tier)).aws_subnet).toBeUndefined();
    });
  }

  test("in development, no resource gets prevent_destroy: dev stays disposable", () => {
    expect(Object.values(preventDestroyByType(stackWithOneOfEach("development"))).filter((v) => v !== undefined)).toEqual([]);
  });

  test("keeps other lifecycle settings a construct set", () => {
    const stack = infraStack({ tier: "production" });
    new TerraformResource(stack, "db", { terraformResourceType: "aws_db_instance", lifecycle: { ignoreChanges: ["password"] } });
    expect(synthJson(stack).resource.aws_db_instance.db.lifecycle).toEqual({ ignore_changes: ["password"], prevent_destroy: true });
  });
});
