import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/**
 * The chart-values key check, for every helm_release of the library: Helm silently
 * ignores a values key the chart does not have (a typo such as `adminPasword`), so every
 * key path the library sets must exist in the pinned chart's default values.
 * Keys under a map that defaults to `{}` (or to null) are free-form; lists are replaced
 * whole and not descended into.
 */
const FIXTURES = path.resolve(__dirname, "..", "fixtures", "charts");

export function chartDir(chart: string, version: string): string {
  const dir = path.join(FIXTURES, `${chart}-${version}`);
  if (!fs.existsSync(dir)) throw new Error(`no pinned defaults for chart ${chart} ${version} in ${FIXTURES}`);
  return dir;
}

/** The chart's default values.yaml, parsed. */
export function chartDefaults(chart: string, version: string): Record<string, unknown> {
  return parse(fs.readFileSync(path.join(chartDir(chart, version), "values.yaml"), "utf8")) ?? {};
}

/** The chart's values.schema.json, when it ships one. */
export function chartSchema(chart: string, version: string): object | undefined {
  const file = path.join(chartDir(chart, version), "values.schema.json");
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
}

export interface KeyCheckOptions {
  /** Subchart defaults by top-level key, e.g. `{ grafana: chartDefaults("grafana", "12.11.1") }`. */
  readonly subcharts?: Readonly<Record<string, Record<string, unknown>>>;
  /**
   * Key paths a chart documents only in comments of its values.yaml (so they are absent
   * from the parsed defaults), each with where it is documented.
   */
  readonly documented?: Readonly<Record<string, string>>;
}

function isMap(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Helm's coalescing of a parent's values over a subchart's: maps merge key by key. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isMap(v) && isMap(base[k]) ? deepMerge(base[k] as Record<string, unknown>, v) : v;
  return out;
}

/** Every key path in `values` that the chart's defaults do not have. */
export function unknownValueKeys(values: unknown, defaults: unknown, options: KeyCheckOptions = {}, prefix = ""): string[] {
  if (!isMap(values)) return [];
  if (defaults === null || defaults === undefined) return []; // null default: free-form
  if (Array.isArray(defaults)) return [];
  if (!isMap(defaults)) return [`${prefix || "(root)"} (chart default is a ${typeof defaults}, the library sets a map)`];
  if (Object.keys(defaults).length === 0) return []; // {} default: free-form map
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const p = prefix ? `${prefix}.${key}` : key;
    if (options.documented?.[p]) continue;
    const sub = prefix === "" ? options.subcharts?.[key] : undefined;
    if (sub) {
      // Deep: the parent's section of a subchart (kube-prometheus-stack's `grafana.sidecar`) adds to the subchart's maps, it does not replace them.
      const merged = { ...deepMerge(sub, isMap(defaults[key]) ? defaults[key] : {}), global: {} };
      unknown.push(...unknownValueKeys(value, merged, { documented: prefixed(options.documented, key) }, p));
      continue;
    }
    if (!(key in defaults)) {
      unknown.push(p);
      continue;
    }
    unknown.push(...unknownValueKeys(value, defaults[key], { documented: options.documented }, p));
  }
  return unknown;
}

function prefixed(documented: Readonly<Record<string, string>> | undefined, key: string): Record<string, string> | undefined {
  if (!documented) return undefined;
  return Object.fromEntries(Object.entries(documented).map(([k, v]) => [k.startsWith(`${key}.`) ? k : `${key}.${k}`, v]));
}

/** A helm_release as synthesized: chart, version and its values parsed back from JSON. */
export interface SynthesizedRelease {
  readonly name: string;
  readonly chart: string;
  readonly version: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  readonly resource: any;
}

/** Every helm_release in a synthesized stack. */
export function helmReleases(stackJson: any): SynthesizedRelease[] {
  return Object.values(stackJson.resource?.helm_release ?? {}).map((r: any) => ({
    name: r.name,
    chart: r.chart,
    version: r.version,
    namespace: r.namespace,
    values: Object.assign({}, ...(r.values ?? []).map((v: string) => parse(v))),
    resource: r,
  }));
}

/** The one helm_release of a chart in a synthesized stack. */
export function helmRelease(stackJson: any, chart: string): SynthesizedRelease {
  const found = helmReleases(stackJson).filter((r) => r.chart === chart);
  if (found.length !== 1) throw new Error(`expected one helm_release of chart ${chart}, found ${found.length}`);
  return found[0];
}

/** Unknown key paths of a synthesized release against its pinned chart's defaults. */
export function unknownReleaseKeys(release: SynthesizedRelease, options: KeyCheckOptions = {}): string[] {
  return unknownValueKeys(release.values, chartDefaults(release.chart, release.version), options);
}
