import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FeatureStore, ServiceAccountRole } from "../../lib";
import { featureStoreApp } from "../lib/feature-store/fixtures";
import { denied, IamStatement, roleStatements } from "../support/iam";
import { AwsAccess, MotoServer, startMoto } from "../support/moto";
import { Venv, venvOrReason } from "../support/python";
import { RedisServer, redisMissing, startRedis } from "../support/redis";
import { synthJson } from "../support/synth";
import { describeIf } from "../support/tools";

/**
 * Feast 0.66.0 (the feast-feature-server chart's version, test/requirements.txt) run against what the
 * library generates: FeatureStore.featureStoreYaml (the ConfigMap the feature server and the
 * materialization CronJob mount), the CronJob's own command, and the IAM policies of the roles that run
 * each step. S3 and DynamoDB are moto's server; Redis is a local redis-server with TLS and an ACL user.
 *
 * Each step runs as the role the platform gives it, and every S3/DynamoDB request it makes is compared
 * with that role's synthesized policy:
 * - `feast apply` (a CI job): a role given FeatureStore.grantApply;
 * - `feast materialize-incremental` (the CronJob): FeatureStore.materializeRole;
 * - `get_online_features` (the feature server / a model server): FeatureStore.serverRole.
 */
const FIXTURE = path.join(__dirname, "..", "fixtures", "feast-repo");
const README = path.join(__dirname, "..", "..", "lib", "feature-store", "README.md");
const { venv, missing } = venvOrReason("main");

interface Step {
  readonly output: string;
  readonly accesses: AwsAccess[];
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): string {
  const res = spawnSync(command, args, { env, cwd, encoding: "utf8", timeout: 180000, maxBuffer: 32 * 1024 * 1024 });
  const output = `${res.stdout}${res.stderr}`;
  if (res.status !== 0) throw new Error(`${path.basename(command)} ${args.join(" ")} exited ${res.status ?? res.signal}:\n${output.slice(-6000)}`);
  return output;
}

/** The materialization CronJob's container as synthesized: its shell command and plain env values. */
function cronJobContainer(platformJson: any): { command: string[]; env: Record<string, string> } {
  const jobs = Object.values<any>(platformJson.resource.kubernetes_cron_job_v1 ?? {});
  if (jobs.length !== 1) throw new Error(`expected one kubernetes_cron_job_v1, found ${jobs.length}`);
  const container = jobs[0].spec.job_template.spec.template.spec.container[0];
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) if (typeof e.value === "string") env[e.name] = e.value;
  return { command: container.command, env };
}

/**
 * A Feast deployment of the library, run locally: the stacks, moto with the offline bucket and its data,
 * the feature repository for `feast apply`, and a read-only folder holding only feature_store.yaml (what
 * the pods mount).
 */
class FeastRun {
  public readonly work = fs.mkdtempSync(path.join(os.tmpdir(), "feast-it-"));
  public readonly repoDir = path.join(this.work, "repo");
  public readonly mountDir = path.join(this.work, "etc-feast");
  public expected: Record<string, { conv_rate: number; trips: number }> = {};
  public applyPolicy: IamStatement[] = [];
  public materializePolicy: IamStatement[] = [];
  public serverPolicy: IamStatement[] = [];
  public cronJob!: { command: string[]; env: Record<string, string> };
  public store!: FeatureStore;
  private baseEnv: NodeJS.ProcessEnv = {};

  constructor(
    private readonly venv: Venv,
    private readonly moto: MotoServer,
  ) {}

  /** Synthesizes the library's stacks and prepares AWS (moto) as Terraform would leave it. */
  public setUp(options: { tier: "development" | "production"; online: "dynamodb" | "redis"; yaml: (yaml: string) => string; env?: NodeJS.ProcessEnv }): void {
    const { infra, platform, store } = featureStoreApp({ tier: options.tier }, { onlineStore: options.online });
    const ci = new ServiceAccountRole(infra, "feast-apply", { identity: (store as FeatureStore).cluster, namespace: "ci", serviceAccount: "feast-apply" });
    store.grantApply(ci);
    this.store = store;
    const infraJson = synthJson(infra);
    this.applyPolicy = roleStatements(infraJson, infra.getLogicalId(ci.role));
    this.materializePolicy = roleStatements(infraJson, infra.getLogicalId(store.materializeRole.role));
    this.serverPolicy = roleStatements(infraJson, infra.getLogicalId(store.serverRole.role));
    this.cronJob = cronJobContainer(synthJson(platform));

    const bucket = store.offlineBucket.bucketName;
    const dataUrl = `s3://${bucket}/${store.dataPrefix}driver_stats.parquet`;
    this.baseEnv = this.venv.env({ ...this.moto.awsEnv, FEAST_USAGE: "False", FEAST_OFFLINE_DATA: dataUrl, ...options.env });
    const parquet = path.join(this.work, "driver_stats.parquet");
    this.expected = JSON.parse(run(this.venv.python, [path.join(FIXTURE, "make_data.py"), parquet], this.baseEnv));
    run(
      this.venv.python,
      [
        "-c",
        ["import boto3, sys", "s3 = boto3.client('s3')", "s3.create_bucket(Bucket=sys.argv[1])", "s3.upload_file(sys.argv[2], sys.argv[1], sys.argv[3])"].join("\n"),
        bucket,
        parquet,
        `${store.dataPrefix}driver_stats.parquet`,
      ],
      this.baseEnv,
    );

    const yaml = options.yaml(store.featureStoreYaml);
    fs.mkdirSync(this.repoDir);
    fs.copyFileSync(path.join(FIXTURE, "features.py"), path.join(this.repoDir, "features.py"));
    fs.writeFileSync(path.join(this.repoDir, "feature_store.yaml"), yaml);
    fs.mkdirSync(this.mountDir);
    fs.writeFileSync(path.join(this.mountDir, "feature_store.yaml"), yaml);
    fs.chmodSync(this.mountDir, 0o555); // the ConfigMap volume is read-only
  }

  private step(fn: () => string): Step {
    this.moto.resetRecording();
    const output = fn();
    return { output, accesses: this.moto.accesses() };
  }

  public apply(): Step {
    return this.step(() => run(this.venv.bin("feast"), ["--chdir", this.repoDir, "apply"], this.baseEnv));
  }

  /** The CronJob's command, with its mount path pointed at the local folder and Kubernetes' `$$(` escape undone. */
  public materialize(): Step {
    const [shell, flag, script] = this.cronJob.command;
    const local = script.replace(/\/etc\/feast\b/g, this.mountDir).replace(/\$\$\(/g, "$(");
    return this.step(() => run(shell, [flag, local], { ...this.baseEnv, ...this.cronJob.env, HOME: this.work }));
  }

  public online(): Step & { features: Record<string, unknown[]> } {
    const step = this.step(() => run(this.venv.python, [path.join(FIXTURE, "online.py"), this.mountDir], this.baseEnv));
    const lastLine = step.output.trim().split("\n").pop()!;
    return { ...step, features: JSON.parse(lastLine) };
  }

  public cleanUp(): void {
    if (fs.existsSync(this.mountDir)) fs.chmodSync(this.mountDir, 0o755);
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}

function expectedColumns(expected: FeastRun["expected"]): Record<string, unknown[]> {
  const ids = Object.keys(expected).sort();
  return {
    driver_id: ids.map(Number),
    conv_rate: ids.map((id) => expected[id].conv_rate),
    trips: ids.map((id) => expected[id].trips),
  };
}

function actions(step: Step): string[] {
  return [...new Set(step.accesses.map((a) => a.action))].sort();
}

describeIf(missing, "Feast 0.66 with the DynamoDB online store (development): the generated feature_store.yaml works as deployed", () => {
  let moto: MotoServer;
  let feast: FeastRun;

  beforeAll(async () => {
    moto = await startMoto(venv!);
    feast = new FeastRun(venv!, moto);
    // The yaml is used as generated: Feast reaches moto through AWS_ENDPOINT_URL, as it would reach AWS.
    feast.setUp({ tier: "development", online: "dynamodb", yaml: (y) => y });
  });
  afterAll(async () => {
    try {
      feast?.cleanUp();
    } finally {
      await moto?.stop();
    }
  });

  test("feast apply creates the online table under the library's prefix, within what grantApply allows", () => {
    const step = feast.apply();
    const tables = step.accesses.filter((a) => a.action === "dynamodb:CreateTable").map((a) => a.arn);
    expect(tables).toEqual([`arn:aws:dynamodb:us-east-1:123456789012:table/${feast.store.tablePrefix}driver_hourly_stats`]);
    expect(actions(step)).toEqual(expect.arrayContaining(["s3:PutObject", "dynamodb:CreateTable"]));
    expect(denied(feast.applyPolicy, step.accesses)).toEqual([]);
  });

  test("the CronJob's materialize-incremental, run as the materialization role, writes the online store", () => {
    const step = feast.materialize();
    expect(actions(step)).toEqual(expect.arrayContaining(["dynamodb:BatchWriteItem", "s3:GetObject"]));
    expect(step.accesses.some((a) => a.arn.endsWith(`/${feast.store.dataPrefix}driver_stats.parquet`))).toBe(true);
    expect(denied(feast.materializePolicy, step.accesses)).toEqual([]);
  });

  test("get_online_features, as the feature server role, returns what was materialized", () => {
    const step = feast.online();
    expect(step.features).toEqual(expectedColumns(feast.expected));
    expect(actions(step)).toContain("dynamodb:BatchGetItem");
    expect(denied(feast.serverPolicy, step.accesses)).toEqual([]);
  });
});

/** The access string the README's runbook gives the `feast` ElastiCache user (lib/feature-store/README.md, "Redis AUTH"). */
function runbookAccessString(): string {
  const m = /--access-string "([^"]+)"/.exec(fs.readFileSync(README, "utf8"));
  if (!m) throw new Error(`no --access-string in ${README}`);
  return m[1];
}

describeIf([...missing, ...redisMissing()], "Feast 0.66 with the Redis online store (production): TLS, ACL user, password from REDIS_PASSWORD", () => {
  let moto: MotoServer;
  let redis: RedisServer;
  let feast: FeastRun;
  const TOKEN_ENDPOINT = /\$\{TfToken\[[^\]]+\]\}:6379,/;

  beforeAll(async () => {
    moto = await startMoto(venv!);
    // The feast user as the runbook enables it, with a password like the runbook's (64 letters and digits).
    redis = await startRedis({ user: "feast", acl: runbookAccessString() });
    feast = new FeastRun(venv!, moto);
    feast.setUp({
      tier: "production",
      online: "redis",
      // Only the replication group's address (a Terraform reference) is replaced by the local server's.
      yaml: (y) => {
        if (!TOKEN_ENDPOINT.test(y)) throw new Error(`the connection string no longer starts with <primary endpoint>:6379:\n${y}`);
        return y.replace(TOKEN_ENDPOINT, `127.0.0.1:${redis.port},`);
      },
      // The pods get the password from the synced Secret as REDIS_PASSWORD; the server's CA stands in for Amazon's.
      env: { REDIS_PASSWORD: redis.password, SSL_CERT_FILE: redis.caFile },
    });
  });
  afterAll(async () => {
    try {
      feast?.cleanUp();
    } finally {
      await Promise.all([redis?.stop(), moto?.stop()]);
    }
  });

  test("the generated yaml expands the password from the environment; nothing secret is in it", () => {
    const yaml = fs.readFileSync(path.join(feast.mountDir, "feature_store.yaml"), "utf8");
    expect(yaml).toContain("password=$REDIS_PASSWORD");
    expect(yaml).not.toContain(redis.password);
  });

  test("feast apply registers the repository, within what grantApply allows", () => {
    const step = feast.apply();
    expect(actions(step)).toContain("s3:PutObject");
    expect(denied(feast.applyPolicy, step.accesses)).toEqual([]);
  });

  test("the CronJob's materialize-incremental writes Redis over TLS as the ACL user", () => {
    const step = feast.materialize();
    expect(denied(feast.materializePolicy, step.accesses)).toEqual([]);
    expect(Number(redis.cli("DBSIZE").trim())).toBeGreaterThan(0);
  });

  test("get_online_features returns what was materialized", () => {
    const step = feast.online();
    expect(step.features).toEqual(expectedColumns(feast.expected));
    expect(denied(feast.serverPolicy, step.accesses)).toEqual([]);
  });
});
