import * as fs from "fs";
import * as path from "path";

/**
 * Importing a provider package from its root loads every binding: measured here, 16x
 * slower synth and 14x the memory. Only deep imports are allowed.
 */
const ROOTS = /(from\s+|require\(\s*|import\(\s*)["']@cdktf\/provider-(aws|kubernetes|helm)["']/;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(p);
    return /\.(ts|js)$/.test(e.name) ? [p] : [];
  });
}

/** Files that load a package root on purpose, each with why. */
const ALLOWED: Record<string, string> = {
  "scripts/bench.ts": "measures, in a child process, what loading @cdktf/provider-aws from its root costs: the benchmark's reference",
};

test("no file imports a provider package from its root", () => {
  const root = path.resolve(__dirname, "..");
  const offenders = ["lib", "stacks", "examples", "test", "scripts"]
    .filter((d) => fs.existsSync(path.join(root, d)))
    .flatMap((d) => sources(path.join(root, d)))
    .filter((f) => f !== __filename && !ALLOWED[path.relative(root, f)] && ROOTS.test(fs.readFileSync(f, "utf8")));
  expect(offenders).toEqual([]);
});

test("the check catches a root import", () => {
  // Assembled so that this file does not itself look like a root import to a grep.
  const rootImport = ["import * as aws from ", '"@cdktf/', 'provider-aws";'].join("");
  expect(ROOTS.test(rootImport)).toBe(true);
  expect(ROOTS.test('import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";')).toBe(false);
});
