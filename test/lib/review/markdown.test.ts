import { REVIEW_MARKER, renderMarkdown } from "../../../lib/review/markdown";
import { planTexts } from "../../../lib/review/plan-text";
import { exitCode, reviewChange } from "../../../lib/review/review";
import { reviewStack } from "../../../lib/review/stack";
import { change, config, metadata, plan, stack } from "./fixtures";

const dev = metadata("dev", "development");
const prod = metadata("prod", "production");
const vpcs = (n: number) => Array.from({ length: n }, (_, i) => change(`aws_vpc.v${i}`, ["create"], null, { cidr_block: `10.${i % 250}.0.0/16`, tags: { Name: "x".repeat(40) } }));

describe("Markdown review", () => {
  test("starts with the hidden marker CI finds its comment by", () => {
    expect(renderMarkdown(reviewChange([stack("ml-dev-infra", dev, plan())])).split("\n")[0]).toBe(REVIEW_MARKER);
  });

  test("each stack's plan is a collapsed diff block", () => {
    const s = stack("ml-dev-infra", dev, plan(change("aws_vpc.v", ["create"], null, { cidr_block: "10.0.0.0/16" })));
    const md = renderMarkdown(reviewChange([s]), { planTexts: planTexts([s]) });
    expect(md).toContain(
      "<details><summary><code>ml-dev-infra</code>: 1 to add, 0 to change, 0 to replace, 0 to destroy</summary>\n\n```diff\n# aws_vpc.v will be created\n" +
        '+ resource "aws_vpc" "v" {\n+     cidr_block = "10.0.0.0/16"\n  }\n\nPlan: 1 to add, 0 to change, 0 to destroy.\n```',
    );
  });

  test("over the size limit, the largest plan lists its new resources by address only", () => {
    // GIVEN a large plan and a small one, and a limit that fits only the small one in full
    const big = stack("ml-prod-infra", prod, plan(...vpcs(200)));
    const small = stack("ml-dev-infra", dev, plan(...vpcs(1)));
    const md = renderMarkdown(reviewChange([big, small]), { planTexts: planTexts([big, small]), maxChars: 20000 });
    // THEN the big one is compact, the small one full, and the review says so
    expect(md.length).toBeLessThanOrEqual(20000);
    expect(md).toContain("<code>ml-prod-infra</code>: 200 to add, 0 to change, 0 to replace, 0 to destroy (new resources by address only)");
    expect(md).toContain("\n+ aws_vpc.v199\n");
    expect(md).toContain("<code>ml-dev-infra</code>: 1 to add, 0 to change, 0 to replace, 0 to destroy</summary>");
    expect(md).toContain("New resources of `ml-prod-infra` are listed by address only to stay under GitHub's comment size limit.");
  });

  test("a plan that does not fit even compact is left out, and named", () => {
    const big = stack("ml-prod-infra", prod, plan(...vpcs(400)));
    const md = renderMarkdown(reviewChange([big]), { planTexts: planTexts([big]), maxChars: 6000 });
    expect(md.length).toBeLessThanOrEqual(6000);
    expect(md).not.toContain("<code>ml-prod-infra</code>");
    expect(md).toContain("The plan text of `ml-prod-infra` is left out to stay under GitHub's comment size limit.");
  });

  test("cost shows the delta against the base branch", () => {
    const nat = (n: string) => change(`aws_nat_gateway.${n}`, ["create"], null, {});
    const review = reviewChange([stack("ml-prod-infra", prod, plan(nat("a"), nat("b")))], { base: [stack("ml-prod-infra", prod, plan(nat("a")))] });
    expect(renderMarkdown(review)).toContain("| prod | $65.70 | +$32.85 | $0.00 | ±$0.00 | $10,000.00 / – |");
  });

  test("a plan that failed for another reason than prevent_destroy makes the review incomplete: exit 1 and the error shown", () => {
    // GIVEN a stack whose plan failed on a provider error
    const failed = reviewStack("ml-dev-infra", { config: config(dev), error: "Error: configuring Terraform AWS Provider: no valid credential sources found" });
    // WHEN reviewed
    const review = reviewChange([failed]);
    // THEN the review says so, shows the error, and exits 1
    expect(exitCode(review)).toBe(1);
    const md = renderMarkdown(review);
    expect(md).toContain('> **Review incomplete: 1 plan failed.** See "Failed plans".');
    expect(md).toContain("### Failed plans\n\n- `ml-dev-infra`:\n\n  ```text\n  Error: configuring Terraform AWS Provider: no valid credential sources found\n  ```");
  });

  test("a plan text holding backticks gets a longer fence", () => {
    const s = stack("ml-dev-infra", dev, plan(change("aws_ssm_parameter.p", ["create"], null, { description: "```" })));
    expect(renderMarkdown(reviewChange([s]), { planTexts: planTexts([s]) })).toContain("````diff\n");
  });
});
