import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort, waitUntil } from "./tools";
import { Venv } from "./python";

/**
 * moto's server mode (`moto_server` from the "main" venv, moto 5.2.5) standing in for S3 and DynamoDB on
 * 127.0.0.1. Every request is recorded (moto's recorder: MOTO_ENABLE_RECORDING / MOTO_RECORDER_FILEPATH,
 * moto/moto_api/_internal/recorder/models.py), so a test can list the AWS actions and resource ARNs a real
 * client used and compare them with the IAM policies the library writes.
 */
export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  /** AWS_* variables that point boto3-based tools (Feast, DVC, MLflow) at this server. */
  readonly awsEnv: NodeJS.ProcessEnv;
  /** The requests recorded since the start (or the last `resetRecording`), as IAM action + resource ARN. */
  accesses(): AwsAccess[];
  resetRecording(): void;
  stop(): Promise<void>;
}

export interface AwsAccess {
  /** e.g. `s3:GetObject`, `dynamodb:BatchWriteItem` */
  readonly action: string;
  /** e.g. `arn:aws:s3:::bucket/key`, `arn:aws:dynamodb:us-east-1:123456789012:table/name` */
  readonly arn: string;
  /** IAM condition keys the request carries, e.g. `{ "s3:prefix": "data/" }` for a listing. */
  readonly context?: Readonly<Record<string, string>>;
}

export interface MotoOptions {
  /** Region and account the DynamoDB ARNs are reported in. @default "us-east-1", "123456789012" (moto's default account) */
  readonly region?: string;
  readonly accountId?: string;
}

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | null;
  readonly body_encoded: boolean;
}

export async function startMoto(venv: Venv, options: MotoOptions = {}): Promise<MotoServer> {
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "123456789012";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "moto-"));
  const recording = path.join(dir, "recording.jsonl");
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(venv.bin("moto_server"), ["-H", "127.0.0.1", "-p", String(port)], {
    env: venv.env({ MOTO_ENABLE_RECORDING: "True", MOTO_RECORDER_FILEPATH: recording, MOTO_ACCOUNT_ID: accountId }),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr = (stderr + d).slice(-20000)));
  // A test run that ends abruptly (a failed beforeAll, --forceExit) must not leave the server behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(`moto_server on ${endpoint}`, async () => (await fetch(`${endpoint}/moto-api/`)).ok, 60000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${stderr}`);
  }
  const awsEnv: NodeJS.ProcessEnv = {
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_SESSION_TOKEN: "testing",
    AWS_DEFAULT_REGION: region,
    AWS_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_EC2_METADATA_DISABLED: "true",
  };
  return {
    endpoint,
    port,
    awsEnv,
    accesses: () => (fs.existsSync(recording) ? parseRecording(fs.readFileSync(recording, "utf8"), region, accountId) : []),
    resetRecording: () => fs.writeFileSync(recording, ""),
    stop,
  };
}

/** moto's recording (one JSON request a line) as IAM actions on ARNs; requests to moto's own API are left out. */
export function parseRecording(text: string, region: string, accountId: string): AwsAccess[] {
  const out: AwsAccess[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as Recorded;
    const url = new URL(r.url, "http://127.0.0.1");
    if (url.pathname.startsWith("/moto-api")) continue;
    const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const target = headers["x-amz-target"];
    if (target?.startsWith("DynamoDB_")) {
      const body = JSON.parse(r.body_encoded ? Buffer.from(r.body ?? "", "base64").toString("utf8") : r.body || "{}");
      const action = `dynamodb:${target.split(".")[1]}`;
      const tables: string[] = body.TableName ? [body.TableName] : Object.keys(body.RequestItems ?? {});
      for (const t of tables) {
        const arn = `arn:aws:dynamodb:${region}:${accountId}:table/${t}`;
        out.push({ action, arn });
        // Tags given to CreateTable are authorized as dynamodb:TagResource as well (DynamoDB developer guide, "Tagging resources").
        if (action === "dynamodb:CreateTable" && (body.Tags ?? []).length > 0) out.push({ action: "dynamodb:TagResource", arn });
      }
      if (tables.length === 0) out.push({ action, arn: "*" });
      continue;
    }
    out.push(s3Access(r.method, url));
  }
  return out;
}

/** Path-style S3 request to the IAM action it needs (AWS Service Authorization Reference, Amazon S3). */
function s3Access(method: string, url: URL): AwsAccess {
  const [, bucket = "", ...rest] = url.pathname.split("/");
  const key = decodeURIComponent(rest.join("/"));
  const q = url.searchParams;
  if (!bucket) return { action: "s3:ListAllMyBuckets", arn: "*" };
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (!key) {
    if (q.has("location")) return { action: "s3:GetBucketLocation", arn: bucketArn };
    if (q.has("versioning")) return { action: "s3:GetBucketVersioning", arn: bucketArn };
    if (q.has("delete")) return { action: "s3:DeleteObject", arn: `${bucketArn}/*` };
    if (method === "PUT") return { action: "s3:CreateBucket", arn: bucketArn };
    if (method === "DELETE") return { action: "s3:DeleteBucket", arn: bucketArn };
    // GET (list objects) and HEAD (HeadBucket) both need ListBucket; a listing's prefix is condition key s3:prefix.
    return { action: "s3:ListBucket", arn: bucketArn, ...(q.has("prefix") ? { context: { "s3:prefix": q.get("prefix")! } } : {}) };
  }
  const objectArn = `${bucketArn}/${key}`;
  if (method === "GET" || method === "HEAD") return { action: "s3:GetObject", arn: objectArn };
  if (method === "DELETE") return { action: q.has("uploadId") ? "s3:AbortMultipartUpload" : "s3:DeleteObject", arn: objectArn };
  return { action: "s3:PutObject", arn: objectArn }; // PUT, POST ?uploads / ?uploadId (multipart)
}
