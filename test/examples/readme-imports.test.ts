import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";

/**
 * README.md "Use an existing VPC, key or cluster": its code is what a user copies, so it is
 * type-checked against the library as a user imports it (by package name) and run; the app it
 * builds must create no VPC, no key and no cluster.
 */
const ROOT = path.resolve(__dirname, "..", "..");

function readmeSnippet(): string {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## Use an existing VPC, key or cluster");
  if (start < 0) throw new Error('README has no "## Use an existing VPC, key or cluster" section');
  const end = readme.indexOf("\n## ", start + 3);
  const code = /```ts\n([\s\S]*?)```/.exec(readme.slice(start, end < 0 ? undefined : end))?.[1];
  if (!code) throw new Error("the section has no ts code block");
  return code;
}

/** The snippet in a file under node_modules/.cache, where `cdktf` resolves as from a user's project. */
function writeSnippet(code: string): string {
  const dir = fs.mkdtempSync(path.join(ROOT, "node_modules", ".cache", "readme-imports-"));
  const file = path.join(dir, "main.ts");
  fs.writeFileSync(file, code);
  return file;
}

function typeErrors(file: string): string[] {
  const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile).config;
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  const program = ts.createProgram([file], { ...options, noEmit: true, incremental: false, tsBuildInfoFile: undefined });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file || d.file === undefined)
    .map(
      (d) =>
        `${d.file ? `${path.basename(d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
    );
}

describe('README "Use an existing VPC, key or cluster"', () => {
  const file = writeSnippet(readmeSnippet());
  afterAll(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }));

  test("its code type-checks against the library, imported by package name", () => {
    expect(typeErrors(file)).toEqual([]);
  }, 120_000);

  test("its code runs and synthesizes an infra and a platform stack with no VPC, key, EKS cluster or node group", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-imports-"));
    const res = spawnSync(process.execPath, ["-r", path.join(ROOT, "scripts", "register.js"), file], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    expect(res.stderr).toBe("");
    expect(res.status).toBe(0);
    const stacks = fs.readdirSync(path.join(outdir, "stacks")).sort();
    expect(stacks).toEqual(["ml-dev-infra", "ml-dev-platform"]);
    for (const stack of stacks) {
      const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
      for (const type of ["aws_vpc", "aws_subnet", "aws_kms_key", "aws_eks_cluster", "aws_eks_node_group"])
        expect([stack, type, json.resource?.[type]]).toEqual([stack, type, undefined]);
    }
    const infra = fs.readFileSync(path.join(outdir, "stacks", "ml-dev-infra", "cdk.tf.json"), "utf8");
    expect(infra).toContain("subnet-0aaaaaaaaaaaaaaa1");
    expect(infra).toContain("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    fs.rmSync(outdir, { recursive: true, force: true });
  }, 120_000);
});
