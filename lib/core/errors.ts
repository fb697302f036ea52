import { Token } from "cdktf";
import { IConstruct } from "constructs";

/**
 * A configuration error found at synth. Its message is meant for the person who wrote
 * the configuration: one line per problem, each naming where (construct path or
 * environment), the field, the value received and what is allowed. Entry points print
 * the message alone, without a stack trace.
 */
export class ConfigError extends Error {
  public readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
  }
}

const NON_FINITE = /"<<(NaN|Infinity|-Infinity|undefined)>>"/g;
const MAX_VALUE_LENGTH = 200;

/**
 * Renders a received value for an error message: strings quoted, the rest as JSON, with
 * NaN, Infinity and undefined shown as such (JSON would print null), functions and class
 * instances named, and long values shortened.
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
  if (typeof value === "symbol" || typeof value === "bigint") return String(value);
  let text: string;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === "number" && !Number.isFinite(v)) return `<<${String(v)}>>`;
      if (v === undefined) return "<<undefined>>";
      if (typeof v === "function") return `[function]`;
      return v;
    }).replace(NON_FINITE, "$1");
  } catch {
    text = String(value);
  }
  const proto = value !== null && typeof value === "object" ? Object.getPrototypeOf(value) : undefined;
  if (proto && proto !== Object.prototype && proto !== Array.prototype && proto.constructor?.name) {
    text = `${proto.constructor.name} ${text}`;
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH)}…` : text;
}

/**
 * Collects problems about one construct or one environment, then throws them together.
 *
 *     const v = new Validator(`environment "prod"`);
 *     v.check(azs.length >= 2, "availabilityZones", azs, "must list at least 2 zones");
 *     v.throwIfAny();
 */
export class Validator {
  private readonly problems: string[] = [];
  private readonly fields = new Set<string>();

  /** @param where the construct path or the environment the problems belong to */
  constructor(private readonly where: string) {}

  /** Records a problem unless `ok`. Values that are unresolved tokens are never judged. */
  public check(ok: boolean, field: string, value: unknown, allowed: string): void {
    if (ok || isUnresolved(value)) return;
    // One problem per field: a value that breaks several rules is reported once, by the first.
    if (this.fields.has(field)) return;
    this.fields.add(field);
    this.problems.push(`${this.where}: ${field} is ${formatValue(value)}; ${allowed}`);
  }

  /**
   * Records `problem`, what a shared validator of core returned (`namespaceProblem(x)`,
   * `imageReferenceProblem(x)`, ...), unless it is undefined. Unresolved tokens are never judged.
   */
  public checkProblem(field: string, value: unknown, problem: string | undefined): void {
    this.check(problem === undefined, field, value, problem ?? "");
  }

  /** True when a problem about this field was already recorded (so that checks built on it can be skipped). */
  public hasProblem(field: string): boolean {
    return this.fields.has(field);
  }

  /** Records shape problems found by checkShape-like checks (already formatted). */
  public addProblems(problems: readonly string[]): void {
    this.problems.push(...problems);
  }

  /** Records a problem phrased freely (for problems that involve several fields). */
  public fail(message: string): void {
    this.problems.push(`${this.where}: ${message}`);
  }

  public get hasProblems(): boolean {
    return this.problems.length > 0;
  }

  public throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

/** True when the value (or any string in it) is a cdktf token not yet resolved. */
export function isUnresolved(value: unknown): boolean {
  if (typeof value === "string" || typeof value === "number") return Token.isUnresolved(value);
  if (Array.isArray(value)) return value.some(isUnresolved);
  return false;
}

/**
 * Runs an entry point and turns a ConfigError into its message and exit code 1,
 * so that bad input never shows a stack trace from inside cdktf.
 */
export function exitOnConfigError<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Invalid configuration:\n${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * A check across the construct tree, run at synth once the whole tree exists (through
 * `node.addValidation`), so that its verdict never depends on the order constructs were
 * created in. `problems` returns complete problem lines (construct path first); any
 * problem throws one ConfigError, which entry points print without a stack trace.
 */
export function addConfigValidation(scope: IConstruct, problems: () => readonly string[]): void {
  scope.node.addValidation({
    validate: () => {
      const found = problems();
      if (found.length > 0) throw new ConfigError(found);
      return [];
    },
  });
}
