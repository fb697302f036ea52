import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { InfraStack } from "../../../lib";
import { planOffline, readSynthesized } from "../../../lib/review/planner";
import { renderJson } from "../../../lib/review/json";
import { renderMarkdown } from "../../../lib/review/markdown";
import { planTexts } from "../../../lib/review/plan-text";
import { reviewChange } from "../../../lib/review/review";
import { testEnvironment } from "../../support/env";
import { describeWithTerraform, pluginMirror } from "../../support/terraform";

// A fixture value, not a credential: the test proves it never leaves the plan.
const SECRET = "fixture-secret-value-0f3a9c";

describeWithTerraform("masking in the review of a real offline plan", () => {
  test("a SecureString value Terraform marks sensitive appears nowhere in the review", async () => {
    // GIVEN a stack with a SecureString parameter, planned offline by planOffline (as --offline does)
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "review-mask-"));
    const app = new App({ outdir });
    const stack = new InfraStack(app, "ml-test-secrets", { environment: testEnvironment() });
    new SsmParameter(stack, "db-password", { name: "/ml-test/db-password", type: "SecureString", value: SECRET });
    app.synth();
    const synthesized = readSynthesized(outdir);
    const [reviewed] = await planOffline(synthesized, { pluginMirror: pluginMirror() });
    expect(reviewed.status).toBe("planned");
    // WHEN the review is rendered as Markdown and JSON
    const review = reviewChange([reviewed]);
    const texts = planTexts([reviewed]);
    const markdown = renderMarkdown(review, { planTexts: texts });
    const json = renderJson(review, texts);
    // THEN the value is masked where the plan shows it, and absent everywhere
    expect(synthesized[0].config.resource.aws_ssm_parameter["db-password"].value).toBe(SECRET);
    expect(markdown).toMatch(/^\+ {5}value +~?= \(sensitive value\)$/m);
    expect(markdown).not.toContain(SECRET);
    expect(json).not.toContain(SECRET);
  });
});
