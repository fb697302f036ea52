import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { helmBinary } from "./helm";

/**
 * What the External Secrets Operator writes into a Kubernetes Secret for one of the library's
 * ExternalSecrets, given the values the Secrets Manager secrets hold: each `data` entry takes the
 * JSON property of its remote secret; a `target.template` (engine v2) then renders every key with
 * the fetched keys as its data. ESO's v2 engine is Go's text/template with the sprig functions
 * (external-secrets v0.19 `pkg/template/v2`); Helm's `tpl` is the same engine with the same
 * functions, so the templates are rendered by the real Helm binary rather than by a re-implementation.
 */
export function syncedSecretData(externalSecret: any, remote: (key: string) => Record<string, string>): Record<string, string> {
  const fetched: Record<string, string> = {};
  for (const d of externalSecret.spec.data) {
    const value = remote(d.remoteRef.key);
    if (d.remoteRef.property === undefined) fetched[d.secretKey] = JSON.stringify(value);
    else if (!(d.remoteRef.property in value)) throw new Error(`${externalSecret.metadata.name}: the remote secret has no property ${d.remoteRef.property}`);
    else fetched[d.secretKey] = value[d.remoteRef.property];
  }
  const template = externalSecret.spec.target?.template?.data;
  return template ? renderGoTemplates(template, fetched) : fetched;
}

/** Renders each template with `data` as its dot, with Helm's Go template engine and sprig functions. */
export function renderGoTemplates(templates: Readonly<Record<string, string>>, data: Readonly<Record<string, string>>): Record<string, string> {
  const helm = helmBinary();
  if (!helm) throw new Error("no helm binary to render Go templates");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gotemplate-"));
  try {
    fs.mkdirSync(path.join(dir, "chart", "templates"), { recursive: true });
    fs.writeFileSync(path.join(dir, "chart", "Chart.yaml"), stringify({ apiVersion: "v2", name: "gotemplate", version: "0.0.0" }));
    const keys = Object.keys(templates);
    // base64 keeps any character the templates produce out of YAML's way.
    fs.writeFileSync(
      path.join(dir, "chart", "templates", "out.yaml"),
      keys.map((_, i) => `k${i}: {{ tpl (index .Values.templates ${i}) .Values.data | b64enc | quote }}`).join("\n") + "\n",
    );
    fs.writeFileSync(path.join(dir, "values.yaml"), stringify({ templates: keys.map((k) => templates[k]), data }));
    const out = execFileSync(helm, ["template", "x", path.join(dir, "chart"), "-f", path.join(dir, "values.yaml")], { encoding: "utf8" });
    const rendered = parse(out) as Record<string, string>;
    return Object.fromEntries(keys.map((k, i) => [k, Buffer.from(rendered[`k${i}`], "base64").toString("utf8")]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
