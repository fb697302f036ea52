import { Construct } from "constructs";
import { LaunchTemplate, LaunchTemplateNetworkInterfaces } from "@cdktf/provider-aws/lib/launch-template";

export interface NodeLaunchTemplateProps {
  readonly name: string;
  readonly keyArn: string;
  readonly rootVolumeGiB: number;
  /** Security groups of every network interface of the node. */
  readonly securityGroupIds: readonly string[];
  /** EFA network cards (multi-node pools); 0 for a plain ENA interface. */
  readonly efaInterfaces: number;
  /** Cluster placement group (multi-node pools). @default - none */
  readonly placementGroupName?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The launch template every node group of the cluster uses: IMDSv2 only with a hop limit
 * of 1, so that pods cannot reach the node role's credentials (they get AWS access through
 * IRSA), and a gp3 root volume encrypted with the environment key. AMI and user data are
 * left to EKS (the node group's AMI type), so that EKS keeps bootstrapping and patching.
 */
export function nodeLaunchTemplate(scope: Construct, id: string, props: NodeLaunchTemplateProps): LaunchTemplate {
  const securityGroups = [...props.securityGroupIds];
  const efa: LaunchTemplateNetworkInterfaces[] = Array.from({ length: props.efaInterfaces }, (_, card) => ({
    // The first card carries the primary interface; EFA-only secondary cards use device index 1.
    deviceIndex: card === 0 ? 0 : 1,
    networkCardIndex: card,
    interfaceType: "efa",
    securityGroups,
    deleteOnTermination: "true",
  }));
  const tagged = (resourceType: string) => ({ resourceType, tags: { ...props.tags } });
  return new LaunchTemplate(scope, id, {
    namePrefix: `${props.name}-`,
    description: `Nodes of ${props.name}: IMDSv2 only, encrypted gp3 root volume`,
    updateDefaultVersion: true,
    // EFA interfaces carry their own security groups; the two may not be set together.
    ...(efa.length > 0 ? { networkInterfaces: efa } : { vpcSecurityGroupIds: securityGroups }),
    metadataOptions: {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: "disabled",
    },
    blockDeviceMappings: [
      {
        deviceName: "/dev/xvda",
        ebs: {
          volumeSize: props.rootVolumeGiB,
          volumeType: "gp3",
          encrypted: "true",
          kmsKeyId: props.keyArn,
          deleteOnTermination: "true",
        },
      },
    ],
    ...(props.placementGroupName ? { placement: { groupName: props.placementGroupName } } : {}),
    monitoring: { enabled: true },
    tagSpecifications: [tagged("instance"), tagged("volume"), tagged("network-interface")],
    tags: { ...props.tags },
    lifecycle: { createBeforeDestroy: true },
  });
}
