import { GPU_INSTANCES } from "./gpu-instances";
import { SYSTEM_INSTANCES } from "./system-instances";

/** What one node of an instance type offers before the kubelet's reservations. */
export interface InstanceCapacity {
  readonly instanceType: string;
  readonly vcpus: number;
  /** Nominal memory of the instance type, GiB. */
  readonly memoryGiB: number;
  /** NVIDIA GPUs (`nvidia.com/gpu`); 0 for CPU types. */
  readonly gpus: number;
  /** Pods the kubelet admits (nodeadm's ENI-based maxPods). */
  readonly maxPods: number;
}

/** What the scheduler may place on one node: capacity minus the kubelet's reservations. */
export interface NodeAllocatable {
  readonly cpuMillicores: number;
  readonly memoryMiB: number;
  readonly gpus: number;
  readonly pods: number;
}

/**
 * The kubelet reservations nodeadm sets on EKS AL2023 nodes (awslabs/amazon-eks-ami
 * nodeadm/internal/kubelet/config.go at commit 81fec2e8, 2026-07-23):
 * - kube-reserved memory: 11 MiB x maxPods + 255 MiB (getMemoryMebibytesToReserve);
 * - kube-reserved CPU: 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% of
 *   the rest, each range rounded down to whole millicores (getCPUMillicoresToReserve);
 * - eviction threshold `memory.available`: 100Mi (the kubelet config defaults in that file);
 * - maxPods: ENIs x (IPv4 addresses per ENI - 1) + 2 (eni_max_pods.go calculateStandardMaxPods).
 *
 * Memory starts from the instance type's nominal size, so the figure is an upper bound: a
 * node reports a little less (the kernel keeps some). A request above it never fits.
 */
export const KUBELET_RESERVATIONS = {
  source: "awslabs/amazon-eks-ami nodeadm/internal/kubelet/config.go, commit 81fec2e8 (2026-07-23)",
  memoryMiBPerPod: 11,
  memoryMiBBase: 255,
  evictionMemoryMiB: 100,
  /** Millicore range boundaries and the share reserved in each, in 1/10000. */
  cpuRangesMillicores: [0, 1000, 2000, 4000],
  cpuPer10000: [600, 100, 50, 25],
} as const;

/** Capacity of a GPU or system catalog instance type, or undefined for a type in neither catalog. */
export function instanceCapacity(instanceType: string): InstanceCapacity | undefined {
  const gpu = GPU_INSTANCES.find((g) => g.instanceType === instanceType);
  if (gpu) return { instanceType, vcpus: gpu.vcpu, memoryGiB: gpu.memoryGiB, gpus: gpu.gpuCount, maxPods: gpu.maxPods };
  const cpu = SYSTEM_INSTANCES.find((s) => s.instanceType === instanceType);
  return cpu ? { instanceType, vcpus: cpu.vcpus, memoryGiB: cpu.memoryGiB, gpus: 0, maxPods: cpu.maxPods } : undefined;
}

/** Millicores nodeadm reserves for the kubelet and container runtime on a node of `vcpus` cores. */
export function reservedCpuMillicores(vcpus: number): number {
  const total = vcpus * 1000;
  const { cpuRangesMillicores: starts, cpuPer10000: shares } = KUBELET_RESERVATIONS;
  let reserved = 0;
  shares.forEach((share, i) => {
    const start = starts[i];
    const end = i + 1 < starts.length ? starts[i + 1] : total;
    if (total > start) reserved += Math.floor(((Math.min(total, end) - start) * share) / 10000);
  });
  return reserved;
}

/** MiB nodeadm reserves (kube-reserved) plus the eviction threshold, on a node admitting `maxPods` pods. */
export function reservedMemoryMiB(maxPods: number): number {
  const r = KUBELET_RESERVATIONS;
  return r.memoryMiBPerPod * maxPods + r.memoryMiBBase + r.evictionMemoryMiB;
}

/** The allocatable resources of one EKS AL2023 node of this capacity. */
export function nodeAllocatable(node: InstanceCapacity): NodeAllocatable {
  return {
    cpuMillicores: node.vcpus * 1000 - reservedCpuMillicores(node.vcpus),
    memoryMiB: node.memoryGiB * 1024 - reservedMemoryMiB(node.maxPods),
    gpus: node.gpus,
    pods: node.maxPods,
  };
}
