import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * House-style rules a machine can check (../shared/STYLE.md, "Constructs and props"): every
 * optional prop of an exported props, options or config interface documents its default
 * with `@default`, as aws-cdk-lib requires, so that a reader never has to open the
 * constructor to learn what leaving a field out does.
 */
const ROOT = join(__dirname, "..");
const PROPS_INTERFACE = /^export interface \w+(Props|Options|Config|Sizing|Replicas|Autoscaling|Gpu|Features|Resources)\b/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "private" ? [] : sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Optional props of the props-like interfaces of one source text that have no `@default` in their doc comment. */
export function undocumentedDefaults(text: string): string[] {
  const lines = text.split("\n");
  const missing: string[] = [];
  let inInterface = false;
  lines.forEach((line, i) => {
    if (PROPS_INTERFACE.test(line)) inInterface = true;
    else if (inInterface && line.startsWith("}")) inInterface = false;
    const prop = inInterface ? /^\s+readonly (\w+)\?:/.exec(line) : null;
    if (!prop) return;
    let doc = "";
    for (let j = i - 1; j >= 0; j--) {
      const t = lines[j].trim();
      if (!(t.startsWith("*") || t.startsWith("/**") || t.endsWith("*/"))) break;
      doc = `${t}\n${doc}`;
      if (t.startsWith("/**")) break;
    }
    if (!doc.includes("@default")) missing.push(`${i + 1}: ${prop[1]}`);
  });
  return missing;
}

describe("house style", () => {
  test("every optional prop of an exported props/options/config interface documents @default", () => {
    const missing = sources(join(ROOT, "lib")).flatMap((file) =>
      undocumentedDefaults(readFileSync(file, "utf8")).map((m) => `${relative(ROOT, file)}:${m}`));
    expect(missing).toEqual([]);
  });

  test("the check finds an optional prop without @default", () => {
    const text = ["export interface WidgetProps {", "  /** Size. */", "  readonly size?: number;", "  /** @default 1 */", "  readonly count?: number;", "}"].join("\n");
    expect(undocumentedDefaults(text)).toEqual(["3: size"]);
  });
});
