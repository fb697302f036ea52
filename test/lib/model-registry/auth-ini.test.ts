import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { helmRelease } from "../../support/chart-values";
import { helmTemplate, renderingUnavailable } from "../../support/helm";
import { localContainers } from "../../support/local-pod";
import { syncedSecretData } from "../../support/secret-sync";
import { describeIf, runs } from "../../support/tools";
import { mlflowStacks, synthStacks } from "./fixtures";

/**
 * Issue 12: the chart's `ini-file-initializer` pastes the admin's username and password and the
 * database password into `sed` and the result into the INI file MLflow reads with configparser.
 * Here the real pieces run on awkward credentials: the library's ExternalSecret templates (rendered
 * by Go's template engine, as External Secrets renders them), the init container's script as the
 * real chart renders it (run by the local sh and sed), and configparser reading the result as
 * MLflow's `read_auth_config` does (mlflow 3.15.1 mlflow/server/auth/config.py: a plain
 * `configparser.ConfigParser()`, so `%` interpolates).
 */
const ADMIN = { username: "ml/admin&ops%1", password: `Adm'in"Pa/ss\\w&rd%20$HOME;#x` };
// MLflow's login (written by the bootstrap Job): its generated passwords are URL-safe, but the templates must
// not depend on it (an operator may restore a secret): every printable ASCII character but / @ " and space.
const DATABASE = { username: "mlflow_app_a", password: "R%d&s'#:$x!y*z?~^()[]{}|\\;,<>=`" };

const missing = [renderingUnavailable(), runs("sed", ["--version"]) ? undefined : "no sed", runs("python3") ? undefined : "no python3"].filter((m): m is string => m !== undefined);

function readAuthConfig(iniFile: string): { admin_username: string; admin_password: string; database_uri: string } {
  const script = [
    "import configparser, json, sys",
    "c = configparser.ConfigParser()",
    "c.read(sys.argv[1])",
    "m = c['mlflow']",
    "print(json.dumps({k: m[k] for k in ('admin_username', 'admin_password', 'database_uri')}))",
  ].join("\n");
  const res = spawnSync("python3", ["-c", script, iniFile], { encoding: "utf8" });
  if (res.status !== 0) throw new Error(`configparser could not read the INI file:\n${res.stderr}\n${fs.readFileSync(iniFile, "utf8")}`);
  return JSON.parse(res.stdout);
}

describeIf(missing, "MLflow basic-auth INI file from awkward credentials", () => {
  test("the admin's username and password and the database password reach MLflow's configparser unchanged", () => {
    const built = mlflowStacks();
    const platform = synthStacks(built.app)["test-platform"];
    const release = helmRelease(platform, "mlflow");
    const externalSecrets = Object.values<any>(platform.resource.kubernetes_manifest)
      .map((m) => m.manifest)
      .filter((m) => m.kind === "ExternalSecret");
    const remote = (name: string) => (key: string) => {
      if (name === "mlflow-db-credentials" && /database-app-secret/.test(key)) return DATABASE;
      if (name === "mlflow-auth" && /auth-secret/.test(key)) return ADMIN;
      throw new Error(`unexpected remote secret ${key} for ${name}`);
    };
    const secrets: Record<string, Record<string, string>> = {};
    for (const name of ["mlflow-db-credentials", "mlflow-auth"]) {
      secrets[name] = syncedSecretData(
        externalSecrets.find((e) => e.spec.target.name === name),
        remote(name),
      );
    }
    const objects = helmTemplate({
      release: "mlflow",
      chart: "mlflow",
      version: release.version,
      namespace: "mlflow",
      kubeVersion: "1.33.0",
      values: [JSON.parse(JSON.stringify(release.values).replace(/\$\{[^}"]*address\}/g, "db.example.internal"))],
    });
    const deployment = objects.find((o) => o.kind === "Deployment");
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "mlflow-ini-"));
    const { init } = localContainers(deployment.spec.template.spec, { objects, secrets, workDir, programs: { sh: "/bin/sh" }, only: ["ini-file-initializer"] });
    const initializer = init.find((c) => c.name === "ini-file-initializer")!;
    const res = spawnSync(initializer.argv[0], initializer.argv.slice(1), { env: { PATH: process.env.PATH, ...initializer.env }, encoding: "utf8" });
    expect(res.stderr).toBe("");
    expect(res.status).toBe(0);

    const config = readAuthConfig(path.join(workDir, "volumes", "ini-file", "auth_result.ini"));
    expect(config.admin_username).toBe(ADMIN.username);
    expect(config.admin_password).toBe(ADMIN.password);
    const uri = new URL(config.database_uri.replace(/^postgresql\+psycopg2:/, "postgresql:"));
    expect(decodeURIComponent(uri.username)).toBe(DATABASE.username);
    expect(decodeURIComponent(uri.password)).toBe(DATABASE.password);
    expect(uri.host).toBe("db.example.internal:5432");
    expect(uri.pathname).toBe("/mlflow_auth");
  });
});
