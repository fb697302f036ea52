import { Construct, IConstruct } from "constructs";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Environment } from "./environment";
import { Shape, checkShape } from "./shape";
import { claimPhysicalName } from "./physical-names";
import { ConfigError, Validator, formatValue } from "./errors";
import { kmsKeyArnProblem } from "./validators";

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

/**
 * The environment key as the other constructs use it: what they encrypt with, and the one
 * change they may ask of its key policy. `EnvironmentKey` implements it (a key it creates);
 * `EnvironmentKey.fromAttributes` and `fromKeyArn` import an existing key.
 */
export interface IEnvironmentKey extends IConstruct {
  /** The key's ARN (`arn:aws:kms:<region>:<account>:key/<id>`), which every encrypted resource names. */
  readonly keyArn: string;
  /** The key's alias (`alias/...`), when it has one the library knows. */
  readonly aliasName?: string;
  /** Lets an AWS service principal use the key for the one resource its encryption context names (a key policy statement). */
  allowServiceUse(use: KeyServiceUse): void;
}

/** What `EnvironmentKey.fromAttributes` needs to know about an existing KMS key. */
export interface EnvironmentKeyAttributes {
  /** The key's ARN, in the environment's region; not an alias ARN. */
  readonly keyArn: string;
  /** The key's alias, `alias/...`, for documentation and outputs only. @default - none */
  readonly aliasName?: string;
  /**
   * Sids of the statements the key's policy (managed where the key is) already has for
   * `allowServiceUse` requests, such as Karpenter's `EventBridgeToInterruptionQueue`: an
   * imported key's policy cannot be changed from this app, so each request must be declared
   * here once the statement is in place; an undeclared one is a ConfigError that prints the
   * statement to add.
   * @default - none: any allowServiceUse request is refused
   */
  readonly grantedServiceUses?: readonly string[];
}

/**
 * The environment's customer-managed KMS key. For a key created elsewhere, use
 * `EnvironmentKey.fromAttributes(scope, id, { keyArn })` (or `fromKeyArn`): constructs then
 * grant its use through IAM (identity policies naming the key ARN), which works as long as
 * the key policy delegates to IAM, as AWS's default key policy does (the account root
 * principal with `kms:*`). What the library's own key policy adds must be in the imported
 * key's policy if the matching resources are created with it: CloudWatch Logs for the
 * environment's log groups (flow logs, EKS control plane, RDS) and the Auto Scaling
 * service-linked role for encrypted node volumes (see README, "Use an existing VPC, key or cluster").
 */
export class EnvironmentKey extends Construct implements IEnvironmentKey {
  /** An existing key, by its attributes (checked: a malformed ARN, an alias ARN or a key of another region is a ConfigError). */
  public static fromAttributes(scope: Construct, id: string, attrs: EnvironmentKeyAttributes): IEnvironmentKey {
    return new ImportedEnvironmentKey(scope, id, attrs);
  }

  /** An existing key by its ARN alone; the same as `fromAttributes(scope, id, { keyArn })`. */
  public static fromKeyArn(scope: Construct, id: string, keyArn: string): IEnvironmentKey {
    return new ImportedEnvironmentKey(scope, id, { keyArn });
  }

  public readonly key: KmsKey;
  public readonly alias: KmsAlias;
  public readonly aliasName: string;
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
    this.aliasName = aliasName;
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

/** A key created elsewhere, known by its ARN (EnvironmentKey.fromAttributes). */
class ImportedEnvironmentKey extends Construct implements IEnvironmentKey {
  public readonly keyArn: string;
  public readonly aliasName?: string;
  private readonly granted: readonly string[];

  constructor(scope: Construct, id: string, attrs: EnvironmentKeyAttributes) {
    super(scope, id);
    checkShape(this.node.path, attrs, {
      keyArn: Shape.string({ nonEmpty: true }),
      aliasName: Shape.optional(Shape.string()),
      grantedServiceUses: Shape.optional(Shape.array(Shape.string())),
    });
    const env = Environment.of(this);
    const v = new Validator(this.node.path);
    const problem = kmsKeyArnProblem(attrs.keyArn, env.region);
    v.checkProblem("keyArn", attrs.keyArn, problem);
    if (attrs.aliasName !== undefined) {
      v.check(
        /^alias\/[A-Za-z0-9/_-]{1,250}$/.test(attrs.aliasName) && !attrs.aliasName.startsWith("alias/aws/"),
        "aliasName",
        attrs.aliasName,
        "must be a customer alias name, alias/<name>",
      );
    }
    v.throwIfAny();
    this.keyArn = attrs.keyArn;
    this.aliasName = attrs.aliasName;
    this.granted = attrs.grantedServiceUses ?? [];
  }

  /** The key policy is not this app's: a request is accepted only when declared as already granted. */
  public allowServiceUse(use: KeyServiceUse): void {
    if (this.granted.includes(use.sid)) return;
    const statement = {
      Sid: use.sid,
      Effect: "Allow",
      Principal: { Service: use.service },
      Action: [...use.actions],
      Resource: "*",
      Condition: { [use.condition.test]: { [use.condition.variable]: [...use.condition.values] } },
    };
    throw new ConfigError([
      `${this.node.path}: grantedServiceUses is ${formatValue(this.granted)}; the imported key's policy must let ${use.service} use it, and this app cannot change ` +
        `that policy: add the statement ${JSON.stringify(statement)} to the key policy where the key is managed, then list "${use.sid}" in grantedServiceUses`,
    ]);
  }
}
