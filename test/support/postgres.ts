import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort, runs } from "./tools";

/**
 * A throwaway PostgreSQL (Debian's postgresql-15: initdb/pg_ctl) on 127.0.0.1, in a temp folder, with
 * password (scram-sha-256) authentication over TCP, one database and its owner. initdb refuses to run as
 * root, so as root the server runs as the `postgres` user (created by Debian's package) through runuser.
 */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /** `postgresql://user:password@127.0.0.1:port/database` */
  readonly url: string;
  readonly dataDir: string;
  stop(): void;
}

export interface PostgresOptions {
  /** @default "mlflow" */
  readonly database?: string;
  /** @default "mlflow" */
  readonly user?: string;
  /** The user's password (any characters but NUL). @default - 24 random hex digits */
  readonly password?: string;
  /** The user may create databases, as the RDS master user may. @default false */
  readonly createDb?: boolean;
  /** The user may create roles, as the RDS master user may (RDS gives it CREATEROLE and CREATEDB, never SUPERUSER). @default false */
  readonly createRole?: boolean;
  /** TLS with a throwaway self-signed certificate, so that clients with `sslmode=require` connect (RDS forces TLS). @default false */
  readonly ssl?: boolean;
}

/** Directory of initdb/pg_ctl: PATH first, then Debian's /usr/lib/postgresql/<version>/bin. */
function pgBin(): string | undefined {
  if (runs("initdb") && runs("pg_ctl")) return "";
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  const dir = versions.map((v) => path.join(base, v, "bin")).find((d) => fs.existsSync(path.join(d, "initdb")));
  return dir;
}

/** Empty when PostgreSQL can be started here; otherwise what is missing. */
export function postgresMissing(): string[] {
  if (pgBin() === undefined) return ["PostgreSQL is not installed (apt-get install postgresql)"];
  if (process.getuid?.() === 0 && spawnSync("id", ["postgres"]).status !== 0) return ["running as root and there is no `postgres` user for initdb"];
  return [];
}

function asPostgresUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

function run(command: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const [cmd, argv] = asPostgresUser(command, args);
  const res = spawnSync(cmd, argv, { encoding: "utf8", env: env ?? process.env, timeout: 120000 });
  if (res.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${res.status ?? res.signal}): ${res.stdout}${res.stderr}`);
  return res.stdout;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const bin = pgBin();
  if (bin === undefined) throw new Error(postgresMissing().join("; "));
  const tool = (name: string) => (bin ? path.join(bin, name) : name);
  const database = options.database ?? "mlflow";
  const user = options.user ?? "mlflow";
  const password = options.password ?? crypto.randomBytes(12).toString("hex");
  const superPassword = crypto.randomBytes(12).toString("hex");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "pg-"));
  const dataDir = path.join(root, "data");
  const socketDir = path.join(root, "sock");
  fs.mkdirSync(socketDir);
  const pwFile = path.join(root, "pw");
  fs.writeFileSync(pwFile, superPassword);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    for (const p of [root, socketDir, pwFile]) fs.chownSync(p, uid, gid);
  }
  run(tool("initdb"), ["-D", dataDir, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwFile}`, "-E", "UTF8", "--no-locale"]);
  let ssl = "";
  if (options.ssl) {
    // A self-signed certificate in the data folder, readable by the server's user only (PostgreSQL refuses a wider key).
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", path.join(root, "server.key"), "-out", path.join(root, "server.crt")],
      { stdio: "ignore" },
    );
    for (const f of ["server.key", "server.crt"]) {
      fs.renameSync(path.join(root, f), path.join(dataDir, f));
      fs.chmodSync(path.join(dataDir, f), 0o600);
      if (process.getuid?.() === 0) {
        const owner = fs.statSync(dataDir);
        fs.chownSync(path.join(dataDir, f), owner.uid, owner.gid);
      }
    }
    ssl = " -c ssl=on";
  }
  const port = await freePort();
  run(tool("pg_ctl"), [
    "-D",
    dataDir,
    "-l",
    path.join(root, "server.log"),
    "-w",
    "-t",
    "60",
    "-o",
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${socketDir} -c fsync=off${ssl}`,
    "start",
  ]);
  const stop = () => {
    process.removeListener("exit", stop);
    try {
      run(tool("pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
    } catch {
      // already stopped
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
  // A test run that ends abruptly must not leave the server behind (pg_ctl daemonizes it).
  process.once("exit", stop);
  try {
    const psql = (sql: string) =>
      run("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql], {
        ...process.env,
        PGPASSWORD: superPassword,
      });
    psql(`CREATE ROLE "${user}" LOGIN${options.createDb ? " CREATEDB" : ""}${options.createRole ? " CREATEROLE" : ""} PASSWORD '${password.replace(/'/g, "''")}'`);
    psql(`CREATE DATABASE "${database}" OWNER "${user}"`);
  } catch (e) {
    stop();
    throw e;
  }
  return {
    host: "127.0.0.1",
    port,
    database,
    user,
    password,
    url: `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    dataDir,
    stop,
  };
}
