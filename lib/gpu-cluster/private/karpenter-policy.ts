import { Environment } from "../../core/environment";
import { PolicyStatement } from "../../iam/policy-statement";

/**
 * The Karpenter controller's permissions: the upstream controller policy for Karpenter 1.x
 * (aws/karpenter-provider-aws, website/content/en/v1.14/getting-started/
 * getting-started-with-karpenter/cloudformation.yaml at v1.14.1: NodeLifecyclePolicy,
 * IAMIntegrationPolicy, EKSIntegrationPolicy, InterruptionPolicy, ResourceDiscoveryPolicy),
 * with every condition scoped to this cluster and region as upstream does. Narrower than
 * upstream: no ZonalShiftPolicy (the chart's settings.enableZonalShift stays false),
 * iam:PassRole only to ec2.amazonaws.com (the aws partition; no ".cn" principal), and
 * iam:ListInstanceProfiles on instance profiles instead of "*". Added: use
 * of the environment key through EC2 only, for the nodes' encrypted root volumes, and
 * kms:Decrypt through SQS for the interruption queue (encrypted with that key).
 */
export function karpenterControllerStatements(env: Environment, clusterName: string, nodeRoleArn: string, queueArn: string, keyArn: string): PolicyStatement[] {
  const ec2 = (resource: string) => `arn:aws:ec2:${env.region}:*:${resource}`;
  const owned = `kubernetes.io/cluster/${clusterName}`;
  const instanceProfiles = `arn:aws:iam::${env.accountId}:instance-profile/*`;
  const launched = ["fleet/*", "instance/*", "volume/*", "network-interface/*", "launch-template/*", "spot-instances-request/*"].map(ec2);
  return [
    {
      sid: "AllowScopedEC2InstanceAccessActions",
      actions: ["ec2:RunInstances", "ec2:CreateFleet"],
      resources: [
        `arn:aws:ec2:${env.region}::image/*`,
        `arn:aws:ec2:${env.region}::snapshot/*`,
        ...["security-group/*", "subnet/*", "capacity-reservation/*", "placement-group/*"].map(ec2),
      ],
    },
    {
      sid: "AllowScopedEC2LaunchTemplateAccessActions",
      actions: ["ec2:RunInstances", "ec2:CreateFleet"],
      resources: [ec2("launch-template/*")],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${owned}`]: "owned" },
        StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
      },
    },
    {
      sid: "AllowScopedEC2InstanceActionsWithTags",
      actions: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
      resources: launched,
      conditions: {
        StringEquals: { [`aws:RequestTag/${owned}`]: "owned", "aws:RequestTag/eks:eks-cluster-name": clusterName },
        StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
      },
    },
    {
      sid: "AllowScopedResourceCreationTagging",
      actions: ["ec2:CreateTags"],
      resources: launched,
      conditions: {
        StringEquals: {
          [`aws:RequestTag/${owned}`]: "owned",
          "aws:RequestTag/eks:eks-cluster-name": clusterName,
          "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
        },
        StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
      },
    },
    {
      sid: "AllowScopedResourceTagging",
      actions: ["ec2:CreateTags"],
      resources: [ec2("instance/*")],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${owned}`]: "owned" },
        StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
        StringEqualsIfExists: { "aws:RequestTag/eks:eks-cluster-name": clusterName },
        "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
      },
    },
    {
      sid: "AllowScopedDeletion",
      actions: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
      resources: [ec2("instance/*"), ec2("launch-template/*")],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${owned}`]: "owned" },
        StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
      },
    },
    {
      sid: "AllowPassingInstanceRole",
      actions: ["iam:PassRole"],
      resources: [nodeRoleArn],
      conditions: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
    },
    {
      sid: "AllowScopedInstanceProfileCreationActions",
      actions: ["iam:CreateInstanceProfile"],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: {
          [`aws:RequestTag/${owned}`]: "owned",
          "aws:RequestTag/eks:eks-cluster-name": clusterName,
          "aws:RequestTag/topology.kubernetes.io/region": env.region,
        },
        StringLike: { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
      },
    },
    {
      sid: "AllowScopedInstanceProfileTagActions",
      actions: ["iam:TagInstanceProfile"],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: {
          [`aws:ResourceTag/${owned}`]: "owned",
          "aws:ResourceTag/topology.kubernetes.io/region": env.region,
          [`aws:RequestTag/${owned}`]: "owned",
          "aws:RequestTag/eks:eks-cluster-name": clusterName,
          "aws:RequestTag/topology.kubernetes.io/region": env.region,
        },
        StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*", "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
      },
    },
    {
      sid: "AllowScopedInstanceProfileActions",
      actions: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
      resources: [instanceProfiles],
      conditions: {
        StringEquals: { [`aws:ResourceTag/${owned}`]: "owned", "aws:ResourceTag/topology.kubernetes.io/region": env.region },
        StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" },
      },
    },
    {
      sid: "AllowAPIServerEndpointDiscovery",
      actions: ["eks:DescribeCluster"],
      resources: [env.arn("eks", `cluster/${clusterName}`)],
    },
    {
      sid: "AllowInterruptionQueueActions",
      actions: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
      resources: [queueArn],
    },
    // Beyond upstream, whose queue uses SQS-managed encryption: reading messages of a queue
    // encrypted with a KMS key needs kms:Decrypt, here through SQS and for this queue only.
    {
      sid: "DecryptInterruptionQueueMessages",
      actions: ["kms:Decrypt"],
      resources: [keyArn],
      conditions: { StringEquals: { "kms:ViaService": `sqs.${env.region}.amazonaws.com`, "kms:EncryptionContext:aws:sqs:arn": queueArn } },
    },
    {
      sid: "AllowRegionalReadActions",
      actions: [
        "ec2:DescribeCapacityReservations",
        "ec2:DescribeImages",
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceStatus",
        "ec2:DescribeInstanceTypeOfferings",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribePlacementGroups",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSpotPriceHistory",
        "ec2:DescribeSubnets",
      ],
      // EC2 Describe actions support no resource-level permissions: "*" with the region condition, as upstream.
      resources: ["*"],
      conditions: { StringEquals: { "aws:RequestedRegion": env.region } },
    },
    {
      sid: "AllowSSMReadActions",
      actions: ["ssm:GetParameter"],
      // The public EKS AMI parameters the al2023 alias resolves.
      resources: [`arn:aws:ssm:${env.region}::parameter/aws/service/*`],
    },
    {
      sid: "AllowPricingReadActions",
      actions: ["pricing:GetProducts"],
      resources: ["*"],
    },
    {
      // Upstream grants it on "*"; IAM scopes ListInstanceProfiles to instance-profile resources
      // (Service Authorization Reference, IAM: ListInstanceProfiles, resource type instance-profile).
      sid: "AllowInstanceProfileListAction",
      actions: ["iam:ListInstanceProfiles"],
      resources: [instanceProfiles],
    },
    // Beyond upstream, which assumes the default EBS key: EC2 launches the EC2NodeClass's root
    // volumes, encrypted with the environment key, with the caller's (Karpenter's) KMS permissions.
    {
      sid: "UseEnvironmentKeyForNodeVolumes",
      actions: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"],
      resources: [keyArn],
      conditions: { StringEquals: { "kms:ViaService": `ec2.${env.region}.amazonaws.com` } },
    },
    {
      sid: "GrantsForNodeVolumes",
      actions: ["kms:CreateGrant"],
      resources: [keyArn],
      conditions: { StringEquals: { "kms:ViaService": `ec2.${env.region}.amazonaws.com` }, Bool: { "kms:GrantIsForAWSResource": "true" } },
    },
    {
      sid: "AllowInstanceProfileReadActions",
      actions: ["iam:GetInstanceProfile"],
      resources: [instanceProfiles],
    },
  ];
}

/**
 * The EventBridge events Karpenter reads from its interruption queue (upstream
 * cloudformation.yaml above: ScheduledChangeRule, SpotInterruptionRule, RebalanceRule,
 * InstanceStateChangeRule, CapacityReservationInterruptionRule). The AWS Health rule is
 * narrowed to EC2 scheduled changes, the only Health events Karpenter acts on
 * (pkg/controllers/interruption/messages/scheduledchange at v1.14.1).
 */
export const KARPENTER_INTERRUPTION_EVENTS: readonly { readonly id: string; readonly pattern: Record<string, unknown> }[] = [
  { id: "scheduled-change", pattern: { source: ["aws.health"], "detail-type": ["AWS Health Event"], detail: { service: ["EC2"], eventTypeCategory: ["scheduledChange"] } } },
  { id: "spot-interruption", pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] } },
  { id: "rebalance", pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] } },
  { id: "instance-state-change", pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] } },
  { id: "capacity-reservation-interruption", pattern: { source: ["aws.ec2"], "detail-type": ["EC2 Capacity Reservation Instance Interruption Warning"] } },
];
