import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

/**
 * Validates custom resources the library generates against the CRD's OpenAPI v3 schema
 * (prometheus-operator's PrometheusRule and ServiceMonitor, pinned with
 * kube-prometheus-stack 88.5.3), with ajv.
 */
const CRDS = path.resolve(__dirname, "..", "fixtures", "charts", "kube-prometheus-stack-88.5.3", "crds");
const FILES: Record<string, string> = {
  PrometheusRule: "crd-prometheusrules.yaml",
  ServiceMonitor: "crd-servicemonitors.yaml",
};
const cache = new Map<string, ValidateFunction>();

function validatorFor(kind: string): ValidateFunction {
  if (!cache.has(kind)) {
    const docs = parseAllDocuments(fs.readFileSync(path.join(CRDS, FILES[kind]), "utf8")).map((d) => d.toJS());
    const crd = docs.find((d) => d?.kind === "CustomResourceDefinition");
    const schema = crd.spec.versions.find((v: any) => v.name === "v1").schema.openAPIV3Schema;
    // Kubernetes extensions (x-kubernetes-*) are not JSON Schema keywords: ajv must not reject them.
    // CRD patterns are Go RE2: its inline case-insensitive flag (?i) becomes JavaScript's "i" flag.
    const regExp = Object.assign(
      (pattern: string, flags: string) => (pattern.includes("(?i)") ? new RegExp(pattern.replace(/\(\?i\)/g, ""), `${flags}i`) : new RegExp(pattern, flags)),
      { code: "new RegExp" },
    );
    // Only status fields use format date-time; the library never sets status.
    const ajv = new Ajv({ strict: false, allErrors: true, code: { regExp }, formats: { "date-time": true, int64: true, int32: true } });
    cache.set(kind, ajv.compile(schema));
  }
  return cache.get(kind)!;
}

/** Schema errors of a generated object ([] when valid). */
export function crdSchemaErrors(object: { kind?: unknown }): string[] {
  const kind = String(object.kind);
  if (!FILES[kind]) throw new Error(`no CRD schema for kind ${kind}`);
  const validate = validatorFor(kind);
  return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}
