import { Capacity, GpuInstance } from "../../../lib";
import { resourcesOfType } from "../../support/synth";
import { GENERAL, clusterJson } from "./fixture";

const poolResources = (json: any, type: string, pool: string): any[] =>
  Object.entries(resourcesOfType(json, type))
    .filter(([n]) => n.startsWith(`training_gpu-pool-${pool}_`))
    .map(([, r]) => r);
const one = (json: any, type: string, pool: string): any => {
  const found = poolResources(json, type, pool);
  if (found.length !== 1) throw new Error(`expected one ${type} in pool ${pool}, found ${found.length}`);
  return found[0];
};

const MULTI = { name: "multi", instanceTypes: [GpuInstance.of("p4d.24xlarge")], maxNodes: 2, multiNode: true } as const;

describe("GPU pool", () => {
  const json = clusterJson({}, { gpuPools: [{ ...GENERAL, capacity: Capacity.spot(), labels: { team: "vision" } }] });
  const group = one(json, "aws_eks_node_group", "general");
  const template = one(json, "aws_launch_template", "general");

  test("is a managed node group on the NVIDIA AL2023 AMI with the pool's instance types and capacity", () => {
    expect(group).toMatchObject({ ami_type: "AL2023_x86_64_NVIDIA", instance_types: ["g5.xlarge"], capacity_type: "SPOT", node_group_name_prefix: "general-" });
  });

  test("carries the GPU taint", () => {
    expect(group.taint).toEqual([{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }]);
  });

  test("labels its nodes with the pool, the GPU model, the GPU marker and the user's labels", () => {
    expect(group.labels).toEqual({
      team: "vision",
      "ml-platform/pool": "general",
      "ml-platform/gpu-model": "A10G",
      "ml-platform/gpu": "true",
      "k8s.amazonaws.com/accelerator": "nvidia-a10g",
    });
  });

  test("scales from zero by default, and Terraform leaves the desired size to the autoscaler", () => {
    expect(group.scaling_config).toEqual({ min_size: 0, max_size: 2, desired_size: 0 });
    expect(group.lifecycle.ignore_changes).toEqual(["scaling_config[0].desired_size"]);
    expect(group.lifecycle.create_before_destroy).toBe(true);
  });

  test("runs the control plane's Kubernetes version, so an upgrade rolls the nodes after the control plane", () => {
    expect(group.version).toMatch(/^\$\{aws_eks_cluster\.training_cluster_[0-9A-F]+\.version\}$/);
  });

  test("uses its launch template's latest version", () => {
    expect(group.launch_template.id).toMatch(/^\$\{aws_launch_template\.training_gpu-pool-general_launch-template_[0-9A-F]+\.id\}$/);
    expect(group.launch_template.version).toMatch(/latest_version\}$/);
  });

  test("the launch template requires IMDSv2 with a hop limit of 1", () => {
    expect(template.metadata_options).toMatchObject({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 });
  });

  test("the root volume is gp3, encrypted with the environment key, 200 GiB by default", () => {
    expect(template.block_device_mappings).toEqual([
      {
        device_name: "/dev/xvda",
        ebs: { volume_size: 200, volume_type: "gp3", encrypted: "true", kms_key_id: "${aws_kms_key.kms_key_28C05A0F.arn}", delete_on_termination: "true" },
      },
    ]);
  });

  test("nodes get the cluster security group and the workload security group", () => {
    expect(template.vpc_security_group_ids).toHaveLength(2);
    expect(template.vpc_security_group_ids[0]).toMatch(/vpc_config\[0\]\.cluster_security_group_id\}$/);
    expect(template.vpc_security_group_ids[1]).toMatch(/aws_security_group\.training_workload-sg_/);
  });

  test("tags its Auto Scaling group with the autoscaler's node template, so it can scale up from zero", () => {
    const tags = Object.fromEntries(poolResources(json, "aws_autoscaling_group_tag", "general").map((t) => [t.tag.key, t.tag.value]));
    expect(tags).toEqual({
      "k8s.io/cluster-autoscaler/node-template/label/team": "vision",
      "k8s.io/cluster-autoscaler/node-template/label/ml-platform/pool": "general",
      "k8s.io/cluster-autoscaler/node-template/label/ml-platform/gpu-model": "A10G",
      "k8s.io/cluster-autoscaler/node-template/label/ml-platform/gpu": "true",
      "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator": "nvidia-a10g",
      "k8s.io/cluster-autoscaler/node-template/label/eks.amazonaws.com/capacityType": "SPOT",
      "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "1",
    });
  });

  test("the node-template tags go on the node group's own Auto Scaling group and not onto instances", () => {
    for (const t of poolResources(json, "aws_autoscaling_group_tag", "general")) {
      expect(t.autoscaling_group_name).toMatch(/aws_eks_node_group\.training_gpu-pool-general_node-group_[0-9A-F]+\.resources\[0\]\.autoscaling_groups\[0\]\.name\}$/);
      expect(t.tag.propagate_at_launch).toBe(false);
    }
  });

  test("a single-node pool spans every zone and has no placement group or EFA", () => {
    expect(group.subnet_ids).toHaveLength(3);
    expect(resourcesOfType(json, "aws_placement_group")).toEqual({});
    expect(template.network_interfaces).toBeUndefined();
  });

  test("on-demand is the default capacity", () => {
    const other = one(clusterJson({}, { gpuPools: [GENERAL] }), "aws_eks_node_group", "general");
    expect(other.capacity_type).toBe("ON_DEMAND");
  });
});

describe("multi-node GPU pool", () => {
  const json = clusterJson({ gpuMonthlyBudgetUsd: 100000 }, { gpuPools: [MULTI] });
  const template = one(json, "aws_launch_template", "multi");

  test("places its nodes in one cluster placement group", () => {
    const group = one(json, "aws_placement_group", "multi");
    expect(group).toMatchObject({ name: "ml-test-training-multi", strategy: "cluster" });
    expect(template.placement.group_name).toMatch(/aws_placement_group\.training_gpu-pool-multi_placement-group_[0-9A-F]+\.name\}$/);
  });

  test("lives in one zone: the environment's first", () => {
    expect(one(json, "aws_eks_node_group", "multi").subnet_ids).toEqual([expect.stringMatching(/aws_subnet\.network_private-us-east-1a_/)]);
  });

  test("gives every EFA network card of the type an EFA interface carrying the node security groups", () => {
    expect(template.network_interfaces).toHaveLength(4);
    expect(template.network_interfaces.map((n: any) => [n.network_card_index, n.device_index, n.interface_type])).toEqual([
      [0, 0, "efa"],
      [1, 1, "efa"],
      [2, 1, "efa"],
      [3, 1, "efa"],
    ]);
    expect(template.network_interfaces.every((n: any) => n.security_groups.length === 2)).toBe(true);
    expect(template.vpc_security_group_ids).toBeUndefined();
  });

  test("tells the autoscaler the node offers EFA devices", () => {
    const tags = Object.fromEntries(poolResources(json, "aws_autoscaling_group_tag", "multi").map((t) => [t.tag.key, t.tag.value]));
    expect(tags["k8s.io/cluster-autoscaler/node-template/resources/vpc.amazonaws.com/efa"]).toBe("4");
    expect(tags["k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"]).toBe("8");
  });
});
