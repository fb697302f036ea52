import { ConfigError, formatValue } from "../core/errors";

/** One GPU instance type: what it offers and what it costs on demand. */
export interface GpuInstanceSpec {
  readonly instanceType: string;
  /** The part before the dot, e.g. "g5". */
  readonly family: string;
  /** NVIDIA GPU model, as the GPU_MODEL_LABEL node label carries it, e.g. "A10G". */
  readonly gpuModel: string;
  readonly gpuCount: number;
  /** Memory of ONE GPU, GiB. */
  readonly gpuMemoryGiB: number;
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** Supports Elastic Fabric Adapter (multi-node training). */
  readonly efa: boolean;
  /** Network cards that can carry an EFA interface (p5.48xlarge has 32). @default - 1 when `efa` */
  readonly efaInterfaces?: number;
  /** On-demand Linux price in GPU_PRICES.region, USD per hour (see GPU_PRICES for date and source). */
  readonly onDemandUsdPerHour: number;
  /**
   * Pods the kubelet admits on an EKS AL2023 node of this type: ENIs x (IPv4 addresses per
   * ENI - 1) + 2 (no prefix delegation), from the ENI figures of INSTANCE_NETWORK_SOURCE.
   */
  readonly maxPods: number;
}

/**
 * Where the ENI figures of `maxPods` come from: nodeadm's own table, which it reads at boot
 * to set the kubelet's maxPods (calculateStandardMaxPods in nodeadm/internal/kubelet/eni_max_pods.go).
 */
export const INSTANCE_NETWORK_SOURCE =
  "awslabs/amazon-eks-ami nodeadm/internal/kubelet/instance-info.jsonl (defaultMaxENIs, ipv4AddressesPerInterface), commit 81fec2e8 (2026-07-23); " +
  "vCPUs, memory and GPUs: Amazon EC2 instance types, accelerated computing specifications (docs.aws.amazon.com/ec2/latest/instancetypes/ac.html)";

/**
 * Date and source of `onDemandUsdPerHour`. Prices change: the budget guard is only as
 * good as this table, so update it (and `asOf`) when AWS changes a price.
 */
export const GPU_PRICES = {
  asOf: "2025-06-30",
  source:
    "AWS EC2 On-Demand pricing page (aws.amazon.com/ec2/pricing/on-demand), US East (N. Virginia), Linux, as published in June 2025 " +
    "(after the June 2025 P4d/P5 price reduction); transcribed by hand, not fetched by the build: verify before relying on a figure",
  region: "us-east-1",
} as const;

type Row = [
  type: string,
  gpuModel: string,
  gpuCount: number,
  gpuMemoryGiB: number,
  vcpu: number,
  memoryGiB: number,
  efa: number,
  usdPerHour: number,
  enis: number,
  ipv4PerEni: number,
];

// efa column: 0 = no EFA, n = number of EFA-capable network cards. The last two: ENIs and IPv4
// addresses per ENI (INSTANCE_NETWORK_SOURCE).
const ROWS: readonly Row[] = [
  ["g5.xlarge", "A10G", 1, 24, 4, 16, 0, 1.006, 4, 15],
  ["g5.2xlarge", "A10G", 1, 24, 8, 32, 0, 1.212, 4, 15],
  ["g5.4xlarge", "A10G", 1, 24, 16, 64, 0, 1.624, 8, 30],
  ["g5.8xlarge", "A10G", 1, 24, 32, 128, 1, 2.448, 8, 30],
  ["g5.12xlarge", "A10G", 4, 24, 48, 192, 1, 5.672, 15, 50],
  ["g5.16xlarge", "A10G", 1, 24, 64, 256, 1, 4.096, 8, 30],
  ["g5.24xlarge", "A10G", 4, 24, 96, 384, 1, 8.144, 15, 50],
  ["g5.48xlarge", "A10G", 8, 24, 192, 768, 1, 16.288, 7, 50],
  ["g6.xlarge", "L4", 1, 24, 4, 16, 0, 0.8048, 4, 15],
  ["g6.2xlarge", "L4", 1, 24, 8, 32, 0, 0.9776, 4, 15],
  ["g6.4xlarge", "L4", 1, 24, 16, 64, 0, 1.3232, 8, 30],
  ["g6.8xlarge", "L4", 1, 24, 32, 128, 1, 2.0144, 8, 30],
  ["g6.12xlarge", "L4", 4, 24, 48, 192, 1, 4.6016, 8, 30],
  ["g6.16xlarge", "L4", 1, 24, 64, 256, 1, 3.3968, 15, 50],
  ["g6.24xlarge", "L4", 4, 24, 96, 384, 1, 6.6752, 15, 50],
  ["g6.48xlarge", "L4", 8, 24, 192, 768, 1, 13.3504, 15, 50],
  ["g6e.xlarge", "L40S", 1, 48, 4, 32, 0, 1.861, 4, 15],
  ["g6e.2xlarge", "L40S", 1, 48, 8, 64, 0, 2.24208, 4, 15],
  ["g6e.4xlarge", "L40S", 1, 48, 16, 128, 0, 3.00424, 8, 30],
  ["g6e.8xlarge", "L40S", 1, 48, 32, 256, 1, 4.52856, 8, 30],
  ["g6e.12xlarge", "L40S", 4, 48, 48, 384, 1, 10.49264, 10, 30],
  ["g6e.16xlarge", "L40S", 1, 48, 64, 512, 1, 7.57719, 15, 50],
  ["g6e.24xlarge", "L40S", 4, 48, 96, 768, 2, 15.06559, 10, 50],
  ["g6e.48xlarge", "L40S", 8, 48, 192, 1536, 4, 30.13118, 10, 50],
  ["p4d.24xlarge", "A100", 8, 40, 96, 1152, 4, 21.96, 15, 50],
  ["p5.48xlarge", "H100", 8, 80, 192, 2048, 32, 55.04, 2, 50],
];

/** The GPU instance types the library knows, with specs and on-demand prices (GPU_PRICES). */
export const GPU_INSTANCES: readonly GpuInstanceSpec[] = ROWS.map(([instanceType, gpuModel, gpuCount, gpuMemoryGiB, vcpu, memoryGiB, efa, usd, enis, ipv4PerEni]) => ({
  instanceType,
  family: instanceType.split(".")[0],
  gpuModel,
  gpuCount,
  gpuMemoryGiB,
  vcpu,
  memoryGiB,
  efa: efa > 0,
  ...(efa > 0 ? { efaInterfaces: efa } : {}),
  onDemandUsdPerHour: usd,
  maxPods: enis * (ipv4PerEni - 1) + 2,
}));

const BY_TYPE = new Map(GPU_INSTANCES.map((s) => [s.instanceType, s]));

/** Families of EC2 instance types with NVIDIA (or other) accelerators that a GPU pool could mean. */
const ACCELERATED_FAMILY = /^(g\d|p\d|gr\d|inf\d|trn\d|dl\d|vt\d|f\d)/;
const INSTANCE_TYPE_SHAPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** Why `type` cannot be a GPU pool's instance type, or undefined when it can. */
export function gpuInstanceProblem(type: string): string | undefined {
  if (BY_TYPE.has(type)) return undefined;
  if (typeof type === "string" && INSTANCE_TYPE_SHAPE.test(type) && !ACCELERATED_FAMILY.test(type)) {
    return `${type} has no GPU: a GPU pool takes only GPU instance types (families ${catalogFamilies().join(", ")})`;
  }
  return `not in the GPU instance catalog: must be one of ${GPU_INSTANCES.map((s) => s.instanceType).join(", ")}`;
}

function catalogFamilies(): string[] {
  return [...new Set(GPU_INSTANCES.map((s) => s.family))];
}

/**
 * A GPU instance type from the catalog: `GpuInstance.of("g5.xlarge")`. Unknown and
 * non-GPU types throw a ConfigError.
 */
export class GpuInstance {
  public static of(instanceType: string): GpuInstance {
    const spec = BY_TYPE.get(instanceType);
    if (!spec) throw new ConfigError([`GpuInstance.of: instanceType is ${formatValue(instanceType)}; ${gpuInstanceProblem(instanceType)}`]);
    return new GpuInstance(spec);
  }

  /** Every catalog type of a family, smallest first: `GpuInstance.family("g6")`. */
  public static family(family: string): GpuInstance[] {
    const found = GPU_INSTANCES.filter((s) => s.family === family).map((s) => new GpuInstance(s));
    if (found.length === 0) {
      const families = [...new Set(GPU_INSTANCES.map((s) => s.family))];
      throw new ConfigError([`GpuInstance.family: family is ${formatValue(family)}; must be a GPU family of the catalog: ${families.join(", ")}`]);
    }
    return found;
  }

  private constructor(public readonly spec: GpuInstanceSpec) {}

  public get instanceType(): string {
    return this.spec.instanceType;
  }

  /** Worst case of one instance for a month (730 hours) on demand. */
  public get monthlyUsd(): number {
    return this.spec.onDemandUsdPerHour * HOURS_PER_MONTH;
  }

  public toString(): string {
    return this.spec.instanceType;
  }
}

/** Hours in an average month, as AWS's calculator counts them. */
export const HOURS_PER_MONTH = 730;

/** The catalog entry of a type, or undefined. */
export function gpuInstanceSpec(instanceType: string): GpuInstanceSpec | undefined {
  return BY_TYPE.get(instanceType);
}
