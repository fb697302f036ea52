/**
 * Just enough of Terraform's expression language to pre-resolve the references cdktf
 * writes (`${aws_vpc.x.id}`, `${aws_s3_bucket.b.arn}/*`, lists of those) against a state
 * being built, and `replace(<reference>, "literal", "literal")`, which IRSA trust policies
 * use to strip `https://` from the cluster's OIDC issuer. Anything else (other functions,
 * data sources, variables) is left unresolved: the next `terraform plan` round resolves
 * it. This only saves rounds; it decides nothing.
 */
const INTERPOLATION = /\$\{([^}]*)\}/g;
const REFERENCE = /^([a-zA-Z][\w-]*)\.([\w-]+)((?:\.[\w-]+|\[\d+\])+)$/;
// Literals without escapes, `${` or `%{`: their value is their text, as in Terraform.
const PLAIN_LITERAL = String.raw`"([^"\\$%]*)"`;
const REPLACE = new RegExp(String.raw`^replace\(\s*([^,()\s]+)\s*,\s*${PLAIN_LITERAL}\s*,\s*${PLAIN_LITERAL}\s*\)$`);

/** Attribute lookup: the current attributes of a resource by address, or undefined. */
export type AttributeLookup = (address: string) => Record<string, unknown> | undefined;

/** A value for a configuration constant (string template, list of templates, literal), or undefined when it cannot be resolved here. */
export function evaluate(constant: unknown, lookup: AttributeLookup): unknown {
  if (typeof constant === "string") return evaluateTemplate(constant, lookup);
  if (Array.isArray(constant)) {
    const values = constant.map((c) => evaluate(c, lookup));
    return values.some((v) => v === undefined) ? undefined : values;
  }
  return constant === null || typeof constant !== "object" ? constant : undefined;
}

function evaluateTemplate(template: string, lookup: AttributeLookup): unknown {
  const parts = [...template.matchAll(INTERPOLATION)];
  if (parts.length === 0) return template;
  const values = parts.map((m) => resolveExpression(m[1].trim(), lookup));
  if (values.some((v) => v === undefined)) return undefined;
  if (parts.length === 1 && parts[0][0] === template) return values[0];
  if (values.some((v) => typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")) return undefined;
  let i = 0;
  return template.replace(INTERPOLATION, () => String(values[i++]));
}

function resolveExpression(expression: string, lookup: AttributeLookup): unknown {
  const call = REPLACE.exec(expression);
  if (!call) return resolveReference(expression, lookup);
  const [, reference, substring, replacement] = call;
  // Terraform reads a substring wrapped in slashes as a regular expression: left to Terraform.
  if (substring === "" || (substring.length > 1 && substring.startsWith("/") && substring.endsWith("/"))) return undefined;
  const value = resolveReference(reference, lookup);
  return typeof value === "string" ? value.split(substring).join(replacement) : undefined;
}

function resolveReference(expression: string, lookup: AttributeLookup): unknown {
  const m = REFERENCE.exec(expression);
  if (!m || ["data", "var", "local", "module", "each", "count", "path", "terraform"].includes(m[1])) return undefined;
  let value: unknown = lookup(`${m[1]}.${m[2]}`);
  for (const step of m[3].match(/\.[\w-]+|\[\d+\]/g) ?? []) {
    const key = step.startsWith("[") ? Number(step.slice(1, -1)) : /^\.\d+$/.test(step) ? Number(step.slice(1)) : step.slice(1);
    if (value === null || value === undefined || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value === null ? undefined : value;
}
