import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * One hardened pod baseline (STYLE.md, "One way to build each thing"): namespaces, their Pod
 * Security labels and pod/container security contexts come from lib/kubernetes/pod-security.ts
 * only. A hand-written copy drifts: the training namespaces and the MLflow database bootstrap
 * had their own (issue 15), with another UID and without the read-only root.
 */
const ROOT = join(__dirname, "..", "..", "..");
const BASELINE = "lib/kubernetes/pod-security.ts";

const HAND_MADE: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: "a namespace (use restrictedNamespace)", pattern: /new NamespaceV1\(/ },
  { what: "Pod Security labels (use restrictedNamespace)", pattern: /pod-security\.kubernetes\.io\// },
  { what: "a pod securityContext (use restrictedPodSecurityContext[V1])", pattern: /\b(seccompProfile|runAsNonRoot|fsGroup)\s*:/ },
  { what: "a container securityContext (use restrictedContainerSecurityContext[V1])", pattern: /\b(allowPrivilegeEscalation|readOnlyRootFilesystem)\s*:/ },
];

/** Files that still write their own, each with why; an entry whose file has none left must go. */
const NOT_YET: Readonly<Record<string, string>> = {};

/** Lines of one source text that make a namespace or security context by hand (comments are left out). */
export function handMadeSecurity(text: string): string[] {
  return text.split("\n").flatMap((line, i) => {
    const code = line.trim();
    if (code.startsWith("//") || code.startsWith("*") || code.startsWith("/*")) return [];
    return HAND_MADE.filter((h) => h.pattern.test(code)).map((h) => `${i + 1}: ${h.what}`);
  });
}

function allSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return allSources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("one pod-security baseline", () => {
  const files = allSources(join(ROOT, "lib"))
    .map((f) => relative(ROOT, f))
    .filter((f) => f !== BASELINE);

  test("no file but lib/kubernetes/pod-security.ts makes a namespace or a security context by hand", () => {
    expect(files.length).toBeGreaterThan(50);
    const found = files.filter((f) => !NOT_YET[f]).flatMap((f) => handMadeSecurity(readFileSync(join(ROOT, f), "utf8")).map((m) => `${f}:${m}`));
    expect(found).toEqual([]);
  });

  test("every file allowed to write its own still does (remove the exception once it uses the baseline)", () => {
    const stale = Object.keys(NOT_YET).filter((f) => !files.includes(f) || handMadeSecurity(readFileSync(join(ROOT, f), "utf8")).length === 0);
    expect(stale).toEqual([]);
  });

  test("the check finds a hand-made namespace, labels and contexts, and skips comments", () => {
    const text = [
      'new NamespaceV1(this, "ns", {',
      '  labels: { "pod-security.kubernetes.io/enforce": "restricted" },',
      '  securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },',
      "  container: { securityContext: { allowPrivilegeEscalation: false } },",
      "// runAsNonRoot: true in a comment",
      "securityContext: restrictedPodSecurityContext(),",
    ].join("\n");
    expect(handMadeSecurity(text)).toEqual([
      "1: a namespace (use restrictedNamespace)",
      "2: Pod Security labels (use restrictedNamespace)",
      "3: a pod securityContext (use restrictedPodSecurityContext[V1])",
      "4: a container securityContext (use restrictedContainerSecurityContext[V1])",
    ]);
  });
});
