import { ConfigError, formatValue, isUnresolved } from "./errors";

/**
 * Shapes of props, checked before a construct reads them, so that a value of the wrong
 * kind from a JavaScript caller (or a TypeScript caller casting through `any`) is one
 * clear ConfigError instead of a TypeError from inside a constructor or cdktf.
 *
 *     checkShape(this.node.path, props, {
 *       name: Shape.string(),
 *       replicas: Shape.optional(Shape.integer({ min: 1 })),
 *     });
 *
 * A shape only judges the kind of a value (and simple bounds where they are part of the
 * kind); what a valid value means (a DNS label, a quantity) is checked afterwards by the
 * construct's Validator, which can then rely on the kinds.
 */
export interface ShapeProblem {
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;
}

/** A check of one value; pushes at most one problem per field. */
export interface Shape {
  /** What the shape allows, for error messages ("a string", "a list of strings"). */
  readonly describe: string;
  readonly optional: boolean;
  /** Set by `Shape.renamed`: the props that replaced this one (not a known field any more). */
  readonly renamedTo?: readonly string[];
  check(value: unknown, field: string, problems: ShapeProblem[]): void;
}

/** Field shapes of a props object. */
export type ShapeSpec = Readonly<Record<string, Shape>>;

/** Marks a required field that was not given. */
const MISSING = Symbol("missing");

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function leaf(describe: string, ok: (value: unknown) => boolean, optional = false): Shape {
  return {
    describe,
    optional,
    check(value, field, problems) {
      if (isUnresolved(value)) return;
      if (!ok(value)) problems.push({ field, value, allowed: `must be ${describe}` });
    },
  };
}

/** A plain object (anything else is one problem), whose members `checkMembers` then checks. */
function plainObjectShape(describe: string, checkMembers: (value: Record<string, unknown>, field: string, problems: ShapeProblem[]) => void): Shape {
  return {
    describe,
    optional: false,
    check(value, field, problems) {
      if (!isPlainObject(value)) {
        problems.push({ field, value, allowed: `must be ${describe}` });
        return;
      }
      checkMembers(value, field, problems);
    },
  };
}

function objectShape(spec: ShapeSpec, describe: string, open: boolean): Shape {
  return plainObjectShape(describe, (value, field, problems) => checkFields(value, spec, field ? `${field}.` : "", problems, open));
}

function checkFields(value: Record<string, unknown>, spec: ShapeSpec, prefix: string, problems: ShapeProblem[], open: boolean): void {
  // A stale config that gives an old name is told the new one, once: not also that the new one is missing.
  const replaced = new Set(Object.entries(spec).flatMap(([name, shape]) => (shape.renamedTo && value[name] !== undefined ? shape.renamedTo : [])));
  for (const [name, shape] of Object.entries(spec)) {
    const v = value[name];
    const field = `${prefix}${name}`;
    if (v === undefined) {
      if (!shape.optional && !replaced.has(name)) problems.push({ field, value: MISSING, allowed: `is required: must be ${shape.describe}` });
      continue;
    }
    shape.check(v, field, problems);
  }
  if (open) return;
  const known = Object.keys(spec).filter((name) => !spec[name].renamedTo);
  for (const name of Object.keys(value)) {
    if (!known.includes(name) && value[name] !== undefined) {
      problems.push({ field: `${prefix}${name}`, value: value[name], allowed: `is not a known field (a typo?); known fields: ${known.join(", ")}` });
    }
  }
}

export const Shape = {
  /** A string; `nonEmpty` refuses "" and blank strings. */
  string(opts: { nonEmpty?: boolean } = {}): Shape {
    return leaf(opts.nonEmpty ? "a non-empty string" : "a string", (v) => typeof v === "string" && (!opts.nonEmpty || v.trim() !== ""));
  },
  /** A finite number, optionally bounded; `integer` requires a whole number. */
  number(opts: { integer?: boolean; min?: number; max?: number } = {}): Shape {
    const parts = [opts.integer ? "a whole number" : "a finite number"];
    if (opts.min !== undefined && opts.max !== undefined) parts.push(`from ${opts.min} to ${opts.max}`);
    else if (opts.min !== undefined) parts.push(`>= ${opts.min}`);
    else if (opts.max !== undefined) parts.push(`<= ${opts.max}`);
    return leaf(
      parts.join(" "),
      (v) =>
        typeof v === "number" &&
        Number.isFinite(v) &&
        (!opts.integer || Number.isInteger(v)) &&
        (opts.min === undefined || v >= opts.min) &&
        (opts.max === undefined || v <= opts.max),
    );
  },
  integer(opts: { min?: number; max?: number } = {}): Shape {
    return Shape.number({ ...opts, integer: true });
  },
  boolean(): Shape {
    return leaf("true or false", (v) => typeof v === "boolean");
  },
  /** One of a fixed set of strings (or other primitives). */
  oneOf(values: readonly unknown[]): Shape {
    return leaf(`one of ${values.map((x) => formatValue(x)).join(", ")}`, (v) => values.includes(v));
  },
  /** An instance of a class (enum-like classes such as Capacity, constructs such as Network). */
  // Function, not a constructor type: enum-like classes have private constructors, which no constructor type admits.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  instanceOf(cls: Function, describe: string): Shape {
    return leaf(describe, (v) => v instanceof cls);
  },
  /** An object that has the given members (an interface such as ITrainingCluster). */
  like(describe: string, members: readonly string[]): Shape {
    return leaf(describe, (v) => v !== null && typeof v === "object" && members.every((m) => m in (v as object)));
  },
  /** A list whose items have a shape. */
  array(of: Shape, opts: { minLength?: number } = {}): Shape {
    const describe = `a list${opts.minLength ? ` of at least ${opts.minLength}` : ""}, each item ${of.describe}`;
    return {
      describe,
      optional: false,
      check(value, field, problems) {
        if (isUnresolved(value)) return;
        if (!Array.isArray(value)) {
          problems.push({ field, value, allowed: `must be ${describe}` });
          return;
        }
        if (opts.minLength !== undefined && value.length < opts.minLength) {
          problems.push({ field, value, allowed: `must be ${describe}` });
          return;
        }
        value.forEach((item, i) => of.check(item, `${field}[${i}]`, problems));
      },
    };
  },
  /** A map of string keys to values of one shape (labels, tags, environment variables). */
  record(of: Shape): Shape {
    return plainObjectShape(`a map of string keys, each value ${of.describe}`, (value, field, problems) => {
      for (const [k, v] of Object.entries(value)) of.check(v, `${field}[${JSON.stringify(k)}]`, problems);
    });
  },
  /** A plain object with known fields; unknown fields are refused (a typo is never ignored). */
  object(spec: ShapeSpec, describe = "an object"): Shape {
    return objectShape(spec, describe, false);
  },
  /** Like object, but fields beyond the spec are allowed (objects passed through to users' YAML). */
  openObject(spec: ShapeSpec, describe = "an object"): Shape {
    return objectShape(spec, describe, true);
  },
  /** Anything (a value this layer does not judge). */
  any(): Shape {
    return leaf("any value", () => true);
  },
  /** Either of several shapes. */
  either(describe: string, ...shapes: Shape[]): Shape {
    return {
      describe,
      optional: false,
      check(value, field, problems) {
        for (const s of shapes) {
          const trial: ShapeProblem[] = [];
          s.check(value, field, trial);
          if (trial.length === 0) return;
        }
        problems.push({ field, value, allowed: `must be ${describe}` });
      },
    };
  },
  /**
   * A prop that was renamed: giving it is one problem that names its replacement(s) and points
   * to docs/UPGRADING.md; a required replacement is then not also reported missing. Keep the
   * entry for a release or two after a rename, for JavaScript callers and stale configs.
   */
  renamed(...to: string[]): Shape {
    const names = to.join(" and ");
    return {
      describe: `renamed to ${names}`,
      optional: true,
      renamedTo: to,
      check(value, field, problems) {
        problems.push({ field, value, allowed: `was renamed: use ${names} instead (docs/UPGRADING.md, "Renamed props")` });
      },
    };
  },
  /** The same shape, but the field may be left unset. */
  optional(shape: Shape): Shape {
    return { ...shape, optional: true, check: shape.check.bind(shape) };
  },
};

/** Shapes of the library's own interfaces, shared by the constructs that take them. */
export const LibraryShapes = {
  cluster: Shape.like("a GpuTrainingCluster (or another ITrainingCluster)", ["clusterName", "network", "key", "oidcProviderArn", "addServiceAccountRole"]),
  gpuCluster: Shape.like("a GpuTrainingCluster", ["clusterName", "network", "key", "pools", "eksCluster"]),
  key: Shape.like("an EnvironmentKey (or EnvironmentKey.fromAttributes(...))", ["keyArn", "allowServiceUse"]),
  network: Shape.like("a Network (or Network.fromAttributes(...))", ["vpcId", "privateSubnetIds", "tagPrivateSubnets"]),
  serviceAccountRole: Shape.like("a ServiceAccountRole (from cluster.addServiceAccountRole)", ["roleArn", "namespace", "serviceAccount"]),
  safetyOverride: Shape.object({ reason: Shape.string() }, 'an override with a written reason, { reason: "..." }'),
  labels: Shape.record(Shape.string()),
};

/** The problems of a props object against its spec, one per field, formatted for `where`. */
export function shapeProblems(where: string, props: unknown, spec: ShapeSpec, opts: { open?: boolean } = {}): string[] {
  const problems: ShapeProblem[] = [];
  if (!isPlainObject(props) && !(props !== null && typeof props === "object" && !Array.isArray(props))) {
    return [
      `${where}: props is ${formatValue(props)}; must be an object with the fields ${Object.keys(spec)
        .filter((name) => !spec[name].renamedTo)
        .join(", ")}`,
    ];
  }
  checkFields(props as Record<string, unknown>, spec, "", problems, opts.open ?? false);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of problems) {
    if (seen.has(p.field)) continue;
    seen.add(p.field);
    const received = p.value === MISSING ? "missing" : formatValue(p.value);
    out.push(`${where}: ${p.field} is ${received}; ${p.allowed.replace(/^is /, "")}`);
  }
  return out;
}

/**
 * Throws one ConfigError listing every field whose value has the wrong kind. Call it
 * first in a constructor: the rest of the constructor may then rely on the kinds.
 */
export function checkShape(where: string, props: unknown, spec: ShapeSpec, opts: { open?: boolean } = {}): void {
  const problems = shapeProblems(where, props, spec, opts);
  if (problems.length > 0) throw new ConfigError(problems);
}
