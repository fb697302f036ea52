import { ChildProcess, spawn, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort, runs, waitUntil } from "./tools";

/**
 * A throwaway Redis (Debian's redis-server) on 127.0.0.1 shaped like the ElastiCache replication group
 * the library creates: TLS only (no plaintext port), the `default` user disabled, one ACL user with a
 * password. The TLS certificate is signed by a throwaway CA made with openssl; clients verify it with
 * `caFile`. Clients are not asked for certificates (ElastiCache in-transit encryption does not either).
 */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** PEM of the CA that signed the server certificate (SAN: 127.0.0.1, localhost). */
  readonly caFile: string;
  readonly dir: string;
  /** Runs redis-cli over TLS as the ACL user; returns stdout. */
  cli(...args: string[]): string;
  stop(): Promise<void>;
}

export interface RedisOptions {
  /** @default "feast" */
  readonly user?: string;
  /** The user's password. @default - 64 random letters and digits */
  readonly password?: string;
  /**
   * The user's ACL rules besides its password, as in an ElastiCache access string (e.g. `on ~* +@all -@dangerous`).
   * @default "on ~* &* +@all"
   */
  readonly acl?: string;
}

/** Empty when redis-server, redis-cli and openssl are here; otherwise what is missing. */
export function redisMissing(): string[] {
  const missing: string[] = [];
  if (!runs("redis-server")) missing.push("redis-server is not installed (apt-get install redis-server)");
  if (!runs("redis-cli")) missing.push("redis-cli is not installed (apt-get install redis-tools)");
  if (!runs("openssl", ["version"])) missing.push("openssl is not installed");
  return missing;
}

function openssl(cwd: string, args: string[]): void {
  const res = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${res.stderr}`);
}

/** A CA and a server certificate for 127.0.0.1/localhost, valid for a day. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  openssl(dir, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=throwaway test CA"]);
  openssl(dir, ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
  fs.writeFileSync(path.join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  openssl(dir, ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "1", "-extfile", "san.ext"]);
  return { ca: path.join(dir, "ca.crt"), cert: path.join(dir, "server.crt"), key: path.join(dir, "server.key") };
}

/** Random letters and digits (what `aws secretsmanager get-random-password --exclude-punctuation` yields). */
export function alphanumeric(length: number): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(crypto.randomBytes(length), (b) => chars[b % chars.length]).join("");
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const user = options.user ?? "feast";
  const password = options.password ?? alphanumeric(64);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "redis-"));
  const { ca, cert, key } = makeCertificates(dir);
  const port = await freePort();
  const conf = [
    "bind 127.0.0.1",
    "port 0",
    `tls-port ${port}`,
    `tls-cert-file ${cert}`,
    `tls-key-file ${key}`,
    `tls-ca-cert-file ${ca}`,
    "tls-auth-clients no",
    `dir ${dir}`,
    'save ""',
    "appendonly no",
    "daemonize no",
    `logfile ${path.join(dir, "redis.log")}`,
    "user default off",
    `user ${user} >${password} ${options.acl ?? "on ~* &* +@all"}`,
  ];
  fs.writeFileSync(path.join(dir, "redis.conf"), `${conf.join("\n")}\n`, { mode: 0o600 });
  const child: ChildProcess = spawn("redis-server", [path.join(dir, "redis.conf")], { stdio: "ignore" });
  const cli = (...args: string[]): string => {
    const res = spawnSync("redis-cli", ["--tls", "--cacert", ca, "-h", "127.0.0.1", "-p", String(port), "--user", user, "--pass", password, "--no-auth-warning", ...args], {
      encoding: "utf8",
      timeout: 30000,
    });
    if (res.status !== 0) throw new Error(`redis-cli ${args.join(" ")} failed: ${res.stderr}`);
    return res.stdout;
  };
  // A test run that ends abruptly (a failed beforeAll, --forceExit) must not leave the server behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(`redis-server on 127.0.0.1:${port}`, () => cli("PING").trim() === "PONG", 20000);
  } catch (e) {
    const log = fs.existsSync(path.join(dir, "redis.log")) ? fs.readFileSync(path.join(dir, "redis.log"), "utf8") : "";
    await stop();
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  return { host: "127.0.0.1", port, user, password, caFile: ca, dir, cli, stop };
}
