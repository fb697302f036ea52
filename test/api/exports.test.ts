import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { ROOT, entryPoints, exportedNames, privateTypesInPublicSignatures, program } from "../support/public-api";

/**
 * The public API is what package.json `exports` makes importable: the root (constructs, props,
 * enum-like classes), `./policy`, `./review` and `./testing`. Each entry point's names are pinned
 * in test/api/exports/<entry>.txt (sorted, one a line), so that an export is added or removed on
 * purpose, never by an `export *` picking up a helper.
 */
const PINS = path.join(__dirname, "exports");
const pinFile = (subpath: string) => path.join(PINS, `${subpath === "." ? "root" : subpath.slice(2)}.txt`);

/** What differs between the pinned names and the exported ones, as a message a developer can act on. */
export function exportDrift(subpath: string, pinned: readonly string[], actual: readonly string[]): string | undefined {
  const added = actual.filter((n) => !pinned.includes(n));
  const removed = pinned.filter((n) => !actual.includes(n));
  if (added.length === 0 && removed.length === 0) return undefined;
  return [
    `The public API of "cdktf-ml-platform${subpath === "." ? "" : subpath.slice(1)}" changed:`,
    ...added.map((n) => `  + ${n}`),
    ...removed.map((n) => `  - ${n}`),
    `If this is intended, update ${path.relative(ROOT, pinFile(subpath))} (UPDATE_EXPORTS=1 npx jest test/api rewrites it) and add a line to CHANGELOG.md` +
      (removed.length > 0 ? " (a removal is a breaking change: say what to use instead in docs/UPGRADING.md)." : "."),
  ].join("\n");
}

const entries = entryPoints();
/** The construct areas' barrels (the tools' areas are entry points of their own). */
const AREAS = fs
  .readdirSync(path.join(ROOT, "lib"))
  .filter((a) => !["policy", "review", "terraform"].includes(a) && fs.existsSync(path.join(ROOT, "lib", a, "index.ts")))
  .map((a) => `lib/${a}/index.ts`);
const prog = program([...Object.values(entries), ...AREAS]);

/** Classes an area exports that are not public, each with why. */
const INTERNAL_CLASSES: Record<string, string> = {
  Validator: "collects the ConfigErrors of one construct inside the library; users see ConfigError",
  StackRecord: "the per-stack list behind ConditionalResources and PolicySuppressions; users call those",
};

describe("public API", () => {
  test("package.json exports the root, ./policy, ./review and ./testing, each with its types", () => {
    expect(Object.keys(entries).sort()).toEqual([".", "./policy", "./review", "./testing"]);
    for (const file of Object.values(entries)) expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
  });

  test.each(Object.keys(entries))("the names exported by %s are the pinned ones", (subpath) => {
    const actual = exportedNames(prog, entries[subpath]);
    if (process.env.UPDATE_EXPORTS === "1") fs.writeFileSync(pinFile(subpath), `${actual.join("\n")}\n`);
    const pinned = fs.readFileSync(pinFile(subpath), "utf8").split("\n").filter(Boolean);
    const drift = exportDrift(subpath, pinned, actual);
    if (drift) throw new Error(drift);
  });

  test("the root exports no CLI, review, policy or test tooling", () => {
    const root = exportedNames(prog, entries["."]);
    for (const tool of ["OfflineTerraform", "UpgradeHarness", "runReview", "parseArgs", "checkStack", "POLICY_PACK", "roleName", "policyDocument", "isUnresolved"]) {
      expect(root).not.toContain(tool);
    }
  });

  test("every class an area exports (constructs, enum-like classes) is public at the root, or listed as internal with why", () => {
    // A construct added to lib/<area>/ and its index.ts must also be named in lib/index.ts.
    const root = new Set(exportedNames(prog, entries["."]));
    const checker = prog.getTypeChecker();
    const missing = AREAS.flatMap((area) => {
      const sf = prog.getSourceFile(path.join(ROOT, area))!;
      return checker
        .getExportsOfModule(checker.getSymbolAtLocation(sf)!)
        .filter((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Class)
        .filter((s) => !root.has(s.name) && !INTERNAL_CLASSES[s.name])
        .map((s) => `${area}: ${s.name}`);
    });
    expect(missing).toEqual([]);
  });

  test("no public signature uses a type that no entry point exports", () => {
    // A user could hold such a value (GpuPool.spec, FeatureStore.redis were two) but not name its type.
    expect(privateTypesInPublicSignatures(prog, Object.values(entries))).toEqual([]);
  });

  test("the drift message names each added and removed export and asks for a CHANGELOG line", () => {
    expect(exportDrift(".", ["A", "B"], ["B", "C"])).toBe(
      [
        'The public API of "cdktf-ml-platform" changed:',
        "  + C",
        "  - A",
        "If this is intended, update test/api/exports/root.txt (UPDATE_EXPORTS=1 npx jest test/api rewrites it) and add a line to CHANGELOG.md " +
          "(a removal is a breaking change: say what to use instead in docs/UPGRADING.md).",
      ].join("\n"),
    );
    expect(exportDrift("./policy", ["A"], ["A"])).toBeUndefined();
  });
});
