import { TerraformStack } from "cdktf";
import { DistributedTraining, DistributedTrainingProps, GpuInstance, InfraStack, PlatformStack, TrainingOperator } from "../../../lib";
import { GENERAL, testCluster } from "../gpu-cluster/fixture";

/** A multi-node EFA pool cheap enough for the test budget: one g5.48xlarge (8 x A10G, 1 EFA interface). */
export const MULTI = { name: "multi", instanceTypes: [GpuInstance.of("g5.48xlarge")], maxNodes: 2, multiNode: true };

/** A cluster with a single-GPU pool (general, 2 nodes) and an EFA pool (multi, 2 x 8 GPUs), its addons stack with the operator, and a platform stack. */
export function trainingFixture(props: Partial<DistributedTrainingProps> = {}) {
  const { stack: infra, cluster } = testCluster({ gpuMonthlyBudgetUsd: 100000 }, { gpuPools: [GENERAL, MULTI] });
  const environment = (TerraformStack.of(cluster) as InfraStack).environment;
  const addons = new PlatformStack(cluster.node.root, "test-addons", { environment, clusterName: cluster.clusterName });
  const platform = new PlatformStack(cluster.node.root, "test-platform", { environment, clusterName: cluster.clusterName });
  const operator = new TrainingOperator(addons, "training-operator");
  const training = new DistributedTraining(platform, "training", { cluster, operator, ...props });
  return { infra, cluster, addons, platform, operator, training };
}
