import { InstanceCapacity, instanceCapacity, nodeAllocatable } from "../../lib/gpu-cluster/node-allocatable";

/**
 * Node capacity for the wiring checks on the rendered set: the library's own figures
 * (lib/gpu-cluster/node-allocatable.ts: instance catalogs and the EKS AL2023 kubelet
 * reservations, with their sources), in the units the wiring checks use. No second table.
 */
export type NodeSpec = InstanceCapacity;

export function nodeSpec(instanceType: string): NodeSpec | undefined {
  return instanceCapacity(instanceType);
}

export interface Allocatable {
  /** millicores */
  readonly cpu: number;
  /** MiB */
  readonly memory: number;
  readonly gpus: number;
  readonly pods: number;
}

export function allocatable(spec: NodeSpec): Allocatable {
  const a = nodeAllocatable(spec);
  return { cpu: a.cpuMillicores, memory: a.memoryMiB, gpus: a.gpus, pods: a.pods };
}
