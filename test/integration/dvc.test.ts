import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing } from "cdktf";
import { EnvironmentKey, GpuTrainingCluster, InfraStack, Network } from "../../lib";
import { testEnvironment } from "../support/env";
import { denied, IamStatement, roleStatements } from "../support/iam";
import { MotoServer, startMoto } from "../support/moto";
import { venvOrReason } from "../support/python";
import { synthJson } from "../support/synth";
import { describeIf, runs } from "../support/tools";

/**
 * DVC 3.67 (test/requirements.txt) against the datasets bucket, configured exactly by the recipe in
 * lib/gpu-cluster/README.md ("Versioned datasets with DVC"), with the bucket name and region the library
 * gives. S3 is moto; every request of the push and of the pull must be allowed by the training role's
 * synthesized policy (the role a training pod assumes through IRSA).
 */
const README = path.join(__dirname, "..", "..", "lib", "gpu-cluster", "README.md");
const { venv, missing } = venvOrReason("main");
const gitMissing = runs("git") ? [] : ["git is not installed"];

/** The shell lines of the README's DVC recipe (the fenced block after the "Versioned datasets with DVC" heading). */
function readmeRecipe(): string[] {
  const text = fs.readFileSync(README, "utf8");
  const section = text.split(/^## Versioned datasets with DVC$/m)[1];
  const block = section && /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`no DVC recipe in ${README}`);
  return block[1]
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

describeIf([...missing, ...gitMissing], "DVC: push and pull a dataset to the datasets bucket with the README's remote settings", () => {
  let moto: MotoServer;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let trainingPolicy: IamStatement[];
  let bucket: string;
  const files: Record<string, string> = {
    "data/train.csv": "id,label\n1,0\n2,1\n3,0\n",
    "data/images/0001.txt": "not really an image\n",
    "data/images/0002.txt": "not really an image either\n",
  };

  const sh = (script: string) => {
    const res = spawnSync("/bin/sh", ["-ec", script], { cwd: work, env, encoding: "utf8", timeout: 180000 });
    if (res.status !== 0) throw new Error(`${script}\nexited ${res.status}:\n${res.stdout}${res.stderr}`);
    return `${res.stdout}${res.stderr}`;
  };

  beforeAll(async () => {
    const infra = new InfraStack(Testing.app(), "test-infra", { environment: testEnvironment() });
    const key = new EnvironmentKey(infra, "kms");
    const cluster = new GpuTrainingCluster(infra, "training", { network: new Network(infra, "network", { key }), key });
    bucket = cluster.datasets.bucketName;
    trainingPolicy = roleStatements(synthJson(infra), infra.getLogicalId(cluster.trainingRole.role));

    moto = await startMoto(venv!);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "dvc-it-"));
    env = venv!.env({
      ...moto.awsEnv,
      BUCKET: bucket,
      REGION: "us-east-1",
      DVC_NO_ANALYTICS: "1",
      HOME: work,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    });
    // What Terraform leaves: the bucket exists.
    spawnSync(venv!.python, ["-c", "import boto3, sys; boto3.client('s3').create_bucket(Bucket=sys.argv[1])", bucket], { env, encoding: "utf8" });
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.writeFileSync(path.join(work, file), content);
    }
    sh("git init -q . && dvc init -q");
    sh(readmeRecipe().join("\n"));
  });
  afterAll(async () => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
    await moto?.stop();
  });

  test("the recipe makes the datasets bucket the default remote, under dvc/", () => {
    expect(sh("dvc config core.remote").trim()).toBe("datasets");
    expect(sh("dvc config remote.datasets.url").trim()).toBe(`s3://${bucket}/dvc`);
    expect(sh("dvc config remote.datasets.region").trim()).toBe("us-east-1");
  });

  test("dvc push uploads the dataset under s3://<datasets bucket>/dvc/, within the training role's policy", () => {
    sh("dvc add -q data && git add data.dvc .gitignore .dvc/config && git commit -qm dataset");
    moto.resetRecording();
    sh("dvc push -q");
    const accesses = moto.accesses();
    const puts = accesses.filter((a) => a.action === "s3:PutObject").map((a) => a.arn);
    // Three files and the directory listing DVC writes for data/.
    expect(puts.length).toBeGreaterThanOrEqual(Object.keys(files).length);
    expect(puts.every((arn) => arn.startsWith(`arn:aws:s3:::${bucket}/dvc/`))).toBe(true);
    expect(denied(trainingPolicy, accesses)).toEqual([]);
  });

  test("dvc pull, from an empty cache and workspace, restores the same files, within the training role's policy", () => {
    fs.rmSync(path.join(work, "data"), { recursive: true, force: true });
    fs.rmSync(path.join(work, ".dvc", "cache"), { recursive: true, force: true });
    moto.resetRecording();
    sh("dvc pull -q");
    const accesses = moto.accesses();
    expect(accesses.some((a) => a.action === "s3:GetObject")).toBe(true);
    for (const [file, content] of Object.entries(files)) expect(fs.readFileSync(path.join(work, file), "utf8")).toBe(content);
    expect(denied(trainingPolicy, accesses)).toEqual([]);
  });
});
