import { TfResource } from "../rule";
import { StackIndex } from "../stack-index";
import { PolicyDocument } from "./policy-document";

/** Resource types holding an identity policy, and the attribute that holds it. */
export const IDENTITY_POLICY_ATTRIBUTE: Readonly<Record<string, string>> = {
  aws_iam_policy: "policy",
  aws_iam_role_policy: "policy",
  aws_iam_user_policy: "policy",
  aws_iam_group_policy: "policy",
};

/**
 * The identity policy of a resource; undefined when the resource holds none or it cannot
 * be read. Key policies and bucket policies are not identity policies: there `"*"` as a
 * resource means "this key" or is scoped by the bucket, so the IAM wildcard rules skip them.
 */
export function identityPolicy(resource: TfResource, stack: StackIndex): PolicyDocument | undefined {
  const attribute = IDENTITY_POLICY_ATTRIBUTE[resource.type];
  if (attribute) return stack.policyDocument(resource.config[attribute]);
  if (resource.type === "aws_iam_role") {
    // Inline policies written as blocks on the role.
    const inline = ([] as unknown[]).concat(resource.config.inline_policy ?? []);
    const docs = inline.map((b) => stack.policyDocument((b as Record<string, unknown>)?.policy)).filter((d): d is PolicyDocument => !!d);
    return docs.length > 0 ? { statements: docs.flatMap((d) => d.statements) } : undefined;
  }
  return undefined;
}

/** True when an IAM action pattern covers every action (`*` or `*:*`). */
export function isAllActions(action: string): boolean {
  return action === "*" || action === "*:*";
}

/**
 * Actions that AWS does not let a policy scope to a resource: `"*"` is the only
 * possible resource for them, so the wildcard-resource rule accepts it. Kept short on
 * purpose (the ones Kubernetes add-ons need); anything else must name its resources.
 */
const UNRESTRICTABLE = [
  /^ec2:Describe[A-Za-z*]*$/,
  /^ec2:GetInstanceTypesFromInstanceRequirements$/,
  /^autoscaling:Describe[A-Za-z*]*$/,
  /^elasticloadbalancing:Describe[A-Za-z*]*$/,
  /^eks:(DescribeAddonVersions|ListClusters)$/,
  /^ecr:GetAuthorizationToken$/,
  /^sts:GetCallerIdentity$/,
  /^cloudwatch:(PutMetricData|GetMetricData|ListMetrics|GetMetricStatistics)$/,
  /^logs:DescribeLogGroups$/,
  /^tag:GetResources$/,
  /^s3:ListAllMyBuckets$/,
  /^xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)$/,
  /^kms:(ListAliases|ListKeys)$/,
  /^route53:ListHostedZones$/,
  /^pricing:[A-Za-z*]+$/,
  /^iam:ListRoles$/,
  /^aps:(QueryMetrics|GetSeries|GetLabels|GetMetricMetadata)$/,
  /^sagemaker:(ListModels|ListEndpoints)$/,
];

/** True when an action can only ever be granted on `"*"`. */
export function isUnrestrictableAction(action: string): boolean {
  return UNRESTRICTABLE.some((re) => re.test(action));
}
