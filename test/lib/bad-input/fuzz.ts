import { ConfigError } from "../../../lib";
import { SUBJECTS } from "./subjects";

/** Subjects built in an infrastructure stack only (the rest also build a platform stack). */
export const INFRA_SUBJECTS = [
  "Environment",
  "InfraStack",
  "PlatformStack",
  "EnvironmentKey",
  "Network",
  "SecureBucket",
  "GpuTrainingCluster",
  "ServiceAccountRole",
  "ImageRepository",
  "ModelRegistry",
  "FeatureStore",
  "ObservabilitySecrets",
  "InferenceLogBucket",
  "Network.fromAttributes",
  "EnvironmentKey.fromAttributes",
  "GpuTrainingCluster.fromAttributes",
  "FeatureStore.fromAttributes",
];

/**
 * Every exported construct and factory, given values of the wrong kind in every field (and
 * one level down), as a JavaScript caller can pass them. The only acceptable outcomes are
 * success (a value the field legitimately takes) or one ConfigError that names the construct
 * path and the field; a TypeError from inside a constructor or cdktf, an error of another
 * kind, several problems for one input, NaN or Infinity shown as null, or a value of the
 * wrong kind silently accepted fail the test.
 */
const WRONG: readonly [string, unknown][] = [
  ["undefined", undefined],
  ["null", null],
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["-1", -1],
  ["1.5", 1.5],
  ["empty string", ""],
  ["spaced string", "a b"],
  ["number", 42],
  ["numeric string", "42"],
  ["object", {}],
  ["array", []],
  ["true", true],
];

function kindOf(v: unknown): string {
  return Array.isArray(v) ? "array" : v === null ? "null" : typeof v;
}

function fieldPaths(base: Record<string, unknown>): string[][] {
  const paths: string[][] = [];
  for (const [k, v] of Object.entries(base)) {
    paths.push([k]);
    if (v && kindOf(v) === "object" && Object.getPrototypeOf(v) === Object.prototype) for (const k2 of Object.keys(v)) paths.push([k, k2]);
    if (Array.isArray(v) && v[0] && Object.getPrototypeOf(v[0]) === Object.prototype) for (const k2 of Object.keys(v[0])) paths.push([k, "0", k2]);
  }
  return paths;
}

function at(obj: any, path: readonly string[]): unknown {
  return path.reduce((o, k) => o?.[k], obj);
}

/** Defines the fuzz tests for the subjects whose names `include` accepts (split over two files, so two jest workers share them). */
export function fuzzSubjects(include: (name: string) => boolean): void {
  describe.each(SUBJECTS.filter((s) => include(s.name)).map((s) => [s.name, s] as const))("%s with values of the wrong kind", (_name, subject) => {
    test("the baseline input is accepted", () => {
      expect(() => subject.build(subject.baseline())).not.toThrow();
    });

    test("every field: success or one ConfigError naming the field; never a TypeError or silent acceptance of the wrong kind", () => {
      const failures: string[] = [];
      for (const path of fieldPaths(subject.baseline())) {
        const original = at(subject.baseline(), path);
        for (const [label, value] of WRONG) {
          const props = subject.baseline();
          const parent: any = at(props, path.slice(0, -1));
          parent[path[path.length - 1]] = value;
          const wrongKind =
            (value !== undefined &&
              value !== null &&
              kindOf(value) !== kindOf(original) &&
              !(kindOf(original) === "object" && Object.getPrototypeOf(original) !== Object.prototype)) ||
            (kindOf(original) === "number" && typeof value === "number" && !Number.isFinite(value));
          const field = path.join(".");
          try {
            subject.build(props);
            if (wrongKind) failures.push(`${field} = ${label}: accepted silently`);
          } catch (err) {
            if (!(err instanceof ConfigError)) {
              failures.push(`${field} = ${label}: ${(err as Error).constructor.name}: ${(err as Error).message.split("\n")[0]}`);
              continue;
            }
            if (err.problems.length !== 1) failures.push(`${field} = ${label}: ${err.problems.length} problems for one input: ${err.problems.join(" | ")}`);
            if ((Number.isNaN(value) || value === Infinity) && / null[;,]/.test(err.message)) failures.push(`${field} = ${label}: shown as null: ${err.message}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });
  });
}
