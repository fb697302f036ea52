import * as fs from "fs";
import * as path from "path";
import { App, Testing } from "cdktf";
import { EnvironmentConfig, InfraStack, MlflowServer, MlflowServerProps, ModelRegistry, ModelRegistryProps, PlatformStack } from "../../../lib";
import { testEnvironment } from "../../support/env";
import { TestCluster } from "../../support/cluster";

export type RegistryOptions = Omit<ModelRegistryProps, "cluster">;

/** An InfraStack with a TestCluster and a ModelRegistry. */
export function registryStack(options: RegistryOptions = {}, overrides: Partial<EnvironmentConfig> = {}) {
  const app = Testing.app();
  const environment = testEnvironment(overrides);
  const infra = new InfraStack(app, "test-infra", { environment });
  const cluster = new TestCluster(infra, "cluster");
  const registry = new ModelRegistry(infra, "model-registry", { cluster, ...options });
  return { app, environment, infra, cluster, registry };
}

/** The infra stack above plus a PlatformStack with the MlflowServer, in one app. */
export function mlflowStacks(options: RegistryOptions = {}, overrides: Partial<EnvironmentConfig> = {}, server: Omit<MlflowServerProps, "registry"> = {}) {
  const built = registryStack(options, overrides);
  const platform = new PlatformStack(built.app, "test-platform", { environment: built.environment, clusterName: built.cluster.clusterName });
  const mlflow = new MlflowServer(platform, "mlflow", { registry: built.registry, ...server });
  return { ...built, platform, mlflow };
}

/** Production config shortcut. */
export const PROD: Partial<EnvironmentConfig> = { tier: "production", name: "prod" };
export const STAGING: Partial<EnvironmentConfig> = { tier: "staging", name: "staging" };

/** Synthesizes the whole app (cross-stack references become outputs and remote state) and reads one stack back. */
export function synthStacks(app: App): Record<string, any> {
  app.synth();
  const dir = path.join(app.outdir, "stacks");
  return Object.fromEntries(fs.readdirSync(dir).map((name) => [name, JSON.parse(fs.readFileSync(path.join(dir, name, "cdk.tf.json"), "utf8"))]));
}

/** Helm's coalescing of user values over chart defaults: maps merge, everything else replaces, null deletes. */
export function helmMerge(defaults: unknown, values: unknown): unknown {
  if (!isMap(defaults) || !isMap(values)) return values;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    if (v === null) delete out[k];
    else out[k] = helmMerge(defaults[k], v);
  }
  return out;
}

function isMap(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
