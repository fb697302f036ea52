import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tf } from "./fixtures";

/** `npm run policy -- --outdir <dir>` on hand-made synthesized stacks, in a real node process. */
const root = path.resolve(__dirname, "..", "..", "..");

function outdirWith(stacks: Record<string, object>): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-cli-"));
  for (const [name, json] of Object.entries(stacks)) {
    fs.mkdirSync(path.join(outdir, "stacks", name), { recursive: true });
    fs.writeFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), JSON.stringify(json));
  }
  return outdir;
}

function runPolicy(outdir: string): { status: number | null; stdout: string } {
  const res = spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/policy.ts", "--outdir", outdir], { cwd: root, encoding: "utf8" });
  return { status: res.status, stdout: res.stdout };
}

const tagged = (env: string, resources: Record<string, Record<string, object>>) => ({
  ...tf(resources),
  provider: { aws: [{ region: "us-east-1", default_tags: [{ tags: { environment: env } }] }] },
});

describe("npm run policy", () => {
  test("exits 1 on an unsuppressed high-severity finding and prints it under its environment and severity", () => {
    // GIVEN a stack whose security group opens SSH to the internet
    const outdir = outdirWith({
      "x-prod-infra": tagged("prod", {
        aws_security_group: { ssh: { name: "ssh", ingress: [{ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] }] } },
      }),
    });
    // WHEN the policy check runs
    const { status, stdout } = runPolicy(outdir);
    // THEN it fails and names the finding
    expect(status).toBe(1);
    expect(stdout).toContain("prod: 1 high, 0 medium, 0 low (x-prod-infra)");
    expect(stdout).toContain("  HIGH (1)\n    SG-ADMIN-PORTS-OPEN [CKV_AWS_24/CKV_AWS_25] x-prod-infra: aws_security_group.ssh");
  });

  test("exits 0 when only medium and low findings remain", () => {
    const outdir = outdirWith({ "x-dev-infra": tagged("dev", { aws_cloudwatch_log_group: { l: { name: "l" } } }) });
    const { status, stdout } = runPolicy(outdir);
    expect(status).toBe(0);
    expect(stdout).toContain("dev: 0 high, 1 medium, 1 low (x-dev-infra)");
  });

  test("exits 0 when the high finding is suppressed, and prints the suppression with its reason", () => {
    const json = tagged("prod", {
      aws_security_group: { bastion: { name: "b", ingress: [{ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] }] } },
    });
    (json as any)["//"] = {
      policy_suppressions: [{ ruleId: "SG-ADMIN-PORTS-OPEN", constructPath: "aws_security_group.bastion", reason: "break-glass bastion, closed by an SCP outside incidents" }],
    };
    const { status, stdout } = runPolicy(outdirWith({ "x-prod-infra": json }));
    expect(status).toBe(0);
    expect(stdout).toContain(
      "Suppressions (1):\n  prod x-prod-infra: SG-ADMIN-PORTS-OPEN at aws_security_group.bastion: break-glass bastion, closed by an SCP outside incidents [1 finding]",
    );
    expect(stdout).toContain("prod: no unsuppressed findings (x-prod-infra)");
  });

  test("on the reference app: exits 0, with every environment in tier order and its suppressions listed", () => {
    const res = spawnSync(process.execPath, ["-r", "./scripts/register.js", "scripts/policy.ts"], { cwd: root, encoding: "utf8" });
    expect(res.status).toBe(0);
    const order = ["dev", "staging", "prod"].map((env) => res.stdout.indexOf(`\n${env}: no unsuppressed findings`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(res.stdout).toMatch(/Suppressions \(\d+\):/);
  });
});
