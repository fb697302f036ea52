import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeWithTerraform, pluginMirror } from "../support/terraform";

/**
 * A new user, end to end: the library packed as npm would publish it, installed into a
 * fresh app with the README's install lines, the README's example as the app, type-checked
 * by the app's own tsc, synthesized in its own process, and its infra stack planned
 * offline with real Terraform through the installed package's OfflineTerraform.
 * The README is read here, so README drift breaks this test. What is packed and read is the
 * committed HEAD (CI's fresh clone): commit before running this test locally.
 *
 * NEW_USER_TARBALL=/path/to/pkg.tgz installs that tarball instead of packing HEAD.
 */
const ROOT = path.resolve(__dirname, "..", "..");
const NPM_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund"];
const MINUTES = 60_000;

/** The README section a new user follows: its install lines, its tsconfig and its example app. */
export function readmeRecipe(readme: string): { installs: string[][]; tsconfig: string; app: string } {
  const start = readme.indexOf("## Using the constructs in your own stack");
  if (start < 0) throw new Error('README has no "## Using the constructs in your own stack" section');
  const end = readme.indexOf("\n## ", start + 3);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const installs = [...section.matchAll(/^ {4}(npm install .+)$/gm)].map((m) => m[1].trim().split(/\s+/));
  const app = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const tsconfig = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  if (installs.length === 0 || !app || !tsconfig) throw new Error("README section has no indented `npm install` line, ```json tsconfig or ```ts app");
  return { installs, tsconfig, app };
}

/** Runs a command, failing with its output when it exits non-zero. */
function sh(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env, allowFailure = false): SpawnSyncReturns<string> {
  const res = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (!allowFailure && res.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${res.status}:\n${res.stdout}\n${res.stderr}`);
  }
  return res;
}

/**
 * A copy of the committed library (`git archive HEAD`: what CI's fresh clone holds), so that
 * the prepack build writes its dist/ there, never under a repository other tests read, and
 * work in progress in the working tree does not decide what is packed.
 */
function committedSource(): string {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "new-user-src-"));
  sh("sh", ["-c", 'git archive --format=tar HEAD | tar -x -C "$0"', copy], ROOT);
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
  return copy;
}

/** `npm pack` of a source directory into `into` (the prepack script builds dist/ with tsc). */
function packLibrary(source: string, into: string): string {
  sh("npm", ["pack", "--pack-destination", into, "--silent"], source);
  const tarballs = fs.readdirSync(into).filter((f) => f.endsWith(".tgz"));
  if (tarballs.length !== 1) throw new Error(`npm pack wrote ${tarballs.length} tarballs into ${into}`);
  return path.join(into, tarballs[0]);
}

/** Every installed copy of a package under an app's node_modules, nested ones included. */
export function installedCopies(appDir: string, name: string): string[] {
  const found: string[] = [];
  const walk = (nodeModules: string) => {
    if (!fs.existsSync(nodeModules)) return;
    for (const entry of fs.readdirSync(nodeModules)) {
      const dirs = entry.startsWith("@") ? fs.readdirSync(path.join(nodeModules, entry)).map((e) => path.join(entry, e)) : [entry];
      for (const d of dirs) {
        const dir = path.join(nodeModules, d);
        if (d === name && fs.existsSync(path.join(dir, "package.json"))) found.push(path.relative(appDir, dir));
        walk(path.join(dir, "node_modules"));
      }
    }
  };
  walk(path.join(appDir, "node_modules"));
  return found.sort();
}

const registryUnreachable = spawnSync("npm", ["ping"], { encoding: "utf8", timeout: 60_000 }).status !== 0;
if (registryUnreachable && process.env.CI !== "true") {
  process.stderr.write("\n*** SKIPPING THE NEW-USER INSTALL TEST: the npm registry is not reachable (npm ping failed) ***\n\n");
}
const describeInstall: jest.Describe = registryUnreachable && process.env.CI !== "true" ? describe.skip : describe;

describeInstall("a new user installs the packed library and runs the README's example", () => {
  let recipe: ReturnType<typeof readmeRecipe>;
  let work: string;
  let app: string;
  const timings: string[] = [];
  const timed = <T>(label: string, fn: () => T): T => {
    const started = Date.now();
    const result = fn();
    timings.push(`${label} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "new-user-"));
    const source = committedSource();
    let tarball: string;
    try {
      recipe = readmeRecipe(fs.readFileSync(path.join(source, "README.md"), "utf8"));
      tarball = process.env.NEW_USER_TARBALL ?? timed("npm pack", () => packLibrary(source, work));
    } finally {
      fs.rmSync(source, { recursive: true, force: true });
    }
    app = path.join(work, "app");
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "new-user-app", version: "1.0.0", private: true }, null, 2));
    timed("npm install", () => {
      for (const [npm, ...args] of recipe.installs) {
        sh(npm, [...args.map((a) => (a === "cdktf-ml-platform" ? tarball : a)), ...NPM_FLAGS], app);
      }
    });
    fs.writeFileSync(path.join(app, "tsconfig.json"), recipe.tsconfig);
    fs.writeFileSync(path.join(app, "main.ts"), recipe.app);
  }, 15 * MINUTES);

  afterAll(() => {
    process.stderr.write(`new-user test: ${timings.join(", ")}\n`);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test("the README installs the library from its package name, next to cdktf and constructs", () => {
    expect(recipe.installs[0]).toEqual(["npm", "install", "cdktf-ml-platform", "cdktf", "constructs"]);
    expect(recipe.app).toContain('from "cdktf-ml-platform"');
    expect(recipe.app).toContain("exitOnConfigError(() => {");
  });

  test("the app holds exactly one constructs, shared by cdktf, the providers and the library", () => {
    expect(installedCopies(app, "constructs")).toEqual(["node_modules/constructs"]);
    expect(installedCopies(app, "cdktf")).toEqual(["node_modules/cdktf"]);
  });

  test("the tarball holds the area READMEs and the example", () => {
    const pkg = path.join(app, "node_modules", "cdktf-ml-platform");
    for (const area of ["gpu-cluster", "model-registry", "feature-store", "observability", "endpoint", "policy", "review", "terraform"]) {
      expect(fs.existsSync(path.join(pkg, "lib", area, "README.md"))).toBe(true);
    }
    expect(fs.existsSync(path.join(pkg, "examples", "fraud-detection", "main.ts"))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(pkg, "package.json"), "utf8")).repository).toBeDefined();
  });

  test(
    "the app's own tsc type-checks and compiles the README's example",
    () => {
      const res = timed("tsc", () => sh("npx", ["--no-install", "tsc"], app, process.env, true));
      expect(res.stdout + res.stderr).toBe("");
      expect(res.status).toBe(0);
      expect(fs.existsSync(path.join(app, "main.js"))).toBe(true);
    },
    5 * MINUTES,
  );

  test(
    "the compiled app synthesizes its three stacks",
    () => {
      const res = timed("synth", () => sh(process.execPath, ["main.js"], app, { ...process.env, CDKTF_OUTDIR: path.join(app, "cdktf.out") }, true));
      expect(res.stderr).toBe("");
      expect(res.status).toBe(0);
      expect(fs.readdirSync(path.join(app, "cdktf.out", "stacks")).sort()).toEqual(["ml-fraud-dev-addons", "ml-fraud-dev-infra", "ml-fraud-dev-platform"]);
    },
    5 * MINUTES,
  );

  test(
    "bad input in the app is a message and exit 1, not a stack trace",
    () => {
      const broken = path.join(app, "broken.js");
      const source = fs.readFileSync(path.join(app, "main.js"), "utf8");
      expect(source).toContain('vpcCidr: "10.42.0.0/16"');
      fs.writeFileSync(broken, source.replace('vpcCidr: "10.42.0.0/16"', 'vpcCidr: "10.42.0.0/8"'));
      const res = sh(process.execPath, ["broken.js"], app, { ...process.env, CDKTF_OUTDIR: path.join(work, "broken.out") }, true);
      expect(res.status).toBe(1);
      expect(res.stderr).toMatch(/^Invalid configuration:\n.*vpcCidr.*"10\.42\.0\.0\/8"/);
      expect(res.stderr).not.toMatch(/^\s+at /m);
    },
    5 * MINUTES,
  );

  test(
    "the subpath exports load in the app, typed by its own tsc; internals stay out of reach",
    () => {
      // The README's tsconfig (module commonjs: node10 resolution, which reads typesVersions, not exports).
      const source = [
        'import { ModelRegistry } from "cdktf-ml-platform";',
        'import { POLICY_PACK, checkStack } from "cdktf-ml-platform/policy";',
        'import { renderMarkdown } from "cdktf-ml-platform/review";',
        'import { OfflineTerraform, UpgradeHarness } from "cdktf-ml-platform/testing";',
        "const loaded: unknown[] = [ModelRegistry, checkStack, renderMarkdown, OfflineTerraform, UpgradeHarness];",
        "console.log(JSON.stringify({ rules: POLICY_PACK.length, loaded: loaded.map((x) => typeof x) }));",
      ].join("\n");
      fs.writeFileSync(path.join(app, "subpaths.ts"), source);
      const tsc = sh("npx", ["--no-install", "tsc", "--strict", "--module", "commonjs", "--target", "ES2022", "--skipLibCheck", "subpaths.ts"], app, process.env, true);
      expect(tsc.stdout + tsc.stderr).toBe("");
      const run = sh(process.execPath, ["subpaths.js"], app);
      const out = JSON.parse(run.stdout);
      expect(out.rules).toBeGreaterThan(10);
      expect(out.loaded).toEqual(["function", "function", "function", "function", "function"]);
      // Helpers are not part of the API: neither on the root nor by a deep path (exports closes dist/).
      const root = sh(
        process.execPath,
        ["-e", 'const m = require("cdktf-ml-platform"); console.log(JSON.stringify(["roleName", "OfflineTerraform", "runReview"].filter((n) => n in m)))'],
        app,
      );
      expect(JSON.parse(root.stdout)).toEqual([]);
      const deep = sh(process.execPath, ["-e", 'require("cdktf-ml-platform/dist/lib/iam/policy-statement")'], app, process.env, true);
      expect(deep.status).not.toBe(0);
      expect(deep.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
    },
    5 * MINUTES,
  );

  describeWithTerraform("under real Terraform", () => {
    test(
      "the installed OfflineTerraform plans the app's infra stack: cluster, database, buckets, roles, all created",
      () => {
        const script = [
          'const { OfflineTerraform } = require("cdktf-ml-platform/testing");',
          "(async () => {",
          "  const terraform = new OfflineTerraform(process.argv[2]);",
          "  const plan = await terraform.plan();",
          "  terraform.dispose();",
          "  console.log(JSON.stringify((plan.resource_changes || []).map((c) => ({ address: c.address, mode: c.mode, type: c.type, actions: c.change.actions }))));",
          "})().catch((err) => { console.error(err.message); process.exit(1); });",
        ].join("\n");
        fs.writeFileSync(path.join(app, "plan-offline.js"), script);
        const stack = path.join(app, "cdktf.out", "stacks", "ml-fraud-dev-infra");
        const res = timed("offline plan", () => sh(process.execPath, ["plan-offline.js", stack], app, { ...process.env, TF_PLUGIN_MIRROR: pluginMirror()! }));
        const changes: { address: string; mode: string; type: string; actions: string[] }[] = JSON.parse(res.stdout);
        const managed = changes.filter((c) => c.mode === "managed");
        expect(managed.length).toBeGreaterThan(50);
        expect(managed.filter((c) => c.actions.join() !== "create")).toEqual([]);
        for (const type of ["aws_eks_cluster", "aws_eks_node_group", "aws_db_instance", "aws_s3_bucket", "aws_iam_role", "aws_kms_key", "aws_vpc"]) {
          expect(managed.map((c) => c.type)).toContain(type);
        }
      },
      15 * MINUTES,
    );
  });
});
