/**
 * An EKS access policy: what an access entry's principal may do in the cluster.
 * The four AWS-managed policies of the EKS User Guide, "Review access policy permissions"
 * (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html).
 */
export class ClusterAccessPolicy {
  /** cluster-admin: every verb on every resource (the `system:masters` equivalent). */
  public static readonly CLUSTER_ADMIN = new ClusterAccessPolicy("AmazonEKSClusterAdminPolicy");
  /** admin: most resources, in the namespaces of the entry's scope; no quota or namespace changes. */
  public static readonly ADMIN = new ClusterAccessPolicy("AmazonEKSAdminPolicy");
  /** edit: create, change and delete most namespaced objects; no RBAC. */
  public static readonly EDIT = new ClusterAccessPolicy("AmazonEKSEditPolicy");
  /** view: read most objects; no Secrets. */
  public static readonly VIEW = new ClusterAccessPolicy("AmazonEKSViewPolicy");

  /** The policy's ARN, `arn:aws:eks::aws:cluster-access-policy/<name>`. */
  public readonly policyArn: string;

  private constructor(public readonly name: string) {
    this.policyArn = `arn:aws:eks::aws:cluster-access-policy/${name}`;
  }

  public toString(): string {
    return this.name;
  }
}

/**
 * One IAM principal admitted to the cluster through an EKS access entry (the cluster uses the API
 * authentication mode: no aws-auth ConfigMap, and the identity that creates the cluster gets no
 * implicit admin).
 */
export interface ClusterAccessEntry {
  /**
   * The IAM role (or user) ARN, e.g. `arn:aws:iam::123456789012:role/platform-admin`; a path is allowed,
   * another account is allowed. Not an `sts::...:assumed-role/...` session ARN: the role's ARN.
   */
  readonly principalArn: string;
  /** What the principal may do, e.g. `[ClusterAccessPolicy.CLUSTER_ADMIN]` or `[ClusterAccessPolicy.VIEW]`. */
  readonly accessPolicies: readonly ClusterAccessPolicy[];
  /** Limit the policies to these namespaces. @default - the whole cluster */
  readonly namespaces?: readonly string[];
}
