import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeOfflineProviders, runReview } from "../../../lib/review/cli";
import { OfflineTerraform, offlineCliConfig, providerInstallation } from "../../../lib/terraform/offline";
import { describeWithTerraform, pluginMirror } from "../../support/terraform";

/**
 * `--offline` and OfflineTerraform take providers from TF_PLUGIN_MIRROR when it is set and
 * install them the normal way (`terraform init` from the registry, or the user's own CLI
 * configuration) when it is not. The argument and environment checks run a stand-in
 * terraform that records what it was given; the real plans need the mirror (no network here).
 */

const temporary: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});

/** A synthesized AWS-only stack as cdktf writes it, with the account guard set. */
function tinyStack(): string {
  const dir = tempDir("offline-stack-");
  fs.writeFileSync(
    path.join(dir, "cdk.tf.json"),
    JSON.stringify({
      terraform: { required_providers: { aws: { source: "aws", version: "5.100.0" } } },
      provider: { aws: [{ region: "eu-west-1", allowed_account_ids: ["111122223333"] }] },
      resource: { aws_s3_bucket: { logs: { bucket: "offline-provider-installation-test" } } },
    }),
  );
  return dir;
}

/** An empty provider tree, enough to count as a mirror. */
function fakeMirror(): string {
  const dir = tempDir("offline-mirror-");
  fs.mkdirSync(path.join(dir, "registry.terraform.io"));
  return dir;
}

/** A stand-in terraform that writes its arguments and TF_CLI_CONFIG_FILE to a file. */
function recordingTerraform(): { binary: string; calls: () => { args: string[]; cliConfigFile: string }[] } {
  const dir = tempDir("fake-terraform-");
  const log = path.join(dir, "calls.jsonl");
  const binary = path.join(dir, "terraform");
  fs.writeFileSync(
    binary,
    `#!${process.execPath}
require("fs").appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args: process.argv.slice(2), cliConfigFile: process.env.TF_CLI_CONFIG_FILE ?? "(unset)" }) + "\\n");
`,
    { mode: 0o755 },
  );
  return {
    binary,
    calls: () =>
      fs
        .readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
  };
}

const saved = { mirror: process.env.TF_PLUGIN_MIRROR, cliConfig: process.env.TF_CLI_CONFIG_FILE };
afterEach(() => {
  for (const [name, value] of [
    ["TF_PLUGIN_MIRROR", saved.mirror],
    ["TF_CLI_CONFIG_FILE", saved.cliConfig],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("provider installation", () => {
  test("GIVEN no mirror WHEN resolving THEN Terraform's normal installation, with no CLI config of ours", () => {
    expect(providerInstallation(undefined)).toEqual({ source: "default" });
    expect(providerInstallation("")).toEqual({ source: "default" });
    expect(offlineCliConfig({ source: "default" })).toBeUndefined();
  });

  test("GIVEN a mirror WHEN resolving THEN the CLI config installs registry.terraform.io providers from it only", () => {
    const mirror = fakeMirror();
    expect(providerInstallation(mirror)).toEqual({ source: "mirror", mirror });
    expect(offlineCliConfig({ source: "mirror", mirror })).toBe(
      [
        "provider_installation {",
        "  filesystem_mirror {",
        `    path    = ${JSON.stringify(mirror)}`,
        '    include = ["registry.terraform.io/*/*"]',
        "  }",
        "  direct {",
        '    exclude = ["registry.terraform.io/*/*"]',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("GIVEN a mirror path without a provider tree THEN it is refused, naming the path", () => {
    expect(() => providerInstallation("/nonexistent/tf-plugins")).toThrow(
      "TF_PLUGIN_MIRROR=/nonexistent/tf-plugins holds no registry.terraform.io/ provider tree (unset it to install providers from the registry)",
    );
  });
});

describe("OfflineTerraform runs terraform", () => {
  test("GIVEN TF_PLUGIN_MIRROR WHEN init runs THEN terraform gets the mirror-only CLI config", async () => {
    const mirror = fakeMirror();
    process.env.TF_PLUGIN_MIRROR = mirror;
    const fake = recordingTerraform();
    const tf = new OfflineTerraform(tinyStack(), { terraformBinary: fake.binary });
    await tf.init();
    const rc = path.join(tf.workDir, "offline.tfrc");
    expect(fake.calls()).toEqual([{ args: ["init", "-input=false", "-no-color", "-backend=true"], cliConfigFile: rc }]);
    expect(fs.readFileSync(rc, "utf8")).toContain(`filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}`);
    tf.dispose();
  });

  test("GIVEN no TF_PLUGIN_MIRROR WHEN init runs THEN terraform keeps the user's own CLI config and no mirror config is written", async () => {
    delete process.env.TF_PLUGIN_MIRROR;
    process.env.TF_CLI_CONFIG_FILE = "/home/someone/.terraformrc";
    const fake = recordingTerraform();
    const tf = new OfflineTerraform(tinyStack(), { terraformBinary: fake.binary });
    await tf.init();
    expect(tf.providers).toEqual({ source: "default" });
    expect(fake.calls()).toEqual([{ args: ["init", "-input=false", "-no-color", "-backend=true"], cliConfigFile: "/home/someone/.terraformrc" }]);
    expect(fs.existsSync(path.join(tf.workDir, "offline.tfrc"))).toBe(false);
    tf.dispose();
  });

  test("GIVEN no TF_PLUGIN_MIRROR and no CLI config WHEN init runs THEN TF_CLI_CONFIG_FILE stays unset (the registry)", async () => {
    delete process.env.TF_PLUGIN_MIRROR;
    delete process.env.TF_CLI_CONFIG_FILE;
    const fake = recordingTerraform();
    const tf = new OfflineTerraform(tinyStack(), { terraformBinary: fake.binary });
    await tf.init();
    expect(fake.calls()[0].cliConfigFile).toBe("(unset)");
    tf.dispose();
  });
});

describe("review --offline", () => {
  test("says where providers come from, for both sources", () => {
    const mirror = fakeMirror();
    expect(describeOfflineProviders({ TF_PLUGIN_MIRROR: mirror })).toBe(`providers: filesystem mirror ${mirror} (TF_PLUGIN_MIRROR)`);
    expect(describeOfflineProviders({})).toBe("providers: installed by terraform init from the registry (set TF_PLUGIN_MIRROR to use a filesystem mirror instead)");
  });

  test("GIVEN a TF_PLUGIN_MIRROR without providers THEN the review fails before synthesizing, naming the path", async () => {
    process.env.TF_PLUGIN_MIRROR = "/nonexistent/tf-plugins";
    const lines: string[] = [];
    let synthesized = false;
    const code = await runReview(["--offline"], {
      synthesize: () => {
        synthesized = true;
        return "/nonexistent";
      },
      log: (l) => lines.push(l),
      stdout: () => undefined,
    });
    expect(code).toBe(1);
    expect(synthesized).toBe(false);
    expect(lines).toEqual([
      "review failed: TF_PLUGIN_MIRROR=/nonexistent/tf-plugins holds no registry.terraform.io/ provider tree (unset it to install providers from the registry)",
    ]);
  });
});

describeWithTerraform("with real Terraform", () => {
  test("GIVEN the mirror WHEN planning a stack whose account guard names a real account THEN it plans without credentials or network", async () => {
    const tf = new OfflineTerraform(tinyStack(), { pluginMirror: pluginMirror() });
    const plan = await tf.plan();
    expect(plan.resource_changes?.map((c) => [c.address, c.change.actions])).toEqual([["aws_s3_bucket.logs", ["create"]]]);
    tf.dispose();
  });

  test("GIVEN no TF_PLUGIN_MIRROR but the user's own CLI config naming a mirror THEN Terraform's normal installation uses it", async () => {
    delete process.env.TF_PLUGIN_MIRROR;
    const userConfig = path.join(tempDir("user-tfrc-"), ".terraformrc");
    fs.writeFileSync(userConfig, offlineCliConfig({ source: "mirror", mirror: pluginMirror()! })!);
    process.env.TF_CLI_CONFIG_FILE = userConfig;
    const tf = new OfflineTerraform(tinyStack());
    expect(tf.providers).toEqual({ source: "default" });
    const plan = await tf.plan();
    expect(plan.resource_changes?.map((c) => c.change.actions)).toEqual([["create"]]);
    tf.dispose();
  });
});
