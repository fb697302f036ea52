import { execFileSync, execSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** A base that could not be synthesized: the review stops with this one message (exit 1). */
export class BaseRefError extends Error {}

export interface BaseCheckout {
  /** The commit the base ref named. */
  readonly commit: string;
  /** The synthesized base (`<outdir>/stacks/<name>/cdk.tf.json`). */
  readonly outdir: string;
  /** How its dependencies were provided. */
  readonly dependencies: "linked" | "installed";
  /** Removes the worktree and the synthesized output. */
  dispose(): void;
}

export interface BaseRefOptions {
  /** The cdktf app's directory (where cdktf.json is), inside a git checkout. */
  readonly appDir: string;
  /** Progress lines. @default - silent */
  readonly log?: (line: string) => void;
}

/**
 * Synthesizes the app as it is at `ref`, in a temporary git worktree: `node_modules` is
 * a link to this checkout's when the base's package-lock.json is the same, else `npm ci`
 * installs the base's own; the app is synthesized with the `app` command of the base's
 * cdktf.json, as `cdktf synth` would. Every failure is one BaseRefError that says what to do.
 */
export function synthesizeBaseRef(ref: string, options: BaseRefOptions): BaseCheckout {
  const log = options.log ?? (() => undefined);
  const git = (args: string[], cwd = options.appDir) => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  let root: string;
  try {
    root = git(["rev-parse", "--show-toplevel"]);
  } catch {
    throw new BaseRefError(`--base-ref needs a git checkout: ${options.appDir} is not inside one`);
  }
  let commit: string;
  try {
    commit = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  } catch {
    throw new BaseRefError(`base ref ${JSON.stringify(ref)} does not exist in ${root} (fetch it first, e.g. git fetch origin main)`);
  }
  const appPath = path.relative(root, options.appDir);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "review-base-ref-"));
  const worktree = path.join(tmp, "checkout");
  const outdir = path.join(tmp, "cdktf.out");
  const dispose = () => {
    try {
      git(["worktree", "remove", "--force", worktree], root);
    } catch {
      // already gone
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    try {
      git(["worktree", "prune"], root);
    } catch {
      // nothing to prune
    }
  };
  try {
    git(["worktree", "add", "--detach", "--quiet", worktree, commit], root);
    const baseApp = path.join(worktree, appPath);
    const dependencies = provideDependencies(options.appDir, baseApp, ref, log);
    const configFile = path.join(baseApp, "cdktf.json");
    if (!fs.existsSync(configFile)) throw new BaseRefError(`the base ${ref} has no cdktf.json in ${appPath || "the repository root"}: nothing to synthesize`);
    const app = JSON.parse(fs.readFileSync(configFile, "utf8")).app as string | undefined;
    if (!app) throw new BaseRefError(`the base ${ref}'s cdktf.json has no "app" command`);
    const started = Date.now();
    try {
      execSync(app, { cwd: baseApp, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, CDKTF_OUTDIR: outdir } });
    } catch (err) {
      const stderr = stderrTail(err, 15);
      throw new BaseRefError(`the base ${ref} (${commit.slice(0, 12)}) failed to synthesize (\`${app}\`):\n${stderr}`);
    }
    if (!fs.existsSync(path.join(outdir, "stacks"))) throw new BaseRefError(`the base ${ref}'s app wrote no stacks into CDKTF_OUTDIR (${outdir})`);
    log(`synthesized the base ${ref} (${commit.slice(0, 12)}) in a worktree in ${((Date.now() - started) / 1000).toFixed(1)} s (node_modules ${dependencies})`);
    return { commit, outdir, dependencies, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}

/**
 * The base's node_modules: this checkout's, linked, when both lock files are the same
 * (the common case: a change that does not touch dependencies); else `npm ci`.
 */
function provideDependencies(headApp: string, baseApp: string, ref: string, log: (line: string) => void): "linked" | "installed" {
  const headLock = path.join(headApp, "package-lock.json");
  const baseLock = path.join(baseApp, "package-lock.json");
  const same = fs.existsSync(headLock) && fs.existsSync(baseLock) && fs.readFileSync(headLock, "utf8") === fs.readFileSync(baseLock, "utf8");
  if (same && fs.existsSync(path.join(headApp, "node_modules"))) {
    fs.symlinkSync(path.join(headApp, "node_modules"), path.join(baseApp, "node_modules"), "dir");
    return "linked";
  }
  if (!fs.existsSync(baseLock)) throw new BaseRefError(`the base ${ref} has no package-lock.json, so its dependencies cannot be installed reproducibly (npm ci needs one)`);
  log(`the base ${ref} has another package-lock.json: npm ci in its worktree`);
  try {
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], { cwd: baseApp, stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    const stderr = stderrTail(err, 10);
    throw new BaseRefError(`the base ${ref} has another package-lock.json than this checkout, and npm ci of it failed:\n${stderr}`);
  }
  return "installed";
}

/** The last `lines` lines of a failed child process's stderr (what says why it failed). */
function stderrTail(err: unknown, lines: number): string {
  return String((err as { stderr?: Buffer }).stderr ?? "")
    .trim()
    .split("\n")
    .slice(-lines)
    .join("\n");
}
