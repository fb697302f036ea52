import { Environment } from "../../core/environment";
import { PolicyStatement } from "../../iam/policy-statement";

/**
 * cluster-autoscaler's permissions, as its AWS documentation lists them, narrowed to this
 * cluster: it may resize and terminate instances only in Auto Scaling groups tagged as
 * owned by this cluster (EKS tags every managed node group's group so).
 */
export function clusterAutoscalerStatements(env: Environment, clusterName: string): PolicyStatement[] {
  return [
    {
      sid: "DescribeScalingState",
      actions: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
      ],
      // These Describe/Get actions support no resource-level permissions in IAM: "*" is the only valid resource.
      resources: ["*"],
    },
    {
      sid: "DescribeOwnNodeGroups",
      actions: ["eks:DescribeNodegroup"],
      resources: [env.arn("eks", `nodegroup/${clusterName}/*/*`)],
    },
    {
      sid: "ScaleOwnNodeGroups",
      actions: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      // Managed node groups' Auto Scaling groups are named eks-<node group>-<uuid>.
      resources: [env.arn("autoscaling", "autoScalingGroup:*:autoScalingGroupName/eks-*")],
      conditions: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
    },
  ];
}

/**
 * What the EBS CSI driver needs beyond AmazonEBSCSIDriverPolicy to create and attach
 * volumes encrypted with the environment key (the StorageClass names the key).
 */
export function ebsCsiKmsStatements(keyArn: string): PolicyStatement[] {
  return [
    {
      sid: "GrantsForEncryptedVolumes",
      actions: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
      resources: [keyArn],
      conditions: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    },
    {
      sid: "UseKeyForEncryptedVolumes",
      actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      resources: [keyArn],
    },
  ];
}

/**
 * A trust policy for an AWS service principal. No aws:SourceAccount condition: EKS and
 * EC2 do not document setting it when they assume cluster and node roles.
 */
export function serviceTrustPolicy(service: "eks.amazonaws.com" | "ec2.amazonaws.com"): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        // EKS tags its sessions (as the current EKS cluster role documentation shows).
        Action: service === "eks.amazonaws.com" ? ["sts:AssumeRole", "sts:TagSession"] : "sts:AssumeRole",
      },
    ],
  });
}
