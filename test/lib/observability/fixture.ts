import { Testing } from "cdktf";
import { AlertReceiver, EnvironmentConfig, ExternalSecretsOperator, InfraStack, Observability, ObservabilityProps, ObservabilitySecrets, PlatformStack } from "../../../lib";
import { TestCluster } from "../../support/cluster";
import { testEnvironment } from "../../support/env";

/** Infra stack (test cluster + observability secrets) and addons stack (ESO + observability), in one app. */
export function observabilityFixture(overrides: Partial<EnvironmentConfig> = {}, props: Partial<ObservabilityProps> = {}) {
  const app = Testing.app();
  const environment = testEnvironment(overrides);
  const infra = new InfraStack(app, "test-infra", { environment });
  const cluster = new TestCluster(infra, "cluster");
  const secrets = new ObservabilitySecrets(infra, "observability", { cluster });
  const addons = new PlatformStack(app, "test-addons", { environment, clusterName: cluster.clusterName });
  const externalSecrets = new ExternalSecretsOperator(addons, "external-secrets");
  const observability = new Observability(addons, "observability", {
    secrets,
    externalSecrets,
    receivers: [AlertReceiver.pagerDuty(), AlertReceiver.slack({ channel: "#ml-alerts" })],
    ...props,
  });
  return { app, environment, infra, cluster, secrets, addons, externalSecrets, observability };
}
