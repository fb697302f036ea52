/**
 * CPU instance types the system node group may use (x86_64, because the system node group
 * runs the AL2023 x86_64 AMI), with what a capacity check needs.
 *
 * Sources, read 2026-11-30:
 * - vCPUs and memory: Amazon EC2 instance types, "General purpose", "Compute optimized",
 *   "Memory optimized" specifications tables (docs.aws.amazon.com/ec2/latest/instancetypes/).
 * - maxPods: amazon-eks-ami `templates/shared/runtime/eni-max-pods.txt`
 *   (ENIs x (IPv4 addresses per ENI - 1) + 2, without prefix delegation); checked against
 *   nodeadm/internal/kubelet/instance-info.jsonl at commit 81fec2e8 (2026-07-23), the table
 *   AL2023's nodeadm reads (every entry agrees; compared on 2026-11-30).
 * c5 has no 8xlarge (it has 9xlarge), so c5.8xlarge is not in the catalog.
 */
export interface SystemInstanceSpec {
  readonly instanceType: string;
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly maxPods: number;
}

const SIZES: readonly [string, number, number, number][] = [
  // size, vCPUs, memory multiple of vCPUs (filled per family), max pods
  ["large", 2, 0, 29],
  ["xlarge", 4, 0, 58],
  ["2xlarge", 8, 0, 58],
  ["4xlarge", 16, 0, 234],
  ["8xlarge", 32, 0, 234],
];

/** Families and their GiB of memory per vCPU. */
const FAMILIES: Readonly<Record<string, number>> = {
  m5: 4,
  m6i: 4,
  m6a: 4,
  m7i: 4,
  m7a: 4,
  c5: 2,
  c6i: 2,
  c6a: 2,
  c7i: 2,
  r5: 8,
  r6i: 8,
  r6a: 8,
  r7i: 8,
};

/** Sizes that do not exist in a family of FAMILIES. */
const MISSING = new Set(["c5.8xlarge"]);

export const SYSTEM_INSTANCES: readonly SystemInstanceSpec[] = Object.entries(FAMILIES)
  .flatMap(([family, gibPerVcpu]) => SIZES.map(([size, vcpus, , maxPods]) => ({ instanceType: `${family}.${size}`, vcpus, memoryGiB: vcpus * gibPerVcpu, maxPods })))
  .filter((s) => !MISSING.has(s.instanceType));

export function systemInstanceSpec(instanceType: string): SystemInstanceSpec | undefined {
  return SYSTEM_INSTANCES.find((s) => s.instanceType === instanceType);
}
