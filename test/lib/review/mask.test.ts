import { SENSITIVE, maskPlan, maskValue } from "../../../lib/review/mask";
import { planTexts } from "../../../lib/review/plan-text";
import { renderJson } from "../../../lib/review/json";
import { renderMarkdown } from "../../../lib/review/markdown";
import { reviewChange } from "../../../lib/review/review";
import { change, metadata, plan, stack } from "./fixtures";

const SECRET = "s3cr3t-db-password-value";

describe("masking of sensitive values", () => {
  test("a value marked true is masked, whatever its type", () => {
    expect(maskValue({ password: SECRET, port: 5432, tokens: ["a", "b"] }, { password: true, tokens: true })).toEqual({
      password: SENSITIVE,
      port: 5432,
      tokens: SENSITIVE,
    });
  });

  test("nested blocks and list elements are masked where their marks say", () => {
    const value = { master_user: [{ name: "admin", password: SECRET }], list: ["public", SECRET] };
    expect(maskValue(value, { master_user: [{ password: true }], list: [false, true] })).toEqual({
      master_user: [{ name: "admin", password: SENSITIVE }],
      list: ["public", SENSITIVE],
    });
  });

  test("before values are masked with before_sensitive and after values with after_sensitive", () => {
    // GIVEN an update whose old and new values are both sensitive
    const p = plan(
      change(
        "aws_ssm_parameter.p",
        ["update"],
        { value: "old-secret", name: "n" },
        { value: SECRET, name: "n" },
        { before_sensitive: { value: true }, after_sensitive: { value: true } },
      ),
    );
    // WHEN masked  THEN neither value survives
    const text = JSON.stringify(maskPlan(p));
    expect(text).not.toContain("old-secret");
    expect(text).not.toContain(SECRET);
  });

  test("prior state and planned values, which repeat the secrets, are dropped", () => {
    const p = { ...plan(), prior_state: { values: { password: SECRET } }, planned_values: { password: SECRET } };
    expect(JSON.stringify(maskPlan(p))).not.toContain(SECRET);
  });

  test("no secret reaches the plan text, the Markdown or the JSON of a review", () => {
    // GIVEN a stack whose plan creates a database with a sensitive password
    const p = plan(change("aws_db_instance.db", ["create"], null, { identifier: "db", password: SECRET }, { after_sensitive: { password: true } }));
    const s = stack("ml-dev-infra", metadata("dev", "development"), p);
    // WHEN reviewed and rendered
    const review = reviewChange([s]);
    const texts = planTexts([s]);
    // THEN the value appears nowhere, and the plan text says it is sensitive
    expect(texts.get(s.name)!.full).toContain(`password   = ${SENSITIVE}`);
    for (const out of [texts.get(s.name)!.full, renderMarkdown(review, { planTexts: texts }), renderJson(review, texts)]) expect(out).not.toContain(SECRET);
  });
});
