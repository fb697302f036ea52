import { parse as parseYaml } from "yaml";
import { BlockingFinding } from "./blocking";
import { CHARTS_WITH_CRDS, IMMUTABLE_FIELDS, PERSISTENT_VALUES } from "./cluster-catalog";
import { SENSITIVE } from "./mask";
import { StackConfig, compareText, constructPath } from "./stack";

/**
 * The in-cluster stacks (kubernetes and helm providers) cannot be planned without a live
 * cluster. What the review can show offline is a diff of their synthesized configuration
 * against the base's: Helm releases and Kubernetes objects added, removed or changed.
 * It is a configuration diff, not a plan: it cannot see drift, server-side defaults or
 * the objects a chart renders from its values.
 */

/** One changed value, rendered for a reviewer (secrets masked). */
export interface ValueChange {
  readonly path: string;
  /** Absent when the value is new. */
  readonly from?: string;
  /** Absent when the value is removed. */
  readonly to?: string;
}

export type ConfigChange = "added" | "removed" | "changed";

export interface ReleaseChange {
  readonly address: string;
  readonly release: string;
  readonly namespace?: string;
  readonly change: ConfigChange;
  readonly chart: string;
  /** `from -> to` when the chart name changes. */
  readonly chartFrom?: string;
  readonly version?: string;
  readonly versionFrom?: string;
  readonly repository?: string;
  readonly repositoryFrom?: string;
  /** Values changed by key path (merged `values` documents, then `set` entries). Only for `changed`. */
  readonly values: readonly ValueChange[];
}

export interface ObjectChange {
  readonly address: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly change: ConfigChange;
  /** Changed fields by path. Only for `changed`. */
  readonly fields: readonly ValueChange[];
  /** A model endpoint's workload whose model changes: what a reviewer should read first. */
  readonly model?: ModelVersionChange;
}

/** The model an endpoint's workload serves changes (its pod template's `ml-platform/model` annotation). */
export interface ModelVersionChange {
  /** The model's name (the registry model, or the image repository). */
  readonly model: string;
  readonly from: string;
  readonly to: string;
  /** How the cluster replaces the running version, e.g. "canary (20% → pause 5m → 100%) with a smoke test and SLO analysis". */
  readonly delivery: string;
}

/** The annotation MonitoredEndpoint puts on its pod template: the served model (lib/endpoint/private/workload.ts). */
const MODEL_ANNOTATION = "ml-platform/model";

function servedModel(body: any): string | undefined {
  const v = body?.spec?.template?.metadata?.annotations?.[MODEL_ANNOTATION];
  return typeof v === "string" ? v : undefined;
}

/** `models:/ranker/7` → ["ranker", "version 7"]; `models:/ranker@champion` → ["ranker", "alias champion"]; an image → [repository, tag or digest]. */
function modelParts(source: string): [string, string] {
  let m = source.match(/^models:\/([^/@]+)\/(\d+)$/);
  if (m) return [m[1], `version ${m[2]}`];
  m = source.match(/^models:\/([^/@]+)@(.+)$/);
  if (m) return [m[1], `alias ${m[2]}`];
  m = source.match(/^models:\/([^/@]+)\/(.+)$/);
  if (m) return [m[1], `stage ${m[2]}`];
  m = source.match(/^(.*?)(?:@(sha256:[0-9a-f]{12})[0-9a-f]*|:([^:/@]+))$/);
  if (m) return [m[1], m[2] ?? m[3]];
  return [source, source];
}

function deliveryOf(kind: string, body: any): string {
  const canary = body?.spec?.strategy?.canary;
  const blueGreen = body?.spec?.strategy?.blueGreen;
  if (kind === "Rollout" && canary) {
    const steps = (canary.steps ?? []).flatMap((s: any) =>
      s.setWeight !== undefined ? [`${s.setWeight}%`] : s.pause !== undefined ? [s.pause.duration ? `pause ${s.pause.duration}` : "pause until promoted"] : [],
    );
    const smoke = (canary.steps ?? []).some((s: any) => s.analysis);
    return `canary (${steps.join(" → ")})${smoke ? " with a smoke test" : ""}${canary.analysis ? `${smoke ? " and" : " with"} SLO analysis; aborted (the old version keeps serving) if the analysis fails` : ""}, in the cluster by Argo Rollouts`;
  }
  if (kind === "Rollout" && blueGreen) {
    return (
      `blue/green (preview \`${blueGreen.previewService}\`${blueGreen.prePromotionAnalysis ? ", smoke test" : ""}, ${blueGreen.autoPromotionEnabled === false ? "manual" : "automatic"} promotion` +
      `${blueGreen.postPromotionAnalysis ? ", SLO analysis after promotion, switched back if it fails" : ""}), in the cluster by Argo Rollouts`
    );
  }
  return "rolling update of the Deployment (no analysis; Terraform waits for the new pods to be ready)";
}

function modelChange(kind: string, before: any, after: any): ModelVersionChange | undefined {
  if (kind !== "Rollout" && kind !== "Deployment") return undefined;
  const from = servedModel(before);
  const to = servedModel(after);
  if (from === undefined || to === undefined || from === to) return undefined;
  const [model, fromVersion] = modelParts(from);
  const [modelTo, toVersion] = modelParts(to);
  return { model: model === modelTo ? model : `${model} → ${modelTo}`, from: fromVersion, to: toVersion, delivery: deliveryOf(kind, after) };
}

export interface ClusterStackDiff {
  readonly stack: string;
  readonly environment: string;
  /** True when the base had no such stack: everything is added. */
  readonly newStack: boolean;
  readonly releases: readonly ReleaseChange[];
  readonly objects: readonly ObjectChange[];
}

interface Release {
  readonly address: string;
  readonly release: string;
  readonly namespace?: string;
  readonly chart: string;
  readonly version?: string;
  readonly repository?: string;
  /** Values by key path as configured (compared), and as shown (secrets masked). */
  readonly values: ReadonlyMap<string, string>;
  readonly shown: ReadonlyMap<string, string>;
}

interface KubeObject {
  readonly address: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** The object as configured: the manifest, or the typed resource's block. */
  readonly body: Record<string, unknown>;
  /** True for `kubernetes_manifest` (API field names), false for typed resources (snake_case). */
  readonly manifest: boolean;
  readonly fields: ReadonlyMap<string, string>;
  readonly shown: ReadonlyMap<string, string>;
}

/** Compares an in-cluster stack's synthesized configuration with the base's; `base` undefined for a new stack. */
export function clusterDiff(stack: string, environment: string, base: StackConfig | undefined, head: StackConfig): ClusterStackDiff {
  const before = { releases: releasesOf(base), objects: objectsOf(base) };
  const after = { releases: releasesOf(head), objects: objectsOf(head) };
  const releases: ReleaseChange[] = [];
  for (const address of union(before.releases, after.releases)) {
    const a = before.releases.get(address);
    const b = after.releases.get(address);
    const now = (b ?? a)!;
    const values = a && b ? diffMaps(a.values, b.values, a.shown, b.shown) : [];
    const same =
      a && b && a.chart === b.chart && a.version === b.version && a.repository === b.repository && a.namespace === b.namespace && a.release === b.release && values.length === 0;
    if (same) continue;
    releases.push({
      address,
      release: now.release,
      ...(now.namespace !== undefined ? { namespace: now.namespace } : {}),
      change: !a ? "added" : !b ? "removed" : "changed",
      chart: now.chart,
      ...(a && b && a.chart !== b.chart ? { chartFrom: a.chart } : {}),
      ...(now.version !== undefined ? { version: now.version } : {}),
      ...(a && b && a.version !== b.version && a.version !== undefined ? { versionFrom: a.version } : {}),
      ...(now.repository !== undefined ? { repository: now.repository } : {}),
      ...(a && b && a.repository !== b.repository && a.repository !== undefined ? { repositoryFrom: a.repository } : {}),
      values,
    });
  }
  const objects: ObjectChange[] = [];
  for (const address of union(before.objects, after.objects)) {
    const a = before.objects.get(address);
    const b = after.objects.get(address);
    const now = (b ?? a)!;
    const fields = a && b ? diffMaps(a.fields, b.fields, a.shown, b.shown) : [];
    if (a && b && fields.length === 0) continue;
    const model = a && b ? modelChange(now.kind, a.body, b.body) : undefined;
    objects.push({
      address,
      kind: now.kind,
      ...(now.namespace !== undefined ? { namespace: now.namespace } : {}),
      name: now.name,
      change: !a ? "added" : !b ? "removed" : "changed",
      fields,
      ...(model ? { model } : {}),
    });
  }
  return { stack, environment, newStack: base === undefined, releases, objects };
}

/**
 * The in-cluster changes that lose data or force Kubernetes objects to be deleted and
 * created again. Each is blocking, marked as coming from a configuration diff.
 */
export function clusterBlocking(diff: ClusterStackDiff, base: StackConfig | undefined, head: StackConfig): BlockingFinding[] {
  const found: BlockingFinding[] = [];
  const add = (address: string, type: string, action: BlockingFinding["action"], loses: string, detail: string, config: StackConfig | undefined) => {
    const path = constructPath(config, address);
    found.push({
      stack: diff.stack,
      environment: diff.environment,
      address,
      type,
      action,
      replacePaths: [],
      loses,
      detail,
      configurationDiff: true,
      ...(path ? { constructPath: path } : {}),
    });
  };
  const baseReleases = releasesOf(base);
  const baseObjects = objectsOf(base);
  const headObjects = objectsOf(head);
  for (const r of diff.releases) {
    if (r.change === "removed") {
      const old = baseReleases.get(r.address)!;
      if (CHARTS_WITH_CRDS[r.chart]) {
        add(
          r.address,
          "helm_release",
          "delete",
          "the operator of its custom resources, and the custom resources of the CRDs the chart templates",
          `Helm release \`${r.release}\` (${r.chart} ${r.version ?? ""}) is removed; the chart installs CRDs (${CHARTS_WITH_CRDS[r.chart]}): uninstalling it removes their operator, and custom resources that other stacks create stop being reconciled or are deleted with their CRDs`,
          base,
        );
      } else {
        const persistent = [...old.values.entries()].filter(([k, v]) => PERSISTENT_VALUES.some((re) => re.test(k)) && v !== "false" && v !== "null").map(([k]) => k);
        if (persistent.length > 0) {
          add(
            r.address,
            "helm_release",
            "delete",
            "the release's persistent volumes",
            `Helm release \`${r.release}\` (${r.chart}) is removed; its values keep data on persistent volumes (${persistent
              .slice(0, 3)
              .map((p) => `\`${p}\``)
              .join(", ")})`,
            base,
          );
        }
      }
    }
    if (r.change === "changed" && r.versionFrom && r.version && majorOf(r.versionFrom) !== majorOf(r.version)) {
      add(
        r.address,
        "helm_release",
        "replace",
        "whatever the chart's breaking changes touch (read its upgrade notes)",
        `Helm release \`${r.release}\`: chart ${r.chart} ${r.versionFrom} → ${r.version} is a major version change (breaking by semver; for 0.x charts, the minor version)`,
        head,
      );
    }
  }
  for (const o of diff.objects) {
    if (o.change === "removed") {
      const old = baseObjects.get(o.address)!;
      if (o.kind === "Namespace") {
        add(
          o.address,
          old.manifest ? "kubernetes_manifest" : o.address.split(".")[0],
          "delete",
          "every object in the namespace (workloads, Secrets, PersistentVolumeClaims)",
          `namespace \`${o.name}\` is deleted, and Kubernetes deletes everything in it`,
          base,
        );
      } else if (hasPersistentVolumes(old)) {
        add(
          o.address,
          old.manifest ? "kubernetes_manifest" : o.address.split(".")[0],
          "delete",
          "its persistent volume claims (and, with the Delete reclaim policy, the volumes)",
          `${o.kind} \`${o.namespace ? `${o.namespace}/` : ""}${o.name}\`, which has persistent volumes, is deleted`,
          base,
        );
      }
    }
    if (o.change === "changed") {
      const a = baseObjects.get(o.address)!;
      const b = headObjects.get(o.address)!;
      for (const [apiPath, typedPath] of IMMUTABLE_FIELDS[o.kind] ?? []) {
        const p = b.manifest ? `manifest.${apiPath}` : typedPath;
        const changed = (m: ReadonlyMap<string, string>) =>
          [...m.entries()]
            .filter(([k]) => k === p || k.startsWith(`${p}.`) || k.startsWith(`${p}[`))
            .map((e) => e.join("="))
            .sort()
            .join("\n");
        if (changed(a.fields) !== changed(b.fields)) {
          add(
            o.address,
            b.manifest ? "kubernetes_manifest" : o.address.split(".")[0],
            "replace",
            "the running object: it is deleted and created again (downtime; a StatefulSet's claims are not resized or re-created)",
            `${o.kind} \`${o.namespace ? `${o.namespace}/` : ""}${o.name}\`: \`${apiPath}\` is immutable in Kubernetes, so the object must be deleted and created again`,
            head,
          );
        }
      }
    }
  }
  return found;
}

function hasPersistentVolumes(o: KubeObject): boolean {
  if (o.kind === "PersistentVolumeClaim" || o.kind === "PersistentVolume") return true;
  return [...o.fields.keys()].some((k) => /volumeClaimTemplates|volume_claim_template|persistentVolumeClaim|persistent_volume_claim/.test(k));
}

/** Semver major, or the minor for 0.x (where the minor is the breaking position). */
export function majorOf(version: string): string {
  const parts = version.replace(/^v/, "").split(".");
  return parts[0] === "0" ? `0.${parts[1] ?? ""}` : parts[0];
}

function releasesOf(config: StackConfig | undefined): Map<string, Release> {
  const out = new Map<string, Release>();
  for (const [name, block] of Object.entries<any>(config?.resource?.helm_release ?? {})) {
    const values = new Map<string, string>();
    let merged: unknown = {};
    for (const doc of block.values ?? []) {
      try {
        merged = deepMerge(merged, parseYaml(String(doc)) ?? {});
      } catch {
        values.set("(values that are not YAML)", render(doc));
      }
    }
    flatten(merged, "", values);
    for (const s of asList(block.set)) values.set(String(s.name), render(s.value));
    for (const s of asList(block.set_list)) values.set(String(s.name), render(s.value));
    const sensitive = new Set<string>();
    for (const s of asList(block.set_sensitive)) {
      values.set(String(s.name), render(s.value));
      sensitive.add(String(s.name));
    }
    out.set(`helm_release.${name}`, {
      address: `helm_release.${name}`,
      release: String(block.name),
      ...(block.namespace !== undefined ? { namespace: resolveName(config!, String(block.namespace)) } : {}),
      chart: String(block.chart),
      ...(block.version !== undefined ? { version: String(block.version) } : {}),
      ...(block.repository !== undefined ? { repository: String(block.repository) } : {}),
      values,
      shown: masked(values, false, sensitive),
    });
  }
  return out;
}

function objectsOf(config: StackConfig | undefined): Map<string, KubeObject> {
  const out = new Map<string, KubeObject>();
  for (const [type, byName] of Object.entries<any>(config?.resource ?? {})) {
    if (!type.startsWith("kubernetes_")) continue;
    for (const [name, block] of Object.entries<any>(byName)) {
      const address = `${type}.${name}`;
      const manifest = type === "kubernetes_manifest";
      const body = manifest ? (block.manifest ?? {}) : withoutMeta(block);
      const metadata = manifest ? (body.metadata ?? {}) : (first(block.metadata) ?? {});
      const kind = manifest ? String(body.kind) : kindOf(type);
      const fields = new Map<string, string>();
      flatten(manifest ? { manifest: body } : body, "", fields);
      out.set(address, {
        address,
        kind,
        manifest,
        body,
        name: resolveName(config!, String(metadata.name ?? name)),
        ...(metadata.namespace !== undefined ? { namespace: resolveName(config!, String(metadata.namespace)) } : {}),
        fields,
        shown: masked(fields, kind === "Secret", new Set()),
      });
    }
  }
  return out;
}

/** `kubernetes_stateful_set_v1` -> `StatefulSet`. */
function kindOf(type: string): string {
  return type
    .replace(/^kubernetes_/, "")
    .replace(/_v\d+$/, "")
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

/** `${kubernetes_namespace_v1.x.metadata[0].name}` -> the namespace's configured name. */
function resolveName(config: StackConfig, value: string): string {
  const m = /^\$\{(kubernetes_[a-z0-9_]+)\.([^.}]+)\.metadata\[0\]\.name\}$/.exec(value);
  if (!m) return value;
  const block = config.resource?.[m[1]]?.[m[2]];
  const name = m[1] === "kubernetes_manifest" ? block?.manifest?.metadata?.name : first(block?.metadata)?.name;
  return typeof name === "string" ? name : value;
}

const SECRET_KEY = /(password|passwd|secret|token|api[-_]?key|credential|private[-_]?key|auth[-_]?key)/i;

/** A copy where values under a secret-looking key, `set_sensitive` entries and every data field of a Secret are `(sensitive value)`. */
function masked(values: ReadonlyMap<string, string>, isSecret: boolean, sensitive: ReadonlySet<string>): Map<string, string> {
  const fields = new Map(values);
  for (const [k, v] of fields) {
    if (sensitive.has(k)) {
      fields.set(k, SENSITIVE);
      continue;
    }
    const last =
      k
        .split(/[.[]/)
        .filter((s) => s && !/^\d+\]$/.test(s))
        .pop() ?? k;
    const secretData = isSecret && /(^|\.)(data|stringData|string_data|binary_data)(\.|\[|$)/.test(k);
    // Names of Secrets (secretName, existingSecret) are not secrets; their values are.
    const namesASecret = (/(name|ref|key)$/i.test(last) || /^existing/i.test(last)) && !/(api[-_]?key|private[-_]?key|auth[-_]?key)$/i.test(last);
    if (secretData || (SECRET_KEY.test(last) && !namesASecret && v !== "true" && v !== "false")) fields.set(k, SENSITIVE);
  }
  return fields;
}

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (Array.isArray(value)) {
    if (value.length === 0 && prefix) out.set(prefix, "[]");
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (value && typeof value === "object") {
    const keys = Object.keys(value as object);
    if (keys.length === 0 && prefix) out.set(prefix, "{}");
    for (const k of keys) flatten((value as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, render(value));
  }
}

function render(v: unknown): string {
  const text = typeof v === "string" ? JSON.stringify(v) : String(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Paths whose configured values differ, shown masked. */
function diffMaps(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>, aShown: ReadonlyMap<string, string>, bShown: ReadonlyMap<string, string>): ValueChange[] {
  const out: ValueChange[] = [];
  for (const k of [...new Set([...a.keys(), ...b.keys()])].sort(compareText)) {
    if (a.get(k) === b.get(k)) continue;
    const from = aShown.get(k);
    const to = bShown.get(k);
    out.push({ path: k, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  }
  return out;
}

function deepMerge(a: unknown, b: unknown): unknown {
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = k in out ? deepMerge(out[k], v) : v;
    return out;
  }
  return b;
}

function withoutMeta(block: Record<string, unknown>): Record<string, unknown> {
  const { "//": _meta, depends_on: _deps, lifecycle: _lc, provider: _p, timeouts: _t, ...rest } = block;
  return rest;
}

function first(v: unknown): Record<string, any> | undefined {
  return (Array.isArray(v) ? v[0] : v) as Record<string, any> | undefined;
}

function asList(v: unknown): Record<string, any>[] {
  return Array.isArray(v) ? v : v ? [v as Record<string, any>] : [];
}

function union<K>(a: ReadonlyMap<K, unknown>, b: ReadonlyMap<K, unknown>): K[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => compareText(String(x), String(y)));
}
