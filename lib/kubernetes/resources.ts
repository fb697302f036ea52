import { Validator } from "../core/errors";
import { Shape } from "../core/shape";
import { cpuQuantityProblem, memoryQuantityProblem } from "../core/validators";

/**
 * A CPU quantity: `Cpu.millicores(500)`, `Cpu.cores(2)`, or `Cpu.of("1.5")` for a
 * Kubernetes quantity written out. Checked by the construct that takes it (one
 * ConfigError naming the field).
 */
export class Cpu {
  /** `Cpu.millicores(500)` is "500m". */
  public static millicores(n: number): Cpu {
    return new Cpu(`${n}m`);
  }

  /** `Cpu.cores(2)` is "2". */
  public static cores(n: number): Cpu {
    return new Cpu(`${n}`);
  }

  /** A Kubernetes CPU quantity as written in a manifest ("500m", "2"). */
  public static of(quantity: string): Cpu {
    return new Cpu(quantity);
  }

  private constructor(public readonly quantity: string) {}

  public toString(): string {
    return this.quantity;
  }
}

/** A memory quantity: `Memory.mebibytes(512)`, `Memory.gibibytes(2)`, or `Memory.of("1536Mi")`. */
export class Memory {
  /** `Memory.mebibytes(512)` is "512Mi". */
  public static mebibytes(n: number): Memory {
    return new Memory(`${n}Mi`);
  }

  /** `Memory.gibibytes(2)` is "2Gi". */
  public static gibibytes(n: number): Memory {
    return new Memory(`${n}Gi`);
  }

  /** A Kubernetes memory quantity as written in a manifest ("512Mi", "2Gi"). */
  public static of(quantity: string): Memory {
    return new Memory(quantity);
  }

  private constructor(public readonly quantity: string) {}

  public toString(): string {
    return this.quantity;
  }
}

/**
 * What one container of a workload the library runs requests. The same type for every
 * construct (MlflowServer, MonitoredEndpoint, FeatureStore's server and materialization).
 * The library sets no CPU limit (throttling a request-bound server only adds latency) and a
 * memory limit, by default equal to the request (a pod never uses more than the scheduler
 * accounted for).
 */
export interface ResourceRequests {
  /** @default - the construct's default (see its `resources` prop) */
  readonly cpu?: Cpu;
  /** @default - the construct's default (see its `resources` prop) */
  readonly memory?: Memory;
  /** @default - the memory request */
  readonly memoryLimit?: Memory;
}

/** The shape of a `ResourceRequests` prop, for `checkShape`. */
export const RESOURCE_REQUESTS_SHAPE = Shape.object(
  {
    cpu: Shape.optional(Shape.instanceOf(Cpu, 'a Cpu (Cpu.millicores(500), Cpu.cores(2) or Cpu.of("1.5"))')),
    memory: Shape.optional(Shape.instanceOf(Memory, 'a Memory (Memory.mebibytes(512), Memory.gibibytes(2) or Memory.of("1536Mi"))')),
    memoryLimit: Shape.optional(Shape.instanceOf(Memory, "a Memory (Memory.gibibytes(2)...)")),
  },
  "resource requests { cpu?: Cpu, memory?: Memory, memoryLimit?: Memory }",
);

/** Requests with the construct's defaults filled in, as quantities. */
export interface ResolvedResources {
  readonly cpu: string;
  readonly memory: string;
  readonly memoryLimit: string;
}

/** Fills in a construct's defaults and checks the quantities, reporting each problem as `<field>.cpu` etc. */
export function resolveResources(
  v: Validator,
  field: string,
  given: ResourceRequests | undefined,
  defaults: { cpu: Cpu; memory: Memory; memoryLimit?: Memory },
): ResolvedResources {
  const resolved = resourceQuantities(given, defaults);
  checkResourceQuantities(v, field, resolved);
  return resolved;
}

/** Fills in a construct's defaults (no check: see checkResourceQuantities). */
export function resourceQuantities(given: ResourceRequests | undefined, defaults: { cpu: Cpu; memory: Memory; memoryLimit?: Memory }): ResolvedResources {
  const cpu = (given?.cpu ?? defaults.cpu).quantity;
  const memory = (given?.memory ?? defaults.memory).quantity;
  const memoryLimit = (given?.memoryLimit ?? (given?.memory ? undefined : defaults.memoryLimit))?.quantity ?? memory;
  return { cpu, memory, memoryLimit };
}

/** Checks resolved quantities, reporting each problem as `<field>.cpu` etc. */
export function checkResourceQuantities(v: Validator, field: string, { cpu, memory, memoryLimit }: ResolvedResources): void {
  v.checkProblem(`${field}.cpu`, cpu, cpuQuantityProblem(cpu));
  v.checkProblem(`${field}.memory`, memory, memoryQuantityProblem(memory));
  // A limit taken from the request was checked as the request: one problem is reported once.
  if (memoryLimit !== memory) {
    v.checkProblem(`${field}.memoryLimit`, memoryLimit, memoryQuantityProblem(memoryLimit));
  }
}

/** A container's `resources` in the Kubernetes API's form: requests, and the memory limit. */
export function containerResources(
  r: ResolvedResources,
  extraRequests: Readonly<Record<string, string>> = {},
): { requests: Record<string, string>; limits: Record<string, string> } {
  return { requests: { cpu: r.cpu, memory: r.memory, ...extraRequests }, limits: { memory: r.memoryLimit } };
}
