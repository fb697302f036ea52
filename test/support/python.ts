import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Python virtualenvs for the integration tests, built from pinned requirement files and cached in
 * `~/.cache/cdktf-ml-platform/venv-<hash>` (hash of the requirement file, the Python version and the
 * platform), so a changed pin builds a new one and an unchanged one is reused across runs and clones.
 *
 * Two environments, because checkov 3.3.30 pins boto3==1.35.49 and feast[aws] 0.66.0 needs boto3>=1.38.27:
 * - "main": test/requirements.txt (MLflow, Feast, moto server, psycopg2, boto3, DVC);
 * - "checkov": test/requirements-checkov.txt;
 * - "drift": test/requirements-drift.txt (the drift job's numpy, scipy, prometheus-client and boto3 pins, plus moto):
 *   small, so that the drift job's pins never move MLflow's or Feast's.
 *
 * Building takes minutes; two jest workers (or jest and `.ci/run`) never build the same one at once:
 * an atomic `mkdir <venv>.lock` holds the build, the others wait for the `.complete` marker.
 * `node -r ./scripts/register.js test/support/python.ts main checkov` builds them ahead (what .ci/run does).
 */
export type VenvName = "main" | "checkov" | "drift";

const ROOT = path.resolve(__dirname, "..", "..");
const REQUIREMENTS: Record<VenvName, string> = {
  main: path.join(ROOT, "test", "requirements.txt"),
  checkov: path.join(ROOT, "test", "requirements-checkov.txt"),
  drift: path.join(ROOT, "test", "requirements-drift.txt"),
};
const MARKER = ".complete";
const BUILD_TIMEOUT_MS = 30 * 60 * 1000;

export interface Venv {
  readonly name: VenvName;
  readonly dir: string;
  readonly python: string;
  /** Absolute path of a console script installed in the venv (`feast`, `dvc`, `moto_server`, `checkov`, …). */
  bin(script: string): string;
  /** The process environment with the venv's bin first on PATH, plus `extra`. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

/** `python3 --version`, or undefined when there is no python3. */
export function pythonVersion(): string | undefined {
  try {
    return execFileSync("python3", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch {
    return undefined;
  }
}

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "cdktf-ml-platform");
}

/** Where the venv for this requirement file lives (it may not exist yet). */
export function venvDir(name: VenvName): string {
  const hash = crypto
    .createHash("sha256")
    .update(fs.readFileSync(REQUIREMENTS[name]))
    .update(pythonVersion() ?? "no-python")
    .update(`${process.platform}-${process.arch}`)
    .digest("hex")
    .slice(0, 16);
  return path.join(cacheRoot(), `venv-${name}-${hash}`);
}

function venvAt(name: VenvName, dir: string): Venv {
  const binDir = path.join(dir, "bin");
  return {
    name,
    dir,
    python: path.join(binDir, "python"),
    bin: (script) => path.join(binDir, script),
    env: (extra = {}) => ({ ...process.env, VIRTUAL_ENV: dir, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`, ...extra }),
  };
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function build(name: VenvName, dir: string, log: (line: string) => void): void {
  fs.rmSync(dir, { recursive: true, force: true });
  const started = Date.now();
  log(`building Python venv "${name}" from ${path.relative(ROOT, REQUIREMENTS[name])} in ${dir} (takes minutes, once)`);
  const steps: [string, string[]][] = [
    ["python3", ["-m", "venv", dir]],
    [path.join(dir, "bin", "pip"), ["install", "--disable-pip-version-check", "--quiet", "-r", REQUIREMENTS[name]]],
  ];
  for (const [command, args] of steps) {
    const res = spawnSync(command, args, { encoding: "utf8", timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
    if (res.status !== 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(`${command} ${args.join(" ")} failed (${res.status ?? res.signal}):\n${res.stdout}${res.stderr}`.slice(0, 8000));
    }
  }
  fs.writeFileSync(path.join(dir, MARKER), fs.readFileSync(REQUIREMENTS[name]));
  log(`venv "${name}" ready in ${Math.round((Date.now() - started) / 1000)} s`);
}

/**
 * The venv for `name`, built first if missing (under a lock shared by every process). Throws when
 * python3 is missing or pip fails; callers turn that into a loud skip (or a CI failure) with `venvOrReason`.
 */
export function ensureVenv(name: VenvName, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Venv {
  if (!pythonVersion()) throw new Error("python3 is not on the PATH (Python 3.11 with venv and pip)");
  const dir = venvDir(name);
  const lock = `${dir}.lock`;
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  while (!fs.existsSync(path.join(dir, MARKER))) {
    try {
      fs.mkdirSync(lock);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(fs.readFileSync(path.join(lock, "pid"), { encoding: "utf8", flag: "a+" }) || "0");
      if (pid > 0 && !alive(pid)) fs.rmSync(lock, { recursive: true, force: true }); // the builder died
      if (Date.now() > deadline) throw new Error(`timed out waiting for another process to build ${dir} (lock ${lock})`);
      sleepSync(2000);
      continue;
    }
    try {
      fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
      if (!fs.existsSync(path.join(dir, MARKER))) build(name, dir, log);
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
  return venvAt(name, dir);
}

/** The venv, or the reason it cannot be had (to pass to `describeIf` from ./tools). */
export function venvOrReason(name: VenvName): { venv?: Venv; missing: string[] } {
  const failed = process.env[`CDKTF_ML_VENV_ERROR_${name.toUpperCase()}`]; // set by test/integration/global-setup.ts
  if (failed) return { missing: [`Python venv "${name}": ${failed}`] };
  try {
    return { venv: ensureVenv(name), missing: [] };
  } catch (e) {
    return { missing: [`Python venv "${name}": ${(e as Error).message.split("\n")[0]}`] };
  }
}

if (require.main === module) {
  const names = (process.argv.slice(2).length ? process.argv.slice(2) : ["main", "checkov", "drift"]) as VenvName[];
  for (const name of names) {
    if (!(name in REQUIREMENTS)) throw new Error(`unknown venv "${name}"; known: ${Object.keys(REQUIREMENTS).join(", ")}`);
    const venv = ensureVenv(name);
    process.stdout.write(`${name}: ${venv.dir}\n`);
  }
}
