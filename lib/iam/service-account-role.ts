import { Construct } from "constructs";
import { Fn, Lazy, Token } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Environment } from "../core/environment";
import { ConfigError, Validator, formatValue } from "../core/errors";
import { namespaceProblem } from "../core/validators";
import { IGrantable, PolicyStatement, policyDocument, policyStatementProblems } from "./policy-statement";
import { Shape, checkShape } from "../core/shape";
import { claimPhysicalName } from "../core/physical-names";

/** The cluster's IAM OIDC identity provider, which IRSA roles trust. */
export interface OidcIdentity {
  /** ARN of the `aws_iam_openid_connect_provider`. */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer URL (`https://oidc.eks...`). */
  readonly oidcIssuerUrl: string;
  /**
   * Prefix of the IAM role names made for this identity's service accounts, so that two
   * clusters in one account never make the same name.
   * @default - the environment's prefix (`<project>-<env>`)
   */
  readonly resourceNamePrefix?: string;
}

export interface ServiceAccountRoleOptions {
  /** Kubernetes namespace of the service account. */
  readonly namespace: string;
  /** Name of the Kubernetes service account. */
  readonly serviceAccount: string;
  /** The role's permissions; grants may add more later. @default - none */
  readonly statements?: readonly PolicyStatement[];
}

export interface ServiceAccountRoleProps extends ServiceAccountRoleOptions {
  readonly identity: OidcIdentity;
}

/**
 * An IAM role for one Kubernetes service account (IRSA): only pods running as
 * `system:serviceaccount:<namespace>:<name>` in this cluster can assume it, and it
 * has exactly the statements it is given, in one inline policy.
 */
export class ServiceAccountRole extends Construct implements IGrantable {
  public readonly role: IamRole;
  public readonly namespace: string;
  public readonly serviceAccount: string;
  private readonly statements: PolicyStatement[];

  constructor(scope: Construct, id: string, props: ServiceAccountRoleProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      namespace: Shape.string(),
      serviceAccount: Shape.string(),
      statements: Shape.optional(Shape.array(Shape.any())),
      identity: Shape.like("an OIDC identity (the cluster)", ["oidcProviderArn", "oidcIssuerUrl"]),
    });
    const env = Environment.of(this);
    const v = new Validator(this.node.path);
    v.checkProblem("namespace", props.namespace, namespaceProblem(props.namespace));
    v.check(
      /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(props.serviceAccount),
      "serviceAccount",
      props.serviceAccount,
      "must be a Kubernetes service account name (lowercase DNS subdomain)",
    );
    (props.statements ?? []).forEach((st, i) => {
      for (const [field, value, allowed] of policyStatementProblems(st, `statements[${i}]`)) v.check(false, field, value, allowed);
    });
    v.throwIfAny();
    this.namespace = props.namespace;
    this.serviceAccount = props.serviceAccount;
    this.statements = [...(props.statements ?? [])];

    // A plain issuer (an imported cluster's) is stripped here; a token (the cluster's attribute) by Terraform.
    const issuer = Token.isUnresolved(props.identity.oidcIssuerUrl)
      ? Fn.replace(props.identity.oidcIssuerUrl, "https://", "")
      : props.identity.oidcIssuerUrl.replace(/^https:\/\//, "");
    const name = roleName(`${props.identity.resourceNamePrefix ?? env.prefix}-${props.namespace}-${props.serviceAccount}`);
    claimPhysicalName(this, "IAM role", "serviceAccount", name, "account");
    this.role = new IamRole(this, "role", {
      name,
      description: `IRSA role of service account ${props.namespace}/${props.serviceAccount}`,
      // A JSON string, not Fn.jsonencode: the condition keys embed the issuer token, and
      // jsonencode() of an object with token keys loses their values.
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: props.identity.oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${issuer}:sub`]: `system:serviceaccount:${props.namespace}:${props.serviceAccount}`,
                [`${issuer}:aud`]: "sts.amazonaws.com",
              },
            },
          },
        ],
      }),
    });
    new IamRolePolicy(this, "policy", {
      role: this.role.id,
      name: "service-account",
      policy: Lazy.stringValue({ produce: () => policyDocument(this.statements.length > 0 ? this.statements : [NOTHING]) }),
    });
  }

  public addToPolicy(statement: PolicyStatement): void {
    const problems = policyStatementProblems(statement);
    if (problems.length > 0) {
      throw new ConfigError(problems.map(([field, value, allowed]) => `${this.node.path}: addToPolicy ${field} is ${formatValue(value)}; ${allowed}`));
    }
    this.statements.push(statement);
  }

  /** The statements the role has now (grants included). */
  public get policyStatements(): readonly PolicyStatement[] {
    return this.statements;
  }

  // Made once: every read of a resource attribute is a new cdktf token, and cdktf records a stack trace for each (README.md, Performance).
  private roleArnToken?: string;

  public get roleArn(): string {
    return (this.roleArnToken ??= this.role.arn);
  }

  /** The annotation that binds a Kubernetes service account to this role. */
  public get serviceAccountAnnotations(): Record<string, string> {
    return { [IRSA_ROLE_ANNOTATION]: this.role.arn };
  }
}

/** Service account annotation naming the IAM role its pods assume (IRSA). */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

/** A role with no grant yet still needs a valid policy: one that allows nothing. */
const NOTHING: PolicyStatement = { sid: "NoPermissionsYet", effect: "Deny", actions: ["*"], resources: ["*"] };

/** IAM role names are at most 64 characters; longer names keep a stable hash suffix. */
export function roleName(name: string): string {
  if (name.length <= 64) return name;
  let h = 0;
  for (const c of name) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return `${name.slice(0, 55)}-${h.toString(16).padStart(8, "0")}`;
}
