import * as fs from "fs";
import * as path from "path";
import { EnvironmentKey, SecureBucket } from "../../../lib";
import { renderJson } from "../../../lib/review/json";
import { renderMarkdown } from "../../../lib/review/markdown";
import { planTexts } from "../../../lib/review/plan-text";
import { offlineBlocker, readSynthesized } from "../../../lib/review/planner";
import { exitCode, reviewChange } from "../../../lib/review/review";
import { ReviewStack, reviewStack } from "../../../lib/review/stack";
import { synthReferenceApp } from "../../support/reference-app";
import { cachedPlan, describeWithTerraform, mapLimit } from "../../support/terraform";

/**
 * The review of the reference platform, from real offline plans of its AWS-only stacks
 * (shared with test/stacks/terraform-plan.test.ts through the plan cache).
 *
 * The Markdown is compared exactly with a golden file that a person has read. When the
 * reference stacks change on purpose, regenerate it and read the diff before committing:
 *
 *     UPDATE_GOLDEN=1 npx jest test/lib/review/reference-review.test.ts
 */
const GOLDEN = path.join(__dirname, "__golden__", "reference-offline-review.md");
const SOURCE = "Plans: offline harness (real Terraform and aws provider, fake credentials, empty state): every resource shows as created.";

describeWithTerraform("plan review of the reference stacks (real offline plans)", () => {
  let stacks: ReviewStack[];

  beforeAll(async () => {
    const { outdir } = synthReferenceApp();
    stacks = await mapLimit(readSynthesized(outdir), 2, async (s) => {
      const blocker = offlineBlocker(s.config);
      return blocker
        ? reviewStack(s.name, { config: s.config, notPlanned: blocker })
        : reviewStack(s.name, { config: s.config, plan: await cachedPlan(s.dir), basis: "empty-state" });
    });
  });

  function render(input: readonly ReviewStack[]): string {
    return renderMarkdown(reviewChange(input), { planTexts: planTexts(input), source: SOURCE });
  }

  test("the Markdown matches the reviewed golden file", () => {
    const markdown = render(stacks);
    if (process.env.UPDATE_GOLDEN === "1") {
      fs.mkdirSync(path.dirname(GOLDEN), { recursive: true });
      fs.writeFileSync(GOLDEN, markdown);
    }
    expect(markdown).toBe(fs.readFileSync(GOLDEN, "utf8"));
  });

  test("the Markdown is deterministic and free of machine details", () => {
    const markdown = render(stacks);
    expect(render(stacks)).toBe(markdown);
    expect(markdown).not.toMatch(/\/tmp\/|offline-tf-|ml-ref-|\d{4}-\d\d-\d\dT\d\d:/);
  });

  test("on an empty state nothing blocks: every stack only creates", () => {
    const review = reviewChange(stacks);
    expect(review.blocking).toEqual([]);
    expect(review.failures).toEqual([]);
    expect(exitCode(review)).toBe(0);
    expect(review.stacks.filter((s) => s.status === "planned").every((s) => s.counts.change + s.counts.replace + s.counts.destroy === 0)).toBe(true);
  });

  test("stacks that need a live cluster are listed as not planned, with the reason", () => {
    const review = reviewChange(stacks);
    const notPlanned = review.stacks.filter((s) => s.status === "not-planned");
    expect(notPlanned.length).toBeGreaterThan(0);
    for (const s of notPlanned) expect(s.reason).toMatch(/^uses the .*kubernetes.* provider/);
  });

  test("every difference between the reference environments is explained by configuration", () => {
    const { differences } = reviewChange(stacks).parity;
    expect(differences.filter((d) => !d.explanation)).toEqual([]);
  });

  test("parity flags a construct that only production creates without any config saying so", () => {
    // GIVEN the reference app with a debug bucket added to prod's infra stack only (as an `if (prod)` would)
    const { app, outdir, stacks: built } = synthReferenceApp();
    const prod = built.find((s) => s.environment.name === "prod")!;
    new SecureBucket(prod.infra, "debug-dumps", { bucketName: "ml-prod-debug-dumps", key: prod.infra.node.findChild("kms") as EnvironmentKey });
    app.synth();
    // Parity reads the synthesized stacks; the plans are the real ones.
    const plans = new Map(stacks.map((s) => [s.name, s.plan]));
    const injected = readSynthesized(outdir).map((s) => {
      const plan = plans.get(s.name);
      return reviewStack(s.name, { config: s.config, ...(plan ? { plan } : { notPlanned: "not planned in this test" }) });
    });
    // WHEN reviewed
    const review = reviewChange(injected);
    const flagged = review.parity.differences.filter((d) => !d.explanation);
    // THEN the bucket's resources are flagged as present in prod only, and the Markdown says so
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.every((d) => d.layer === "infra" && d.presentIn.join() === "prod" && d.missingIn.join() === "dev,staging")).toBe(true);
    expect(flagged.map((d) => d.constructPath)).toContain("ml-prod-infra/debug-dumps/bucket");
    expect(renderMarkdown(review)).toContain("| infra | `debug-dumps/bucket` | prod | dev, staging | **flagged: no configuration explains this difference** |");
  });

  test("the JSON carries the same findings and the exit code", () => {
    const review = reviewChange(stacks);
    const json = JSON.parse(renderJson(review));
    expect(json).toMatchObject({ version: 1, exitCode: 0, summary: { blocking: 0, failedPlans: 0 } });
    expect(json.warnings).toEqual(JSON.parse(JSON.stringify(review.warnings)));
  });
});
