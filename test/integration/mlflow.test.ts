import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { typedToObject } from "../support/in-cluster";
import { MonitoredEndpoint, RegistryAuth } from "../../lib";
import { helmRelease } from "../support/chart-values";
import { helmTemplate, renderingUnavailable } from "../support/helm";
import { localContainers } from "../support/local-pod";
import { MotoServer, startMoto } from "../support/moto";
import { PostgresServer, postgresMissing, startPostgres } from "../support/postgres";
import { testRules } from "../support/promtool";
import { Venv, venvOrReason } from "../support/python";
import { syncedSecretData } from "../support/secret-sync";
import { describeIf, freePort, runs, waitForPort } from "../support/tools";
import { mlflowStacks, synthStacks } from "../lib/model-registry/fixtures";

/**
 * Issue 13, item 2: MLflow as the library deploys it. The tracking server's container (command,
 * arguments, environment, volumes) and its init containers come from the real `helm template` of
 * the mlflow chart with the values the library synthesizes; only what a test cannot have is
 * replaced: the RDS host and port by a local PostgreSQL with TLS, the S3 bucket by moto (with
 * moto's credentials in place of the IRSA role), the images by the pinned Python venv
 * (mlflow 3.15.1, the chart's appVersion), and Secrets Manager by the values below, which go
 * through the library's ExternalSecret mappings and templates (rendered by Go's template engine).
 * The client runs with exactly the environment the endpoint's Deployment gives its pods.
 * Prometheus (Debian's) scrapes with the library's ServiceMonitor settings.
 */
const { venv, missing: venvMissing } = venvOrReason("main");
const missing = [
  ...venvMissing,
  ...postgresMissing(),
  renderingUnavailable(),
  runs("prometheus", ["--version"]) && runs("promtool", ["--version"]) ? undefined : "Prometheus is not installed (apt-get install prometheus)",
  runs("psql", ["--version"]) ? undefined : "psql is not installed (apt-get install postgresql-client)",
  runs("openssl", ["version"]) ? undefined : "openssl is not installed",
].filter((m): m is string => typeof m === "string");

/** What an operator (or RDS) puts into Secrets Manager: awkward characters on purpose. */
const SECRETS_MANAGER: Record<string, Record<string, string>> = {
  // RDS-managed master passwords leave out / @ " and space only.
  "rds-master": { username: "mlflow", password: "R%d&s'#:$x!y*z?~^()[]{}|;,<>=" },
  "ml-test/mlflow/admin-credentials": { username: "ml-admin", password: `Adm'in"Pa/ss\\w&rd%20$HOME` },
  "ml-test/mlflow/reader-credentials": { username: "endpoint-reader", password: "reader-Pa'ss/w&rd%!" },
  "ml-test/mlflow/trainer-credentials": { username: "trainer", password: "trainer-Pa$$w0rd&/x" },
};
const SCRAPE_INTERVAL_SECONDS = 3;

interface Deployed {
  readonly work: string;
  readonly pg: PostgresServer;
  readonly moto: MotoServer;
  readonly url: string;
  readonly server: ChildProcess;
  readonly serverLog: () => string;
  /** The rendered chart and the synthesized stacks. */
  readonly objects: any[];
  readonly platformJson: any;
  readonly secrets: Record<string, Record<string, string>>;
  /** The endpoint pod's environment, as its Deployment gives it (secrets resolved). */
  readonly endpointEnv: Record<string, string>;
  readonly modelUris: string[];
  readonly bucket: string;
  readonly artifactRoot: string;
  readonly alerts: any;
  /** Runs the database bootstrap's container (the Job's, or the rotation CronJob's) locally, as the cluster would. */
  readonly runBootstrap: (which: "job" | "rotation") => string;
  /** Name of the Secrets Manager secret (in moto) holding MLflow's own database login. */
  readonly appSecretName: string;
  readonly stops: (() => Promise<void> | void)[];
}

function processEnv(venvDir: Venv, extra: Record<string, string | undefined>, home: string): NodeJS.ProcessEnv {
  return { PATH: `${path.dirname(venvDir.python)}:${process.env.PATH}`, HOME: home, LANG: "C.UTF-8", ...extra };
}

/** The remote secret (Secrets Manager) an ExternalSecret key points at: infra output -> resource -> name. */
function remoteSecret(infraJson: any, key: string): Record<string, string> {
  const name = remoteSecretName(infraJson, key);
  if (!SECRETS_MANAGER[name]) throw new Error(`no test value for the remote secret ${key} (${name})`);
  return SECRETS_MANAGER[name];
}

/** `rds-master` for the RDS-managed secret, else the name of the aws_secretsmanager_secret an infra output points at. */
function remoteSecretName(infraJson: any, key: string): string {
  const output = /outputs\.([^}]+)\}$/.exec(key)?.[1];
  const value: string | undefined = output ? infraJson.output[output]?.value : undefined;
  if (!value) throw new Error(`ExternalSecret key ${key} is no output of the infra stack`);
  if (/^\$\{aws_db_instance\.[^.]+\.master_user_secret\[0\]\.secret_arn\}$/.test(value)) return "rds-master";
  const id = /^\$\{aws_secretsmanager_secret\.([^.]+)\.arn\}$/.exec(value)?.[1];
  const name = id ? infraJson.resource.aws_secretsmanager_secret[id].name : undefined;
  if (!name) throw new Error(`the remote secret ${value} is no aws_secretsmanager_secret`);
  return name;
}

/** psql as a user; the status and output, for checks that expect a refusal. */
function psqlAs(pg: PostgresServer, user: string, password: string, database: string, sql: string): { ok: boolean; output: string } {
  const res = spawnSync("psql", ["-h", pg.host, "-p", String(pg.port), "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", sql], {
    env: { ...process.env, PGPASSWORD: password, PGSSLMODE: "require" },
    encoding: "utf8",
    timeout: 60000,
  });
  return { ok: res.status === 0, output: `${res.stdout}${res.stderr}`.trim() };
}

function run(argv: string[], env: NodeJS.ProcessEnv, what: string, input?: string): string {
  const res = spawnSync(argv[0], argv.slice(1), { env, encoding: "utf8", timeout: 240000, input, maxBuffer: 64 * 1024 * 1024 });
  const output = `${res.stdout ?? ""}${res.stderr ?? ""}`;
  if (res.status !== 0) throw new Error(`${what} exited ${res.status ?? res.signal}:\n${output.slice(-8000)}`);
  return res.stdout;
}

async function deploy(venvDir: Venv): Promise<Deployed> {
  const stops: (() => Promise<void> | void)[] = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-it-"));
  fs.mkdirSync(path.join(work, "home"));
  stops.push(() => fs.rmSync(work, { recursive: true, force: true }));
  try {
    const rds = SECRETS_MANAGER["rds-master"];
    // The RDS master user: CREATEDB and CREATEROLE, not a superuser.
    const pg = await startPostgres({ database: "mlflow", user: rds.username, password: rds.password, createDb: true, createRole: true, ssl: true });
    stops.push(() => pg.stop());
    const moto = await startMoto(venvDir);
    stops.push(() => moto.stop());

    // The stacks: registry (infra), tracking server and an endpoint serving a registry model (platform).
    const built = mlflowStacks({ auth: RegistryAuth.basic() });
    const role = built.cluster.addServiceAccountRole("serving-fraud", { namespace: "serving", serviceAccount: "fraud" });
    built.registry.grantRead(role);
    const modelUris = [
      built.registry.model("fraud", { alias: "champion" }).uri,
      built.registry.model("fraud", { version: 1 }).uri,
      built.registry.model("fraud", { stage: "Staging" }).uri,
    ];
    new MonitoredEndpoint(built.platform, "fraud", {
      name: "fraud",
      model: built.registry.model("fraud", { alias: "champion" }),
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1.0.0",
      cluster: built.cluster,
      serviceAccountRole: role,
    });
    const stacks = synthStacks(built.app);
    const infraJson = stacks["test-infra"];
    const platformJson = stacks["test-platform"];

    const manifests = Object.values<any>(platformJson.resource.kubernetes_manifest).map((m) => m.manifest);
    const externalSecrets = manifests.filter((m) => m.kind === "ExternalSecret");
    const home = path.join(work, "home");

    // The database bootstrap first, as Terraform orders it: the master's Secret synced into the bootstrap's
    // namespace, MLflow's login secret created by Terraform without a value (moto), then the Job's container.
    const masterEs = externalSecrets.find((es) => es.metadata.namespace === "mlflow-db-admin");
    const masterSecret = { [masterEs.spec.target.name]: syncedSecretData(masterEs, (key) => remoteSecret(infraJson, key)) };
    const appEs = externalSecrets.find((es) => es.metadata.namespace === "mlflow" && es.spec.target.name === "mlflow-db-credentials");
    const appSecretName = remoteSecretName(infraJson, appEs.spec.data[0].remoteRef.key);
    run(
      [venvDir.python, "-c", "import boto3, sys; boto3.client('secretsmanager').create_secret(Name=sys.argv[1])", appSecretName],
      processEnv(venvDir, moto.awsEnv, home),
      "create the app secret (no value)",
    );
    const bootstrapPod = (which: "job" | "rotation") => {
      const type = which === "job" ? "kubernetes_job_v1" : "kubernetes_cron_job_v1";
      const object = typedToObject(type, Object.values<any>(platformJson.resource[type])[0]);
      return which === "job" ? object.spec.template.spec : object.spec.jobTemplate.spec.template.spec;
    };
    const runBootstrap = (which: "job" | "rotation") => {
      const container = localContainers(bootstrapPod(which), {
        objects: [],
        secrets: masterSecret,
        workDir: path.join(work, `bootstrap-${which}`),
        programs: { python: venvDir.python },
      }).main[0];
      // What the cluster resolves: the RDS endpoint (the local PostgreSQL), the secret's ARN (its name in moto).
      const env = { ...container.env, PGHOST: pg.host, PGPORT: String(pg.port), APP_SECRET_ID: appSecretName };
      if (!/\$\{.*address/.test(container.env.PGHOST) || !/\$\{.*database-app-secret/.test(container.env.APP_SECRET_ID)) {
        throw new Error(`the bootstrap's PGHOST or APP_SECRET_ID is not the registry's: ${container.env.PGHOST} ${container.env.APP_SECRET_ID}`);
      }
      if (Object.values(env).some((v) => v.includes("${"))) throw new Error(`unresolved references in the bootstrap's environment: ${JSON.stringify(env)}`);
      return run(container.argv, processEnv(venvDir, { ...moto.awsEnv, ...env }, home), `database bootstrap (${which})`);
    };
    runBootstrap("job");
    const appSecret = () =>
      JSON.parse(
        run(
          [venvDir.python, "-c", "import boto3, sys; print(boto3.client('secretsmanager').get_secret_value(SecretId=sys.argv[1])['SecretString'])", appSecretName],
          processEnv(venvDir, moto.awsEnv, home),
          "read the app secret",
        ),
      );
    SECRETS_MANAGER[appSecretName] = appSecret();

    // External Secrets of MLflow and the endpoint, from the Secrets Manager values above (the master's stays in the bootstrap's namespace).
    const secrets: Record<string, Record<string, string>> = {};
    for (const es of externalSecrets.filter((e) => e.metadata.namespace !== "mlflow-db-admin")) {
      secrets[es.spec.target.name] = syncedSecretData(es, (key) => remoteSecret(infraJson, key));
    }

    // helm template of the release, with the RDS endpoint replaced by the local PostgreSQL.
    const release = helmRelease(platformJson, "mlflow");
    const values = JSON.parse(JSON.stringify(release.values).replace(/\$\{[^}"]*_database_instance_[^}"]*address\}/g, pg.host));
    if (JSON.stringify(values).includes("${")) throw new Error(`unresolved references in the mlflow values: ${JSON.stringify(values).match(/\$\{[^}]*\}/g)}`);
    values.backendStore.postgres.port = pg.port;
    values.auth.postgres.port = pg.port;
    const objects = helmTemplate({ release: "mlflow", chart: "mlflow", version: release.version, namespace: "mlflow", kubeVersion: "1.33.0", values: [values] });
    const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "mlflow");
    const podSpec = deployment.spec.template.spec;
    const mainArgs: string[] = podSpec.containers[0].args;
    const artifactRoot = mainArgs.find((a) => a.startsWith("--default-artifact-root="))!.split("=")[1];
    const bucket = /^s3:\/\/([^/]+)\//.exec(artifactRoot)![1];
    run(
      [venvDir.python, "-c", "import boto3, sys; boto3.client('s3').create_bucket(Bucket=sys.argv[1])", bucket],
      processEnv(venvDir, moto.awsEnv, path.join(work, "home")),
      "create bucket",
    );

    // The pod, locally. dbchecker only waits for the database's TCP port (busybox `nc` in a script
    // written for busybox sh); startPostgres has already waited for it.
    const programs = { python: venvDir.python, mlflow: venvDir.bin("mlflow"), sh: "/bin/sh" };
    const names = [...podSpec.initContainers.map((c: any) => c.name).filter((n: string) => n !== "dbchecker"), "mlflow"];
    const pod = localContainers(podSpec, { objects, secrets, workDir: path.join(work, "pod"), programs, only: names });
    // The server's IRSA role becomes moto's credentials; boto3 reads the endpoint from AWS_ENDPOINT_URL_S3.
    const cloud = { ...moto.awsEnv, MLFLOW_S3_ENDPOINT_URL: moto.endpoint };
    for (const c of pod.init) run(c.argv, processEnv(venvDir, { ...cloud, ...c.env }, path.join(work, "home")), `init container ${c.name}`);

    const port = await freePort();
    const main = pod.main[0];
    const argv = main.argv.map((a) => (a === "--port=5000" ? `--port=${port}` : a === "--host=0.0.0.0" ? "--host=127.0.0.1" : a));
    if (!argv.includes(`--port=${port}`)) throw new Error(`the container does not listen on the chart's port 5000: ${main.argv.join(" ")}`);
    const logFile = path.join(work, "mlflow.log");
    const out = fs.openSync(logFile, "a");
    const server = spawn(argv[0], argv.slice(1), { env: processEnv(venvDir, { ...cloud, ...main.env }, path.join(work, "home")), stdio: ["ignore", out, out], detached: true });
    stops.unshift(async () => {
      if (server.exitCode === null && server.signalCode === null) {
        const exited = new Promise((r) => server.once("exit", r));
        process.kill(-server.pid!, "SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
        if (server.exitCode === null) process.kill(-server.pid!, "SIGKILL");
      }
    });
    const serverLog = () => fs.readFileSync(logFile, "utf8");
    const url = `http://127.0.0.1:${port}`;
    await waitForPort(port, 120000).catch((e) => {
      throw new Error(`${e.message}\n${serverLog().slice(-6000)}`);
    });
    for (let i = 0; ; i++) {
      const ok = await fetch(`${url}/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      if (i > 120) throw new Error(`MLflow never became healthy:\n${serverLog().slice(-6000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }

    // The endpoint pod's environment: its Deployment's env (a typed kubernetes_deployment_v1), with the Secrets External Secrets syncs.
    const endpointDeployment = Object.values<any>(platformJson.resource.kubernetes_deployment_v1 ?? {})
      .map((r) => typedToObject("kubernetes_deployment_v1", r))
      .find((o) => o.metadata.name === "fraud");
    if (!endpointDeployment) throw new Error("the platform stack has no kubernetes_deployment_v1 named fraud (the endpoint's Deployment)");
    const endpointPod = localContainers(endpointDeployment.spec.template.spec, { objects: [], secrets, workDir: path.join(work, "endpoint"), programs: {} });
    const endpointEnv = endpointPod.main[0].env;

    return {
      work,
      pg,
      moto,
      url,
      server,
      serverLog,
      objects,
      platformJson,
      secrets,
      endpointEnv,
      modelUris,
      bucket,
      artifactRoot,
      alerts: built.mlflow.alerts.object.spec,
      runBootstrap,
      appSecretName,
      stops,
    };
  } catch (e) {
    for (const stop of stops) await stop();
    throw e;
  }
}

/** A Python MLflow client with the endpoint pod's environment; the in-cluster Service URL becomes the local server. */
function client(d: Deployed, venvDir: Venv, script: string, args: string[] = [], env: Record<string, string> = d.endpointEnv): any {
  const clientEnv = { ...env, MLFLOW_TRACKING_URI: d.url, MLFLOW_S3_ENDPOINT_URL: d.moto.endpoint, ...d.moto.awsEnv };
  const out = run([venvDir.python, "-c", script, ...args], processEnv(venvDir, clientEnv, path.join(d.work, "home")), "MLflow client");
  return JSON.parse(out.trim().split("\n").pop()!);
}

const TRAIN_AND_REGISTER = `
import json, sys, mlflow
from mlflow import MlflowClient

class Fraud(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return [0.25 for _ in range(len(model_input))]

mlflow.set_experiment("fraud-detection")
with mlflow.start_run() as run:
    mlflow.log_param("threshold", 0.25)
    mlflow.log_metric("auc", 0.91)
    info = mlflow.pyfunc.log_model(name="model", python_model=Fraud(), pip_requirements=["mlflow==3.15.1"], registered_model_name="fraud")
client = MlflowClient()
version = client.search_model_versions("name='fraud'")[0].version
client.set_registered_model_alias("fraud", "champion", version)
client.transition_model_version_stage("fraud", version, "Staging")
print(json.dumps({"run_id": run.info.run_id, "experiment_id": run.info.experiment_id, "artifact_uri": run.info.artifact_uri, "version": version}))
`;

const RESOLVE = `
import json, os, sys, mlflow
out = {}
for uri in sys.argv[1:]:
    local = mlflow.artifacts.download_artifacts(artifact_uri=uri)
    model = mlflow.pyfunc.load_model(uri)
    out[uri] = {"MLmodel": os.path.exists(os.path.join(local, "MLmodel")), "prediction": list(model.predict([[1.0], [2.0]]))}
print(json.dumps(out))
`;

/** The trainer's own model; the reader (endpoint) may read it but not change it. */
const TRAINER_MODEL = `
import json, mlflow
from mlflow import MlflowClient
MlflowClient().create_registered_model("fraud-trainer")
print(json.dumps({"created": True}))
`;
const READER_ON_TRAINER_MODEL = `
import json
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
c = MlflowClient()
read = c.get_registered_model("fraud-trainer").name
try:
    c.set_registered_model_tag("fraud-trainer", "owner", "endpoint")
    write = "allowed"
except MlflowException as e:
    write = e.error_code
print(json.dumps({"read": read, "write": write}))
`;

const LIST_BUCKET = `
import json, sys, boto3
keys = [o["Key"] for p in boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=sys.argv[1]) for o in p.get("Contents", [])]
print(json.dumps(keys))
`;

/**
 * fetch, retried when the connection drops: uvicorn's supervisor restarts a worker that misses its health
 * check (a loaded 2-core machine), closing the connections that worker held.
 */
async function request(url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(60000) });
    } catch (e) {
      if (attempt === 3) throw new Error(`${url}: ${(e as any).cause ?? e}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function basic(user: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
}

/** Metric names an expression reads (identifiers followed by a selector or range), without PromQL's functions. */
function metricNames(expr: string): string[] {
  return [...new Set([...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)].map((m) => m[1]))];
}

describeIf(missing, "MLflow as deployed (helm template of the mlflow chart, local PostgreSQL, moto S3, Prometheus)", () => {
  let d: Deployed;
  let prometheus: { url: string; stop: () => Promise<void> } | undefined;
  let trained: any;

  beforeAll(async () => {
    d = await deploy(venv!);
  }, 600000);

  afterAll(async () => {
    await prometheus?.stop();
    if (d) for (const stop of d.stops) await stop();
  }, 60000);

  test("/health answers without credentials", async () => {
    const res = await request(`${d.url}/health`);
    expect(res.status).toBe(200);
  });

  test("an API call without credentials, or with a wrong password, gets 401", async () => {
    expect((await request(`${d.url}/api/2.0/mlflow/experiments/search?max_results=1`)).status).toBe(401);
    const reader = SECRETS_MANAGER["ml-test/mlflow/reader-credentials"];
    expect((await request(`${d.url}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: basic(reader.username, "wrong-password-123") })).status).toBe(401);
  });

  test("the endpoint pod's environment holds the reader user's credentials, from the synced Secret", () => {
    const reader = SECRETS_MANAGER["ml-test/mlflow/reader-credentials"];
    expect(d.endpointEnv).toMatchObject({
      MLFLOW_TRACKING_URI: "http://mlflow.mlflow.svc.cluster.local:80",
      MLFLOW_TRACKING_USERNAME: reader.username,
      MLFLOW_TRACKING_PASSWORD: reader.password,
      MODEL_URI: "models:/fraud@champion",
    });
  });

  test("with exactly the endpoint pod's credentials: log a run, register a model, set an alias, resolve every models:/ URI form", () => {
    trained = client(d, venv!, TRAIN_AND_REGISTER);
    expect(trained.version).toBe("1");
    const resolved = client(d, venv!, RESOLVE, d.modelUris);
    expect(Object.keys(resolved).sort()).toEqual([...d.modelUris].sort());
    for (const uri of d.modelUris) expect(resolved[uri]).toEqual({ MLmodel: true, prediction: [0.25, 0.25] });
  });

  test("the endpoint's user reads what the training user registered, and may not change it", () => {
    const trainer = SECRETS_MANAGER["ml-test/mlflow/trainer-credentials"];
    client(d, venv!, TRAINER_MODEL, [], { MLFLOW_TRACKING_USERNAME: trainer.username, MLFLOW_TRACKING_PASSWORD: trainer.password });
    expect(client(d, venv!, READER_ON_TRAINER_MODEL)).toEqual({ read: "fraud-trainer", write: "PERMISSION_DENIED" });
  });

  test("artifacts land in the artifact bucket (moto) under the configured destination", () => {
    expect(trained).toBeDefined();
    expect(d.artifactRoot).toBe(`s3://${d.bucket}/`);
    expect(trained.artifact_uri.startsWith(`${d.artifactRoot}${trained.experiment_id}/`)).toBe(true);
    const keys: string[] = client(d, venv!, LIST_BUCKET, [d.bucket]);
    const prefix = d.artifactRoot.slice(`s3://${d.bucket}/`.length);
    expect(keys.filter((k) => k.startsWith(`${prefix}${trained.experiment_id}/`) && k.endsWith("/MLmodel")).length).toBeGreaterThanOrEqual(1);
  });

  describe("MLflow's own database login (the bootstrap Job's SQL, run as the RDS master user)", () => {
    const master = SECRETS_MANAGER["rds-master"];
    const appSecret = (): { username: string; password: string } =>
      JSON.parse(
        run(
          [venv!.python, "-c", "import boto3, sys; print(boto3.client('secretsmanager').get_secret_value(SecretId=sys.argv[1])['SecretString'])", d.appSecretName],
          processEnv(venv!, d.moto.awsEnv, path.join(d.work, "home")),
          "read the app secret",
        ),
      );

    test("the server, its migrations and its init containers log in as MLflow's role; the master user's credential is in none of them", () => {
      const login = SECRETS_MANAGER[d.appSecretName];
      expect(login.username).toBe("mlflow_app_a");
      expect(d.secrets["mlflow-db-credentials"].username).toBe("mlflow_app_a");
      for (const s of Object.values(d.secrets)) expect(Object.values(s)).not.toContain(master.password);
      const deployment = d.objects.find((o) => o.kind === "Deployment" && o.metadata.name === "mlflow");
      expect(JSON.stringify(deployment)).not.toContain("mlflow-db-master");
      // Connections to MLflow's databases other than this check's own: the server's pool, as the login role.
      const sessions = psqlAs(
        d.pg,
        master.username,
        master.password,
        "postgres",
        "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname IN ('mlflow', 'mlflow_auth') AND pid <> pg_backend_pid()",
      );
      expect(sessions.ok).toBe(true);
      expect(
        sessions.output
          .split("\n")
          .filter(Boolean)
          .every((u) => u === "mlflow_app_a"),
      ).toBe(true);
    });

    test("everything in MLflow's databases (migrated by MLflow, a model registered) belongs to mlflow_app", () => {
      expect(trained?.version).toBe("1");
      for (const db of ["mlflow", "mlflow_auth"]) {
        const owners = psqlAs(
          d.pg,
          master.username,
          master.password,
          db,
          "SELECT string_agg(DISTINCT pg_get_userbyid(c.relowner), ',') || ' ' || count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
        );
        expect({ db, ...owners }).toEqual({ db, ok: true, output: expect.stringMatching(/^mlflow_app [1-9]\d*$/) });
        expect(psqlAs(d.pg, master.username, master.password, "postgres", `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${db}'`).output).toBe("mlflow_app");
      }
      const registered = psqlAs(d.pg, master.username, master.password, "mlflow", "SELECT name FROM registered_models WHERE name = 'fraud'");
      expect(registered).toEqual({ ok: true, output: "fraud" });
    });

    test("MLflow's role cannot create roles or databases, read another database, or hold any superuser attribute", () => {
      const login = SECRETS_MANAGER[d.appSecretName];
      expect(
        psqlAs(
          d.pg,
          master.username,
          master.password,
          "postgres",
          "SELECT string_agg(rolname || ':' || (rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls), ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'mlflow\\_app%'",
        ).output,
      ).toBe("mlflow_app:false,mlflow_app_a:false,mlflow_app_b:false");
      const asApp = (db: string, sql: string) => psqlAs(d.pg, login.username, login.password, db, sql);
      expect(asApp("mlflow", "CREATE ROLE intruder LOGIN")).toEqual({ ok: false, output: expect.stringContaining("permission denied to create role") });
      expect(asApp("mlflow", "CREATE DATABASE other_app")).toEqual({ ok: false, output: expect.stringContaining("permission denied to create database") });
      expect(asApp("mlflow", "ALTER ROLE mlflow_app_a CREATEROLE")).toEqual({ ok: false, output: expect.stringContaining("permission denied") });
      // Another application's database on the same instance.
      expect(psqlAs(d.pg, master.username, master.password, "mlflow", "CREATE DATABASE billing").ok).toBe(true);
      expect(psqlAs(d.pg, master.username, master.password, "billing", "CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (1)").ok).toBe(true);
      expect(asApp("billing", "SELECT * FROM invoices")).toEqual({ ok: false, output: expect.stringContaining("permission denied for table invoices") });
      // And no other role may even connect to MLflow's databases (CONNECT revoked from PUBLIC).
      expect(psqlAs(d.pg, master.username, master.password, "postgres", "CREATE ROLE other_app LOGIN PASSWORD 'other-app-password'").ok).toBe(true);
      expect(psqlAs(d.pg, "other_app", "other-app-password", "mlflow", "SELECT 1")).toEqual({ ok: false, output: expect.stringContaining("permission denied for database") });
    });

    test("the bootstrap is idempotent, and the rotation CronJob switches to the other login without breaking the running server", async () => {
      const before = appSecret();
      d.runBootstrap("job");
      expect(appSecret()).toEqual(before);
      d.runBootstrap("rotation");
      const after = appSecret();
      expect(after.username).toBe("mlflow_app_b");
      expect(after.password).not.toBe(before.password);
      // The new login works on MLflow's tables as mlflow_app; the old one still works until Reloader restarts the pods.
      expect(psqlAs(d.pg, after.username, after.password, "mlflow", "SELECT current_user || ' ' || count(*) FROM registered_models WHERE name = 'fraud'")).toEqual({
        ok: true,
        output: "mlflow_app 1",
      });
      expect(psqlAs(d.pg, before.username, before.password, "mlflow", "SELECT count(*) FROM registered_models WHERE name = 'fraud'")).toEqual({ ok: true, output: "1" });
      const reader = SECRETS_MANAGER["ml-test/mlflow/reader-credentials"];
      expect((await request(`${d.url}/api/2.0/mlflow/registered-models/get?name=fraud`, { headers: basic(reader.username, reader.password) })).status).toBe(200);
    });
  });

  describe("Prometheus with the ServiceMonitor's scrape settings", () => {
    let target: { port: number; path: string; username: string; password: string; job: string; namespace: string };

    beforeAll(async () => {
      // ServiceMonitor -> Service port (by name) -> container port (by name) -> the server's --port.
      const sm = Object.values<any>(d.platformJson.resource.kubernetes_manifest)
        .map((m) => m.manifest)
        .find((m) => m.kind === "ServiceMonitor" && m.metadata.namespace === "mlflow");
      const endpoint = sm.spec.endpoints[0];
      const service = d.objects.find((o) => o.kind === "Service" && Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
      const servicePort = service?.spec.ports.find((p: any) => p.name === endpoint.port);
      if (!servicePort) throw new Error(`the ServiceMonitor's port ${endpoint.port} is no port of Service ${service?.metadata.name}`);
      const container = d.objects.find((o) => o.kind === "Deployment").spec.template.spec.containers[0];
      const containerPort = container.ports.find((p: any) => p.name === servicePort.targetPort || p.containerPort === servicePort.targetPort);
      if (!containerPort || !container.args.includes(`--port=${containerPort.containerPort}`)) throw new Error(`Service port ${servicePort.name} does not reach the server`);
      const auth = endpoint.basicAuth;
      target = {
        port: Number(new URL(d.url).port),
        path: endpoint.path,
        job: service.metadata.name,
        namespace: sm.metadata.namespace,
        username: auth ? d.secrets[auth.username.name][auth.username.key] : "",
        password: auth ? d.secrets[auth.password.name][auth.password.key] : "",
      };
      prometheus = await startPrometheus(d.work, target);
    }, 120000);

    test("the scrape target is up", async () => {
      const up = await waitForQuery(prometheus!.url, `up{job="${target.job}",namespace="${target.namespace}"}`, (r) => r.length === 1 && r[0].value[1] === "1", 30000);
      expect(up[0].value[1]).toBe("1");
    });

    test("every metric name the MLflow alerts use is among the scraped series", async () => {
      const names = [...new Set(d.alerts.groups.flatMap((g: any) => g.rules.flatMap((r: any) => metricNames(r.expr))))] as string[];
      expect(names.sort()).toEqual(["mlflow_http_request_duration_seconds_bucket", "mlflow_http_request_total", "up"]);
      const scraped = await waitFor(async () => {
        const res = (await (await fetch(`${prometheus!.url}/api/v1/label/__name__/values`)).json()) as any;
        return names.every((n) => res.data.includes(n)) ? res.data : undefined;
      }, 30000);
      for (const n of names) expect(scraped).toContain(n);
    });

    test("promtool drives the error-rate and latency alerts with series recorded from the real server", async () => {
      const reader = SECRETS_MANAGER["ml-test/mlflow/reader-credentials"];
      const search = () => request(`${d.url}/api/2.0/mlflow/experiments/search?max_results=5`, { headers: basic(reader.username, reader.password) }).then((r) => r.status);
      const sequential = async (n: number) => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push(await search());
        return out;
      };
      const requests = (m: Map<string, number>) => [...m].filter(([k]) => k.startsWith("mlflow_http_request_total{")).reduce((a, [, v]) => a + v, 0);
      const phase = async (during: () => Promise<number[]>) => {
        const before = await snapshot(prometheus!.url);
        const statuses = await during();
        // Until Prometheus has scraped every request of the phase.
        const after = await waitFor(async () => {
          const now = await snapshot(prometheus!.url);
          return requests(now) - requests(before) >= statuses.length ? now : undefined;
        }, 60000);
        return { statuses, deltas: deltas(before, after) };
      };

      await search();
      await waitFor(async () => ((await snapshot(prometheus!.url)).size > 0 ? true : undefined), 60000).catch(async (e) => {
        throw new Error(
          `${e.message}: no MLflow series in Prometheus; targets: ${JSON.stringify(((await (await fetch(`${prometheus!.url}/api/v1/targets`)).json()) as any).data.activeTargets.map((t: any) => [t.health, t.lastError]))}`,
        );
      });
      const normal = await phase(() => sequential(20));
      expect(normal.statuses).toEqual(Array(20).fill(200));
      // Slow: the tracking database holds a lock on the experiments table for 4 seconds while 4 requests wait.
      const slow = await phase(async () => {
        const lock = spawn(
          "psql",
          [
            `${d.pg.url}?sslmode=require`,
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            "SET lock_timeout = '10s'; BEGIN; LOCK TABLE experiments IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;",
          ],
          { stdio: "ignore" },
        );
        const exited = new Promise<number | null>((r) => lock.once("exit", r));
        await new Promise((r) => setTimeout(r, 700));
        const statuses = await Promise.all(Array.from({ length: 4 }, search));
        expect(await exited).toBe(0);
        return statuses;
      });
      expect(slow.statuses).toEqual(Array(4).fill(200));
      // Failing: S3 is unreachable, so listing a run's artifacts (the server reads S3 itself) fails.
      const headers = { ...basic(reader.username, reader.password), "Content-Type": "application/json" };
      const post = async (api: string, body: object) => {
        const res = await request(`${d.url}/api/2.0/mlflow/${api}`, { method: "POST", headers, body: JSON.stringify(body) });
        if (!res.ok) throw new Error(`${api}: ${res.status} ${await res.text()}`);
        return res.json() as any;
      };
      const experiment = await post("experiments/create", { name: "alert-recording" });
      const runId = (await post("runs/create", { experiment_id: experiment.experiment_id })).run.info.run_id;
      const listArtifacts = () => request(`${d.url}/api/2.0/mlflow/artifacts/list?run_id=${runId}`, { headers }).then((r) => r.status);
      expect(await listArtifacts()).toBe(200);
      // S3 goes away (moto stops): the last test of the suite.
      await d.moto.stop();
      const failing = await phase(async () => {
        const out: number[] = [];
        for (let i = 0; i < 10; i++) out.push(await listArtifacts());
        return out;
      });
      expect(failing.statuses.filter((st) => st >= 500)).toEqual(failing.statuses);

      // Each phase's per-series increments, repeated every minute for 40 minutes; the rules as synthesized,
      // annotations left out (they only format the value).
      const rules = { groups: d.alerts.groups.map((g: any) => ({ ...g, rules: g.rules.map((r: any) => ({ ...r, annotations: {} })) })) };
      const seriesOf = (p: { deltas: Map<string, number> }) => [...p.deltas].map(([series, inc]) => ({ series, values: `0+${inc}x40` }));
      const fires = (alertname: string, p: { deltas: Map<string, number> }) =>
        testRules(rules, [
          {
            interval: "1m",
            input_series: seriesOf(p),
            alert_rule_test: [{ eval_time: "30m", alertname, exp_alerts: [{ exp_labels: { severity: "warning" } }] }],
          },
        ]);
      const silent = (alertname: string, p: { deltas: Map<string, number> }) =>
        testRules(rules, [
          {
            interval: "1m",
            input_series: seriesOf(p),
            alert_rule_test: [{ eval_time: "30m", alertname, exp_alerts: [] }],
          },
        ]);
      // The slow phase is slow by construction; the normal one is fast on a quiet machine (CI), but a machine
      // loaded far beyond its cores makes every request slow, and then its latency alert rightly fires.
      const normalP95 = p95(normal.deltas);
      expect(p95(slow.deltas)).toBeGreaterThan(2);
      const cases: [ReturnType<typeof testRules>, string][] = [
        [fires("MlflowServerErrors", failing), "errors fire on the failing phase"],
        [silent("MlflowServerErrors", normal), "no error alert on the normal phase"],
        [fires("MlflowSlowRequests", slow), "latency fires on the slow phase"],
      ];
      if (normalP95 <= 2) cases.push([silent("MlflowSlowRequests", normal), "no latency alert on the normal phase"]);
      else console.warn(`MLflow answered slowly without any fault (p95 ${normalP95.toFixed(2)} s: machine overloaded?); the latency alert's quiet case is not checked`);
      for (const [result, what] of cases) {
        expect({ what, ok: result.ok, output: result.ok ? "" : result.output }).toEqual({ what, ok: true, output: "" });
      }
    });
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function query(url: string, promql: string): Promise<any[]> {
  const res = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`)).json()) as any;
  if (res.status !== "success") throw new Error(`${promql}: ${JSON.stringify(res)}`);
  return res.data.result;
}

function waitForQuery(url: string, promql: string, ok: (r: any[]) => boolean, timeoutMs: number): Promise<any[]> {
  return waitFor(async () => {
    const r = await query(url, promql);
    return ok(r) ? r : undefined;
  }, timeoutMs);
}

/** The series a rule reads, as Prometheus stored them (target labels included), with their current values. */
async function snapshot(url: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of ["mlflow_http_request_total", "mlflow_http_request_duration_seconds_bucket"]) {
    for (const r of await query(url, name)) {
      const labels = Object.entries<string>(r.metric)
        .filter(([k]) => k !== "__name__")
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`);
      out.set(`${name}{${labels.join(",")}}`, Number(r.value[1]));
    }
  }
  return out;
}

/** Prometheus's histogram_quantile(0.95, sum by (le) (...)) over the increments of the duration buckets. */
function p95(increments: Map<string, number>): number {
  const byLe = new Map<number, number>();
  for (const [series, inc] of increments) {
    const le = /^mlflow_http_request_duration_seconds_bucket\{.*le="([^"]+)"/.exec(series)?.[1];
    if (le !== undefined) byLe.set(le === "+Inf" ? Infinity : Number(le), (byLe.get(le === "+Inf" ? Infinity : Number(le)) ?? 0) + inc);
  }
  const buckets = [...byLe].sort(([a], [b]) => a - b);
  const total = buckets[buckets.length - 1][1];
  const rank = 0.95 * total;
  let [lower, below] = [0, 0];
  for (const [le, count] of buckets) {
    if (count >= rank) return le === Infinity ? lower : lower + ((le - lower) * (rank - below)) / (count - below);
    [lower, below] = [le, count];
  }
  return lower;
}

function deltas(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]));
}

async function startPrometheus(work: string, target: { port: number; path: string; username: string; password: string; job: string; namespace: string }) {
  const dir = path.join(work, "prometheus");
  fs.mkdirSync(dir, { recursive: true });
  const passwordFile = path.join(dir, "password");
  fs.writeFileSync(passwordFile, target.password, { mode: 0o600 });
  // What the operator generates for the ServiceMonitor's endpoint: path, basic auth from the Secret, the
  // job label from the Service's name, the namespace label. The interval is shortened for the test.
  const config = {
    global: { scrape_interval: `${SCRAPE_INTERVAL_SECONDS}s`, scrape_timeout: `${SCRAPE_INTERVAL_SECONDS}s`, evaluation_interval: "1s" },
    scrape_configs: [
      {
        job_name: `serviceMonitor/${target.namespace}/${target.job}/0`,
        metrics_path: target.path,
        ...(target.username ? { basic_auth: { username: target.username, password_file: passwordFile } } : {}),
        static_configs: [{ targets: [`127.0.0.1:${target.port}`] }],
        relabel_configs: [
          { target_label: "job", replacement: target.job },
          { target_label: "namespace", replacement: target.namespace },
        ],
      },
    ],
  };
  fs.writeFileSync(path.join(dir, "prometheus.yml"), stringify(config));
  const port = await freePort();
  const child = spawn(
    "prometheus",
    [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  };
  try {
    await waitForPort(port, 30000);
    await waitFor(async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 30000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, stop };
}
