import { Testing } from "cdktf";
import { AlertReceiver, Environment, ExternalSecretsOperator, Observability, ObservabilitySecrets, PlatformStack } from "../../../lib";
import { testConfig } from "../../support/env";
import { errorOf } from "../../support/synth";
import { synthStacks } from "../model-registry/fixtures";
import { observabilityFixture } from "./fixture";

/** Observability in an app apart from the AWS stacks (issue 15 item 4), from IObservabilitySecrets. */
const ATTRS = {
  alertmanagerSecretName: "ml-test/observability/alertmanager",
  alertmanagerRoleArn: "arn:aws:iam::123456789012:role/ml-test-monitoring-alertmanager-secret-sync",
  grafanaAdminSecretName: "ml-test/observability/grafana-admin",
  grafanaAdminRoleArn: "arn:aws:iam::123456789012:role/ml-test-monitoring-grafana-secret-sync",
};
const RECEIVERS = () => [AlertReceiver.pagerDuty(), AlertReceiver.slack({ channel: "#ml-alerts" })];

describe("ObservabilitySecrets.fromAttributes", () => {
  test("Observability on the imported attributes builds the same objects as on the secrets themselves", () => {
    const built = observabilityFixture();
    const s = built.secrets;
    const other = new PlatformStack(built.app, "test-addons-imported", { environment: built.environment, clusterName: built.cluster.clusterName });
    const imported = ObservabilitySecrets.fromAttributes(other, "secrets", {
      alertmanagerSecretName: s.alertmanager.secretName,
      alertmanagerRoleArn: s.alertmanager.roleArn,
      grafanaAdminSecretName: s.grafanaAdmin.secretName,
      grafanaAdminRoleArn: s.grafanaAdmin.roleArn,
    });
    new Observability(other, "observability", { secrets: imported, externalSecrets: new ExternalSecretsOperator(other, "external-secrets"), receivers: RECEIVERS() });
    const stacks = synthStacks(built.app);
    const withoutPaths = (json: any) => JSON.parse(JSON.stringify(json.resource, (k, v) => (k === "//" ? undefined : v)));
    expect(withoutPaths(stacks["test-addons-imported"])).toEqual(withoutPaths(stacks["test-addons"]));
  });

  test("another app with only the attribute values synthesizes, with those values", () => {
    const app = Testing.app();
    const addons = new PlatformStack(app, "test-addons", { environment: new Environment(testConfig()), clusterName: "ml-test-training" });
    const secrets = ObservabilitySecrets.fromAttributes(addons, "secrets", ATTRS);
    new Observability(addons, "observability", { secrets, externalSecrets: new ExternalSecretsOperator(addons, "external-secrets"), receivers: RECEIVERS() });
    const json = synthStacks(app)["test-addons"];
    const text = JSON.stringify(json.resource);
    for (const value of Object.values(ATTRS)) expect(text).toContain(value);
    expect(json.data?.terraform_remote_state).toBeUndefined();
  });

  test("a missing role ARN is one ConfigError naming it", () => {
    const { grafanaAdminRoleArn: _omitted, ...rest } = ATTRS;
    const app = Testing.app();
    const addons = new PlatformStack(app, "test-addons", { environment: new Environment(testConfig()), clusterName: "ml-test-training" });
    expect(errorOf(() => ObservabilitySecrets.fromAttributes(addons, "secrets", rest as never))).toBe(
      "test-addons/secrets: grafanaAdminRoleArn is missing; required: must be a non-empty string",
    );
  });

  test("a secret ARN where its name belongs is refused", () => {
    const app = Testing.app();
    const addons = new PlatformStack(app, "test-addons", { environment: new Environment(testConfig()), clusterName: "ml-test-training" });
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ml-test/observability/alertmanager-AbCdEf";
    expect(errorOf(() => ObservabilitySecrets.fromAttributes(addons, "secrets", { ...ATTRS, alertmanagerSecretName: arn }))).toBe(
      `test-addons/secrets: alertmanagerSecretName is "${arn}"; must be the secret's name (<prefix>/observability/...), not its ARN`,
    );
  });
});
