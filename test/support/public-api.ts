import * as path from "path";
import * as ts from "typescript";

/**
 * The package's entry points (package.json `exports`) and what each one makes public, read
 * from the TypeScript sources with the compiler API, so that the checks below see exactly the
 * declarations a user's compiler sees.
 */
export const ROOT = path.resolve(__dirname, "..", "..");

/** Subpath of package.json `exports` -> its TypeScript entry file (relative to the root). */
export function entryPoints(): Record<string, string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require(path.join(ROOT, "package.json")) as { exports: Record<string, { types: string }> };
  const entries: Record<string, string> = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target !== "object" || !target.types) continue;
    entries[subpath] = target.types.replace(/^\.\/dist\//, "").replace(/\.d\.ts$/, ".ts");
  }
  return entries;
}

/** One program over the given entry files, with the repository's compiler options. */
export function program(files: readonly string[]): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error("cannot read tsconfig.json");
  return ts.createProgram(
    files.map((f) => path.join(ROOT, f)),
    { ...config.options, noEmit: true, incremental: false },
  );
}

function resolved(checker: ts.TypeChecker, s: ts.Symbol): ts.Symbol {
  return s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
}

/** The names each entry point exports, sorted. */
export function exportedNames(prog: ts.Program, entry: string): string[] {
  const checker = prog.getTypeChecker();
  const sf = prog.getSourceFile(path.join(ROOT, entry));
  if (!sf) throw new Error(`${entry} is not in the program`);
  const moduleSymbol = checker.getSymbolAtLocation(sf);
  if (!moduleSymbol) return [];
  return checker
    .getExportsOfModule(moduleSymbol)
    .map((s) => s.name)
    .sort();
}

function isInternal(node: ts.Node): boolean {
  return ts.getJSDocTags(node).some((t) => t.tagName.text === "internal");
}

function isHidden(member: ts.ClassElement | ts.TypeElement): boolean {
  const flags = ts.getCombinedModifierFlags(member as ts.Declaration);
  if (flags & ts.ModifierFlags.Private) return true;
  if (member.name && ts.isPrivateIdentifier(member.name)) return true;
  return isInternal(member);
}

/**
 * Every place where a public declaration (anything an entry point exports: a class's public and
 * protected members, an interface's members, a function's parameters and result, a constant's
 * type, a type alias) uses a named type declared in this library that no entry point exports:
 * a user could hold such a value but not name its type. Result: "Owner.member: PrivateType (file)".
 */
export function privateTypesInPublicSignatures(prog: ts.Program, entries: readonly string[]): string[] {
  const checker = prog.getTypeChecker();
  const libDir = path.join(ROOT, "lib") + path.sep;
  const publicSymbols = new Set<ts.Symbol>();
  const roots: ts.Symbol[] = [];
  for (const entry of entries) {
    const sf = prog.getSourceFile(path.join(ROOT, entry));
    const moduleSymbol = sf && checker.getSymbolAtLocation(sf);
    if (!moduleSymbol) throw new Error(`${entry} is not a module of the program`);
    for (const s of checker.getExportsOfModule(moduleSymbol)) {
      const r = resolved(checker, s);
      if (!publicSymbols.has(r)) roots.push(r);
      publicSymbols.add(r);
    }
  }
  const inLibrary = (s: ts.Symbol) => (s.declarations ?? []).some((d) => d.getSourceFile().fileName.startsWith(libDir));
  const problems = new Set<string>();

  const visitType = (type: ts.Type, where: string, seen: Set<ts.Type>, depth: number, root = false): void => {
    if (seen.has(type) || depth > 6) return;
    seen.add(type);
    const named = !root
      ? (type.aliasSymbol ??
        (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & (ts.ObjectFlags.Class | ts.ObjectFlags.Interface | ts.ObjectFlags.Reference)
          ? type.symbol
          : undefined))
      : undefined;
    if (named && !(named.flags & ts.SymbolFlags.TypeParameter) && inLibrary(named)) {
      if (!publicSymbols.has(named)) {
        const decl = named.declarations![0];
        problems.add(`${where}: ${named.name} (${path.relative(ROOT, decl.getSourceFile().fileName)})`);
      }
    }
    for (const arg of type.aliasTypeArguments ?? []) visitType(arg, where, seen, depth + 1);
    if (type.isUnionOrIntersection()) for (const t of type.types) visitType(t, where, seen, depth + 1);
    if (type.flags & ts.TypeFlags.Object) {
      const obj = type as ts.ObjectType;
      if (obj.objectFlags & ts.ObjectFlags.Reference) for (const arg of checker.getTypeArguments(type as ts.TypeReference)) visitType(arg, where, seen, depth + 1);
      // Anonymous object types and function types are spelled out where they are used: look inside.
      if (obj.objectFlags & ts.ObjectFlags.Anonymous || obj.objectFlags & ts.ObjectFlags.Mapped) {
        for (const p of checker.getPropertiesOfType(type)) {
          const d = p.valueDeclaration ?? p.declarations?.[0];
          if (d) visitType(checker.getTypeOfSymbolAtLocation(p, d), where, seen, depth + 1);
        }
        for (const sig of [...type.getCallSignatures(), ...type.getConstructSignatures()]) visitSignature(sig, where, seen, depth + 1);
      }
    }
  };
  const visitSignature = (sig: ts.Signature, where: string, seen: Set<ts.Type>, depth: number): void => {
    for (const p of sig.getParameters()) {
      const d = p.valueDeclaration ?? p.declarations?.[0];
      if (d) visitType(checker.getTypeOfSymbolAtLocation(p, d), where, seen, depth);
    }
    visitType(sig.getReturnType(), where, seen, depth);
  };
  // What is written: every type name in the declaration's annotations (an alias inside `X | undefined`
  // is gone from the checker's type, so names are read from the syntax too).
  const visitTypeNodes = (node: ts.Node | undefined, where: string): void => {
    if (!node) return;
    if (ts.isTypeReferenceNode(node) || ts.isExpressionWithTypeArguments(node) || ts.isTypeQueryNode(node)) {
      const nameNode = ts.isTypeReferenceNode(node) ? node.typeName : ts.isTypeQueryNode(node) ? node.exprName : node.expression;
      const s = checker.getSymbolAtLocation(nameNode);
      const named = s && resolved(checker, s);
      if (named && !(named.flags & ts.SymbolFlags.TypeParameter) && inLibrary(named) && !publicSymbols.has(named)) {
        problems.add(`${where}: ${named.name} (${path.relative(ROOT, named.declarations![0].getSourceFile().fileName)})`);
      }
    }
    ts.forEachChild(node, (child) => visitTypeNodes(child, where));
  };
  const annotations = (node: ts.Node): (ts.Node | undefined)[] => {
    const n = node as { type?: ts.Node; parameters?: ts.NodeArray<ts.ParameterDeclaration>; typeParameters?: ts.NodeArray<ts.TypeParameterDeclaration> };
    return [n.type, ...(n.parameters ?? []).map((p) => p.type), ...(n.typeParameters ?? []).map((t) => t.constraint)];
  };
  const visitDeclarationType = (node: ts.Node, where: string) => {
    for (const a of annotations(node)) visitTypeNodes(a, where);
    const seen = new Set<ts.Type>();
    if (ts.isFunctionLike(node)) {
      const sig = checker.getSignatureFromDeclaration(node as ts.SignatureDeclaration);
      if (sig) visitSignature(sig, where, seen, 0);
      return;
    }
    visitType(checker.getTypeAtLocation(node), where, seen, 0);
  };
  const visitHeritage = (node: ts.ClassDeclaration | ts.InterfaceDeclaration, name: string) => {
    for (const clause of node.heritageClauses ?? []) for (const t of clause.types) visitTypeNodes(t, `${name} (extends)`);
    for (const clause of node.heritageClauses ?? []) for (const t of clause.types) visitType(checker.getTypeAtLocation(t), `${name} (extends)`, new Set(), 0);
  };

  for (const s of roots) {
    for (const decl of s.declarations ?? []) {
      if (!decl.getSourceFile().fileName.startsWith(libDir)) continue;
      if (ts.isClassDeclaration(decl) || ts.isInterfaceDeclaration(decl)) {
        visitHeritage(decl, s.name);
        for (const m of decl.members as ts.NodeArray<ts.ClassElement | ts.TypeElement>) {
          if (isHidden(m) || ts.isIndexSignatureDeclaration(m) || ts.isClassStaticBlockDeclaration(m as ts.Node)) continue;
          const memberName = ts.isConstructorDeclaration(m as ts.Node) ? "constructor" : m.name ? m.name.getText() : "?";
          // Parameter properties (`constructor(private readonly x: X)`) count as members too, by their own modifiers.
          visitDeclarationType(m, `${s.name}.${memberName}`);
        }
      } else if (ts.isTypeAliasDeclaration(decl)) {
        visitTypeNodes(decl.type, s.name);
        visitType(checker.getDeclaredTypeOfSymbol(s), s.name, new Set(), 0, true);
      } else if (ts.isFunctionDeclaration(decl) || ts.isVariableDeclaration(decl)) {
        visitDeclarationType(decl, s.name);
      }
    }
  }
  return [...problems].sort();
}
