import { App, Testing } from "cdktf";
import { Environment, MlflowServer, ModelRegistry, PlatformStack } from "../../../lib";
import { testConfig } from "../../support/env";
import { errorOf } from "../../support/synth";
import { mlflowStacks, synthStacks } from "./fixtures";

/**
 * In-cluster stacks apart from the AWS ones (issue 15 item 4): MlflowServer takes an
 * IModelRegistry, and ModelRegistry.fromAttributes imports a registry created by another app
 * from the values its stack outputs.
 */
const ATTRS = {
  databaseAddress: "ml-test-model-registry.c9akciq32.us-east-1.rds.amazonaws.com",
  databaseSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b2c-AbCdEf",
  databaseAppSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ml-test/mlflow/database-app-AbCdEf",
  databaseBootstrapRoleArn: "arn:aws:iam::123456789012:role/ml-test-mlflow-db-admin-mlflow-db-bootstrap",
  artifactBucketName: "ml-test-mlflow-artifacts-123456789012",
  serverRoleArn: "arn:aws:iam::123456789012:role/ml-test-mlflow-mlflow",
  authSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ml-test/mlflow/admin-credentials-AbCdEf",
  clientSecretArns: {
    reader: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ml-test/mlflow/reader-credentials-AbCdEf",
    trainer: "arn:aws:secretsmanager:us-east-1:123456789012:secret:ml-test/mlflow/trainer-credentials-AbCdEf",
  },
};

/** A platform stack of its own app, with nothing but the imported registry and MLflow. */
function separateApp(attrs: object = ATTRS) {
  const app = Testing.app();
  const platform = new PlatformStack(app, "test-platform", { environment: new Environment(testConfig()), clusterName: "ml-test-training" });
  const registry = ModelRegistry.fromAttributes(platform, "registry", attrs as never);
  new MlflowServer(platform, "mlflow", { registry });
  return { app, registry };
}

describe("ModelRegistry.fromAttributes", () => {
  test("MlflowServer on the imported attributes of a registry builds the same objects as on the registry itself", () => {
    // GIVEN the reference: MlflowServer on the ModelRegistry of the same app
    const built = mlflowStacks();
    const r = built.registry;
    // WHEN a second platform stack builds MlflowServer from the registry's attributes only
    const other = new PlatformStack(built.app, "test-platform-imported", { environment: built.environment, clusterName: built.cluster.clusterName });
    const imported = ModelRegistry.fromAttributes(other, "registry", {
      databaseAddress: r.databaseAddress,
      databaseSecretArn: r.databaseSecretArn,
      artifactBucketName: r.artifactBucketName,
      databaseAppSecretArn: r.databaseAppSecretArn,
      databaseBootstrapRoleArn: r.databaseBootstrapRoleArn,
      serverRoleArn: r.serverRoleArn,
      auth: r.auth,
      authSecretArn: r.authSecretArn,
      clientSecretArns: r.clientSecretArns,
    });
    new MlflowServer(other, "mlflow", { registry: imported });
    const stacks = synthStacks(built.app);
    // THEN every resource (namespace, service account, synced secrets, Helm release, monitors, policies) is identical
    // (but for the construct paths in the "//" metadata, which name their stack)
    const withoutPaths = (json: any) => JSON.parse(JSON.stringify(json.resource, (k, v) => (k === "//" ? undefined : v)));
    expect(withoutPaths(stacks["test-platform-imported"])).toEqual(withoutPaths(stacks["test-platform"]));
    expect(Object.keys(stacks["test-platform"].resource.helm_release)).toHaveLength(1);
    // and a model reference of the import names the same model and carries the reader's credentials
    const [a, b] = [imported.model("fraud", { alias: "champion" }), r.model("fraud", { alias: "champion" })];
    expect(a.uri).toBe(b.uri);
    expect(a.credentials?.secretArn).toBeDefined();
  });

  test("another app with only the attribute values synthesizes MLflow with them, and the same resources", () => {
    const { app } = separateApp();
    const json = synthStacks(app)["test-platform"];
    const reference = synthStacks(mlflowStacks().app)["test-platform"];
    const addresses = (j: any) =>
      Object.entries(j.resource)
        .flatMap(([type, rs]) => Object.keys(rs as object).map((n) => `${type}.${n}`))
        .sort();
    expect(addresses(json)).toEqual(addresses(reference));
    const text = JSON.stringify(json.resource);
    for (const value of [
      ATTRS.databaseAddress,
      ATTRS.databaseSecretArn,
      ATTRS.databaseAppSecretArn,
      ATTRS.databaseBootstrapRoleArn,
      ATTRS.artifactBucketName,
      ATTRS.serverRoleArn,
      ATTRS.authSecretArn,
      ATTRS.clientSecretArns.reader,
      ATTRS.clientSecretArns.trainer,
    ]) {
      expect(text).toContain(value);
    }
    // Nothing points back at an AWS stack: no remote state, no reference to another stack's output.
    expect(json.data?.terraform_remote_state).toBeUndefined();
  });

  test("a missing attribute is one ConfigError naming it", () => {
    const { databaseSecretArn: _omitted, ...rest } = ATTRS;
    expect(errorOf(() => separateApp(rest))).toBe("test-platform/registry: databaseSecretArn is missing; required: must be a non-empty string");
  });

  test("basic auth without the client users' secrets is refused, naming what to give", () => {
    const { clientSecretArns: _omitted, ...rest } = ATTRS;
    expect(errorOf(() => separateApp(rest))).toBe(
      "test-platform/registry: clientSecretArns is undefined; is required with RegistryAuth.basic(): { reader, trainer }, the ARNs of the MLflow client users' secrets",
    );
  });

  test("a bucket given as a URL is refused", () => {
    expect(errorOf(() => separateApp({ ...ATTRS, artifactBucketName: "s3://ml-test-mlflow-artifacts" }))).toBe(
      'test-platform/registry: artifactBucketName is "s3://ml-test-mlflow-artifacts"; must be an S3 bucket name (not an s3:// URL or an ARN)',
    );
  });
});

export { App };
