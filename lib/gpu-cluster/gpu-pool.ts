import { Construct } from "constructs";
import { ITerraformDependable, Token } from "cdktf";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { PlacementGroup } from "@cdktf/provider-aws/lib/placement-group";
import { AutoscalingGroupTagA } from "@cdktf/provider-aws/lib/autoscaling-group-tag";
import { GPU_TAINT } from "../kubernetes/kubernetes";
import { GpuPoolInfo } from "./cluster-interface";
import { NodePoolCapacity } from "./cluster-capacity";
import { nodeLaunchTemplate } from "./private/node-launch-template";
import { PoolSpec, poolResourceName } from "./private/pool-spec";
import { gpuPoolCapacity, gpuPoolInfo, poolEfaInterfaces, poolNodeGroupLabels } from "./private/pool-info";

/** What a pool needs from its cluster (internal: GpuTrainingCluster passes it). */
export interface GpuPoolHost {
  /** Plain name, for the names of the pool's resources. */
  readonly clusterName: string;
  /** The cluster resource's name attribute: node groups must wait for the cluster. */
  readonly eksClusterName: string;
  /** The control plane's Kubernetes version (a reference, so nodes upgrade after the control plane). */
  readonly eksClusterVersion: string;
  readonly nodeRoleArn: string;
  readonly keyArn: string;
  /** Private subnet id per zone. */
  readonly subnetIdsByZone: ReadonlyMap<string, string>;
  readonly securityGroupIds: readonly string[];
  /** Node groups wait for these (the node role's policies, networking add-ons). */
  readonly dependsOn: readonly ITerraformDependable[];
}

/** Node group taints use the EKS API's spelling of effects. */
const EKS_TAINT_EFFECT = { NoSchedule: "NO_SCHEDULE", PreferNoSchedule: "PREFER_NO_SCHEDULE", NoExecute: "NO_EXECUTE" } as const;

/**
 * One GPU pool: an EKS managed node group on the NVIDIA AL2023 AMI, tainted so that only
 * GPU pods land on it, labelled with its pool and GPU model, able to scale to zero.
 * Created by `GpuTrainingCluster.addGpuPool`, which validates the options first.
 *
 * A pool with provisioner "karpenter" has no AWS resource of its own: its nodes come from a
 * Karpenter NodePool and EC2NodeClass, which GpuClusterAddons creates in the cluster from
 * the same spec (`karpenterNodePoolObjects`).
 */
export class GpuPool extends Construct {
  /** The managed node group; undefined for a Karpenter pool. */
  public readonly nodeGroup?: EksNodeGroup;
  /** The managed node group's launch template; undefined for a Karpenter pool. */
  public readonly launchTemplate?: LaunchTemplate;
  /** The cluster placement group of a multi-node pool. */
  public readonly placementGroup?: PlacementGroup;
  public readonly spec: PoolSpec;
  public readonly info: GpuPoolInfo;
  /** The pool as the cluster's capacity model sees it: instance types, max size, labels, taint. */
  public readonly capacity: NodePoolCapacity;

  constructor(scope: Construct, id: string, spec: PoolSpec, host: GpuPoolHost) {
    super(scope, id);
    this.spec = spec;
    const efaInterfaces = poolEfaInterfaces(spec);
    const nodeName = poolResourceName(host.clusterName, spec.name);
    const labels = poolNodeGroupLabels(spec);
    this.info = gpuPoolInfo(spec);
    this.capacity = gpuPoolCapacity(spec);
    if (spec.multiNode) {
      this.placementGroup = new PlacementGroup(this, "placement-group", { name: nodeName, strategy: "cluster" });
    }
    // Karpenter pools: no node group, no Auto Scaling group, no cluster-autoscaler tags (a
    // multi-node pool keeps its placement group: its EC2NodeClass selects it by name).
    if (spec.provisioner === "karpenter") return;
    this.launchTemplate = nodeLaunchTemplate(this, "launch-template", {
      name: nodeName,
      keyArn: host.keyArn,
      rootVolumeGiB: spec.diskSizeGiB,
      securityGroupIds: host.securityGroupIds,
      efaInterfaces,
      placementGroupName: this.placementGroup?.name,
      tags: { Name: nodeName },
    });

    const subnetIds = spec.availabilityZone ? [host.subnetIdsByZone.get(spec.availabilityZone)!] : [...host.subnetIdsByZone.values()];
    this.nodeGroup = new EksNodeGroup(this, "node-group", {
      clusterName: host.eksClusterName,
      // Nodes follow the control plane: a Kubernetes upgrade rolls them in place, after it.
      version: host.eksClusterVersion,
      // A prefix, with create-before-destroy: changing the instance types replaces the group without a gap.
      nodeGroupNamePrefix: `${spec.name}-`,
      nodeRoleArn: host.nodeRoleArn,
      subnetIds,
      amiType: "AL2023_x86_64_NVIDIA",
      capacityType: spec.capacity.type,
      instanceTypes: spec.instances.map((s) => s.instanceType),
      scalingConfig: { minSize: spec.minNodes, maxSize: spec.maxNodes, desiredSize: spec.desiredNodes },
      labels,
      taint: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: EKS_TAINT_EFFECT[GPU_TAINT.effect] }],
      launchTemplate: { id: this.launchTemplate.id, version: Token.asString(this.launchTemplate.latestVersion) },
      updateConfig: { maxUnavailable: 1 },
      nodeRepairConfig: { enabled: true },
      tags: { Name: nodeName, "ml-platform/gpu-pool": spec.name },
      dependsOn: [...host.dependsOn],
      lifecycle: {
        createBeforeDestroy: true,
        // cluster-autoscaler owns the node count once the pool exists.
        ignoreChanges: ["scaling_config[0].desired_size"],
      },
    });

    // EKS tags the group's Auto Scaling group with the autoscaler's discovery tags itself; the
    // node template (labels, taint, GPUs) must be on the ASG too, or the autoscaler cannot
    // tell what a node of an empty pool would offer and never scales it up from zero.
    const asgName = this.nodeGroup.resources.get(0).autoscalingGroups.get(0).name;
    for (const [key, value] of Object.entries(this.nodeTemplateTags(labels, efaInterfaces))) {
      new AutoscalingGroupTagA(this, `asg-tag-${key.replace(/[^A-Za-z0-9]+/g, "-")}`, {
        autoscalingGroupName: asgName,
        tag: { key, value, propagateAtLaunch: false },
      });
    }
  }

  /** The cluster-autoscaler node-template tags of the pool. */
  public nodeTemplateTags(labels: Readonly<Record<string, string>>, efaInterfaces: number): Record<string, string> {
    const prefix = "k8s.io/cluster-autoscaler/node-template";
    return {
      ...Object.fromEntries(Object.entries(labels).map(([k, v]) => [`${prefix}/label/${k}`, v])),
      [`${prefix}/label/eks.amazonaws.com/capacityType`]: this.spec.capacity.type,
      [`${prefix}/taint/${GPU_TAINT.key}`]: `${GPU_TAINT.value}:${GPU_TAINT.effect}`,
      [`${prefix}/resources/nvidia.com/gpu`]: String(this.spec.gpusPerNode),
      ...(efaInterfaces > 0 ? { [`${prefix}/resources/vpc.amazonaws.com/efa`]: String(efaInterfaces) } : {}),
    };
  }

  public get worstCaseMonthlyUsd(): number {
    return this.spec.worstCaseMonthlyUsd;
  }
}
