import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Ec2Tag } from "@cdktf/provider-aws/lib/ec2-tag";
import { Environment } from "../core/environment";
import { IEnvironmentKey } from "../core/environment-key";
import { ServiceAccountRole, roleName } from "../iam/service-account-role";
import { INetwork } from "../network/network";
import { KARPENTER_INTERRUPTION_EVENTS, karpenterControllerStatements } from "./private/karpenter-policy";
import { serviceTrustPolicy } from "./private/add-on-policies";

/** Tag by which Karpenter's EC2NodeClasses select the cluster's subnets and security groups. */
export const KARPENTER_DISCOVERY_TAG = "karpenter.sh/discovery";
/** Namespace and service account of the Karpenter controller (the chart's release in kube-system). */
export const KARPENTER_NAMESPACE = "kube-system";
export const KARPENTER_SERVICE_ACCOUNT = "karpenter";

/** What the Karpenter resources need from their cluster (internal: GpuTrainingCluster passes it). */
export interface KarpenterResourcesHost {
  readonly clusterName: string;
  /** The cluster resource's name attribute (the access entry waits for the cluster). */
  readonly eksClusterName: string;
  /** The EKS-created cluster security group id (a reference). */
  readonly clusterSecurityGroupId: string;
  /** Adds tags to the cluster's workload security group. */
  readonly tagWorkloadSecurityGroup: (tags: Readonly<Record<string, string>>) => void;
  readonly network: INetwork;
  readonly key: IEnvironmentKey;
  readonly addControllerRole: (id: string) => ServiceAccountRole;
}

const MANAGED = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** `name`, or when longer than `max`, its start and a stable hash of the whole (names stay unique and deterministic). */
function shortName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hashed = roleName(name); // 55 characters, "-", 8 hex digits
  return `${name.slice(0, max - 9)}${hashed.slice(-9)}`;
}

/**
 * The AWS side of Karpenter for one cluster, created with its first Karpenter pool: the
 * controller's IRSA role (the upstream controller policy scoped to this cluster), the role of
 * the nodes it launches with an EC2_LINUX access entry (so they can join), the interruption
 * queue (encrypted with the environment key) fed by EventBridge rules for spot
 * interruptions, rebalance recommendations, instance state changes and AWS Health
 * scheduled changes, and the `karpenter.sh/discovery` tag on the private subnets and the
 * node security groups.
 */
export class KarpenterResources extends Construct {
  public readonly controllerRole: ServiceAccountRole;
  /** Role of Karpenter's nodes; Karpenter makes their instance profile from it. */
  public readonly nodeRole: IamRole;
  /** The node role's name as a plain string (EC2NodeClass spec.role, in another stack). */
  public readonly nodeRoleName: string;
  public readonly nodeAccessEntry: EksAccessEntry;
  public readonly interruptionQueue: SqsQueue;
  public readonly interruptionRules: CloudwatchEventRule[] = [];
  /** The interruption queue's name (the chart's settings.interruptionQueue). */
  public readonly interruptionQueueName: string;
  /** The discovery tag's value: the cluster name. */
  public readonly discoveryValue: string;

  constructor(scope: Construct, id: string, host: KarpenterResourcesHost) {
    super(scope, id);
    const env = Environment.of(this);
    this.discoveryValue = host.clusterName;
    // SQS names are at most 80 characters and EventBridge rule names 64, cluster names up to 100:
    // longer names keep a stable hash suffix (as IAM role names do).
    this.interruptionQueueName = shortName(`${host.clusterName}-karpenter`, 80);
    const queueArn = env.arn("sqs", this.interruptionQueueName);

    // ---- nodes ----
    this.nodeRoleName = roleName(`${host.clusterName}-karpenter-node`);
    this.nodeRole = new IamRole(this, "node-role", {
      name: this.nodeRoleName,
      description: `Nodes Karpenter launches for ${host.clusterName}`,
      assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
    });
    // The managed node groups' policies and no more (upstream also attaches AmazonSSMManagedInstanceCore:
    // left out, no SSM sessions on nodes). Pods cannot use the role: IMDSv2 with hop limit 1.
    const policies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly"].map(
      (p) => new IamRolePolicyAttachment(this, `node-${p}`, { role: this.nodeRole.name, policyArn: MANAGED(p) }),
    );
    // EKS creates access entries for managed node groups' roles itself, never for Karpenter's.
    this.nodeAccessEntry = new EksAccessEntry(this, "node-access-entry", {
      clusterName: host.eksClusterName,
      principalArn: this.nodeRole.arn,
      type: "EC2_LINUX",
      dependsOn: policies,
    });

    // ---- interruption queue ----
    this.interruptionQueue = new SqsQueue(this, "interruption-queue", {
      name: this.interruptionQueueName,
      // Interruption notices are useless after two minutes; upstream keeps them 300 s.
      messageRetentionSeconds: 300,
      kmsMasterKeyId: host.key.keyArn,
      tags: { Name: this.interruptionQueueName },
    });
    // EventBridge encrypts what it sends with the queue's key: the key policy lets it, for this queue only.
    host.key.allowServiceUse({
      sid: `EventBridgeToKarpenterQueue${host.clusterName.replace(/[^A-Za-z0-9]/g, "")}`,
      service: "events.amazonaws.com",
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      condition: { test: "StringEquals", variable: "kms:EncryptionContext:aws:sqs:arn", values: [queueArn] },
    });
    for (const event of KARPENTER_INTERRUPTION_EVENTS) {
      const rule = new CloudwatchEventRule(this, `rule-${event.id}`, {
        name: shortName(`${host.clusterName}-karpenter-${event.id}`, 64),
        description: `Karpenter interruption handling for ${host.clusterName}: ${event.id}`,
        eventPattern: JSON.stringify(event.pattern),
      });
      new CloudwatchEventTarget(this, `target-${event.id}`, { rule: rule.name, targetId: "KarpenterInterruptionQueueTarget", arn: this.interruptionQueue.arn });
      this.interruptionRules.push(rule);
    }
    new SqsQueuePolicy(this, "interruption-queue-policy", {
      queueUrl: this.interruptionQueue.url,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Id: "EC2InterruptionPolicy",
        Statement: [
          {
            Sid: "EventBridgeRulesOfThisCluster",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: this.interruptionQueue.arn,
            // Narrower than upstream (which also names sqs.amazonaws.com, and no source): only these rules may send.
            Condition: { ArnEquals: { "aws:SourceArn": this.interruptionRules.map((r) => r.arn) } },
          },
          {
            Sid: "DenyHTTP",
            Effect: "Deny",
            Principal: "*",
            Action: "sqs:*",
            Resource: this.interruptionQueue.arn,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    });

    // ---- controller ----
    this.controllerRole = host.addControllerRole("karpenter-controller-role");
    for (const statement of karpenterControllerStatements(env, host.clusterName, this.nodeRole.arn, queueArn, host.key.keyArn)) this.controllerRole.addToPolicy(statement);

    // ---- discovery ----
    const discovery = { [KARPENTER_DISCOVERY_TAG]: this.discoveryValue };
    host.network.tagPrivateSubnets(discovery, this.node.path);
    host.tagWorkloadSecurityGroup(discovery);
    // The EKS-created cluster group is not a Terraform resource: an aws_ec2_tag tags it.
    new Ec2Tag(this, "cluster-security-group-discovery", {
      resourceId: host.clusterSecurityGroupId,
      key: KARPENTER_DISCOVERY_TAG,
      value: this.discoveryValue,
    });
  }
}
