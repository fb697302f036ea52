import { ModelRegistry, RegistryAuth } from "../../../lib";
import { errorOf } from "../../support/synth";
import { synthStacks } from "../model-registry/fixtures";
import { endpointFixture, manifestResourcesOfKind, manifestsOfKind } from "./fixture";

/**
 * Issue 12: MLflow runs with basic auth, so an endpoint that resolves models:/ URIs needs an
 * MLflow login. The registry's references carry its read-only user's secret; the endpoint
 * syncs it as its own service account and hands it to MLflow's client through the variables
 * the client reads (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD).
 */
function withRegistry(auth?: RegistryAuth) {
  const f = endpointFixture();
  const registry = new ModelRegistry(f.infra, "model-registry", { cluster: f.cluster, ...(auth ? { auth } : {}) });
  const role = f.role();
  registry.grantRead(role);
  const endpoint = f.endpoint("fraud", { model: registry.model("fraud", { alias: "champion" }), serviceAccountRole: role });
  const stacks = synthStacks(f.app);
  return { ...f, registry, endpoint, infraJson: stacks["test-infra"], platformJson: stacks["test-platform"] };
}

describe("MonitoredEndpoint with a basic-auth ModelRegistry", () => {
  const b = withRegistry();
  const deployment = manifestsOfKind(b.platformJson, "Deployment")[0];
  const env = deployment.spec.template.spec.containers[0].env as any[];
  const externalSecret = manifestsOfKind(b.platformJson, "ExternalSecret").find((e) => e.spec.target.name === "fraud-mlflow-credentials");

  test("the server logs in to MLflow with the reader user's credentials from a synced Secret", () => {
    expect(env).toEqual(
      expect.arrayContaining([
        { name: "MODEL_URI", value: "models:/fraud@champion" },
        { name: "MLFLOW_TRACKING_URI", value: "http://mlflow.mlflow.svc.cluster.local:80" },
        { name: "MLFLOW_TRACKING_USERNAME", valueFrom: { secretKeyRef: { name: "fraud-mlflow-credentials", key: "username" } } },
        { name: "MLFLOW_TRACKING_PASSWORD", valueFrom: { secretKeyRef: { name: "fraud-mlflow-credentials", key: "password" } } },
      ]),
    );
    // No secret value anywhere in the synthesized stacks.
    expect(JSON.stringify(b.platformJson)).not.toMatch(/"MLFLOW_TRACKING_PASSWORD","value"/);
  });

  test("the Secret is synced from the registry's reader secret, as the endpoint's own service account", () => {
    expect(externalSecret.metadata.namespace).toBe("serving");
    expect(externalSecret.spec.data.map((d: any) => [d.secretKey, d.remoteRef.property])).toEqual([
      ["username", "username"],
      ["password", "password"],
    ]);
    const output = externalSecret.spec.data[0].remoteRef.key.match(/outputs\.([^}]+)\}/)[1];
    expect(b.infraJson.output[output].value).toBe("${aws_secretsmanager_secret.model-registry_reader-secret_BAD50EFB.arn}");
    const store = manifestsOfKind(b.platformJson, "SecretStore").find((s) => s.metadata.name === externalSecret.spec.secretStoreRef.name);
    expect(store.spec.provider.aws.auth).toEqual({ jwt: { serviceAccountRef: { name: "fraud" } } });
  });

  test("the Deployment is applied after the Secret's ExternalSecret", () => {
    const [[, deploymentResource]] = manifestResourcesOfKind(b.platformJson, "Deployment");
    expect(deploymentResource.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_manifest\.fraud_tracking-credentials_external-secret/)]));
  });

  test("without authentication on the registry, no credentials and no synced Secret", () => {
    const none = withRegistry(RegistryAuth.none());
    const noneEnv = manifestsOfKind(none.platformJson, "Deployment")[0].spec.template.spec.containers[0].env as any[];
    expect(noneEnv.map((e) => e.name)).not.toContain("MLFLOW_TRACKING_USERNAME");
    expect(manifestsOfKind(none.platformJson, "ExternalSecret")).toEqual([]);
  });

  test("blue/green colours from one registry share one synced Secret", () => {
    const f = endpointFixture();
    const registry = new ModelRegistry(f.infra, "model-registry", { cluster: f.cluster });
    f.endpoint("fraud", { model: undefined, blueGreen: { active: "blue", blue: registry.model("fraud", { version: 7 }), green: registry.model("fraud", { version: 8 }) } });
    const platformJson = synthStacks(f.app)["test-platform"];
    expect(manifestsOfKind(platformJson, "ExternalSecret").map((e) => e.spec.target.name)).toEqual(["fraud-mlflow-credentials"]);
    for (const d of manifestsOfKind(platformJson, "Deployment")) {
      expect(d.spec.template.spec.containers[0].env).toEqual(
        expect.arrayContaining([{ name: "MLFLOW_TRACKING_PASSWORD", valueFrom: { secretKeyRef: { name: "fraud-mlflow-credentials", key: "password" } } }]),
      );
    }
  });

  test("blue/green colours from two registries are refused: the pods log in to one tracking server", () => {
    const f = endpointFixture();
    const a = new ModelRegistry(f.infra, "registry-a", { cluster: f.cluster, artifactBucketName: "registry-a-artifacts-123456789012" });
    const other = { uri: "models:/fraud/8", trackingUri: "http://other:80", credentials: { secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:other" } };
    expect(errorOf(() => f.endpoint("fraud", { model: undefined, blueGreen: { active: "blue", blue: a.model("fraud", { version: 7 }), green: other } }))).toBe(
      'test-platform/fraud: blueGreen is "models:/fraud/7, models:/fraud/8"; every colour must come from the same model registry: ' +
        "the endpoint's pods log in to one MLflow tracking server",
    );
  });
});
