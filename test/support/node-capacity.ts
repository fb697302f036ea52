import { GPU_INSTANCES } from "../../lib/gpu-cluster/gpu-instances";

/**
 * Allocatable resources of an EKS AL2023 node, as nodeadm configures the kubelet
 * (awslabs/amazon-eks-ami nodeadm/internal/kubelet/config.go, read at 81fec2e8, 2026-07-23):
 * - kube-reserved memory: 11 MiB x maxPods + 255 MiB (getMemoryMebibytesToReserve);
 * - kube-reserved CPU: 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% above
 *   (getCPUMillicoresToReserve);
 * - eviction threshold memory.available: 100Mi;
 * - maxPods: ENIs x (IPv4 addresses per ENI - 1) + 2, from nodeadm/internal/kubelet/instance-info.jsonl.
 *
 * Memory starts from the instance's nominal size, so this is an upper bound: the node's
 * reported capacity is lower (the kernel keeps some), and a request above it never fits.
 */
export interface NodeSpec {
  readonly instanceType: string;
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly gpus: number;
  readonly maxPods: number;
}

/** ENIs and IPv4 addresses per ENI (instance-info.jsonl) of the instance types the reference platform and example use. */
const ENIS: Readonly<Record<string, [enis: number, ipsPerEni: number]>> = {
  "m6i.large": [3, 10], "m6i.xlarge": [4, 15], "m6i.2xlarge": [4, 15],
  "g5.xlarge": [4, 15], "g6.xlarge": [4, 15], "g6.2xlarge": [4, 15], "p5.48xlarge": [2, 50],
};

/** CPU instance types (Amazon EC2 instance type specifications, general purpose: m6i). */
const CPU_TYPES: Readonly<Record<string, [vcpus: number, memoryGiB: number]>> = {
  "m6i.large": [2, 8], "m6i.xlarge": [4, 16], "m6i.2xlarge": [8, 32],
};

export function nodeSpec(instanceType: string): NodeSpec | undefined {
  const eni = ENIS[instanceType];
  if (!eni) return undefined;
  const maxPods = eni[0] * (eni[1] - 1) + 2;
  const gpu = GPU_INSTANCES.find((g) => g.instanceType === instanceType);
  if (gpu) return { instanceType, vcpus: gpu.vcpu, memoryGiB: gpu.memoryGiB, gpus: gpu.gpuCount, maxPods };
  const cpu = CPU_TYPES[instanceType];
  return cpu ? { instanceType, vcpus: cpu[0], memoryGiB: cpu[1], gpus: 0, maxPods } : undefined;
}

export interface Allocatable {
  /** millicores */
  readonly cpu: number;
  /** MiB */
  readonly memory: number;
  readonly gpus: number;
  readonly pods: number;
}

function reservedCpuMillicores(vcpus: number): number {
  const total = vcpus * 1000;
  const ranges = [0, 1000, 2000, 4000, total];
  const per10k = [600, 100, 50, 25];
  let reserved = 0;
  per10k.forEach((pct, i) => {
    if (total > ranges[i]) reserved += ((Math.min(total, ranges[i + 1]) - ranges[i]) * pct) / 10000;
  });
  return reserved;
}

export function allocatable(spec: NodeSpec): Allocatable {
  return {
    cpu: spec.vcpus * 1000 - reservedCpuMillicores(spec.vcpus),
    memory: spec.memoryGiB * 1024 - (11 * spec.maxPods + 255) - 100,
    gpus: spec.gpus,
    pods: spec.maxPods,
  };
}
