import { ClusterAccessPolicy } from "../../../lib";
import { resourcesOfType, errorOf, onlyResource } from "../../support/synth";
import { clusterJson, testCluster } from "./fixture";

/**
 * Who may use the cluster's Kubernetes API (issue 15 item 9): nobody implicitly. The identity
 * that creates the cluster gets no admin (`bootstrap_cluster_creator_admin_permissions` false, a
 * one-time EKS setting); the environment's deployRoleArn, which applies the platform stacks through
 * the kubernetes and helm providers, and the declared accessEntries are EKS access entries.
 */
const DEPLOY = "arn:aws:iam::123456789012:role/ml-test-deploy";
const ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

const entries = (json: any) => Object.values(resourcesOfType(json, "aws_eks_access_entry")) as any[];
const associations = (json: any) => Object.values(resourcesOfType(json, "aws_eks_access_policy_association")) as any[];

describe("GpuTrainingCluster access", () => {
  test("the cluster creator gets no implicit admin; authentication is by access entries only", () => {
    const eks = onlyResource(clusterJson(), "aws_eks_cluster");
    expect(eks.access_config).toEqual({ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: false });
  });

  test("the environment's deploy role is cluster admin through an access entry", () => {
    const json = clusterJson();
    expect(entries(json)).toEqual([expect.objectContaining({ principal_arn: DEPLOY, type: "STANDARD" })]);
    expect(associations(json)).toEqual([expect.objectContaining({ policy_arn: ADMIN_POLICY, access_scope: { type: "cluster" } })]);
    // The association waits for the entry (EKS refuses a policy for a principal without an entry).
    expect(associations(json)[0].principal_arn).toMatch(/^\$\{aws_eks_access_entry\.training_access-deploy-role_[0-9A-F]+\.principal_arn\}$/);
  });

  test("declared entries get exactly their policies, at cluster or namespace scope", () => {
    const viewer = "arn:aws:iam::210987654321:role/teams/vision/readers";
    const admin = "arn:aws:iam::123456789012:role/platform-admin";
    const json = clusterJson(
      {},
      {
        accessEntries: [
          { principalArn: admin, accessPolicies: [ClusterAccessPolicy.CLUSTER_ADMIN] },
          { principalArn: viewer, accessPolicies: [ClusterAccessPolicy.VIEW, ClusterAccessPolicy.EDIT], namespaces: ["training"] },
        ],
      },
    );
    expect(
      entries(json)
        .map((e) => e.principal_arn)
        .sort(),
    ).toEqual([DEPLOY, admin, viewer].sort());
    const byPolicy = associations(json)
      .map((a) => `${a.policy_arn.split("/").pop()} ${JSON.stringify(a.access_scope)}`)
      .sort();
    expect(byPolicy).toEqual([
      'AmazonEKSClusterAdminPolicy {"type":"cluster"}',
      'AmazonEKSClusterAdminPolicy {"type":"cluster"}',
      'AmazonEKSEditPolicy {"namespaces":["training"],"type":"namespace"}',
      'AmazonEKSViewPolicy {"namespaces":["training"],"type":"namespace"}',
    ]);
  });

  test("without a deploy role, a declared cluster admin is enough", () => {
    const admin = "arn:aws:iam::123456789012:role/platform-admin";
    const json = clusterJson({ deployRoleArn: undefined }, { accessEntries: [{ principalArn: admin, accessPolicies: [ClusterAccessPolicy.CLUSTER_ADMIN] }] });
    expect(entries(json).map((e) => e.principal_arn)).toEqual([admin]);
  });
});

describe("GpuTrainingCluster access refuses bad input", () => {
  test("no principal could administer the cluster", () => {
    expect(errorOf(() => testCluster({ deployRoleArn: undefined }))).toBe(
      "test-infra/training: accessEntries is []; no principal could administer the cluster (its creator gets no implicit admin): " +
        "set deployRoleArn in the environment config (the role that runs Terraform, also for the platform stacks), or add an entry with ClusterAccessPolicy.CLUSTER_ADMIN",
    );
  });

  test("an assumed-role session ARN names the role ARN to use instead", () => {
    expect(
      errorOf(() => testCluster({}, { accessEntries: [{ principalArn: "arn:aws:sts::123456789012:assumed-role/admin/alice", accessPolicies: [ClusterAccessPolicy.VIEW] }] })),
    ).toBe(
      'test-infra/training: accessEntries[0].principalArn is "arn:aws:sts::123456789012:assumed-role/admin/alice"; is an assumed-role session, not an IAM principal: ' +
        "use the role's ARN, arn:aws:iam::123456789012:role/admin (with its path, if it has one)",
    );
  });

  test("the deploy role listed again", () => {
    expect(errorOf(() => testCluster({}, { accessEntries: [{ principalArn: DEPLOY, accessPolicies: [ClusterAccessPolicy.CLUSTER_ADMIN] }] }))).toBe(
      `test-infra/training: accessEntries[0].principalArn is "${DEPLOY}"; is the environment's deployRoleArn, which is admitted as cluster admin already; remove this entry`,
    );
  });

  test("cluster admin limited to namespaces", () => {
    expect(
      errorOf(() =>
        testCluster({}, { accessEntries: [{ principalArn: "arn:aws:iam::123456789012:role/x", accessPolicies: [ClusterAccessPolicy.CLUSTER_ADMIN], namespaces: ["training"] }] }),
      ),
    ).toBe(
      'test-infra/training: accessEntries[0].namespaces is ["training"]; ClusterAccessPolicy.CLUSTER_ADMIN applies to the whole cluster; use ADMIN, EDIT or VIEW for namespaces',
    );
  });

  test("a deploy role that is not an IAM ARN is refused by the environment", () => {
    expect(errorOf(() => testCluster({ deployRoleArn: "ml-deploy" }))).toBe(
      'environment "test": deployRoleArn is "ml-deploy"; must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admin',
    );
  });

  test("a policy given as a string is a kind error", () => {
    expect(errorOf(() => testCluster({}, { accessEntries: [{ principalArn: "arn:aws:iam::123456789012:role/x", accessPolicies: ["AmazonEKSViewPolicy" as any] }] }))).toMatch(
      /accessEntries\[0\]\.accessPolicies\[0\].*ClusterAccessPolicy\.CLUSTER_ADMIN, ADMIN, EDIT or VIEW/,
    );
  });
});
