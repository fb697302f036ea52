import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { Construct } from "constructs";
import { EnvironmentConfig, EnvironmentKey, GpuTrainingCluster, InfraStack, Network, SecureBucket } from "../../../lib";
import { RegistryDatabase } from "../../../lib/model-registry/registry-database";
import { testEnvironment } from "../../support/env";

/**
 * Small apps built from the library's constructs for the review's real-Terraform tests:
 * one AWS-only stack with a key, a two-zone network and a construct that owns a
 * PostgreSQL database and a bucket (the shape of the model registry's data, without the
 * cluster, so that each terraform plan takes seconds, not minutes).
 */
export interface DataAppOptions {
  /** The environment's overrides (name, tier). */
  readonly env?: Partial<EnvironmentConfig>;
  /** Stack layer: the stack is `ml-<env>-<layer>`. @default "data" */
  readonly layer?: string;
  /** Construct ID of the owner of the database and the bucket. @default "registry" */
  readonly ownerId?: string;
  /** @default "<prefix>-artifacts" */
  readonly bucketName?: string;
  /** @default 20 */
  readonly allocatedStorageGiB?: number;
  /** Changes to apply after the constructs are built. */
  readonly change?: (stack: DataStack) => void;
  /** Adds a GpuTrainingCluster (no GPU pools) with this name, instead of the database and the bucket. @default - no cluster */
  readonly clusterName?: string;
}

export interface DataStack {
  readonly stack: InfraStack;
  readonly owner: Construct;
  readonly database: RegistryDatabase;
  readonly bucket: SecureBucket;
}

/** Builds the data stack into `app`. */
export function buildDataStack(app: App, options: DataAppOptions = {}): DataStack {
  const env = testEnvironment({ availabilityZones: ["us-east-1a", "us-east-1b"], ...options.env });
  const stack = new InfraStack(app, env.stackName(options.layer ?? "data"), { environment: env });
  const key = new EnvironmentKey(stack, "kms");
  const network = new Network(stack, "network", { key });
  if (options.clusterName) {
    new GpuTrainingCluster(stack, "training", { network, key, clusterName: options.clusterName, gpuPools: [] });
    return { stack } as DataStack;
  }
  const owner = new Construct(stack, options.ownerId ?? "registry");
  const database = new RegistryDatabase(owner, "database", {
    network,
    key,
    clientSecurityGroupId: "sg-0123456789abcdef0",
    instanceClass: "db.t4g.medium",
    engineVersion: "17",
    allocatedStorageGiB: options.allocatedStorageGiB ?? 20,
    maxAllocatedStorageGiB: 100,
    backupRetentionDays: 7,
    multiAz: false,
    deletionProtection: env.protectsData,
    performanceInsights: false,
    monitoringIntervalSeconds: 0,
    iamAuthentication: true,
    logRetentionDays: 30,
  });
  const bucket = new SecureBucket(owner, "artifacts", { bucketName: options.bucketName ?? `${env.prefix}-artifacts`, key });
  const built = { stack, owner, database, bucket };
  options.change?.(built);
  return built;
}

const created: string[] = [];

/** A new temporary directory, removed by removeTempDirs (call it in afterAll). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Synthesizes apps (one per options) into one new output directory; returns it. */
export function synthApps(...apps: DataAppOptions[]): string {
  const outdir = tempDir("review-app-");
  const app = new App({ outdir });
  for (const options of apps) buildDataStack(app, options);
  app.synth();
  return outdir;
}

/** Synthesizes apps into `outdir` (for an app command run by --base-ref, which sets CDKTF_OUTDIR). */
export function synthInto(outdir: string, ...apps: DataAppOptions[]): void {
  const app = new App({ outdir });
  for (const options of apps) buildDataStack(app, options);
  app.synth();
}
