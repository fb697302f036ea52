import { Construct } from "constructs";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Environment } from "./environment";
import { Shape, checkShape } from "./shape";
import { claimPhysicalName } from "./physical-names";

/**
 * The environment's customer-managed KMS key, rotated yearly. Every construct encrypts
 * with it: EKS secrets, EBS volumes, S3, RDS, logs, ECR, DynamoDB, ElastiCache.
 * The key policy lets the account administer it through IAM, and lets the two AWS
 * services that use it without an IAM role of ours do so: CloudWatch Logs (for this
 * environment's log groups only) and EC2 Auto Scaling (for encrypted node volumes).
 */
export interface EnvironmentKeyProps {
  /** Alias is `alias/<env prefix>` plus this suffix. @default - no suffix */
  readonly aliasSuffix?: string;
}

/**
 * An AWS service that encrypts with the key on the environment's behalf, without an IAM role
 * of ours: the key policy must name it. Scoped by an encryption-context condition.
 */
export interface KeyServiceUse {
  /** Statement id in the key policy (unique within the key). */
  readonly sid: string;
  /** Service principal, e.g. "events.amazonaws.com". */
  readonly service: string;
  readonly actions: readonly string[];
  /** Encryption context key and the values it must match (ArnEquals/StringEquals as `test`). */
  readonly condition: { readonly test: string; readonly variable: string; readonly values: readonly string[] };
}

export class EnvironmentKey extends Construct {
  public readonly key: KmsKey;
  public readonly alias: KmsAlias;
  private readonly policy: DataAwsIamPolicyDocument;
  private readonly statements: DataAwsIamPolicyDocumentStatement[];

  constructor(scope: Construct, id: string, props: EnvironmentKeyProps = {}) {
    super(scope, id);
    checkShape(this.node.path, props, {
      aliasSuffix: Shape.optional(Shape.string()),
    });
    const env = Environment.of(this);
    const autoscaling = `arn:aws:iam::${env.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
    this.statements = [
      {
        sid: "AccountAdministersKeyThroughIam",
        principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${env.accountId}:root`] }],
        actions: ["kms:*"],
        resources: ["*"], // in a key policy "*" means this key
      },
      {
        sid: "CloudWatchLogsOfThisEnvironment",
        principals: [{ type: "Service", identifiers: [`logs.${env.region}.amazonaws.com`] }],
        actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        resources: ["*"],
        condition: [
          {
            test: "ArnLike",
            variable: "kms:EncryptionContext:aws:logs:arn",
            values: [
              env.arn("logs", `log-group:/${env.prefix}/*`),
              env.arn("logs", `log-group:/aws/eks/${env.prefix}-*`),
              // RDS exports database logs to /aws/rds/instance/<identifier>/<log>; identifiers start with the prefix.
              env.arn("logs", `log-group:/aws/rds/instance/${env.prefix}-*`),
            ],
          },
        ],
      },
      {
        sid: "AutoScalingUsesKeyForNodeVolumes",
        principals: [{ type: "AWS", identifiers: [autoscaling] }],
        actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        resources: ["*"],
      },
      {
        sid: "AutoScalingGrantsForNodeVolumes",
        principals: [{ type: "AWS", identifiers: [autoscaling] }],
        actions: ["kms:CreateGrant"],
        resources: ["*"],
        condition: [{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
      },
    ];
    const policy = new DataAwsIamPolicyDocument(this, "policy", { statement: [...this.statements] });
    this.policy = policy;
    this.key = new KmsKey(this, "key", {
      description: `${env.prefix}: encryption key of every resource in the environment`,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: 30,
      policy: policy.json,
    });
    const aliasName = `alias/${env.prefix}${props.aliasSuffix ? `-${props.aliasSuffix}` : ""}`;
    claimPhysicalName(this, "KMS alias", "aliasSuffix", aliasName, "region");
    this.alias = new KmsAlias(this, "alias", { name: aliasName, targetKeyId: this.key.keyId });
  }

  // Made once: every read of a resource attribute is a new cdktf token, and cdktf records a stack trace for each (README.md, Performance).
  private keyArnToken?: string;

  public get keyArn(): string {
    return (this.keyArnToken ??= this.key.arn);
  }

  /**
   * Lets an AWS service principal use the key, for the one resource its encryption context
   * names (EventBridge delivering to a KMS-encrypted SQS queue, for example).
   */
  public allowServiceUse(use: KeyServiceUse): void {
    this.statements.push({
      sid: use.sid,
      principals: [{ type: "Service", identifiers: [use.service] }],
      actions: [...use.actions],
      resources: ["*"],
      condition: [{ test: use.condition.test, variable: use.condition.variable, values: [...use.condition.values] }],
    });
    this.policy.putStatement([...this.statements]);
  }
}
