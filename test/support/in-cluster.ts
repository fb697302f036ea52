import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { helmTemplate } from "./helm";
import { synthReferenceApp } from "./reference-app";
import { gpuInstanceSpec } from "../../lib/gpu-cluster/gpu-instances";

/**
 * The in-cluster set of an environment, as it would exist once applied: every object of
 * every `helm template` of its helm_releases (with the synthesized values), every
 * kubernetes_manifest, and every typed kubernetes_* resource converted to its Kubernetes
 * object shape. Terraform references are resolved where the synthesized JSON holds the
 * answer (namespaces, IAM role ARNs, locals); other computed attributes (database
 * addresses, …) become `tf-unknown.<address>` placeholders.
 */
const ROOT = path.resolve(__dirname, "..", "..");

export interface ClusterObject {
  /** Where it comes from: `helm_release <name> (<chart> <version>)`, `kubernetes_manifest <id>`, `kubernetes_cron_job_v1 <id>`. */
  readonly source: string;
  readonly stack: string;
  /** The release name when rendered by helm. */
  readonly release?: string;
  readonly object: any;
}

export interface NodePool {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly taints: { key: string; value?: string; effect: string }[];
  readonly instanceTypes: string[];
  readonly maxNodes: number;
  /** Who launches the nodes: an EKS managed node group (default) or a Karpenter NodePool. */
  readonly provisioner?: "managed-node-group" | "karpenter";
}

export interface RenderedRelease {
  readonly stack: string;
  readonly name: string;
  readonly chart: string;
  readonly version: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>[];
  readonly objects: any[];
  /** helm's error, when `helm template` failed. */
  readonly error?: string;
}

export interface EnvironmentSet {
  /** Environment prefix, e.g. `ml-prod`, `ml-fraud-dev`. */
  readonly name: string;
  readonly kubeVersion: string;
  readonly stacks: Record<string, any>;
  readonly infra: any;
  readonly pools: NodePool[];
  readonly releases: RenderedRelease[];
  readonly objects: ClusterObject[];
}

// ---------------------------------------------------------------------------------------
// Terraform references
// ---------------------------------------------------------------------------------------

/** The `${...}` interpolations of a string, with their positions (nested braces counted). */
function interpolations(s: string): { start: number; end: number; expr: string }[] {
  const found = [];
  let i = 0;
  while ((i = s.indexOf("${", i)) >= 0) {
    if (i > 0 && s[i - 1] === "$") {
      i += 2; // $${ is Terraform's escape for a literal ${
      continue;
    }
    let depth = 1;
    let j = i + 2;
    for (; j < s.length && depth > 0; j++) {
      if (s[j] === "{") depth++;
      else if (s[j] === "}") depth--;
    }
    found.push({ start: i, end: j, expr: s.slice(i + 2, j - 1) });
    i = j;
  }
  return found;
}

/** The string with every `${...}` interpolation replaced by `placeholder` (Terraform evaluates them before the text is parsed). */
export function withoutInterpolations(s: string, placeholder = "tf-ref"): string {
  let out = "";
  let last = 0;
  for (const p of interpolations(s)) {
    out += s.slice(last, p.start) + placeholder;
    last = p.end;
  }
  return out + s.slice(last);
}

class Resolver {
  constructor(private readonly stacks: Record<string, any>) {}

  public value(stackName: string, value: any): any {
    if (typeof value === "string") return this.string(stackName, value);
    if (Array.isArray(value)) return value.map((v) => this.value(stackName, v));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.string(stackName, k), this.value(stackName, v)]));
    return value;
  }

  public string(stackName: string, s: string): any {
    const parts = interpolations(s);
    if (parts.length === 0) return s.replace(/\$\$\{/g, "${");
    if (parts.length === 1 && parts[0].start === 0 && parts[0].end === s.length) return this.expr(stackName, parts[0].expr);
    let out = "";
    let last = 0;
    for (const p of parts) {
      out += s.slice(last, p.start).replace(/\$\$\{/g, "${") + String(this.expr(stackName, p.expr));
      last = p.end;
    }
    return out + s.slice(last).replace(/\$\$\{/g, "${");
  }

  private expr(stackName: string, expr: string): any {
    const stack = this.stacks[stackName];
    let m: RegExpMatchArray | null;
    if ((m = expr.match(/^(kubernetes_[a-z0-9_]+)\.([^.]+)\.metadata\[0\]\.name$/))) {
      const r = stack.resource?.[m[1]]?.[m[2]];
      if (r) return this.value(stackName, r.metadata?.name);
    }
    if ((m = expr.match(/^data\.terraform_remote_state\.cross-stack-reference-input-(.+)\.outputs\.(.+)$/))) {
      const other = this.stacks[m[1]];
      const output = other?.output?.[m[2]];
      if (output) return this.value(m[1], output.value);
    }
    if ((m = expr.match(/^base64encode\((.+)\)$/))) return Buffer.from(String(this.expr(stackName, m[1]))).toString("base64");
    if ((m = expr.match(/^local\.(.+)$/)) && stack.locals?.[m[1]] !== undefined) return this.value(stackName, stack.locals[m[1]]);
    if ((m = expr.match(/^aws_iam_role\.([^.]+)\.arn$/))) {
      const role = stack.resource?.aws_iam_role?.[m[1]];
      const account = stack.provider?.aws?.[0]?.allowed_account_ids?.[0] ?? "000000000000";
      if (role?.name) return `arn:aws:iam::${account}:role/${this.value(stackName, role.name)}`;
    }
    return `tf-unknown.${expr.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 120)}`;
  }
}

// ---------------------------------------------------------------------------------------
// Typed kubernetes_* resources → Kubernetes objects
// ---------------------------------------------------------------------------------------

/** apiVersion and kind of each typed resource of hashicorp/kubernetes that the library uses. */
export const TYPED_KINDS: Readonly<Record<string, { apiVersion: string; kind: string }>> = {
  kubernetes_namespace_v1: { apiVersion: "v1", kind: "Namespace" },
  kubernetes_config_map_v1: { apiVersion: "v1", kind: "ConfigMap" },
  kubernetes_secret_v1: { apiVersion: "v1", kind: "Secret" },
  kubernetes_service_account_v1: { apiVersion: "v1", kind: "ServiceAccount" },
  kubernetes_service_v1: { apiVersion: "v1", kind: "Service" },
  kubernetes_limit_range_v1: { apiVersion: "v1", kind: "LimitRange" },
  kubernetes_resource_quota_v1: { apiVersion: "v1", kind: "ResourceQuota" },
  kubernetes_deployment_v1: { apiVersion: "apps/v1", kind: "Deployment" },
  kubernetes_daemon_set_v1: { apiVersion: "apps/v1", kind: "DaemonSet" },
  kubernetes_stateful_set_v1: { apiVersion: "apps/v1", kind: "StatefulSet" },
  kubernetes_job_v1: { apiVersion: "batch/v1", kind: "Job" },
  kubernetes_cron_job_v1: { apiVersion: "batch/v1", kind: "CronJob" },
  kubernetes_pod_disruption_budget_v1: { apiVersion: "policy/v1", kind: "PodDisruptionBudget" },
  kubernetes_priority_class_v1: { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass" },
  kubernetes_storage_class_v1: { apiVersion: "storage.k8s.io/v1", kind: "StorageClass" },
  kubernetes_network_policy_v1: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" },
  kubernetes_horizontal_pod_autoscaler_v2: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler" },
  kubernetes_role_v1: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
  kubernetes_role_binding_v1: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding" },
};

/**
 * Field names of the provider's schema that are not the camelCase of the Kubernetes
 * field (its repeated blocks are singular), from hashicorp/terraform-provider-kubernetes
 * v2.x `kubernetes/structures_*.go` / `schema_*.go`.
 */
const RENAMES: Readonly<Record<string, string>> = {
  container: "containers",
  init_container: "initContainers",
  volume: "volumes",
  volume_mount: "volumeMounts",
  port: "ports",
  toleration: "tolerations",
  env_from: "envFrom",
  image_pull_secrets: "imagePullSecrets",
  topology_spread_constraint: "topologySpreadConstraints",
  host_aliases: "hostAliases",
  limit: "limits",
  timezone: "timeZone",
  cluster_ip: "clusterIP",
  storage_provisioner: "provisioner",
  node_selector_term: "nodeSelectorTerms",
  match_expressions: "matchExpressions",
  preferred_during_scheduling_ignored_during_execution: "preferredDuringSchedulingIgnoredDuringExecution",
  required_during_scheduling_ignored_during_execution: "requiredDuringSchedulingIgnoredDuringExecution",
};

/** Maps whose keys are data (labels, data, …): their keys are kept as they are. */
const FREE_FORM = new Set([
  "labels",
  "annotations",
  "data",
  "binary_data",
  "string_data",
  "parameters",
  "match_labels",
  "selector_map",
  "node_selector",
  "hard",
  "default",
  "default_request",
  "max",
  "min",
  "limits",
  "requests",
  "max_limit_request_ratio",
]);

function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Blocks the provider's schema holds as a list of at most one item where the Kubernetes field is one object
 * (kubernetes/schema_horizontal_pod_autoscaler.go `behavior.scale_down`/`scale_up`; schema_pod_spec.go
 * `topology_spread_constraint.label_selector`).
 */
const SINGLE_ITEM_LISTS = new Set(["scale_down", "scale_up", "label_selector"]);

/** The provider's name of a field inside the block `parent` (renames that depend on where the field is). */
function typedFieldName(k: string, parent: string | undefined, parentKind: string | undefined): string {
  // A service account's `secret` block is its mountable secrets; elsewhere `secret` is a volume source.
  if (k === "secret") return parentKind === "ServiceAccount" ? "secrets" : "secret";
  // Inside a port block (a Service's `port`, a NetworkPolicy rule's `ports`) and a probe's handler, `port` is the port itself.
  if (k === "port" && (parent === "port" || parent === "ports" || parent === "http_get" || parent === "tcp_socket" || parent === "grpc")) return "port";
  // An HPA's `metric` blocks are spec.metrics; inside a pods/object/external source, `metric` is the metric's identifier.
  if (k === "metric" && parent === "spec") return "metrics";
  // A scaling rule's `policy` blocks are its policies.
  if (k === "policy" && (parent === "scale_down" || parent === "scale_up")) return "policies";
  return RENAMES[k] ?? camel(k);
}

function convertTyped(value: any, key?: string, parentKind?: string): any {
  if (Array.isArray(value)) {
    if (key && SINGLE_ITEM_LISTS.has(key) && value.length === 1) return convertTyped(value[0], key, parentKind);
    return value.map((v) => convertTyped(v, key, parentKind));
  }
  if (!value || typeof value !== "object") return value;
  if (key && FREE_FORM.has(key)) return value;
  // A Service's selector is a map of labels; a workload's is a label selector block (match_labels, match_expressions).
  if (key === "selector" && !("match_labels" in value) && !("match_expressions" in value)) return value;
  const out: any = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[typedFieldName(k, key, parentKind)] = convertTyped(v, k);
  }
  return out;
}

/** The Kubernetes object a typed kubernetes_* resource creates. */
export function typedToObject(type: string, resource: any): any {
  const gvk = TYPED_KINDS[type];
  if (!gvk) throw new Error(`no Kubernetes kind known for ${type}: add it to TYPED_KINDS`);
  const {
    "//": _meta,
    depends_on: _d,
    lifecycle: _l,
    provider: _p,
    timeouts: _t,
    wait_for_rollout: _w,
    wait_for_default_secret: _s,
    wait_for_load_balancer: _lb,
    wait_for_completion: _wc,
    count: _c,
    for_each: _f,
    ...body
  } = resource;
  const converted = convertTyped(body, undefined, gvk.kind);
  return withProviderTypes({ apiVersion: gvk.apiVersion, kind: gvk.kind, ...converted });
}

/**
 * Fields the provider's schema holds as strings and sends as integers (security contexts' IDs; a Deployment's
 * `replicas`, kubernetes/structures_deployment.go `strconv.ParseInt`).
 */
const INTEGER_STRINGS = new Set(["runAsUser", "runAsGroup", "fsGroup", "replicas"]);
/** Fields the provider parses as int-or-string (`intstr.Parse`: "1" becomes 1, "25%" stays a string; a NetworkPolicy port, kubernetes/structures_network_policy.go). */
const INT_OR_STRING = new Set(["maxUnavailable", "minAvailable", "maxSurge", "targetPort", "port"]);

function withProviderTypes(value: any, key?: string): any {
  if (Array.isArray(value)) return value.map((v) => withProviderTypes(v));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, FREE_FORM.has(k) ? v : withProviderTypes(v, k)]));
  if (typeof value === "string" && key && (INTEGER_STRINGS.has(key) || INT_OR_STRING.has(key)) && /^-?\d+$/.test(value)) return Number(value);
  return value;
}

// ---------------------------------------------------------------------------------------
// Environments
// ---------------------------------------------------------------------------------------

const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PriorityClass",
  "StorageClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "APIService",
  "PersistentVolume",
  "IngressClass",
  "RuntimeClass",
  "ClusterSecretStore",
  "ClusterExternalSecret",
  "ClusterGenerator",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
]);

export function isNamespaced(kind: string): boolean {
  return !CLUSTER_SCOPED.has(kind);
}

function nodePools(infra: any): NodePool[] {
  return Object.values(infra.resource?.aws_eks_node_group ?? {}).map((g: any) => ({
    name: g.labels?.["ml-platform/pool"] ?? g.node_group_name,
    labels: g.labels ?? {},
    taints: (g.taint ?? []).map((t: any) => ({
      key: t.key,
      value: t.value,
      effect: ({ NO_SCHEDULE: "NoSchedule", NO_EXECUTE: "NoExecute", PREFER_NO_SCHEDULE: "PreferNoSchedule" } as Record<string, string>)[t.effect] ?? t.effect,
    })),
    instanceTypes: g.instance_types ?? [],
    maxNodes: g.scaling_config?.max_size ?? 0,
  }));
}

/**
 * The GPU pools Karpenter provisions: the NodePools the environment applies (labels and
 * taints of their node template, the instance types of their requirement, and as many
 * nodes as their nvidia.com/gpu limit allows).
 */
function karpenterNodePools(objects: readonly ClusterObject[]): NodePool[] {
  return objects
    .filter((o) => o.object.apiVersion === "karpenter.sh/v1" && o.object.kind === "NodePool")
    .map((o) => {
      const template = o.object.spec?.template ?? {};
      const instanceTypes: string[] = (template.spec?.requirements ?? []).find((r: any) => r.key === "node.kubernetes.io/instance-type" && r.operator === "In")?.values ?? [];
      const gpusPerNode = Math.min(...instanceTypes.map((t) => gpuInstanceSpec(t)?.gpuCount ?? Infinity));
      const gpuLimit = Number(o.object.spec?.limits?.["nvidia.com/gpu"] ?? 0);
      return {
        name: template.metadata?.labels?.["ml-platform/pool"] ?? o.object.metadata.name,
        labels: template.metadata?.labels ?? {},
        taints: (template.spec?.taints ?? []).map((t: any) => ({ key: t.key, value: t.value, effect: t.effect })),
        instanceTypes,
        provisioner: "karpenter" as const,
        maxNodes: Number.isFinite(gpusPerNode) && gpusPerNode > 0 ? Math.floor(gpuLimit / gpusPerNode) : 0,
      };
    });
}

/** Builds the in-cluster set of one environment from its synthesized stacks (name → cdk.tf.json). */
export function environmentSet(name: string, stacks: Record<string, any>): EnvironmentSet {
  const infraName = `${name}-infra`;
  const infra = stacks[infraName];
  if (!infra) throw new Error(`environment ${name} has no ${infraName} stack`);
  const cluster = Object.values(infra.resource?.aws_eks_cluster ?? {})[0] as any;
  if (!cluster?.version) throw new Error(`${infraName} has no aws_eks_cluster with a version`);
  const kubeVersion = `${cluster.version}.0`;
  const resolver = new Resolver(stacks);
  const objects: ClusterObject[] = [];
  const releases: RenderedRelease[] = [];
  const releaseInputs: { stack: string; release: any; values: Record<string, unknown>[]; set: any[] }[] = [];
  for (const [stackName, json] of Object.entries(stacks)) {
    for (const [type, byId] of Object.entries<any>(json.resource ?? {})) {
      if (type === "kubernetes_manifest") {
        for (const [id, r] of Object.entries<any>(byId)) objects.push({ source: `kubernetes_manifest ${id}`, stack: stackName, object: resolver.value(stackName, r.manifest) });
      } else if (type.startsWith("kubernetes_")) {
        for (const [id, r] of Object.entries<any>(byId)) objects.push({ source: `${type} ${id}`, stack: stackName, object: typedToObject(type, resolver.value(stackName, r)) });
      } else if (type === "helm_release") {
        for (const r of Object.values<any>(byId)) {
          const rel = resolver.value(stackName, { ...r, values: undefined, set: undefined, set_sensitive: undefined });
          releaseInputs.push({
            stack: stackName,
            release: rel,
            values: (r.values ?? []).map((v: string) => resolver.value(stackName, parse(v) ?? {})),
            set: [...(r.set ?? []), ...(r.set_sensitive ?? [])].map((s: any) => resolver.value(stackName, s)),
          });
        }
      }
    }
  }
  // Charts guard their custom resources with .Capabilities.APIVersions.Has: a release sees
  // the CRDs that releases of the other stacks (applied before it: addons before platform) installed.
  const render = (input: (typeof releaseInputs)[number], apiVersions: string[]) =>
    helmTemplate({
      release: input.release.name,
      chart: input.release.chart,
      version: input.release.version,
      repository: input.release.repository,
      namespace: input.release.namespace ?? "default",
      kubeVersion,
      values: input.values,
      set: input.set,
      apiVersions,
      // Only when set, so that other releases keep their render-cache keys.
      ...(input.release.skip_crds === true ? { skipCrds: true } : {}),
    });
  const crdApis = new Map<string, Set<string>>();
  for (const input of releaseInputs) {
    try {
      for (const o of render(input, [])) {
        if (o.kind !== "CustomResourceDefinition") continue;
        const apis = crdApis.get(input.stack) ?? new Set<string>();
        for (const v of o.spec?.versions ?? []) {
          if (!v.served) continue;
          apis.add(`${o.spec.group}/${v.name}`);
          apis.add(`${o.spec.group}/${v.name}/${o.spec.names.kind}`);
        }
        crdApis.set(input.stack, apis);
      }
    } catch {
      // Reported by the second pass.
    }
  }
  for (const input of releaseInputs) {
    const { name: release, chart, version } = input.release;
    const namespace = input.release.namespace ?? "default";
    const apiVersions = [...crdApis.entries()]
      .filter(([stack]) => stack !== input.stack)
      .flatMap(([, apis]) => [...apis])
      .sort();
    const source = `helm_release ${release} (${chart} ${version})`;
    try {
      const rendered = render(input, apiVersions);
      for (const o of rendered) {
        if (isNamespaced(String(o.kind)) && o.metadata && !o.metadata.namespace) o.metadata.namespace = namespace;
        objects.push({ source, stack: input.stack, release, object: o });
      }
      releases.push({ stack: input.stack, name: release, chart, version, namespace, values: input.values, objects: rendered });
    } catch (err) {
      releases.push({ stack: input.stack, name: release, chart, version, namespace, values: input.values, objects: [], error: (err as Error).message });
    }
  }
  return { name, kubeVersion, stacks, infra, pools: [...nodePools(infra), ...karpenterNodePools(objects)], releases, objects };
}

export function readStacks(outdir: string): Record<string, any> {
  const dir = path.join(outdir, "stacks");
  return Object.fromEntries(fs.readdirSync(dir).map((s) => [s, JSON.parse(fs.readFileSync(path.join(dir, s, "cdk.tf.json"), "utf8"))]));
}

/** Groups stacks by environment prefix (`ml-prod-infra` → `ml-prod`); environments are those with an infra stack. */
export function byEnvironment(stacks: Record<string, any>): Record<string, Record<string, any>> {
  const envs: Record<string, Record<string, any>> = {};
  const prefixes = Object.keys(stacks)
    .filter((s) => s.endsWith("-infra"))
    .map((s) => s.slice(0, -"-infra".length));
  for (const prefix of prefixes) {
    envs[prefix] = Object.fromEntries(Object.entries(stacks).filter(([s]) => s.startsWith(`${prefix}-`)));
  }
  return envs;
}

/** Synthesizes examples/<name> as a user would (its own process), returning its stacks. */
export function synthExample(name: string): Record<string, any> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `example-${name}-`));
  const res = spawnSync(process.execPath, ["-r", path.join(ROOT, "scripts", "register.js"), "main.ts"], {
    cwd: path.join(ROOT, "examples", name),
    env: { ...process.env, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  if (res.status !== 0) throw new Error(`example ${name} failed to synthesize: ${res.stderr}`);
  return readStacks(outdir);
}

/**
 * Every reference environment (stacks/: dev, staging, prod) and the example
 * (examples/fraud-detection), each as its in-cluster set; an example that fails to
 * synthesize is reported in `errors` (its own test file shows why).
 */
export function allEnvironmentSets(): { sets: EnvironmentSet[]; errors: string[] } {
  const { outdir } = synthReferenceApp();
  const stacks = { ...readStacks(outdir) };
  const sets = Object.entries(byEnvironment(stacks)).map(([env, s]) => environmentSet(env, s));
  const errors: string[] = [];
  for (const example of EXAMPLES) {
    try {
      sets.push(...Object.entries(byEnvironment(synthExample(example))).map(([env, s]) => environmentSet(env, s)));
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return { sets, errors };
}

export const EXAMPLES = ["fraud-detection", "vision-training"];
