import { Cpu, Memory } from "../../../lib/kubernetes/resources";
import Ajv from "ajv";
import { MlflowDatabaseBootstrap, RegistryAuth } from "../../../lib";
import { DATABASE_BOOTSTRAP_SCRIPT } from "../../../lib/model-registry/private/database-bootstrap-script";
import { chartDefaults, chartSchema, helmRelease, unknownReleaseKeys } from "../../support/chart-values";
import { crdSchemaErrors } from "../../support/crd-schema";
import { onlyResource, resourcesOfType } from "../../support/synth";
import { PROD, RegistryOptions, helmMerge, mlflowStacks, synthStacks } from "./fixtures";

const OIDC = RegistryAuth.oidc({ discoveryUrl: "https://sso.example.com/.well-known/openid-configuration", clientId: "mlflow" });

/** Keys the chart passes through with toYaml (documented in values.schema.json), absent from values.yaml. */
const DOCUMENTED = {
  "podSecurityContext.runAsNonRoot": "values.schema.json: podSecurityContext is a PodSecurityContext rendered with toYaml",
  "podSecurityContext.runAsUser": "values.schema.json: podSecurityContext.runAsUser",
  "podSecurityContext.runAsGroup": "values.schema.json: podSecurityContext.runAsGroup",
  "podSecurityContext.seccompProfile": "values.schema.json: podSecurityContext is a PodSecurityContext rendered with toYaml",
};

/** The one resource of a type in the mlflow namespace (the bootstrap has its own namespace). */
function mlflowOnly(json: any, type: string): any {
  const all = Object.entries<any>(resourcesOfType(json, type)).filter(([id]) => !id.includes("database-bootstrap"));
  if (all.length !== 1) throw new Error(`expected exactly one ${type} outside the database bootstrap, found ${all.length}`);
  return all[0][1];
}

function build(options: RegistryOptions = {}, overrides: Parameters<typeof mlflowStacks>[1] = {}, server: Parameters<typeof mlflowStacks>[2] = {}) {
  const built = mlflowStacks(options, overrides, server);
  const stacks = synthStacks(built.app);
  const platform = stacks["test-platform"];
  return { ...built, infraJson: stacks["test-infra"], platformJson: platform, release: helmRelease(platform, "mlflow") };
}

const ajv = new Ajv({ strict: false, allErrors: true });
const validateSchema = ajv.compile(chartSchema("mlflow", "1.11.5")!);

function schemaErrors(values: Record<string, unknown>): string[] {
  const merged = helmMerge(chartDefaults("mlflow", "1.11.5"), values);
  return validateSchema(merged) ? [] : (validateSchema.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}

describe("MlflowServer chart values", () => {
  const dev = build();
  const prod = build({}, PROD);
  const oidc = build({ auth: OIDC });
  const none = build({ auth: RegistryAuth.none() });

  test.each([
    ["development, basic auth", dev],
    ["production", prod],
    ["OIDC", oidc],
    ["no auth", none],
  ])("%s: validate against the chart's values.schema.json after Helm merges them over the defaults", (_, b) => {
    expect(schemaErrors(b.release.values)).toEqual([]);
  });

  test.each([
    ["development, basic auth", dev],
    ["production", prod],
    ["OIDC", oidc],
    ["no auth", none],
  ])("%s: every key exists in the chart's defaults", (_, b) => {
    expect(unknownReleaseKeys(b.release, { documented: DOCUMENTED })).toEqual([]);
  });

  test("the schema check catches values the chart refuses", () => {
    expect(schemaErrors({ ...dev.release.values, ldapAuth: { enabled: true } })).not.toEqual([]);
    expect(schemaErrors({ ...dev.release.values, replicaCount: "2" })).toEqual(["/replicaCount must be integer"]);
  });

  test("installs the pinned mlflow chart as release mlflow in namespace mlflow, atomically", () => {
    expect(dev.release).toMatchObject({ name: "mlflow", chart: "mlflow", version: "1.11.5", namespace: "mlflow" });
    expect(dev.release.resource).toMatchObject({ repository: "https://community-charts.github.io/helm-charts", atomic: true, create_namespace: false });
  });

  test("points the backend store at the RDS instance through the infra stack's outputs", () => {
    const store = dev.release.values.backendStore as any;
    expect(store.postgres).toMatchObject({ enabled: true, port: 5432, database: "mlflow", driver: "psycopg2" });
    expect(store.postgres.host).toMatch(
      /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-test-infra\.outputs\.cross-stack-output-aws_db_instancemodel-registry_database_instance_4D8843B1address\}$/,
    );
    expect(Object.keys(dev.infraJson.output)).toContain("cross-stack-output-aws_db_instancemodel-registry_database_instance_4D8843B1address");
  });

  test("reads database credentials from the synced Secret, never from values", () => {
    const store = dev.release.values.backendStore as any;
    expect(store.existingDatabaseSecret).toEqual({ name: "mlflow-db-credentials", usernameKey: "username", passwordKey: "password" });
    expect(store.postgres.password).toBeUndefined();
    expect(store.postgres.user).toBeUndefined();
  });

  test("runs database migrations on every install and upgrade, after checking the database is reachable", () => {
    expect(dev.release.values.backendStore).toMatchObject({ databaseMigration: true, databaseConnectionCheck: true });
  });

  test("requires TLS to the database from every connection of the server", () => {
    expect((dev.release.values.extraEnvVars as any).PGSSLMODE).toBe("require");
  });

  test("stores artifacts in the registry's bucket, read and written by clients directly", () => {
    expect(dev.release.values.artifactRoot).toEqual({ proxiedArtifactStorage: false, s3: { enabled: true, bucket: "ml-test-mlflow-artifacts-123456789012", path: "" } });
    expect((dev.release.values.artifactRoot as any).s3.awsAccessKeyId).toBeUndefined();
  });

  test("runs as the Terraform-managed service account, annotated with the IRSA role", () => {
    expect(dev.release.values.serviceAccount).toEqual({ create: false, name: "mlflow" });
    const sa = mlflowOnly(dev.platformJson, "kubernetes_service_account_v1");
    expect(sa.metadata.name).toBe("mlflow");
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(/terraform_remote_state\.cross-stack-reference-input-test-infra\.outputs\..*server-role.*arn/);
  });

  test("basic auth: admin credentials from the synced secret, users in the shared auth database", () => {
    const auth = dev.release.values.auth as any;
    expect(auth).toMatchObject({
      enabled: true,
      // Forms escaped for the chart's sed and MLflow's configparser (ADMIN_SECRET_TEMPLATE).
      existingAdminSecret: { name: "mlflow-auth", usernameKey: "username-ini", passwordKey: "password-ini" },
      defaultPermission: "READ",
      postgres: {
        enabled: true,
        port: 5432,
        database: "mlflow_auth",
        driver: "psycopg2",
        existingSecret: { name: "mlflow-db-credentials", usernameKey: "username", passwordKey: "password-ini" },
      },
    });
    expect(auth.adminPassword).toBeUndefined();
    expect(auth.postgres.host).toBe((dev.release.values.backendStore as any).postgres.host);
  });

  test("no init container of the server creates a database: the bootstrap Job does, as the master user, outside the mlflow namespace", () => {
    for (const b of [dev, prod, oidc]) {
      const init = (b.release.values.initContainers as any[]) ?? [];
      expect(init.map((c) => c.name)).not.toContain("create-auth-database");
      for (const c of init) expect(JSON.stringify(c)).not.toMatch(/CREATE DATABASE|mlflow-db-master/);
    }
  });

  test("OIDC: the client secret and the user database come from synced secrets", () => {
    const values = oidc.release.values as any;
    expect(values.auth).toBeUndefined();
    expect(values.oidcAuth).toMatchObject({
      enabled: true,
      discoveryUrl: "https://sso.example.com/.well-known/openid-configuration",
      clientId: "mlflow",
      existingSecret: { name: "mlflow-auth", clientSecretKey: "client_secret" },
      database: { postgres: { enabled: true, database: "mlflow_auth", existingSecret: { name: "mlflow-db-credentials", passwordKey: "password-url" } } },
    });
    expect(values.oidcAuth.clientSecret).toBeUndefined();
  });

  test("without authentication (development only): neither auth values nor the auth database", () => {
    const values = none.release.values as any;
    expect(values.auth).toBeUndefined();
    expect(values.oidcAuth).toBeUndefined();
    expect(values.initContainers).toBeUndefined();
    const job = onlyResource(none.platformJson, "kubernetes_job_v1");
    expect(job.spec.template.spec.container[0].env).toContainEqual({ name: "APP_DATABASES", value: "mlflow" });
  });

  test("runs non-root with a read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp", () => {
    expect(dev.release.values.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(dev.release.values.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    const ns = mlflowOnly(dev.platformJson, "kubernetes_namespace_v1");
    expect(ns.metadata).toEqual({
      name: "mlflow",
      labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted" },
    });
  });

  test("requests resources from config, with a memory limit", () => {
    const b = build({}, {}, { resources: { cpu: Cpu.cores(1), memory: Memory.gibibytes(2) } });
    expect(b.release.values.resources).toEqual({ requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } });
  });

  test("exposes Prometheus metrics on a writable metrics directory, without the chart's ServiceMonitor (which cannot log in)", () => {
    expect(dev.release.values.serviceMonitor).toEqual({ enabled: false });
    expect(dev.release.values.extraArgs).toEqual({ exposePrometheus: "/mlflow/metrics" });
    expect(dev.release.values.extraVolumeMounts).toEqual([{ name: "prometheus-metrics", mountPath: "/mlflow/metrics" }]);
  });

  test("accepts the Service's in-cluster names and pod IPs as Host headers", () => {
    expect(dev.release.values.serverAllowedHosts).toEqual(expect.arrayContaining(["mlflow.mlflow.svc.cluster.local", "mlflow.mlflow.svc.cluster.local:*", "10.0.*"]));
  });
});

describe("MlflowServer replicas and disruption budget", () => {
  test("one replica and no PodDisruptionBudget in development", () => {
    const b = build();
    expect(b.release.values.replicaCount).toBe(1);
    expect(resourcesOfType(b.platformJson, "kubernetes_pod_disruption_budget_v1")).toEqual({});
  });

  test("two replicas in production, spread over zones, with a PodDisruptionBudget", () => {
    const b = build({}, PROD);
    expect(b.release.values.replicaCount).toBe(2);
    const pdb = onlyResource(b.platformJson, "kubernetes_pod_disruption_budget_v1");
    expect(pdb.spec).toEqual({ max_unavailable: "1", selector: { match_labels: { "app.kubernetes.io/name": "mlflow", "app.kubernetes.io/instance": "mlflow" } } });
    const terms = (b.release.values.affinity as any).podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
    expect(terms[0].podAffinityTerm.topologyKey).toBe("topology.kubernetes.io/zone");
  });

  test("replicas from the replicas prop", () => {
    expect(build({}, {}, { replicas: 3 }).release.values.replicaCount).toBe(3);
  });
});

describe("MlflowServer credentials through External Secrets", () => {
  const b = build();
  const manifests = Object.values(resourcesOfType(b.platformJson, "kubernetes_manifest")) as any[];
  const byName = (kind: string, name: string) => manifests.find((m) => m.manifest.kind === kind && m.manifest.metadata.name === name);

  test("syncs MLflow's own database login (never the master user's), by ARN from the infra stack, with URL-safe derived keys", () => {
    const es = byName("ExternalSecret", "mlflow-db-credentials");
    expect(es.manifest.metadata.namespace).toBe("mlflow");
    expect(es.manifest.spec.data.map((d: any) => d.remoteRef.property)).toEqual(["username", "password"]);
    for (const d of es.manifest.spec.data) expect(d.remoteRef.key).toMatch(/terraform_remote_state.*database-app-secret/);
    // The secret has a value only once the bootstrap Job has run.
    expect(byName("SecretStore", "mlflow-db-credentials-store").depends_on).toContainEqual(expect.stringMatching(/^kubernetes_job_v1\.mlflow_database-bootstrap_job/));
    expect(es.manifest.spec.target.template).toEqual({
      engineVersion: "v2",
      data: {
        username: "{{ .username }}",
        password: "{{ .password }}",
        "password-url": "{{ .password | urlquery }}",
        "password-ini": '{{ .password | urlquery | replace "%" "%%" }}',
      },
    });
  });

  test("syncs the admin credentials secret", () => {
    const es = byName("ExternalSecret", "mlflow-auth");
    expect(es.manifest.spec.data.map((d: any) => [d.secretKey, d.remoteRef.property])).toEqual([
      ["username", "username"],
      ["password", "password"],
    ]);
    expect(es.manifest.spec.data[0].remoteRef.key).toMatch(/terraform_remote_state.*auth-secret/);
  });

  test("authenticates each SecretStore as the mlflow service account, created first", () => {
    for (const name of ["mlflow-db-credentials-store", "mlflow-auth-store"]) {
      const store = byName("SecretStore", name);
      expect(store.manifest.spec.provider.aws).toEqual({ service: "SecretsManager", region: "us-east-1", auth: { jwt: { serviceAccountRef: { name: "mlflow" } } } });
      expect(store.depends_on).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^kubernetes_namespace_v1\.mlflow_namespace/),
          expect.stringMatching(/^kubernetes_service_account_v1\.mlflow_service-account/),
        ]),
      );
    }
  });

  test("installs the chart only after both Secrets have synced", () => {
    for (const name of ["mlflow-db-credentials", "mlflow-auth"]) {
      expect(byName("ExternalSecret", name).wait).toEqual({ condition: [{ type: "Ready", status: "True" }] });
    }
    expect(b.release.resource.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/kubernetes_manifest\.mlflow_database-credentials_external-secret/),
        expect.stringMatching(/kubernetes_manifest\.mlflow_auth-credentials_external-secret/),
      ]),
    );
  });
});

describe("MlflowServer client users and scraping (basic auth)", () => {
  const b = build();
  const dev = b;
  const none = build({ auth: RegistryAuth.none() });
  const manifests = Object.values(resourcesOfType(b.platformJson, "kubernetes_manifest")) as any[];
  const byName = (kind: string, name: string) => manifests.find((m) => m.manifest.kind === kind && m.manifest.metadata.name === name);
  const chartService = chartDefaults("mlflow", "1.11.5").service as any;

  test("syncs the reader and trainer users' credentials into the mlflow namespace before the chart installs", () => {
    for (const kind of ["reader", "trainer"]) {
      const es = byName("ExternalSecret", `mlflow-${kind}-credentials`);
      expect(es.manifest.metadata.namespace).toBe("mlflow");
      expect(es.manifest.spec.data.map((d: any) => [d.secretKey, d.remoteRef.property])).toEqual([
        ["username", "username"],
        ["password", "password"],
      ]);
      expect(es.manifest.spec.data[0].remoteRef.key).toMatch(new RegExp(`terraform_remote_state.*${kind}-secret`));
      expect(es.wait).toEqual({ condition: [{ type: "Ready", status: "True" }] });
      expect(b.release.resource.depends_on).toEqual(expect.arrayContaining([expect.stringContaining(`kubernetes_manifest.mlflow_${kind}-credentials_external-secret`)]));
    }
  });

  test("an init container creates the client users with MLflow's auth store, from the synced secrets, after the auth database exists", () => {
    const init = dev.release.values.initContainers as any[];
    expect(init.map((c) => c.name)).toEqual(["create-client-users"]);
    const users = init[0];
    expect(users.image).toBe("burakince/mlflow:3.15.1");
    expect(users.command.slice(0, 2)).toEqual(["python", "-c"]);
    expect(users.command[2]).toContain("from mlflow.server.auth.sqlalchemy_store import SqlAlchemyStore");
    expect(users.env).toEqual(
      expect.arrayContaining([
        { name: "PGDATABASE", value: "mlflow_auth" },
        { name: "PGSSLMODE", value: "require" },
        { name: "MLFLOW_CLIENT_USERS", value: "reader,trainer" },
        { name: "READER_USERNAME", valueFrom: { secretKeyRef: { name: "mlflow-reader-credentials", key: "username" } } },
        { name: "TRAINER_PASSWORD", valueFrom: { secretKeyRef: { name: "mlflow-trainer-credentials", key: "password" } } },
      ]),
    );
    expect(users.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
  });

  test("a ServiceMonitor scrapes the chart Service's port by name, logging in as the reader user", () => {
    const sm = byName("ServiceMonitor", "mlflow").manifest;
    expect(sm.metadata.namespace).toBe("mlflow");
    expect(sm.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "mlflow", "app.kubernetes.io/instance": "mlflow" });
    // templates/service.yaml names the Service's port with `service.name`; the container's port is `service.containerPortName`.
    expect(sm.spec.endpoints).toEqual([
      {
        port: chartService.name,
        path: "/metrics",
        interval: "30s",
        scrapeTimeout: "10s",
        basicAuth: { username: { name: "mlflow-reader-credentials", key: "username" }, password: { name: "mlflow-reader-credentials", key: "password" } },
      },
    ]);
    expect(sm.spec.endpoints[0].port).not.toBe(chartService.containerPortName);
    expect(crdSchemaErrors(sm)).toEqual([]);
  });

  test("without authentication the ServiceMonitor sends no credentials", () => {
    const noneManifests = Object.values(resourcesOfType(none.platformJson, "kubernetes_manifest")) as any[];
    const sm = noneManifests.find((m) => m.manifest.kind === "ServiceMonitor").manifest;
    expect(sm.spec.endpoints[0].basicAuth).toBeUndefined();
    expect(
      noneManifests
        .filter((m) => m.manifest.kind === "ExternalSecret")
        .map((m) => m.manifest.metadata.name)
        .sort(),
    ).toEqual(["mlflow-db-credentials", "mlflow-db-master"]);
  });

  test("Reloader restarts the server when the database, admin or client credentials change", () => {
    expect((dev.release.values.deploymentAnnotations as any)["secret.reloader.stakater.com/reload"]).toBe(
      "mlflow-db-credentials,mlflow-auth,mlflow-reader-credentials,mlflow-trainer-credentials",
    );
  });
});

describe("MlflowServer in the cluster's network and API (issue 12)", () => {
  const b = build();

  test("the service account mounts no Kubernetes API token (MLflow never calls the API; IRSA has its own projected token)", () => {
    expect(mlflowOnly(b.platformJson, "kubernetes_service_account_v1").automount_service_account_token).toBe(false);
  });

  test("the mlflow namespace denies by default and allows DNS, HTTPS out, PostgreSQL in the VPC, and the tracking port from every namespace", () => {
    const policies = Object.values(resourcesOfType(b.platformJson, "kubernetes_network_policy_v1")).filter((p: any) => /mlflow_namespace/.test(p.metadata.namespace)) as any[];
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(["allow-dns", "allow-https-egress", "allow-postgres-egress", "allow-tracking-ingress", "default-deny"]);
    for (const p of policies) expect(p.metadata.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.mlflow_namespace_.*\.metadata\[0\]\.name\}$/);
    const byName = (n: string) => policies.find((p) => p.metadata.name === n).spec;
    expect(byName("allow-postgres-egress").egress).toEqual([{ to: [{ ip_block: { cidr: "10.0.0.0/16" } }], ports: [{ port: "5432", protocol: "TCP" }] }]);
    expect(byName("allow-tracking-ingress").pod_selector).toEqual({ match_labels: { "app.kubernetes.io/name": "mlflow" } });
    expect(byName("allow-tracking-ingress").ingress[0].ports).toEqual([{ port: "5000", protocol: "TCP" }]);
  });
});

describe("MlflowServer database bootstrap (least-privilege login, issue 12)", () => {
  const b = build();
  const manifests = (Object.values(resourcesOfType(b.platformJson, "kubernetes_manifest")) as any[]).map((m) => m.manifest);
  const job = onlyResource(b.platformJson, "kubernetes_job_v1");
  const cron = onlyResource(b.platformJson, "kubernetes_cron_job_v1");

  test("the master user's secret is synced into the bootstrap's own namespace only, as its own service account", () => {
    const master = manifests.filter((m) => m.kind === "ExternalSecret" && m.spec.data.some((d: any) => /master_user_secret/.test(d.remoteRef.key)));
    expect(master.map((m) => [m.metadata.namespace, m.spec.target.name])).toEqual([["mlflow-db-admin", "mlflow-db-master"]]);
    const store = manifests.find((m) => m.kind === "SecretStore" && m.metadata.name === "mlflow-db-master-store");
    expect(store.spec.provider.aws.auth).toEqual({ jwt: { serviceAccountRef: { name: "mlflow-db-bootstrap" } } });
  });

  test("no MLflow pod mounts or reads the master credential", () => {
    expect(JSON.stringify(b.release.values)).not.toContain("mlflow-db-master");
    const synced = manifests.filter((m) => m.kind === "ExternalSecret" && m.metadata.namespace === "mlflow");
    for (const es of synced) for (const d of es.spec.data) expect(d.remoteRef.key).not.toMatch(/master_user_secret/);
  });

  test("a Job runs the bootstrap script as the master user over TLS, and Terraform waits for it", () => {
    const pod = job.spec.template.spec;
    const c = pod.container[0];
    expect(job.metadata.namespace).toMatch(/kubernetes_namespace_v1\.mlflow_database-bootstrap_namespace/);
    expect(job.wait_for_completion).toBe(true);
    expect(c.command).toEqual(["python", "-c", DATABASE_BOOTSTRAP_SCRIPT]);
    expect(c.image).toBe("burakince/mlflow:3.15.1");
    expect(c.env).toEqual(
      expect.arrayContaining([
        { name: "PGUSER", value_from: { secret_key_ref: { name: "mlflow-db-master", key: "username" } } },
        { name: "PGPASSWORD", value_from: { secret_key_ref: { name: "mlflow-db-master", key: "password" } } },
        { name: "PGSSLMODE", value: "require" },
        { name: "APP_OWNER_ROLE", value: "mlflow_app" },
        { name: "APP_LOGIN_ROLES", value: "mlflow_app_a,mlflow_app_b" },
        { name: "APP_DATABASES", value: "mlflow,mlflow_auth" },
        { name: "ROTATE", value: "0" },
      ]),
    );
    expect(c.env.find((e: any) => e.name === "APP_SECRET_ID").value).toMatch(/terraform_remote_state.*database-app-secret/);
    expect(pod.service_account_name).toMatch(/mlflow_database-bootstrap_service-account/);
  });

  test("a CronJob rotates the login monthly with the same script", () => {
    const c = cron.spec.job_template.spec.template.spec.container[0];
    expect(cron.spec.schedule).toBe("0 4 1 * *");
    expect(cron.spec.concurrency_policy).toBe("Forbid");
    expect(c.command).toEqual(["python", "-c", DATABASE_BOOTSTRAP_SCRIPT]);
    expect(c.env).toContainEqual({ name: "ROTATE", value: "1" });
  });

  test("the bootstrap namespace denies by default and allows only DNS, HTTPS to the VPC and PostgreSQL out", () => {
    const policies = Object.values(resourcesOfType(b.platformJson, "kubernetes_network_policy_v1")).filter((p: any) =>
      /database-bootstrap_namespace/.test(p.metadata.namespace),
    ) as any[];
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(["allow-aws-api-egress", "allow-dns", "allow-postgres-egress", "default-deny"]);
    // HTTPS to the VPC only (STS and Secrets Manager through their interface endpoints), never the internet.
    expect(policies.find((p) => p.metadata.name === "allow-aws-api-egress").spec.egress).toEqual([
      { to: [{ ip_block: { cidr: "10.0.0.0/16" } }], ports: [{ port: "443", protocol: "TCP" }] },
    ]);
    expect(job.depends_on).toEqual(expect.arrayContaining(policies.map((p) => expect.stringContaining(p.metadata.name))));
  });
});

describe("MlflowDatabaseBootstrap bad input", () => {
  test("a rotation schedule that is not cron: one ConfigError naming the field", () => {
    const built = mlflowStacks();
    expect(() => new MlflowDatabaseBootstrap(built.platform, "bootstrap-2", { registry: built.registry, rotationSchedule: "monthly" })).toThrow(
      /test-platform\/bootstrap-2: rotationSchedule is "monthly"; has 1 fields; a cron schedule has 5: minute hour day-of-month month day-of-week; must be a 5-field cron schedule/,
    );
  });
});
