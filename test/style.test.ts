import * as ts from "typescript";
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
    const missing = sources(join(ROOT, "lib")).flatMap((file) => undocumentedDefaults(readFileSync(file, "utf8")).map((m) => `${relative(ROOT, file)}:${m}`));
    expect(missing).toEqual([]);
  });

  test("the check finds an optional prop without @default", () => {
    const text = ["export interface WidgetProps {", "  /** Size. */", "  readonly size?: number;", "  /** @default 1 */", "  readonly count?: number;", "}"].join("\n");
    expect(undocumentedDefaults(text)).toEqual(["3: size"]);
  });
});

/**
 * More STYLE.md rules a machine can check: props are `readonly` ("Every prop readonly"), an area's
 * index.ts only re-exports ("an index.ts that only re-exports"), and no fluent `return this` chains
 * ("Methods ... return the thing they create").
 */
const PROPS_NAME = /(Props|Options|Attributes|Config)$/;

/** Members of exported props-like interfaces (and object types inside them) that are not readonly. */
export function mutableProps(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visitMembers = (owner: string, members: ts.NodeArray<ts.TypeElement>) => {
    for (const m of members) {
      if (ts.isPropertySignature(m)) {
        const name = m.name.getText(sf);
        if (!m.modifiers?.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword)) found.push(`${sf.getLineAndCharacterOfPosition(m.getStart(sf)).line + 1}: ${owner}.${name}`);
        if (m.type && ts.isTypeLiteralNode(m.type)) visitMembers(`${owner}.${name}`, m.type.members);
      }
    }
  };
  for (const st of sf.statements) {
    const exported = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (exported && ts.isInterfaceDeclaration(st) && PROPS_NAME.test(st.name.text)) visitMembers(st.name.text, st.members);
  }
  return found;
}

/** Statements of an index.ts that are not re-exports. */
export function nonReexports(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  return sf.statements
    .filter((st) => !(ts.isExportDeclaration(st) && st.moduleSpecifier !== undefined))
    .map((st) => `${sf.getLineAndCharacterOfPosition(st.getStart(sf)).line + 1}: ${st.getText(sf).split("\n")[0]}`);
}

function allSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return allSources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("house style: props, barrels, methods", () => {
  test("every member of an exported props, options, attributes or config interface is readonly", () => {
    const found = sources(join(ROOT, "lib")).flatMap((file) => mutableProps(file, readFileSync(file, "utf8")).map((m) => `${relative(ROOT, file)}:${m}`));
    expect(found).toEqual([]);
  });

  test("the check finds a mutable prop, also inside a nested object type", () => {
    const text = "export interface WidgetProps {\n  readonly a: number;\n  b?: string;\n  readonly c: { d: number };\n}\ninterface LocalOptions { e: number }";
    expect(mutableProps("w.ts", text)).toEqual(["3: WidgetProps.b", "4: WidgetProps.c.d"]);
  });

  test("lib/index.ts and every area's index.ts only re-export", () => {
    const indexes = allSources(join(ROOT, "lib")).filter((f) => f.endsWith("/index.ts"));
    expect(indexes.length).toBeGreaterThan(10);
    const found = indexes.flatMap((file) => nonReexports(file, readFileSync(file, "utf8")).map((m) => `${relative(ROOT, file)}:${m}`));
    expect(found).toEqual([]);
  });

  test("the check finds code in an index", () => {
    expect(nonReexports("index.ts", 'export * from "./a";\nexport { B } from "./b";\nexport const x = 1;\n')).toEqual(["3: export const x = 1;"]);
  });

  test("no method returns this (no fluent chains)", () => {
    const found = allSources(join(ROOT, "lib"))
      .filter((f) => /\breturn this;/.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    expect(found).toEqual([]);
  });
});

/**
 * One min/max naming (issue 15 item 5): a bound of a count carries its unit in its name (`minReplicas`,
 * `maxNodes`, `desiredNodes`), never a bare `min`/`max` or a `*Size` that does not say of what.
 */
const UNITLESS_BOUND = /^(min|max|desired)$|Size$/;
/** Bounds whose unit is the user's: a rollout's quality check compares the user's own metric, in its unit. */
const UNITLESS_BOUND_ALLOWED = ["QualityCheck.min", "QualityCheck.max"];

/** Public members (exported interfaces and their nested object types, public class fields) named like a bound without a unit. */
export function unitlessBounds(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const flag = (owner: string, m: ts.Node & { name: ts.PropertyName }) => {
    const name = `${owner}.${m.name.getText(sf)}`;
    if (UNITLESS_BOUND.test(m.name.getText(sf)) && !UNITLESS_BOUND_ALLOWED.includes(name)) found.push(`${sf.getLineAndCharacterOfPosition(m.getStart(sf)).line + 1}: ${name}`);
  };
  const visitMembers = (owner: string, members: ts.NodeArray<ts.TypeElement>) => {
    for (const m of members) {
      if (!ts.isPropertySignature(m)) continue;
      flag(owner, m);
      if (m.type && ts.isTypeLiteralNode(m.type)) visitMembers(`${owner}.${m.name.getText(sf)}`, m.type.members);
    }
  };
  for (const st of sf.statements) {
    const exported = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    if (ts.isInterfaceDeclaration(st)) visitMembers(st.name.text, st.members);
    if (ts.isClassDeclaration(st) && st.name) {
      for (const m of st.members) {
        const hidden = ts.getModifiers(m as ts.PropertyDeclaration)?.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword);
        if (ts.isPropertyDeclaration(m) && !hidden) flag(st.name.text, m);
      }
    }
  }
  return found;
}

describe("house style: units in names", () => {
  test("no public prop or field is a bound without a unit (min, max, desired, *Size)", () => {
    const found = sources(join(ROOT, "lib")).flatMap((file) => unitlessBounds(file, readFileSync(file, "utf8")).map((m) => `${relative(ROOT, file)}:${m}`));
    expect(found).toEqual([]);
  });

  test("the check finds a unitless bound in props, in a nested object type and in a public field", () => {
    const text = [
      "export interface PoolProps {",
      "  readonly minNodes?: number;",
      "  readonly maxSize: number;",
      "  readonly scaling?: { readonly min: number; readonly maxReplicas: number };",
      "  readonly diskSizeGiB?: number;",
      "}",
      "export class Pool {",
      "  public readonly desired: number;",
      "  private readonly max: number;",
      "}",
    ].join("\n");
    expect(unitlessBounds("p.ts", text)).toEqual(["3: PoolProps.maxSize", "4: PoolProps.scaling.min", "8: Pool.desired"]);
  });
});
