import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { InfraStack, PlatformStack } from "../../../lib";
import { EnvironmentConfig, EnvironmentKey, GpuInstance, GpuPoolProps, GpuTrainingCluster, GpuTrainingClusterProps, Network } from "../../../lib";
import { infraStack } from "../../support/env";
import { synthJson } from "../../support/synth";

/** A one-GPU pool that fits every test budget. */
export const GENERAL: GpuPoolProps = { name: "general", instanceTypes: [GpuInstance.of("g5.xlarge")], maxNodes: 2 };

/** A GpuTrainingCluster in a fresh InfraStack (`test-infra`), with its own key and network. */
export function testCluster(overrides: Partial<EnvironmentConfig> = {}, props: Partial<GpuTrainingClusterProps> = {}) {
  const stack = infraStack(overrides);
  const key = new EnvironmentKey(stack, "kms");
  const network = new Network(stack, "network", { key });
  const cluster = new GpuTrainingCluster(stack, "training", { network, key, ...props });
  return { stack, cluster };
}

/** The synthesized infra stack of a test cluster. */
export function clusterJson(overrides: Partial<EnvironmentConfig> = {}, props: Partial<GpuTrainingClusterProps> = {}): any {
  return synthJson(testCluster(overrides, props).stack);
}

/** A PlatformStack in the same app as the cluster's InfraStack (cross-stack references resolve). */
export function platformFor(cluster: GpuTrainingCluster): PlatformStack {
  const infra = TerraformStack.of(cluster) as InfraStack;
  return new PlatformStack(cluster.node.root, "test-platform", { environment: infra.environment, clusterName: cluster.clusterName });
}

/** Synthesizes the whole app (so that cross-stack references become remote state) and returns one stack's JSON. */
export function synthApp(stack: TerraformStack): any {
  const app = stack.node.root as App;
  app.synth();
  return JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", stack.node.id, "cdk.tf.json"), "utf8"));
}
