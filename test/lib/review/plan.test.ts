import { changeKind, countChanges, changedAttributes, formatPaths } from "../../../lib/review/plan";
import { change, plan } from "./fixtures";

describe("plan classification", () => {
  test.each([
    [["create"], "create"],
    [["update"], "update"],
    [["delete", "create"], "replace"],
    [["create", "delete"], "replace"],
    [["delete"], "delete"],
    [["no-op"], "no-op"],
    [["read"], "read"],
  ])("actions %j are a %s", (actions, kind) => {
    expect(changeKind(actions)).toBe(kind);
  });

  test("counts add, change, replace and destroy separately, ignoring no-ops and data sources", () => {
    // GIVEN a plan with one change of every kind and a data source read
    const p = plan(
      change("aws_vpc.a", ["create"], null, {}),
      change("aws_subnet.b", ["update"], { x: 1 }, { x: 2 }),
      change("aws_s3_bucket.c", ["delete", "create"], { bucket: "a" }, { bucket: "b" }),
      change("aws_eip.d", ["delete"], {}, null),
      change("aws_route.e", ["no-op"], {}, {}),
      { ...change("aws_iam_policy_document.f", ["read"], null, {}), mode: "data" },
    );
    // WHEN counted  THEN each kind is counted once
    expect(countChanges(p)).toEqual({ add: 1, change: 1, replace: 1, destroy: 1 });
  });

  test("changed attributes are the top-level keys whose value differs or becomes unknown", () => {
    const rc = change("aws_db_instance.db", ["update"], { a: 1, b: [1], c: "x" }, { a: 1, b: [2], c: null }, { after_unknown: { c: true } });
    expect(changedAttributes(rc)).toEqual(["b", "c"]);
  });

  test("replace_paths read as attribute paths", () => {
    expect(formatPaths([["bucket"], ["vpc_config", 0, "subnet_ids"]])).toEqual(["bucket", "vpc_config[0].subnet_ids"]);
  });
});
