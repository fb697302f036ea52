import { parse } from "yaml";
import { synthReferenceApp, stackDir, stackJsonFromDir } from "../support/reference-app";
import { cachedPlan, describeWithTerraform } from "../support/terraform";

/**
 * The model registry in the reference platform: every environment has it, its plan has
 * the tier's safety settings, and no stack of any environment carries a secret value.
 */
const { outdir, stacks } = synthReferenceApp();
/** Each reference environment's registry, as stacks/platform.ts writes it (backups are the tier defaults). */
const REGISTRY: Record<string, { instanceClass: string; replicas: number; backupRetentionDays: number }> = {
  dev: { instanceClass: "db.t4g.medium", replicas: 1, backupRetentionDays: 1 },
  staging: { instanceClass: "db.t4g.large", replicas: 2, backupRetentionDays: 7 },
  prod: { instanceClass: "db.r7g.large", replicas: 3, backupRetentionDays: 14 },
};
const allStacks = stacks.flatMap((s) => [s.bootstrap, s.infra, s.addons, s.platform].filter((x) => x !== undefined).map((x) => x!.node.id));

/** Attribute names that hold a secret value wherever they appear (resource arguments or chart values). */
const SECRET_KEYS =
  /^(password|password_wo|master_password|adminPassword|clientSecret|client_secret|secret_string|secret_binary|awsSecretAccessKey|rootPassword|cookieSecret|flaskServerSecretKey|token)$/;
/** Not a value but a reference resolved elsewhere: a Terraform expression or an External Secrets template. */
const REFERENCE = /^(\$\{[^}]+\}|\{\{[^}]+\}\})$/;
/** Secret-looking literals: AWS access keys, private keys. */
const SECRET_LITERALS = /(AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----)/;

/** Every place in a value where a secret-named key holds a non-empty literal. */
function secretValues(value: unknown, where: string): string[] {
  if (typeof value === "string") return SECRET_LITERALS.test(value) ? [`${where}: secret-looking literal`] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretValues(v, `${where}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const here = `${where}.${k}`;
    if (SECRET_KEYS.test(k) && typeof v === "string" && v !== "" && !REFERENCE.test(v)) return [`${here} = ${JSON.stringify(v).slice(0, 40)}`];
    return secretValues(v, here);
  });
}

describe("the model registry in every environment", () => {
  for (const { environment, infra, platform } of stacks) {
    test(`${infra.node.id} has one RDS-managed-password database and one artifact bucket of the registry`, () => {
      const json = stackJsonFromDir(outdir, infra.node.id);
      const [db] = Object.values(json.resource.aws_db_instance) as any[];
      expect(Object.keys(json.resource.aws_db_instance)).toHaveLength(1);
      expect(db).toMatchObject({ manage_master_user_password: true, storage_encrypted: true, publicly_accessible: false, multi_az: environment.isProduction });
      expect(db.instance_class).toBe(REGISTRY[environment.name].instanceClass);
      expect((Object.values(json.resource.aws_s3_bucket) as any[]).map((b) => b.bucket)).toContain(`${environment.prefix}-mlflow-artifacts-${environment.accountId}`);
    });

    test(`${platform.node.id} runs the MLflow server with ${REGISTRY[environment.name].replicas} replica(s)`, () => {
      const json = stackJsonFromDir(outdir, platform.node.id);
      const release = (Object.values(json.resource.helm_release) as any[]).find((r) => r.chart === "mlflow");
      expect(parse(release.values[0]).replicaCount).toBe(REGISTRY[environment.name].replicas);
    });
  }
});

describe("no stack carries a secret value", () => {
  test.each(allStacks)("%s: no secret-named attribute or chart value holds a literal", (name) => {
    const json = stackJsonFromDir(outdir, name);
    const found = Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
      Object.entries(byName as Record<string, any>).flatMap(([id, r]) => {
        const values = type === "helm_release" ? (r.values ?? []).map((v: string) => parse(v)) : [];
        return [...secretValues({ ...r, values: undefined }, `${type}.${id}`), ...secretValues(values, `${type}.${id}.values`)];
      }),
    );
    expect(found).toEqual([]);
  });

  test.each(allStacks)("%s: no Terraform-managed secret version, generated password or sensitive Helm value", (name) => {
    const resources = stackJsonFromDir(outdir, name).resource ?? {};
    expect(Object.keys(resources).filter((t) => /^(aws_secretsmanager_secret_version|random_password|random_string|tls_private_key)$/.test(t))).toEqual([]);
    expect((Object.values(resources.helm_release ?? {}) as any[]).filter((r) => r.set_sensitive !== undefined)).toEqual([]);
  });

  test("the scan finds a secret literal where there is one", () => {
    expect(secretValues({ auth: { adminPassword: "hunter2" }, passwordKey: "password", password: "{{ .password }}" }, "x")).toEqual(['x.auth.adminPassword = "hunter2"']);
  });
});

describeWithTerraform("the registry under real Terraform (offline)", () => {
  for (const { environment, infra } of stacks) {
    test(`${infra.node.id}: the plan creates the database with the tier's safety settings and no password`, async () => {
      const plan = await cachedPlan(stackDir(outdir, infra.node.id));
      const changes = (plan.resource_changes ?? []).filter((rc) => rc.mode === "managed");
      const db = changes.find((rc) => rc.type === "aws_db_instance")!;
      expect(db.change.actions).toEqual(["create"]);
      expect(db.change.after).toMatchObject({
        engine: "postgres",
        engine_version: "17",
        manage_master_user_password: true,
        storage_encrypted: true,
        publicly_accessible: false,
        multi_az: environment.isProduction,
        deletion_protection: environment.protectsData,
        skip_final_snapshot: !environment.protectsData,
        backup_retention_period: REGISTRY[environment.name].backupRetentionDays,
        iam_database_authentication_enabled: true,
      });
      expect((db.change.after as any).password ?? null).toBeNull();
      expect(changes.filter((rc) => rc.type === "aws_secretsmanager_secret_version")).toEqual([]);
      const secret = changes.find((rc) => rc.type === "aws_secretsmanager_secret" && (rc.change.after as any).name === `${environment.prefix}/mlflow/admin-credentials`);
      expect(secret).toBeDefined();
    });
  }
});
