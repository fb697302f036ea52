import * as fs from "fs";
import * as path from "path";
import { App, TerraformResource } from "cdktf";
import { Environment } from "../../../lib";
import { clusterDiff, majorOf } from "../../../lib/review/cluster-diff";
import { renderJson } from "../../../lib/review/json";
import { renderMarkdown } from "../../../lib/review/markdown";
import { offlineBlocker, readSynthesized } from "../../../lib/review/planner";
import { runReview } from "../../../lib/review/cli";
import { exitCode, reviewChange } from "../../../lib/review/review";
import { ReviewStack, reviewStack } from "../../../lib/review/stack";
import { dev } from "../../../stacks/environments";
import { removeTempDirs, tempDir } from "./review-apps";
import { EnvironmentStacks, buildEnvironment } from "../../../stacks/platform";

/**
 * The in-cluster configuration diff on the reference environment's addons and platform
 * stacks (kubernetes and helm providers, never planned offline): the base is the
 * reference dev environment, each head a change to it. No Terraform: the diff reads the
 * synthesized stacks only. Verdicts are asserted in the Markdown and the JSON.
 */
function synthDev(change?: (s: EnvironmentStacks) => void): ReviewStack[] {
  const outdir = tempDir("review-cluster-");
  const app = new App({ outdir });
  const stacks = buildEnvironment(app, new Environment(dev));
  change?.(stacks);
  app.synth();
  // The in-cluster stacks only, as the offline review reports them (not planned).
  return readSynthesized(outdir)
    .filter((s) => offlineBlocker(s.config))
    .map((s) => reviewStack(s.name, { config: s.config, notPlanned: offlineBlocker(s.config)! }));
}

function resourceAt(s: EnvironmentStacks, stack: "addons" | "platform", pathEnd: string): TerraformResource {
  const found = s[stack].node.findAll().find((c) => c instanceof TerraformResource && c.node.path.endsWith(pathEnd));
  if (!found) throw new Error(`no resource at .../${pathEnd}`);
  return found as TerraformResource;
}

describe("in-cluster configuration diff against the base (reference dev environment)", () => {
  afterAll(removeTempDirs);
  let base: ReviewStack[];
  beforeAll(() => {
    base = synthDev();
  });

  function review(head: ReviewStack[]) {
    const r = reviewChange(head, { base });
    return { review: r, md: renderMarkdown(r), json: JSON.parse(renderJson(r)) };
  }

  test("an unchanged environment has no configuration diff and nothing blocks", () => {
    const { review: r, md } = review(synthDev());
    expect(r.clusterDiffs).toEqual([]);
    expect(r.blocking).toEqual([]);
    expect(md).not.toContain("### In-cluster configuration diff");
  });

  test("removing the endpoint lists its objects as removed, labelled as a configuration diff, not blocking", () => {
    const { review: r, md, json } = review(synthDev((s) => s.platform.node.tryRemoveChild("ranker")));
    expect(exitCode(r)).toBe(0);
    expect(json.exitCode).toBe(0);
    expect(json.blocking).toEqual([]);
    const platform = json.clusterDiffs.find((d: any) => d.stack === "ml-dev-platform");
    expect(platform.objects).toContainEqual(expect.objectContaining({ kind: "Deployment", namespace: "serving", name: "ranker", change: "removed" }));
    expect(platform.objects.every((o: any) => o.change === "removed")).toBe(true);
    expect(md).toContain("### In-cluster configuration diff (not a plan)");
    expect(md).toContain("| Deployment | serving | `ranker` | removed | – |");
    expect(md).toMatch(/\| dev \| `ml-dev-platform` \| – \| – \| – \| – \| not planned \(1\); configuration diff: 0 releases, \d+ objects changed \(below\) \|/);
  });

  test("removing observability from the addons stack removes kube-prometheus-stack, whose chart installs CRDs: blocking", () => {
    const { review: r, md, json } = review(synthDev((s) => s.addons.node.tryRemoveChild("observability")));
    expect(exitCode(r)).toBe(2);
    expect(json.exitCode).toBe(2);
    expect(json.blocking).toContainEqual(
      expect.objectContaining({
        stack: "ml-dev-addons",
        type: "helm_release",
        action: "delete",
        configurationDiff: true,
        address: expect.stringMatching(/^helm_release\.observability_kube-prometheus-stack_release_/),
      }),
    );
    expect(md).toMatch(/\*\*Blocking: \d+ in-cluster changes? would delete data or force objects to be re-created \(configuration diff\)\.\*\*/);
    expect(md).toMatch(/configuration diff: Helm release `kube-prometheus-stack` \(kube-prometheus-stack 88\.5\.3\) is removed; the chart installs CRDs/);
    expect(md).toContain("| `kube-prometheus-stack` | monitoring | removed | kube-prometheus-stack | 88.5.3 | https://prometheus-community.github.io/helm-charts |");
  });

  test("a chart major-version bump is blocking; the release row shows old -> new", () => {
    const { review: r, md, json } = review(synthDev((s) => resourceAt(s, "addons", "reloader/chart/release").addOverride("version", "3.0.0")));
    expect(exitCode(r)).toBe(2);
    expect(json.blocking).toEqual([expect.objectContaining({ stack: "ml-dev-addons", type: "helm_release", action: "replace", configurationDiff: true })]);
    expect(md).toContain("chart reloader 2.2.16 → 3.0.0 is a major version change");
    expect(md).toMatch(/\| `reloader` \| \S+ \| changed \| reloader \| 2\.2\.16 → 3\.0\.0 \|/);
  });

  test("a minor chart bump and a values change are listed by key path, not blocking", () => {
    const {
      review: r,
      md,
      json,
    } = review(
      synthDev((s) => {
        const release = resourceAt(s, "addons", "reloader/chart/release");
        release.addOverride("version", "2.3.0");
        release.addOverride("set", [{ name: "reloader.logLevel", value: "debug" }]);
      }),
    );
    expect(exitCode(r)).toBe(0);
    const reloader = json.clusterDiffs[0].releases[0];
    expect(reloader).toMatchObject({ release: "reloader", change: "changed", versionFrom: "2.2.16", version: "2.3.0", values: [{ path: "reloader.logLevel", to: '"debug"' }] });
    expect(md).toContain('- `reloader.logLevel`: (new) "debug"');
  });

  test("changing the endpoint Deployment's selector is blocking (immutable field: delete and create again)", () => {
    const { review: r, md, json } = review(synthDev((s) => resourceAt(s, "platform", "ranker/deployment").addOverride("spec.selector.match_labels.track", "stable")));
    expect(exitCode(r)).toBe(2);
    expect(json.blocking).toEqual([expect.objectContaining({ stack: "ml-dev-platform", type: "kubernetes_deployment_v1", action: "replace", configurationDiff: true })]);
    expect(md).toContain("Deployment `serving/ranker`: `spec.selector` is immutable in Kubernetes, so the object must be deleted and created again");
    expect(md).toContain("| Deployment | serving | `ranker` | changed | `spec.selector.match_labels.track` |");
  });

  test("deleting a namespace is blocking", () => {
    const { review: r, json } = review(synthDev((s) => s.platform.node.tryRemoveChild("feast")));
    expect(exitCode(r)).toBe(2);
    expect(json.blocking).toContainEqual(
      expect.objectContaining({ type: "kubernetes_namespace_v1", action: "delete", detail: "namespace `feast` is deleted, and Kubernetes deletes everything in it" }),
    );
  });
});

describe("configuration diff details", () => {
  afterAll(removeTempDirs);
  const config = (resource: Record<string, Record<string, unknown>>) => ({ provider: { helm: [{}] }, resource });
  const release = (values: object, extra: object = {}) => ({
    helm_release: {
      grafana: { name: "grafana", namespace: "monitoring", chart: "grafana", version: "12.11.1", repository: "https://x", values: [JSON.stringify(values)], ...extra },
    },
  });

  test("secret values are masked, by key name and set_sensitive; names of Secrets are not", () => {
    const before = config(release({ adminPassword: "old-pw", admin: { existingSecret: "a" } }, { set_sensitive: [{ name: "smtp.password", value: "x" }] }));
    const after = config(
      release(
        { adminPassword: "new-pw", admin: { existingSecret: "b" } },
        {
          set_sensitive: [
            { name: "smtp.password", value: "y" },
            { name: "smtp.token", value: "z" },
          ],
        },
      ),
    );
    const diff = clusterDiff("s", "dev", before, after);
    const values = diff.releases[0].values;
    expect(values).toEqual([
      { path: "admin.existingSecret", from: '"a"', to: '"b"' },
      { path: "adminPassword", from: "(sensitive value)", to: "(sensitive value)" },
      { path: "smtp.password", from: "(sensitive value)", to: "(sensitive value)" },
      { path: "smtp.token", to: "(sensitive value)" },
    ]);
    expect(JSON.stringify(diff)).not.toMatch(/old-pw|new-pw/);
  });

  test("the data of a Secret object is masked", () => {
    const secret = (v: string) => config({ kubernetes_secret_v1: { s: { metadata: { name: "db", namespace: "app" }, data: { password: v } } } });
    const diff = clusterDiff("s", "dev", secret("a"), secret("b"));
    expect(diff.objects).toEqual([
      expect.objectContaining({ kind: "Secret", name: "db", change: "changed", fields: [{ path: "data.password", from: "(sensitive value)", to: "(sensitive value)" }] }),
    ]);
  });

  test("the breaking position of a version: the major, or the minor of a 0.x chart", () => {
    expect(majorOf("88.5.3")).toBe("88");
    expect(majorOf("v0.19.2")).toBe("0.19");
  });

  test("the command line: --offline --base DIR diffs an in-cluster stack without Terraform; exit, JSON and Markdown agree", async () => {
    // GIVEN a base directory and a head synth of one helm stack: chart 88 -> 89, one value changed, a password changed
    const stack = (version: string, replicas: number, password: string) => ({
      "//": { metadata: { stackName: "ml-dev-addons" } },
      provider: { helm: [{}], kubernetes: [{}] },
      resource: {
        helm_release: {
          kps: {
            name: "kube-prometheus-stack",
            namespace: "monitoring",
            chart: "kube-prometheus-stack",
            version,
            repository: "https://prometheus-community.github.io/helm-charts",
            values: [JSON.stringify({ grafana: { replicas, adminPassword: password } })],
          },
        },
      },
    });
    const baseDir = tempDir("review-cluster-base-");
    fs.writeFileSync(path.join(baseDir, "ml-dev-addons.tf.json"), JSON.stringify(stack("88.5.3", 1, "old-admin-pw")));
    const outdir = tempDir("review-cluster-head-");
    fs.mkdirSync(path.join(outdir, "stacks", "ml-dev-addons"), { recursive: true });
    fs.writeFileSync(path.join(outdir, "stacks", "ml-dev-addons", "cdk.tf.json"), JSON.stringify(stack("89.0.0", 2, "new-admin-pw")));
    fs.writeFileSync(path.join(outdir, "manifest.json"), JSON.stringify({ stacks: { "ml-dev-addons": {} } }));
    const out = path.join(outdir, "r.md");
    const json = path.join(outdir, "r.json");
    // WHEN the review runs offline against the base
    const code = await runReview(["--offline", "--base", baseDir, "--out", out, "--json", json], { synthesize: () => outdir, log: () => undefined });
    // THEN the major bump blocks, the values diff is shown by key path, the password is masked everywhere
    const md = fs.readFileSync(out, "utf8");
    const report = JSON.parse(fs.readFileSync(json, "utf8"));
    expect(code).toBe(2);
    expect(report.exitCode).toBe(2);
    expect(report.blocking).toEqual([expect.objectContaining({ address: "helm_release.kps", action: "replace", configurationDiff: true })]);
    expect(report.clusterDiffs[0].releases[0].values).toEqual([
      { path: "grafana.adminPassword", from: "(sensitive value)", to: "(sensitive value)" },
      { path: "grafana.replicas", from: "1", to: "2" },
    ]);
    expect(md).toContain("- `grafana.replicas`: 1 → 2");
    expect(md).toContain("| `kube-prometheus-stack` | monitoring | changed | kube-prometheus-stack | 88.5.3 → 89.0.0 |");
    expect(md + JSON.stringify(report)).not.toMatch(/admin-pw/);
  });
});
