import * as fs from "fs";
import * as path from "path";

/**
 * Runs the containers of a rendered pod template as local processes, the way the kubelet would
 * start them: environment from `envFrom` (ConfigMaps, Secrets) then `env` (values with `$(VAR)`
 * expansion, `secretKeyRef`, `configMapKeyRef`), `$(VAR)` expansion in command and args, and every
 * volume a local folder (emptyDir shared by the containers that mount it, ConfigMap and Secret
 * volumes written out as files). Paths a container sees (its `mountPath`s) are rewritten to the
 * local folders in command, args and environment values; everything else is what was rendered.
 * Only what a test cannot have is replaced by the caller: images by local programs (`programs`),
 * in-cluster hosts, ports and secrets by local servers and test values.
 */
export interface LocalPodInput {
  /** Rendered objects of the release (its ConfigMaps and Secrets). */
  readonly objects: readonly any[];
  /** Secrets not in the render (synced by External Secrets in the cluster): name -> key -> value. */
  readonly secrets: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Where the volumes live. */
  readonly workDir: string;
  /** First word of a container's command -> local program (e.g. `python` -> the venv's python). */
  readonly programs: Readonly<Record<string, string>>;
  /** Only these containers (by name). @default - every container */
  readonly only?: readonly string[];
}

export interface LocalContainer {
  readonly name: string;
  /** Program and arguments, ready for spawn; empty when the container runs its image's entrypoint. */
  readonly argv: string[];
  readonly env: Record<string, string>;
}

function configMap(objects: readonly any[], name: string): Record<string, string> {
  const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === name);
  if (!cm) throw new Error(`ConfigMap ${name} is not in the render`);
  return { ...(cm.data ?? {}) };
}

function secret(input: LocalPodInput, name: string): Record<string, string> {
  if (input.secrets[name]) return { ...input.secrets[name] };
  const s = input.objects.find((o) => o.kind === "Secret" && o.metadata?.name === name);
  if (!s) throw new Error(`Secret ${name} is neither rendered nor given`);
  const out: Record<string, string> = { ...(s.stringData ?? {}) };
  for (const [k, v] of Object.entries<string>(s.data ?? {})) out[k] = Buffer.from(v, "base64").toString("utf8");
  return out;
}

/** Kubernetes `$(VAR)` expansion: defined variables are replaced, `$$` escapes, undefined references stay. */
export function expandVars(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => (m === "$$" ? "$" : name in env ? env[name] : m));
}

function volumeDirs(podSpec: any, input: LocalPodInput): Record<string, string> {
  const dirs: Record<string, string> = {};
  for (const v of podSpec.volumes ?? []) {
    const dir = path.join(input.workDir, "volumes", v.name);
    fs.mkdirSync(dir, { recursive: true });
    let files: Record<string, string> = {};
    if (v.configMap) files = configMap(input.objects, v.configMap.name);
    else if (v.secret) files = secret(input, v.secret.secretName);
    else if (!v.emptyDir) throw new Error(`volume ${v.name}: only emptyDir, configMap and secret volumes run locally`);
    for (const [k, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(dir, k), content, { mode: v.configMap?.defaultMode ?? v.secret?.defaultMode ?? 0o644 });
    }
    dirs[v.name] = dir;
  }
  return dirs;
}

/** The containers of a pod template (init containers first, in order), ready to run locally. */
export function localContainers(podSpec: any, input: LocalPodInput): { init: LocalContainer[]; main: LocalContainer[] } {
  const dirs = volumeDirs(podSpec, input);
  const prepare = (c: any): LocalContainer => {
    const mounts: [string, string][] = (c.volumeMounts ?? []).map((m: any) => {
      if (!(m.name in dirs)) throw new Error(`container ${c.name} mounts unknown volume ${m.name}`);
      return [m.mountPath, m.subPath ? path.join(dirs[m.name], m.subPath) : dirs[m.name]];
    });
    // One pass (a local path is never rewritten again), longest mount path first, matched only as a whole path prefix.
    mounts.sort((a, b) => b[0].length - a[0].length);
    const byPath = new Map(mounts);
    const pattern =
      mounts.length === 0 ? undefined : new RegExp(`(?<![\\w./-])(${mounts.map(([from]) => from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})(?=/|$|[^\\w.-])`, "g");
    const localPath = (text: string) => (pattern ? text.replace(pattern, (m) => byPath.get(m)!) : text);
    const env: Record<string, string> = {};
    for (const from of c.envFrom ?? []) {
      const data = from.configMapRef ? configMap(input.objects, from.configMapRef.name) : secret(input, from.secretRef.name);
      for (const [k, v] of Object.entries(data)) env[`${from.prefix ?? ""}${k}`] = v;
    }
    for (const e of c.env ?? []) {
      if (typeof e.value === "string") env[e.name] = expandVars(e.value, env);
      else if (e.valueFrom?.secretKeyRef) {
        const data = secret(input, e.valueFrom.secretKeyRef.name);
        if (!(e.valueFrom.secretKeyRef.key in data)) throw new Error(`Secret ${e.valueFrom.secretKeyRef.name} has no key ${e.valueFrom.secretKeyRef.key}`);
        env[e.name] = data[e.valueFrom.secretKeyRef.key];
      } else if (e.valueFrom?.configMapKeyRef) env[e.name] = configMap(input.objects, e.valueFrom.configMapKeyRef.name)[e.valueFrom.configMapKeyRef.key];
      else throw new Error(`container ${c.name}: env ${e.name} has a source that does not run locally`);
    }
    for (const k of Object.keys(env)) env[k] = localPath(env[k]);
    const words = [...(c.command ?? []), ...(c.args ?? [])].map((w: string) => localPath(expandVars(w, env)));
    // No command: the image's entrypoint, which does not run locally (argv is empty; the environment is still useful).
    if (words.length === 0) return { name: c.name, argv: [], env };
    // Otherwise the word itself: an absolute path (a mounted script, rewritten above) or a program on the PATH.
    const program = input.programs[words[0]] ?? words[0];
    return { name: c.name, argv: [program, ...words.slice(1)], env };
  };
  const wanted = (c: any) => input.only === undefined || input.only.includes(c.name);
  return { init: (podSpec.initContainers ?? []).filter(wanted).map(prepare), main: podSpec.containers.filter(wanted).map(prepare) };
}
