import { TerraformOutput } from "cdktf";
import { RegistryAuth, ServiceAccountRole } from "../../../lib";
import { recordedSuppressions } from "../../../lib/policy";
import { onlyResource, resourcesOfType, synthJson, withoutAccessLogs } from "../../support/synth";
import { PROD, STAGING, registryStack, synthStacks } from "./fixtures";

function db(json: any): any {
  return onlyResource(json, "aws_db_instance");
}

describe("ModelRegistry database", () => {
  test("runs PostgreSQL 17 by major version, with minor versions applied by RDS", () => {
    const instance = db(synthJson(registryStack().infra));
    expect(instance).toMatchObject({ engine: "postgres", engine_version: "17", auto_minor_version_upgrade: true, allow_major_version_upgrade: false });
  });

  test("takes the instance class and storage from its props", () => {
    const { infra } = registryStack({ instanceClass: "db.r7g.large", allocatedStorageGiB: 50 });
    expect(db(synthJson(infra))).toMatchObject({ instance_class: "db.r7g.large", allocated_storage: 50, max_allocated_storage: 250, storage_type: "gp3" });
  });

  test("defaults to db.t4g.medium with 20 GB", () => {
    expect(db(synthJson(registryStack().infra))).toMatchObject({ instance_class: "db.t4g.medium", allocated_storage: 20 });
  });

  test("encrypts storage with the environment key", () => {
    const instance = db(synthJson(registryStack().infra));
    expect(instance.storage_encrypted).toBe(true);
    expect(instance.kms_key_id).toMatch(/^\$\{aws_kms_key\.cluster_kms_key_.*\.arn\}$/);
  });

  test("has RDS manage the master password in Secrets Manager under the environment key: no password anywhere", () => {
    const instance = db(synthJson(registryStack().infra));
    expect(instance.manage_master_user_password).toBe(true);
    expect(instance.master_user_secret_kms_key_id).toBe(instance.kms_key_id);
    expect(instance.password).toBeUndefined();
    expect(instance.password_wo).toBeUndefined();
    expect(instance.username).toBe("mlflow");
    expect(instance.db_name).toBe("mlflow");
  });

  test("lives in the private subnets, not publicly accessible", () => {
    const json = synthJson(registryStack().infra);
    expect(db(json).publicly_accessible).toBe(false);
    const group = onlyResource(json, "aws_db_subnet_group");
    expect(group.subnet_ids).toHaveLength(3);
    for (const id of group.subnet_ids) expect(id).toMatch(/aws_subnet\.cluster_network_private/);
    expect(db(json).db_subnet_group_name).toMatch(/aws_db_subnet_group\..*\.name/);
  });

  test("admits only the cluster's workload security group, on 5432", () => {
    const json = synthJson(registryStack().infra);
    const rules = Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter((r: any) => /model-registry_database/.test(r.security_group_id));
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ ip_protocol: "tcp", from_port: 5432, to_port: 5432 });
    expect((rules[0] as any).referenced_security_group_id).toMatch(/aws_security_group\.cluster_nodes_.*\.id/);
    expect((rules[0] as any).cidr_ipv4).toBeUndefined();
    const sg = Object.values(resourcesOfType(json, "aws_security_group")).find((g: any) => g.name === "ml-test-mlflow-db") as any;
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
    expect(db(json).vpc_security_group_ids).toEqual([expect.stringMatching(/aws_security_group\.model-registry_database_security-group/)]);
  });

  test("forces TLS through its parameter group", () => {
    const json = synthJson(registryStack().infra);
    const group = onlyResource(json, "aws_db_parameter_group");
    expect(group.family).toBe("postgres17");
    expect(group.parameter).toContainEqual({ name: "rds.force_ssl", value: "1", apply_method: "pending-reboot" });
    expect(group.lifecycle.create_before_destroy).toBe(true);
    expect(db(json).parameter_group_name).toMatch(/aws_db_parameter_group\..*\.name/);
  });

  test("keeps automated backups for the configured days", () => {
    expect(db(synthJson(registryStack({ backupRetentionDays: 21 }).infra)).backup_retention_period).toBe(21);
  });

  test("keeps backups 1 day in development, 7 in staging, 14 in production by default", () => {
    expect(db(synthJson(registryStack().infra)).backup_retention_period).toBe(1);
    expect(db(synthJson(registryStack({}, STAGING).infra)).backup_retention_period).toBe(7);
    expect(db(synthJson(registryStack({}, PROD).infra)).backup_retention_period).toBe(14);
  });

  test("takes backup retention from the backupRetentionDays prop", () => {
    expect(db(synthJson(registryStack({ backupRetentionDays: 3 }).infra)).backup_retention_period).toBe(3);
  });

  test("in development: no deletion protection, no final snapshot, single zone", () => {
    const instance = db(synthJson(registryStack().infra));
    expect(instance).toMatchObject({ deletion_protection: false, skip_final_snapshot: true, multi_az: false });
    expect(instance.final_snapshot_identifier).toBeUndefined();
  });

  test("in staging: deletion protection, a final snapshot and prevent_destroy, single zone", () => {
    const instance = db(synthJson(registryStack({}, STAGING).infra));
    expect(instance).toMatchObject({
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "ml-staging-mlflow-final",
      multi_az: false,
    });
    expect(instance.lifecycle.prevent_destroy).toBe(true);
  });

  test("in production: Multi-AZ with deletion protection and a final snapshot", () => {
    expect(db(synthJson(registryStack({}, PROD).infra))).toMatchObject({
      multi_az: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "ml-prod-mlflow-final",
    });
  });

  test("production may go without Multi-AZ and deletion protection with written reasons", () => {
    const { infra } = registryStack(
      {
        multiAz: false,
        deletionProtection: false,
        overrides: {
          withoutMultiAz: { reason: "single-zone pilot agreed with the ML lead until 2027-01" },
          withoutDeletionProtection: { reason: "registry is rebuilt from the nightly export during the pilot" },
        },
      },
      PROD,
    );
    expect(db(synthJson(infra))).toMatchObject({ multi_az: false, deletion_protection: false, skip_final_snapshot: true });
  });

  test("records the tier's single-zone database, or the written override, as accepted policy findings", () => {
    const suppressions = (built: ReturnType<typeof registryStack>) =>
      recordedSuppressions(synthStacks(built.app)["test-infra"]).filter((s) => s.constructPath.startsWith("test-infra/model-registry/")); // not the access-log bucket's SSE-S3 (lib/storage)
    const staging = suppressions(registryStack({}, STAGING));
    expect(staging).toEqual([
      {
        ruleId: "RDS-MULTI-AZ",
        constructPath: "test-infra/model-registry/database",
        reason: "staging runs a single-zone registry database by design: Multi-AZ is required in production only",
      },
    ]);
    const reason = "single-zone pilot agreed with the ML lead until 2027-01";
    const prod = suppressions(registryStack({ multiAz: false, overrides: { withoutMultiAz: { reason } } }, PROD));
    expect(prod).toEqual([{ ruleId: "RDS-MULTI-AZ", constructPath: "test-infra/model-registry/database", reason }]);
  });

  test("encrypts Performance Insights with the environment key", () => {
    const instance = db(synthJson(registryStack().infra));
    expect(instance.performance_insights_enabled).toBe(true);
    expect(instance.performance_insights_kms_key_id).toBe(instance.kms_key_id);
    expect(instance.performance_insights_retention_period).toBe(7);
  });

  test("has no Performance Insights on the smallest burstable classes, which lack it", () => {
    const instance = db(synthJson(registryStack({ instanceClass: "db.t4g.micro" }).infra));
    expect(instance.performance_insights_enabled).toBe(false);
    expect(instance.performance_insights_kms_key_id).toBeUndefined();
  });

  test("sends enhanced monitoring every 60 s through its own role", () => {
    const json = synthJson(registryStack().infra);
    expect(db(json).monitoring_interval).toBe(60);
    expect(db(json).monitoring_role_arn).toMatch(/aws_iam_role\.model-registry_database_monitoring-role.*\.arn/);
    const attachment = onlyResource(json, "aws_iam_role_policy_attachment");
    expect(attachment.policy_arn).toBe("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole");
    const role = Object.values(resourcesOfType(json, "aws_iam_role")).find((r: any) => r.name === "ml-test-mlflow-monitoring") as any;
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: "monitoring.rds.amazonaws.com" });
  });

  test("can turn enhanced monitoring off, without its role", () => {
    const json = synthJson(registryStack({ enhancedMonitoringIntervalSeconds: 0 }).infra);
    expect(db(json).monitoring_interval).toBe(0);
    expect(db(json).monitoring_role_arn).toBeUndefined();
    expect(resourcesOfType(json, "aws_iam_role_policy_attachment")).toEqual({});
  });

  test("exports PostgreSQL logs to log groups it encrypts and expires", () => {
    const json = synthJson(registryStack().infra);
    expect(db(json).enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    const groups = Object.values(resourcesOfType(json, "aws_cloudwatch_log_group")).filter((g: any) => g.name.startsWith("/aws/rds/")) as any[];
    expect(groups.map((g) => g.name)).toEqual(["/aws/rds/instance/ml-test-mlflow/postgresql", "/aws/rds/instance/ml-test-mlflow/upgrade"]);
    for (const g of groups) {
      expect(g.retention_in_days).toBe(30);
      expect(g.kms_key_id).toBe(db(json).kms_key_id);
    }
    expect(db(json).depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/aws_cloudwatch_log_group\.model-registry_database_log-postgresql/)]));
  });

  test("copies tags to snapshots and turns IAM database authentication on", () => {
    expect(db(synthJson(registryStack().infra))).toMatchObject({ copy_tags_to_snapshot: true, iam_database_authentication_enabled: true });
  });

  test("can turn IAM database authentication off", () => {
    expect(db(synthJson(registryStack({ iamDatabaseAuthentication: false }).infra)).iam_database_authentication_enabled).toBe(false);
  });

  test("can run an older supported major version, with the matching parameter family", () => {
    const json = synthJson(registryStack({ engineVersion: "16" }).infra);
    expect(db(json).engine_version).toBe("16");
    expect(onlyResource(json, "aws_db_parameter_group")).toMatchObject({ family: "postgres16", name: "ml-test-mlflow-postgres16" });
  });
});

describe("ModelRegistry artifact bucket", () => {
  test("is a SecureBucket named after the environment and account", () => {
    const json = withoutAccessLogs(synthJson(registryStack().infra));
    expect(onlyResource(json, "aws_s3_bucket").bucket).toBe("ml-test-mlflow-artifacts-123456789012");
    expect(onlyResource(json, "aws_s3_bucket_versioning").versioning_configuration.status).toBe("Enabled");
    const sse = onlyResource(json, "aws_s3_bucket_server_side_encryption_configuration").rule[0].apply_server_side_encryption_by_default;
    expect(sse).toEqual({ sse_algorithm: "aws:kms", kms_master_key_id: db(json).kms_key_id });
    expect(onlyResource(json, "aws_s3_bucket_public_access_block").restrict_public_buckets).toBe(true);
    expect(JSON.parse(onlyResource(json, "aws_s3_bucket_policy").policy).Statement[0].Condition).toEqual({ Bool: { "aws:SecureTransport": "false" } });
    expect(onlyResource(json, "aws_s3_bucket_lifecycle_configuration").rule[0].noncurrent_version_expiration[0].noncurrent_days).toBe(30);
  });

  test("takes a bucket name", () => {
    expect(onlyResource(withoutAccessLogs(synthJson(registryStack({ artifactBucketName: "acme-mlflow" }).infra)), "aws_s3_bucket").bucket).toBe("acme-mlflow");
  });
});

describe("ModelRegistry auth secret", () => {
  test("basic auth: empty secrets for the admin and the client users under the environment key, never a version", () => {
    const json = synthJson(registryStack().infra);
    const secrets = Object.values(resourcesOfType(json, "aws_secretsmanager_secret")) as any[];
    expect(secrets.map((s) => s.name).sort()).toEqual([
      "ml-test/mlflow/admin-credentials",
      "ml-test/mlflow/database-app",
      "ml-test/mlflow/reader-credentials",
      "ml-test/mlflow/trainer-credentials",
    ]);
    for (const secret of secrets) expect(secret.kms_key_id).toBe(db(json).kms_key_id);
    expect(resourcesOfType(json, "aws_secretsmanager_secret_version")).toEqual({});
    // How each is rotated (the policy pack's SECRETS-ROTATION reads it): the database login by the platform's CronJob, the rest by an operator within 90 days.
    expect(Object.fromEntries(secrets.map((x) => [x.name, x.tags]))).toEqual({
      "ml-test/mlflow/admin-credentials": { "ml-platform/rotation": "operator", "ml-platform/max-age-days": "90" },
      "ml-test/mlflow/database-app": { "ml-platform/rotation": "in-cluster" },
      "ml-test/mlflow/reader-credentials": { "ml-platform/rotation": "operator", "ml-platform/max-age-days": "90" },
      "ml-test/mlflow/trainer-credentials": { "ml-platform/rotation": "operator", "ml-platform/max-age-days": "90" },
    });
  });

  test("OIDC: a client-secret secret instead", () => {
    const json = synthJson(registryStack({ auth: RegistryAuth.oidc({ discoveryUrl: "https://sso.example.com/.well-known/openid-configuration", clientId: "mlflow" }) }).infra);
    const names = Object.values(resourcesOfType(json, "aws_secretsmanager_secret"))
      .map((r: any) => r.name)
      .sort();
    expect(names).toEqual(["ml-test/mlflow/database-app", "ml-test/mlflow/oidc-client"]);
  });

  test("no authentication (development): only the database login's secret", () => {
    const names = Object.values(resourcesOfType(synthJson(registryStack({ auth: RegistryAuth.none() }).infra), "aws_secretsmanager_secret")).map((r: any) => r.name);
    expect(names).toEqual(["ml-test/mlflow/database-app"]);
  });
});

function policy(json: any, role = "server-role"): any[] {
  const p = Object.values(resourcesOfType(json, "aws_iam_role_policy")).find((r: any) => new RegExp(`model-registry_${role}_`).test(r.role)) as any;
  return JSON.parse(p.policy).Statement;
}

describe("ModelRegistry IRSA role", () => {
  test("is trusted by exactly the mlflow/mlflow service account", () => {
    const json = synthJson(registryStack().infra);
    const role = Object.values(resourcesOfType(json, "aws_iam_role")).find((r: any) => r.name === "ml-test-mlflow-mlflow") as any;
    expect(role.assume_role_policy).toContain("system:serviceaccount:mlflow:mlflow");
  });

  test("may read and write exactly the artifact bucket, read exactly its secrets (its own database login, admin, client users), and use exactly the key", () => {
    const json = synthJson(registryStack().infra);
    const statements = policy(json);
    const resources = new Set(statements.flatMap((s) => s.Resource));
    const key = db(json).kms_key_id;
    expect([...resources].sort()).toEqual(
      [
        "${aws_secretsmanager_secret.model-registry_database-app-secret_6F1DEE36.arn}",
        "${aws_s3_bucket.model-registry_artifacts_bucket_04DFD583.arn}",
        "${aws_s3_bucket.model-registry_artifacts_bucket_04DFD583.arn}/*",
        "${aws_secretsmanager_secret.model-registry_auth-secret_53F0F42A.arn}",
        "${aws_secretsmanager_secret.model-registry_reader-secret_BAD50EFB.arn}",
        "${aws_secretsmanager_secret.model-registry_trainer-secret_9F2340FC.arn}",
        key,
      ].sort(),
    );
    expect(statements.flatMap((s) => s.Action)).not.toContain("*");
    expect(statements.filter((s) => s.Resource.includes(key)).flatMap((s) => s.Action)).not.toContain("kms:*");
    expect(statements.find((s) => s.Action.includes("s3:PutObject")).Resource).toEqual(["${aws_s3_bucket.model-registry_artifacts_bucket_04DFD583.arn}/*"]);
    expect(statements.find((s) => s.Action.includes("secretsmanager:GetSecretValue")).Resource).toHaveLength(1);
  });
});

describe("ModelRegistry database bootstrap role", () => {
  test("is trusted by exactly mlflow-db-admin/mlflow-db-bootstrap", () => {
    const json = synthJson(registryStack().infra);
    const role = Object.values(resourcesOfType(json, "aws_iam_role")).find((r: any) => r.name === "ml-test-mlflow-db-admin-mlflow-db-bootstrap") as any;
    expect(role.assume_role_policy).toContain("system:serviceaccount:mlflow-db-admin:mlflow-db-bootstrap");
  });

  test("alone reads the master user's secret; it reads and writes the app login's secret and nothing else", () => {
    const json = synthJson(registryStack().infra);
    const master = "${aws_db_instance.model-registry_database_instance_4D8843B1.master_user_secret[0].secret_arn}";
    const app = "${aws_secretsmanager_secret.model-registry_database-app-secret_6F1DEE36.arn}";
    const key = db(json).kms_key_id;
    const statements = policy(json, "database-bootstrap-role");
    const allowed = (action: string) =>
      statements
        .filter((s) => s.Action.includes(action))
        .flatMap((s) => s.Resource)
        .sort();
    expect(allowed("secretsmanager:GetSecretValue")).toEqual([app, master].sort());
    expect(allowed("secretsmanager:PutSecretValue")).toEqual([app]);
    expect(allowed("kms:GenerateDataKey")).toEqual([key]);
    expect(new Set(statements.flatMap((s) => s.Resource))).toEqual(new Set([app, master, key]));
    // No other role of the registry may read the master secret.
    const others = Object.values(resourcesOfType(json, "aws_iam_role_policy")).filter((r: any) => !/database-bootstrap-role/.test(r.role)) as any[];
    for (const p of others) expect(p.policy).not.toContain("master_user_secret");
  });
});

describe("ModelRegistry API", () => {
  test("exposes the in-cluster tracking URI of the chart's Service", () => {
    expect(registryStack().registry.trackingUri).toBe("http://mlflow.mlflow.svc.cluster.local:80");
  });

  test("exposes the artifact bucket and root", () => {
    const { registry } = registryStack();
    expect(registry.artifactBucket.bucketName).toBe("ml-test-mlflow-artifacts-123456789012");
    expect(registry.artifactRoot).toBe("s3://ml-test-mlflow-artifacts-123456789012/");
  });

  test("grantRead gives read-only access to the artifacts", () => {
    const { infra, registry, cluster } = registryStack();
    const role = new ServiceAccountRole(infra, "serving", { identity: cluster, namespace: "serving", serviceAccount: "fraud" });
    registry.grantRead(role);
    const actions = role.policyStatements.flatMap((s) => s.actions);
    expect(actions).toEqual(expect.arrayContaining(["s3:GetObject", "kms:Decrypt"]));
    expect(actions).not.toContain("s3:PutObject");
    expect(actions).not.toContain("s3:DeleteObject");
  });

  test("grantReadWrite lets training log runs and artifacts", () => {
    const { infra, registry, cluster } = registryStack();
    const role = new ServiceAccountRole(infra, "training", { identity: cluster, namespace: "training", serviceAccount: "trainer" });
    registry.grantReadWrite(role);
    expect(role.policyStatements.flatMap((s) => s.actions)).toEqual(expect.arrayContaining(["s3:PutObject", "s3:GetObject", "kms:GenerateDataKey*"]));
  });

  test("grantRead lets serving read the reader user's credentials, and no other secret", () => {
    const { infra, registry, cluster } = registryStack();
    const role = new ServiceAccountRole(infra, "serving", { identity: cluster, namespace: "serving", serviceAccount: "fraud" });
    registry.grantRead(role);
    expect(secretReadsOf(synthJson(infra), "serving")).toEqual(["${aws_secretsmanager_secret.model-registry_reader-secret_BAD50EFB.arn}"]);
  });

  test("grantReadWrite lets training read the trainer user's credentials, and no other secret", () => {
    const { infra, registry, cluster } = registryStack();
    const role = new ServiceAccountRole(infra, "training", { identity: cluster, namespace: "training", serviceAccount: "trainer" });
    registry.grantReadWrite(role);
    expect(secretReadsOf(synthJson(infra), "training")).toEqual(["${aws_secretsmanager_secret.model-registry_trainer-secret_9F2340FC.arn}"]);
  });

  test("model references carry the reader user's credentials under basic auth, none without authentication", () => {
    const { registry, infra } = registryStack();
    new TerraformOutput(infra, "credentials", { value: registry.model("fraud", { alias: "champion" }).credentials!.secretArn });
    expect(synthJson(infra).output.credentials.value).toBe("${aws_secretsmanager_secret.model-registry_reader-secret_BAD50EFB.arn}");
    expect(registryStack({ auth: RegistryAuth.none() }).registry.model("fraud", { version: 1 }).credentials).toBeUndefined();
  });
});

/** Secrets a role (by construct id) may read, from its synthesized inline policy. */
function secretReadsOf(json: any, roleId: string): string[] {
  const p = Object.values(resourcesOfType(json, "aws_iam_role_policy")).find((r: any) => new RegExp(`\\.${roleId}_`).test(r.role)) as any;
  return JSON.parse(p.policy)
    .Statement.filter((s: any) => [s.Action].flat().includes("secretsmanager:GetSecretValue"))
    .flatMap((s: any) => [s.Resource].flat());
}
