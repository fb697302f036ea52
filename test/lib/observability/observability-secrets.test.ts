import { synthJson, resourcesOfType } from "../../support/synth";
import { observabilityFixture } from "./fixture";

describe("ObservabilitySecrets (infrastructure)", () => {
  test("creates the two secrets encrypted with the environment key and with no value", () => {
    const json = synthJson(observabilityFixture().infra);
    const secrets = Object.values(resourcesOfType(json, "aws_secretsmanager_secret"));
    expect(secrets.map((s: any) => s.name).sort()).toEqual(["ml-test/observability/alertmanager", "ml-test/observability/grafana-admin"]);
    expect(secrets.every((s: any) => /^\$\{aws_kms_key\..*\.arn\}$/.test(s.kms_key_id))).toBe(true);
    expect(resourcesOfType(json, "aws_secretsmanager_secret_version")).toEqual({});
  });

  test("secrets can be recovered for 30 days where data is protected", () => {
    const json = synthJson(observabilityFixture({ tier: "staging" }).infra);
    expect(Object.values(resourcesOfType(json, "aws_secretsmanager_secret")).map((s: any) => s.recovery_window_in_days)).toEqual([30, 30]);
  });

  test("each sync role reads exactly its own secret and decrypts with the environment key", () => {
    const json = synthJson(observabilityFixture().infra);
    const policies = Object.entries(resourcesOfType(json, "aws_iam_role_policy"))
      .filter(([name]) => name.startsWith("observability_"))
      .map(([name, p]: [string, any]) => [name.split("_")[1], JSON.parse(p.policy).Statement]);
    expect(Object.fromEntries(policies)).toEqual({
      "alertmanager-reader": [
        {
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          Resource: [expect.stringMatching(/^\$\{aws_secretsmanager_secret\.observability_alertmanager-secret_\w+\.arn\}$/)],
        },
        { Effect: "Allow", Action: ["kms:Decrypt"], Resource: [expect.stringMatching(/^\$\{aws_kms_key\.cluster_kms_key_\w+\.arn\}$/)] },
      ],
      "grafana-admin-reader": [
        {
          Effect: "Allow",
          Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
          Resource: [expect.stringMatching(/^\$\{aws_secretsmanager_secret\.observability_grafana-admin-secret_\w+\.arn\}$/)],
        },
        { Effect: "Allow", Action: ["kms:Decrypt"], Resource: [expect.stringMatching(/^\$\{aws_kms_key\.cluster_kms_key_\w+\.arn\}$/)] },
      ],
    });
  });

  test("the sync roles trust only their service accounts in the monitoring namespace", () => {
    const json = synthJson(observabilityFixture().infra);
    const trusts = Object.values(resourcesOfType(json, "aws_iam_role"))
      .map((r: any) => r.assume_role_policy)
      .join("\n");
    expect(trusts).toContain("system:serviceaccount:monitoring:alertmanager-secret-sync");
    expect(trusts).toContain("system:serviceaccount:monitoring:grafana-secret-sync");
  });
});
