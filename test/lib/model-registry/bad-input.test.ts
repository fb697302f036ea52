import { Memory } from "../../../lib/kubernetes/resources";
import { RegistryAuth } from "../../../lib";
import { errorOf } from "../../support/synth";
import { PROD, STAGING, mlflowStacks, registryStack } from "./fixtures";

const FAMILIES = "db.t3, db.t4g, db.m5, db.m6g, db.m6i, db.m7g, db.m7i, db.r5, db.r6g, db.r6i, db.r7g, db.r7i";

describe("ModelRegistry refuses bad input", () => {
  test("an unknown instance class", () => {
    expect(errorOf(() => registryStack({ instanceClass: "db.t4g.mega" }))).toBe(
      `test-infra/model-registry: instanceClass is "db.t4g.mega"; is not an RDS instance class the library knows; use a PostgreSQL-capable class of ${FAMILIES}`,
    );
  });

  test("an instance class that cannot run PostgreSQL", () => {
    expect(errorOf(() => registryStack({ instanceClass: "db.z1d.large" }))).toBe(
      `test-infra/model-registry: instanceClass is "db.z1d.large"; cannot run RDS for PostgreSQL; use a class of ${FAMILIES}`,
    );
  });

  test("an instance class without the db. prefix", () => {
    expect(errorOf(() => registryStack({ instanceClass: "m5.large" }))).toBe(
      `test-infra/model-registry: instanceClass is "m5.large"; is not an RDS instance class the library knows; use a PostgreSQL-capable class of ${FAMILIES}`,
    );
  });

  test("backup retention above 35 days", () => {
    expect(errorOf(() => registryStack({ backupRetentionDays: 36 }))).toBe(
      "test-infra/model-registry: backupRetentionDays is 36; must be a whole number of days from 0 to 35 (the RDS limit)",
    );
  });

  test("negative backup retention", () => {
    expect(errorOf(() => registryStack({ backupRetentionDays: -1 }))).toBe(
      "test-infra/model-registry: backupRetentionDays is -1; must be a whole number of days from 0 to 35 (the RDS limit)",
    );
  });

  test("backup retention under 7 days in production", () => {
    expect(errorOf(() => registryStack({ backupRetentionDays: 3 }, PROD))).toBe(
      "test-infra/model-registry: backupRetentionDays is 3; must be at least 7 in production: a week of point-in-time restore",
    );
  });

  test("production without Multi-AZ", () => {
    expect(errorOf(() => registryStack({ multiAz: false }, PROD))).toBe(
      "test-infra/model-registry: multiAz is false; production requires a Multi-AZ database; to run in one zone anyway, set overrides.withoutMultiAz with a written reason",
    );
  });

  test("production without deletion protection", () => {
    expect(errorOf(() => registryStack({ deletionProtection: false }, PROD))).toBe(
      "test-infra/model-registry: deletionProtection is false; production keeps its data: the database needs deletion protection and a final snapshot; to go without, set overrides.withoutDeletionProtection with a written reason",
    );
  });

  test("an override without a real reason", () => {
    expect(errorOf(() => registryStack({ deletionProtection: false, overrides: { withoutDeletionProtection: { reason: "because" } } }, STAGING))).toBe(
      [
        "test-infra/model-registry: deletionProtection is false; staging keeps its data: the database needs deletion protection and a final snapshot; to go without, set overrides.withoutDeletionProtection with a written reason",
        'test-infra/model-registry: overrides.withoutDeletionProtection.reason is "because"; must explain the decision in at least 20 characters',
      ].join("\n"),
    );
  });

  test("authentication disabled in staging", () => {
    expect(errorOf(() => registryStack({ auth: RegistryAuth.none() }, STAGING))).toBe(
      'test-infra/model-registry: auth is "none"; staging requires authentication on the tracking server; use RegistryAuth.basic() or RegistryAuth.oidc()',
    );
  });

  test("authentication disabled in production", () => {
    expect(errorOf(() => registryStack({ auth: RegistryAuth.none() }, PROD))).toBe(
      'test-infra/model-registry: auth is "none"; production requires authentication on the tracking server; use RegistryAuth.basic() or RegistryAuth.oidc()',
    );
  });

  test("an OIDC discovery URL without TLS", () => {
    expect(errorOf(() => registryStack({ auth: RegistryAuth.oidc({ discoveryUrl: "http://sso.example.com/.well-known/openid-configuration", clientId: "mlflow" }) }))).toBe(
      'RegistryAuth.oidc: discoveryUrl is "http://sso.example.com/.well-known/openid-configuration"; must be an https:// URL',
    );
  });

  test("an invalid bucket name", () => {
    expect(errorOf(() => registryStack({ artifactBucketName: "ML_Artifacts" }))).toBe(
      `test-infra/model-registry: artifactBucketName is "ML_Artifacts"; must be 3 to 63 characters of lowercase letters, digits, '.' and '-', starting and ending with a letter or digit`,
    );
  });

  test("an unsupported engine version", () => {
    expect(errorOf(() => registryStack({ engineVersion: "12" as any }))).toBe('test-infra/model-registry: engineVersion is "12"; must be one of 15, 16, 17');
  });

  test("storage below the gp3 minimum", () => {
    expect(errorOf(() => registryStack({ allocatedStorageGiB: 10 }))).toBe(
      "test-infra/model-registry: allocatedStorageGiB is 10; must be a whole number of GiB from 20 to 65536 (gp3)",
    );
  });

  test("an enhanced monitoring interval RDS does not offer", () => {
    expect(errorOf(() => registryStack({ enhancedMonitoringIntervalSeconds: 45 }))).toBe(
      "test-infra/model-registry: enhancedMonitoringIntervalSeconds is 45; must be one of 0, 1, 5, 10, 15, 30, 60",
    );
  });
});

describe("MlflowServer refuses bad input", () => {
  test("one replica in production", () => {
    expect(errorOf(() => mlflowStacks({}, PROD, { replicas: 1 }))).toBe(
      "test-platform/mlflow: replicas is 1; production needs at least 2 replicas, so that a node drain or a rollout never stops the registry",
    );
  });

  test("a memory size that is not a Kubernetes quantity", () => {
    expect(errorOf(() => mlflowStacks({}, {}, { resources: { memory: Memory.of("1GB") } }))).toBe(
      'test-platform/mlflow: resources.memory is "1GB"; must be a Kubernetes memory quantity above zero such as "512Mi" or "2Gi" ("m" means milli, not mega)',
    );
  });
});

describe("ModelRegistry.model refuses bad references", () => {
  test("a model name that cannot be part of a models:/ URI", () => {
    expect(errorOf(() => registryStack().registry.model("fraud/detector", { alias: "champion" }))).toBe(
      "test-infra/model-registry: model name is \"fraud/detector\"; must be 1 to 256 letters, digits, '.', '_' or '-', starting with a letter or digit (it becomes part of a models:/ URI)",
    );
  });

  test("a reserved alias", () => {
    expect(errorOf(() => registryStack().registry.model("fraud-detector", { alias: "v3" }))).toBe(
      'test-infra/model-registry: alias is "v3"; must not be "latest" or v<number>: MLflow reserves them',
    );
  });

  test("version 0", () => {
    expect(errorOf(() => registryStack().registry.model("fraud-detector", { version: 0 }))).toBe("test-infra/model-registry: version is 0; must be a whole number >= 1");
  });

  test("an unknown stage", () => {
    expect(errorOf(() => registryStack().registry.model("fraud-detector", { stage: "Prod" as any }))).toBe(
      'test-infra/model-registry: stage is "Prod"; must be one of Staging, Production, Archived',
    );
  });
});
