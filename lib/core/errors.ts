import { Token } from "cdktf";

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

/** Renders a received value for an error message: strings quoted, the rest as JSON. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
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

  /** @param where the construct path or the environment the problems belong to */
  constructor(private readonly where: string) {}

  /** Records a problem unless `ok`. Values that are unresolved tokens are never judged. */
  public check(ok: boolean, field: string, value: unknown, allowed: string): void {
    if (ok || isUnresolved(value)) return;
    this.problems.push(`${this.where}: ${field} is ${formatValue(value)}; ${allowed}`);
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
