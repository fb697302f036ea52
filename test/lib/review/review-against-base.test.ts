import * as fs from "fs";
import * as path from "path";
import { TerraformResource } from "cdktf";
import { runReview } from "../../../lib/review/cli";
import { describeWithTerraform, pluginMirror } from "../../support/terraform";
import { DataAppOptions, DataStack, removeTempDirs, synthApps, tempDir } from "./review-apps";

/**
 * The offline review against the base, with real Terraform: the base app (a dev and a
 * prod data stack, each with a construct that owns a database and a bucket) is reviewed
 * with --save-plans; each change is then reviewed with --offline --base, which plans
 * every changed stack against a state simulated from the base's synthesized stack.
 * Every verdict is asserted in the Markdown and in the JSON.
 */
const DEV: DataAppOptions = { env: { name: "dev", tier: "development" } };
const PROD: DataAppOptions = { env: { name: "prod", tier: "production" } };

interface Outcome {
  readonly code: number;
  readonly md: string;
  readonly json: any;
}

describeWithTerraform("offline review against the base's simulated state (real Terraform)", () => {
  afterAll(removeTempDirs);
  let baseDir: string;
  let baseOutdir: string;

  async function review(outdir: string, args: string[]): Promise<Outcome> {
    const dir = tempDir("review-out-");
    const out = path.join(dir, "review.md");
    const json = path.join(dir, "review.json");
    const code = await runReview(["--offline", ...args, "--out", out, "--json", json], { synthesize: () => outdir, log: () => undefined });
    return { code, md: fs.readFileSync(out, "utf8"), json: JSON.parse(fs.readFileSync(json, "utf8")) };
  }

  const reviewChange = (...apps: DataAppOptions[]) => review(synthApps(...apps), ["--base", baseDir]);

  beforeAll(async () => {
    process.env.TF_PLUGIN_MIRROR ??= pluginMirror();
    // Converge for real in this run: no simulated state from an earlier run's disk cache.
    process.env.ML_REVIEW_STATE_CACHE = tempDir("review-states-");
    baseOutdir = synthApps(DEV, PROD);
    baseDir = tempDir("review-base-");
    const saved = await review(baseOutdir, ["--save-plans", baseDir]);
    expect(saved.code).toBe(0);
  }, 300_000);

  test("without a base, the offline review does not claim that nothing is destroyed", async () => {
    // GIVEN the base's own plans (empty state)  WHEN rendered  THEN the headline says what empty-state plans cannot show
    const { md, json } = await review(baseOutdir, []);
    expect(md).toContain("**No blocking finding in empty-state plans, which can only show creations:** they cannot show that anything would be destroyed or replaced.");
    expect(md).not.toContain("no stateful resource is destroyed or replaced");
    expect(json).toMatchObject({ exitCode: 0, destruction: "empty-state", summary: { destructionChecked: false } });
  }, 300_000);

  test("renaming the construct that owns the database and the bucket destroys both, in prod too: prevent_destroy left with the old blocks; exit 2", async () => {
    // GIVEN the owner construct renamed in both environments (new Terraform addresses, no moved blocks)
    const { code, md, json } = await reviewChange({ ...DEV, ownerId: "model-store" }, { ...PROD, ownerId: "model-store" });
    // THEN both environments would destroy the database and the bucket. Terraform does not refuse in prod:
    // prevent_destroy is read from the resource's block, and the old block is gone (Terraform 1.11 behaviour)
    expect(code).toBe(2);
    expect(json.exitCode).toBe(2);
    for (const [stack, env] of [
      ["ml-dev-data", "dev"],
      ["ml-prod-data", "prod"],
    ]) {
      const mine = json.blocking.filter((f: any) => f.stack === stack);
      for (const type of ["aws_db_instance", "aws_s3_bucket"]) {
        const f = mine.find((x: any) => x.type === type);
        expect(f).toMatchObject({ action: "delete", actionReason: "delete_because_no_resource_config", constructPath: expect.stringMatching(new RegExp(`^${stack}/registry/`)) });
        expect(f.stoppedByPreventDestroy).toBeUndefined();
        expect(f.protectedInBase).toBe(env === "prod" ? true : undefined);
      }
    }
    const devDb = json.blocking.find((f: any) => f.stack === "ml-dev-data" && f.type === "aws_db_instance");
    const prodBucket = json.blocking.find((f: any) => f.stack === "ml-prod-data" && f.type === "aws_s3_bucket");
    expect(devDb.address).toMatch(/^aws_db_instance\.registry_database_instance_[0-9A-F]{8}$/);
    expect(md).toContain(
      `- **\`${devDb.address}\`** in \`ml-dev-data\` (dev) would be **destroyed**. Terraform's reason: \`delete_because_no_resource_config\`. Construct: \`ml-dev-data/registry/database/instance\`.`,
    );
    expect(md).toContain(`- **\`${prodBucket.address}\`** in \`ml-prod-data\` (prod) would be **destroyed**, and \`prevent_destroy\` does not stop it`);
    expect(md).toMatch(/\| prod \| `ml-prod-data` \| \d+ \| 0 \| 0 \| \d+ \| planned against the base's simulated state \|/);
  }, 600_000);

  test("changing the bucket's name: dev replaces it (replace_paths shown), prod's plan is refused by prevent_destroy; both blocking", async () => {
    const { code, md, json } = await reviewChange({ ...DEV, bucketName: "ml-dev-artifacts-v2" }, { ...PROD, bucketName: "ml-prod-artifacts-v2" });
    expect(code).toBe(2);
    expect(json.blocking).toEqual([
      expect.objectContaining({
        stack: "ml-dev-data",
        type: "aws_s3_bucket",
        action: "replace",
        replacePaths: ["bucket"],
        actionReason: "replace_because_cannot_update",
        constructPath: "ml-dev-data/registry/artifacts/bucket",
      }),
      expect.objectContaining({ stack: "ml-prod-data", type: "aws_s3_bucket", action: "replace", replacePaths: ["bucket"], stoppedByPreventDestroy: true }),
    ]);
    expect(json.stacks.find((s: any) => s.stack === "ml-prod-data")).toMatchObject({ basis: "base-state", refusedByPreventDestroy: true });
    expect(md).toContain("**Blocking: 2 stateful resources would be destroyed or replaced.**");
    expect(md).toMatch(
      /`ml-dev-data` \(dev\) would be \*\*replaced\*\* \(destroyed, then created again\): `bucket` forces the replacement\. Terraform's reason: `replace_because_cannot_update`\. Construct: `ml-dev-data\/registry\/artifacts\/bucket`\./,
    );
    expect(md).toMatch(/`ml-prod-data` \(prod\) would be \*\*replaced\*\*: Terraform refused the plan because of `prevent_destroy`; `bucket` forces the replacement\./);
    expect(md).toMatch(
      /\| prod \| `ml-prod-data` \| 0 \| \d+ \| \d+ \| 0 \| \*\*refused by `prevent_destroy`\*\* \(counts without it; see Blocking\); planned against the base's simulated state \|/,
    );
  }, 600_000);

  test("an unchanged stack is not planned again: no changes, from the base's plan", async () => {
    const { json, md } = await reviewChange({ ...DEV, allocatedStorageGiB: 50 }, PROD);
    expect(json.stacks.find((s: any) => s.stack === "ml-prod-data")).toMatchObject({ basis: "unchanged", counts: { add: 0, change: 0, replace: 0, destroy: 0 } });
    expect(md).toContain("| prod | `ml-prod-data` | 0 | 0 | 0 | 0 | identical to the base |");
  }, 600_000);

  test("a pure scaling change (database storage) updates in place: not blocking, exit 0", async () => {
    const { code, md, json } = await reviewChange({ ...DEV, allocatedStorageGiB: 50 }, PROD);
    expect(code).toBe(0);
    expect(json).toMatchObject({ exitCode: 0, destruction: "base", blocking: [], summary: { blocking: 0, destructionChecked: true } });
    expect(json.stacks.find((s: any) => s.stack === "ml-dev-data")).toMatchObject({ basis: "base-state", counts: { add: 0, change: 1, replace: 0, destroy: 0 } });
    expect(md).toContain("**No blocking finding:** no stateful resource is destroyed or replaced.");
    expect(md).toContain("| dev | `ml-dev-data` | 0 | 1 | 0 | 0 | planned against the base's simulated state |");
  }, 600_000);

  test("renaming the owner with moved blocks for every resource is shown as moves, not blocking", async () => {
    // GIVEN the owner renamed, each of its resources moved from its base address (cdktf moveFromId)
    const baseConfig = JSON.parse(fs.readFileSync(path.join(baseOutdir, "stacks", "ml-dev-data", "cdk.tf.json"), "utf8"));
    const byPath = new Map<string, string>();
    for (const [type, byName] of Object.entries<any>(baseConfig.resource)) {
      for (const [name, block] of Object.entries<any>(byName)) {
        const p: string = block["//"].metadata.path;
        if (p.startsWith("ml-dev-data/registry/")) byPath.set(p.replace("ml-dev-data/registry/", ""), `${type}.${name}`);
      }
    }
    const moveAll = (s: DataStack) => {
      for (const r of s.owner.node.findAll()) {
        if (r instanceof TerraformResource) r.moveFromId(byPath.get(r.node.path.replace("ml-dev-data/model-store/", ""))!);
      }
    };
    const { code, md, json } = await reviewChange({ ...DEV, ownerId: "model-store", change: moveAll }, PROD);
    // THEN nothing blocks, and the moves are listed
    expect(code).toBe(0);
    expect(json.blocking).toEqual([]);
    expect(json.moves.length).toBe(byPath.size);
    const db = json.moves.find((m: any) => m.type === "aws_db_instance");
    expect(db).toMatchObject({ stack: "ml-dev-data", from: expect.stringMatching(/^aws_db_instance\.registry_/), to: expect.stringMatching(/^aws_db_instance\.model-store_/) });
    expect(md).toContain(`### Moves (${byPath.size})`);
    expect(md).toContain(`| \`ml-dev-data\` | \`${db.from}\` | \`${db.to}\` |`);
    expect(json.stacks.find((s: any) => s.stack === "ml-dev-data")).toMatchObject({ moved: byPath.size, counts: { add: 0, replace: 0, destroy: 0 } });
  }, 600_000);

  test("a `removed` block without destroy forgets the bucket: blocking as forgotten, not destroyed", async () => {
    // GIVEN the bucket construct dropped from the code, with a removed block that keeps the bucket
    const base = JSON.parse(fs.readFileSync(path.join(baseOutdir, "stacks", "ml-dev-data", "cdk.tf.json"), "utf8"));
    // (not the stack's access-log bucket, which SecureBucket adds at the stack's root)
    const bucket = `aws_s3_bucket.${Object.keys(base.resource.aws_s3_bucket).find((k) => !k.startsWith("access-logs_"))}`;
    const forget = (s: DataStack) => {
      s.owner.node.tryRemoveChild("artifacts");
      s.stack.addOverride("removed", [{ from: bucket, lifecycle: { destroy: false } }]);
    };
    const { code, md, json } = await reviewChange({ ...DEV, change: forget }, PROD);
    // THEN Terraform forgets it (the object stays), and the review blocks on it
    expect(code).toBe(2);
    expect(json.blocking).toEqual([expect.objectContaining({ stack: "ml-dev-data", address: bucket, action: "forget" })]);
    expect(json.stacks.find((s: any) => s.stack === "ml-dev-data")).toMatchObject({ forgotten: 1 });
    expect(md).toContain("**Blocking: 1 stateful resource would no longer be managed by Terraform.**");
    expect(md).toContain(`- **\`${bucket}\`** in \`ml-dev-data\` (dev) would be **forgotten**: Terraform stops managing it`);
  }, 600_000);

  test("a renamed stack is blocking: the base's stack would be left unmanaged, the new one created beside it", async () => {
    const { code, md, json } = await reviewChange({ ...DEV, layer: "store" }, PROD);
    expect(code).toBe(2);
    expect(json.blocking).toEqual([expect.objectContaining({ stack: "ml-dev-data", action: "remove-stack", renamedTo: "ml-dev-store" })]);
    expect(json.blocking[0].loses).toMatch(/^its \d+ resources, \d+ of them stateful \(.*`aws_db_instance\.registry_database_instance_[0-9A-F]{8}`/);
    expect(md).toContain("**Blocking: 1 stack of the base would no longer be synthesized.**");
    expect(md).toContain("- **Stack `ml-dev-data`** (dev) is in the base but no longer synthesized: it looks renamed to `ml-dev-store`");
    expect(json.stacks.find((s: any) => s.stack === "ml-dev-store")).toMatchObject({ basis: "empty-state" });
    expect(md).toMatch(/\| dev \| `ml-dev-store` \| \d+ \| 0 \| 0 \| 0 \| new stack \(empty state\) \|/);
  }, 600_000);
});
