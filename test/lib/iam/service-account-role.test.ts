import { ServiceAccountRole } from "../../../lib";
import { roleName } from "../../../lib/iam";
import { infraStack } from "../../support/env";
import { errorOf, onlyResource, synthJson } from "../../support/synth";

const identity = {
  oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
  oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
};

describe("ServiceAccountRole", () => {
  test("only the named service account of this cluster can assume it", () => {
    const stack = infraStack();
    new ServiceAccountRole(stack, "mlflow", { identity, namespace: "mlflow", serviceAccount: "mlflow" });
    const role = onlyResource(synthJson(stack), "aws_iam_role");
    expect(role.name).toBe("ml-test-mlflow-mlflow");
    expect(role.assume_role_policy).toContain("sts:AssumeRoleWithWebIdentity");
    expect(role.assume_role_policy).toContain("system:serviceaccount:mlflow:mlflow");
    expect(role.assume_role_policy).toContain("sts.amazonaws.com");
  });

  test("has exactly the statements passed in, then the grants", () => {
    const stack = infraStack();
    const r = new ServiceAccountRole(stack, "r", { identity, namespace: "ns", serviceAccount: "sa", statements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] }] });
    r.addToPolicy({ actions: ["kms:Decrypt"], resources: ["arn:aws:kms:us-east-1:123456789012:key/k"] });
    const policy = JSON.parse(onlyResource(synthJson(stack), "aws_iam_role_policy").policy);
    expect(policy.Statement).toEqual([
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] },
      { Effect: "Allow", Action: ["kms:Decrypt"], Resource: ["arn:aws:kms:us-east-1:123456789012:key/k"] },
    ]);
  });

  test("a role with no permissions yet allows nothing", () => {
    const stack = infraStack();
    new ServiceAccountRole(stack, "r", { identity, namespace: "ns", serviceAccount: "sa" });
    const policy = JSON.parse(onlyResource(synthJson(stack), "aws_iam_role_policy").policy);
    expect(policy.Statement).toEqual([{ Sid: "NoPermissionsYet", Effect: "Deny", Action: ["*"], Resource: ["*"] }]);
  });

  test("an invalid namespace is refused", () => {
    expect(errorOf(() => new ServiceAccountRole(infraStack(), "r", { identity, namespace: "Serving_NS", serviceAccount: "sa" }))).toBe(
      "test-infra/r: namespace is \"Serving_NS\"; must be a Kubernetes namespace name: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit",
    );
  });

  test("long role names are shortened to IAM's 64 characters, stably", () => {
    const long = "ml-staging-" + "a".repeat(70);
    expect(roleName(long)).toHaveLength(64);
    expect(roleName(long)).toBe(roleName(long));
    expect(roleName("short")).toBe("short");
  });
});
