import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs, runReview } from "../../../lib/review/cli";
import { describeWithTerraform, pluginMirror } from "../../support/terraform";
import { DataAppOptions, removeTempDirs, synthApps, tempDir } from "./review-apps";

/**
 * --base-ref: the base synthesized from a git ref in a temporary worktree. Each test
 * builds a small git repository whose cdktf.json app synthesizes the review's data
 * stacks (test/lib/review/review-apps.ts) with the options committed in options.json.
 */
const ROOT = path.resolve(__dirname, "..", "..", "..");
const APP = `require(${JSON.stringify(path.join(ROOT, "scripts", "register.js"))});
const fs = require("fs");
require(${JSON.stringify(path.join(__dirname, "review-apps.ts"))}).synthInto(process.env.CDKTF_OUTDIR, ...JSON.parse(fs.readFileSync("options.json", "utf8")));
`;

function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=review-test", "-c", "user.email=review@test.invalid", "-c", "commit.gpgsign=false", ...args], {
    cwd: repo,
    encoding: "utf8",
  }).trim();
}

/** A repository with one commit on `main`: cdktf.json, app.js, options.json, package-lock.json. */
function repository(files: Record<string, string>): string {
  const repo = tempDir("review-repo-");
  git(repo, "init", "--quiet", "--initial-branch=main");
  const all = {
    "cdktf.json": JSON.stringify({ language: "typescript", app: "node app.js", output: "cdktf.out" }),
    "app.js": APP,
    "package-lock.json": '{"lockfileVersion":3,"packages":{}}\n',
    ".gitignore": "node_modules\ncdktf.out\n",
    ...files,
  };
  for (const [name, text] of Object.entries(all)) fs.writeFileSync(path.join(repo, name), text);
  fs.mkdirSync(path.join(repo, "node_modules"));
  git(repo, "add", "-A");
  git(repo, "commit", "--quiet", "-m", "base");
  return repo;
}

async function review(repo: string, head: string, args: string[]) {
  const lines: string[] = [];
  const dir = tempDir("review-ref-out-");
  const code = await runReview(["--offline", ...args, "--out", path.join(dir, "r.md"), "--json", path.join(dir, "r.json")], {
    synthesize: () => head,
    appDir: repo,
    log: (l) => lines.push(l),
  });
  const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), "utf8") : "");
  return { code, log: lines.join("\n"), md: read("r.md"), json: read("r.json") ? JSON.parse(read("r.json")) : undefined };
}

const DEV: DataAppOptions = { env: { name: "dev", tier: "development" } };

describe("--base-ref: bad input is one clear message and exit 1", () => {
  afterAll(removeTempDirs);
  let head: string;
  beforeAll(() => {
    head = synthApps(DEV);
  });

  test("--base and --base-ref together are a usage error", () => {
    expect(() => parseArgs(["--base", "b", "--base-ref", "main"])).toThrow("--base and --base-ref exclude each other: give the base as a directory or as a git ref");
  });

  test("a ref that does not exist", async () => {
    const repo = repository({ "options.json": JSON.stringify([DEV]) });
    const { code, log } = await review(repo, head, ["--base-ref", "origin/no-such-branch"]);
    expect(code).toBe(1);
    expect(log).toContain(`review failed: base ref "origin/no-such-branch" does not exist in ${fs.realpathSync(repo)} (fetch it first, e.g. git fetch origin main)`);
  });

  test("a base that fails to synthesize shows the app's own error", async () => {
    const repo = repository({ "app.js": "console.error('Error: ml-dev-data/network: vpcCidr is \"10.0.0.0/33\"'); process.exit(1);\n" });
    const { code, log } = await review(repo, head, ["--base-ref", "main"]);
    expect(code).toBe(1);
    expect(log).toMatch(/review failed: the base main \([0-9a-f]{12}\) failed to synthesize \(`node app\.js`\):\nError: ml-dev-data\/network: vpcCidr is "10\.0\.0\.0\/33"/);
    // the worktree is removed
    expect(git(repo, "worktree", "list").split("\n")).toHaveLength(1);
  });

  test("a base with another lock file that npm ci cannot install", async () => {
    const repo = repository({ "options.json": JSON.stringify([DEV]), "package-lock.json": "{ not a lock file\n" });
    fs.writeFileSync(path.join(repo, "package-lock.json"), '{"lockfileVersion":3,"packages":{}}\n');
    const { code, log } = await review(repo, head, ["--base-ref", "main"]);
    expect(code).toBe(1);
    expect(log).toContain("review failed: the base main has another package-lock.json than this checkout, and npm ci of it failed:");
  }, 120_000);
});

describeWithTerraform("--base-ref with real Terraform: one command reviews a branch", () => {
  afterAll(removeTempDirs);
  test("the base is synthesized from the ref (node_modules linked) and the renamed owner is blocking in dev", async () => {
    process.env.TF_PLUGIN_MIRROR ??= pluginMirror();
    process.env.ML_REVIEW_STATE_CACHE = tempDir("review-states-");
    // GIVEN main has the data stack; the working tree renames the construct owning the database and the bucket
    const repo = repository({ "options.json": JSON.stringify([DEV]) });
    const head = synthApps({ ...DEV, ownerId: "model-store" });
    const { code, log, md, json } = await review(repo, head, ["--base-ref", "main"]);
    // THEN the review plans against the base's simulated state and blocks
    expect(log).toMatch(/synthesized the base main \([0-9a-f]{12}\) in a worktree in [\d.]+ s \(node_modules linked\)/);
    expect(code).toBe(2);
    expect(json.blocking).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stack: "ml-dev-data", type: "aws_db_instance", action: "delete" }),
        expect.objectContaining({ stack: "ml-dev-data", type: "aws_s3_bucket", action: "delete" }),
      ]),
    );
    expect(md).toContain("Plans: offline harness against a state simulated from the base's synthesized stacks");
    expect(git(repo, "worktree", "list").split("\n")).toHaveLength(1);
  }, 300_000);
});
