import { TerraformPlan } from "./offline";
import { AttributeLookup, evaluate } from "./private/expressions";
import { CtyType, FakeContext, digest, fakeValue } from "./private/fake-values";

/** A Terraform state file, format version 4 (what `terraform.tfstate` holds). */
export interface TerraformStateV4 {
  readonly version: 4;
  readonly terraform_version: string;
  readonly serial: number;
  readonly lineage: string;
  readonly outputs: Record<string, unknown>;
  readonly resources: StateResource[];
  readonly check_results: null;
}

export interface StateResource {
  readonly module?: string;
  readonly mode: "managed";
  readonly type: string;
  readonly name: string;
  readonly provider: string;
  readonly instances: {
    readonly index_key?: string | number;
    readonly schema_version: number;
    readonly attributes: Record<string, unknown>;
    /** Paths of sensitive values, each a list of steps (`{"type":"get_attr","value":"password"}`). */
    readonly sensitive_attributes: unknown[];
  }[];
}

/** The part of `terraform providers schema -json` the state builder reads. */
export interface ProviderSchemas {
  readonly provider_schemas: Record<string, { readonly resource_schemas?: Record<string, { readonly block: SchemaBlock }> }>;
}

/** One block of a provider schema (`terraform providers schema -json`). */
export interface SchemaBlock {
  readonly attributes?: Record<string, { readonly type?: CtyType; readonly nested_type?: NestedType }>;
  readonly block_types?: Record<string, { readonly nesting_mode: string; readonly block: SchemaBlock }>;
}
export interface NestedType {
  readonly attributes: Record<string, { readonly type?: CtyType; readonly nested_type?: NestedType }>;
  readonly nesting_mode: string;
}

export interface StateFromPlanOptions {
  /** Serial of the state file (Terraform only requires it to be a number). @default 1 */
  readonly serial?: number;
  /** @default - derived from the first planned address */
  readonly lineage?: string;
  /** Account in fake ARNs. @default - the first account ID found in an `arn:aws:iam::<account>:` string of the plan, else 123456789012 */
  readonly accountId?: string;
  /** Region in fake ARNs. @default - the aws provider's configured region, else us-east-1 */
  readonly region?: string;
}

interface PlannedResource {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly provider_name: string;
  readonly schema_version: number;
  readonly values: Record<string, unknown>;
}

interface Pending {
  readonly attributes: Record<string, unknown>;
  readonly path: (string | number)[];
  readonly expression: unknown;
}

/**
 * Turns a plan into the state Terraform would have written had it been applied: each
 * planned resource with its planned values, and every value only AWS would know (IDs,
 * ARNs, computed attributes, and attributes that depend on them) filled in with a
 * deterministic fake of the right type from the provider schema. Where the configuration
 * says an unknown is a plain reference to another resource's attribute, that attribute's
 * value is copied instead, so that most references agree at once; the next
 * `terraform plan -refresh=false` corrects whatever this could not resolve.
 */
export function stateFromPlan(plan: TerraformPlan, schemas: ProviderSchemas, options: StateFromPlanOptions = {}): TerraformStateV4 {
  const planned = plannedResources(plan);
  const ctx: FakeContext = { region: options.region ?? providerRegion(plan) ?? "us-east-1", accountId: options.accountId ?? accountIn(plan) ?? "123456789012" };
  const unknowns = new Map((plan.resource_changes ?? []).map((rc) => [rc.address, rc.change.after_unknown]));
  const sensitive = new Map((plan.resource_changes ?? []).map((rc) => [rc.address, rc.change.after_sensitive]));
  const expressions = configurationExpressions(plan);
  const attributesByAddress = new Map<string, Record<string, unknown>>();
  const pending: Pending[] = [];

  const resources = new Map<string, StateResource>();
  for (const r of planned) {
    const block = schemas.provider_schemas[r.provider_name]?.resource_schemas?.[r.type]?.block;
    const type: CtyType = block ? blockType(block) : ["object", {}];
    const found: (string | number)[][] = [];
    const attributes = fill(r.values, unknowns.get(r.address), type, [], (path, t) => {
      found.push(path);
      return fakeValue(t, r.type, r.address, pathString(path), ctx);
    }) as Record<string, unknown>;
    if (block) for (const name of Object.keys(block.attributes ?? {})) if (!(name in attributes)) attributes[name] = null;
    attributesByAddress.set(r.address, attributes);
    const exprs = expressions.get(r.address.replace(/\[[^\]]*\]$/, ""));
    for (const path of found) {
      const expression = expressionAt(exprs, path);
      if (expression !== undefined) pending.push({ attributes, path, expression });
    }
    const key = `${r.type}.${r.name}`;
    const existing = resources.get(key);
    const instance = {
      ...(r.index !== undefined ? { index_key: r.index } : {}),
      schema_version: r.schema_version ?? 0,
      attributes,
      // Terraform compares sensitivity as well as values: a state without the schema's
      // sensitive paths (a password, even null) would plan an update forever.
      sensitive_attributes: sensitivePaths(sensitive.get(r.address)),
    };
    if (existing) existing.instances.push(instance);
    else resources.set(key, { mode: "managed", type: r.type, name: r.name, provider: `provider["${r.provider_name}"]`, instances: [instance] });
  }

  const lookup: AttributeLookup = (address) => attributesByAddress.get(address);
  for (let pass = 0; pass < 10; pass++) {
    let changed = false;
    for (const p of pending) {
      const value = evaluate(p.expression, lookup);
      if (value === undefined || JSON.stringify(value) === JSON.stringify(getAt(p.attributes, p.path))) continue;
      setAt(p.attributes, p.path, value);
      changed = true;
    }
    if (!changed) break;
  }

  return {
    version: 4,
    terraform_version: plan.terraform_version ?? "1.0.0",
    serial: options.serial ?? 1,
    lineage: options.lineage ?? lineageOf(planned[0]?.address ?? "empty"),
    outputs: {},
    resources: [...resources.values()],
    check_results: null,
  };
}

function plannedResources(plan: TerraformPlan): PlannedResource[] {
  const out: PlannedResource[] = [];
  const visit = (module: any) => {
    if (!module) return;
    for (const r of module.resources ?? []) if (r.mode === "managed") out.push(r);
    for (const child of module.child_modules ?? []) visit(child);
  };
  visit((plan.planned_values as any)?.root_module);
  if (out.some((r) => r.address.startsWith("module."))) throw new Error("stateFromPlan: resources inside modules are not supported");
  return out;
}

function providerRegion(plan: TerraformPlan): string | undefined {
  const region = (plan.configuration as any)?.provider_config?.aws?.expressions?.region?.constant_value;
  return typeof region === "string" ? region : undefined;
}

function accountIn(plan: TerraformPlan): string | undefined {
  return /arn:aws:iam::(\d{12}):/.exec(JSON.stringify(plan.configuration ?? {}))?.[1];
}

function lineageOf(seed: string): string {
  const h = digest(`lineage:${seed}`, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A provider schema block as one cty object type (nested blocks become lists, sets or objects). */
function blockType(block: SchemaBlock): CtyType {
  const attrs: Record<string, CtyType> = {};
  for (const [name, a] of Object.entries(block.attributes ?? {})) attrs[name] = a.type ?? (a.nested_type ? nestedType(a.nested_type) : "dynamic");
  for (const [name, b] of Object.entries(block.block_types ?? {})) attrs[name] = wrap(b.nesting_mode, blockType(b.block));
  return ["object", attrs];
}

function nestedType(n: NestedType): CtyType {
  return wrap(n.nesting_mode, blockType({ attributes: n.attributes }));
}

function wrap(mode: string, t: CtyType): CtyType {
  return mode === "list" ? ["list", t] : mode === "set" ? ["set", t] : mode === "map" ? ["map", t] : t;
}

/** Planned values with every unknown (per `after_unknown`) replaced by `fake(path, type)`. */
function fill(value: unknown, unknown: unknown, type: CtyType, path: (string | number)[], fake: (path: (string | number)[], type: CtyType) => unknown): unknown {
  if (unknown === true) return fake(path, type);
  if (!unknown || typeof unknown !== "object") return value;
  if (Array.isArray(unknown)) {
    const element = Array.isArray(type) && (type[0] === "list" || type[0] === "set") ? (type[1] as CtyType) : Array.isArray(type) && type[0] === "tuple" ? "dynamic" : "dynamic";
    const list = Array.isArray(value) ? [...value] : [];
    for (let i = 0; i < Math.max(list.length, unknown.length); i++) list[i] = fill(list[i], unknown[i], element, [...path, i], fake);
    return list;
  }
  const out: Record<string, unknown> = value && typeof value === "object" && !Array.isArray(value) ? { ...(value as object) } : {};
  for (const [key, u] of Object.entries(unknown as Record<string, unknown>)) {
    let t: CtyType = "dynamic";
    if (Array.isArray(type) && type[0] === "object") t = (type[1] as Record<string, CtyType>)[key] ?? "dynamic";
    else if (Array.isArray(type) && type[0] === "map") t = type[1] as CtyType;
    out[key] = fill(out[key], u, t, [...path, key], fake);
  }
  return out;
}

/** `after_sensitive` (a tree with `true` at sensitive values) as the state's list of attribute paths. */
function sensitivePaths(tree: unknown, path: unknown[] = []): unknown[] {
  if (tree === true) return [path];
  if (Array.isArray(tree)) return tree.flatMap((t, i) => sensitivePaths(t, [...path, { type: "index", value: { value: i, type: "number" } }]));
  if (tree && typeof tree === "object") {
    return Object.entries(tree).flatMap(([k, t]) => sensitivePaths(t, [...path, { type: "get_attr", value: k }]));
  }
  return [];
}

/** The configuration expressions of every resource, by address. */
function configurationExpressions(plan: TerraformPlan): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (const r of (plan.configuration as any)?.root_module?.resources ?? []) map.set(r.address, r.expressions);
  return map;
}

/** The `constant_value` of the expression at an attribute path, if the configuration has a leaf there. */
function expressionAt(expressions: unknown, path: (string | number)[]): unknown {
  let node: any = expressions;
  for (const step of path) {
    if (node === undefined || node === null) return undefined;
    if (isLeaf(node)) {
      // A list attribute written as one expression: index into its constant.
      const c = node.constant_value;
      if (Array.isArray(c) && typeof step === "number") return c[step];
      return undefined;
    }
    node = Array.isArray(node) ? node[typeof step === "number" ? step : -1] : node[step];
  }
  return node && isLeaf(node) ? node.constant_value : undefined;
}

function isLeaf(node: any): boolean {
  return typeof node === "object" && !Array.isArray(node) && ("constant_value" in node || "references" in node);
}

function getAt(root: any, path: (string | number)[]): unknown {
  return path.reduce((v, k) => (v === null || v === undefined ? undefined : v[k]), root);
}

function setAt(root: any, path: (string | number)[], value: unknown): void {
  const parent = getAt(root, path.slice(0, -1)) as any;
  if (parent && typeof parent === "object") parent[path[path.length - 1]] = value;
}

function pathString(path: (string | number)[]): string {
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`))
    .join("")
    .replace(/^\./, "");
}
