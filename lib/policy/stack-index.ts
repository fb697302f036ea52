import { TfConfig, TfResource } from "./rule";
import { PolicyDocument, parsePolicyDocument, policyDocumentFromData } from "./private/policy-document";

/**
 * Matches `type.name` references inside a string that holds an interpolation, wherever they are
 * in it: `${aws_s3_bucket.b.id}`, `${aws_s3_bucket.b.arn}/*`, `${jsonencode(aws_s3_bucket.b.arn)}`.
 */
const REFERENCE = /(?<![\w.-])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([a-zA-Z0-9_-]+)(?=[.}[)\s,])/g;

/**
 * Read-only view of one Terraform JSON stack (resource blocks keyed by type then name,
 * as cdktf and hand-written `.tf.json` both produce) with the lookups rules need:
 * resources by address, the resources that reference a given one (a bucket's separate
 * versioning resource), and IAM policy documents wherever they are written.
 */
export class StackIndex {
  public readonly resources: readonly TfResource[];
  private readonly byAddress = new Map<string, TfResource>();
  private readonly data: Record<string, Record<string, TfConfig>>;

  constructor(public readonly json: Record<string, any>) {
    const list: TfResource[] = [];
    for (const [type, byName] of Object.entries(blocksOf(json.resource))) {
      for (const [name, raw] of Object.entries(objectOr(byName))) {
        const config = (Array.isArray(raw) ? raw[0] : raw) as TfConfig | undefined;
        if (!config || typeof config !== "object") continue;
        const path = config["//"]?.metadata?.path;
        const resource: TfResource = { type, name, address: `${type}.${name}`, config, ...(typeof path === "string" ? { constructPath: path } : {}) };
        list.push(resource);
        this.byAddress.set(resource.address, resource);
      }
    }
    this.resources = list;
    this.data = blocksOf(json.data) as Record<string, Record<string, TfConfig>>;
  }

  public resource(address: string): TfResource | undefined {
    return this.byAddress.get(address);
  }

  public ofType(type: string): TfResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** Addresses (`type.name` or `data.type.name`) referenced anywhere in a value. */
  public static references(value: unknown): string[] {
    const found = new Set<string>();
    const visit = (v: unknown): void => {
      if (typeof v === "string") {
        if (!v.includes("${")) return;
        for (const m of v.matchAll(REFERENCE)) found.add(`${m[1] ?? ""}${m[2]}.${m[3]}`);
      } else if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === "object") Object.values(v).forEach(visit);
    };
    visit(value);
    return [...found];
  }

  /** The resource a value refers to, when it is a reference such as `${aws_launch_template.lt.id}`. */
  public referenced(value: unknown): TfResource | undefined {
    for (const address of StackIndex.references(value)) {
      const r = this.byAddress.get(address);
      if (r) return r;
    }
    return undefined;
  }

  /**
   * Resources of `type` whose `attribute` points at `target`: by reference, or (plain
   * Terraform written with literals) by the same literal value as `target`'s `literalAttribute`.
   */
  public referencing(type: string, attribute: string, target: TfResource, literalAttribute?: string): TfResource[] {
    const literal = literalAttribute ? target.config[literalAttribute] : undefined;
    return this.ofType(type).filter((r) => {
      const value = r.config[attribute];
      if (StackIndex.references(value).includes(target.address)) return true;
      return typeof literal === "string" && !literal.includes("${") && value === literal;
    });
  }

  /** A data source block, e.g. `("aws_iam_policy_document", "x")`. */
  public dataSource(type: string, name: string): TfConfig | undefined {
    const raw = objectOr(this.data[type])[name];
    return (Array.isArray(raw) ? raw[0] : raw) as TfConfig | undefined;
  }

  /**
   * An IAM policy document from an attribute value: a JSON string (with or without
   * interpolations inside strings) or a reference to an `aws_iam_policy_document` data
   * source. Undefined when it cannot be read without evaluating Terraform
   * (`jsonencode(...)`, variables): rules treat that as not applicable.
   */
  public policyDocument(value: unknown): PolicyDocument | undefined {
    if (typeof value !== "string") return undefined;
    const whole = /^\$\{data\.aws_iam_policy_document\.([a-zA-Z0-9_-]+)\.json\}$/.exec(value.trim());
    if (whole) {
      const data = this.dataSource("aws_iam_policy_document", whole[1]);
      return data ? policyDocumentFromData(data) : undefined;
    }
    return parsePolicyDocument(value);
  }
}

/** Top-level `resource` / `data`: an object keyed by type, or (also valid Terraform JSON) a list of such objects. */
function blocksOf(value: unknown): Record<string, any> {
  if (!Array.isArray(value)) return objectOr(value);
  const merged: Record<string, any> = {};
  for (const part of value) {
    for (const [type, byName] of Object.entries(objectOr(part))) merged[type] = { ...(merged[type] ?? {}), ...objectOr(byName) };
  }
  return merged;
}

function objectOr(value: unknown): Record<string, any> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, any>) : {};
}
