import { ConfigError, Environment, EnvironmentKey, GpuInstance, GpuTrainingCluster, InfraStack, Network, exitOnConfigError } from "../../../lib";
import { App, Testing } from "cdktf";
import { synthSummary } from "../../../lib/review/synth-summary";
import { errorOf } from "../../support/synth";
import { GENERAL, testCluster } from "./fixture";

const P4D = { name: "big", instanceTypes: [GpuInstance.of("p4d.24xlarge")], maxNodes: 1 };

describe("GPU budget guard", () => {
  test("a pool's worst case is maxNodes x the priciest type's hourly price x 730", () => {
    const { cluster } = testCluster({}, { gpuPools: [{ name: "mixed", instanceTypes: [GpuInstance.of("g6.xlarge"), GpuInstance.of("g6.2xlarge")], maxNodes: 3 }] });
    expect(cluster.worstCase.pools[0]).toEqual({ name: "mixed", maxNodes: 3, instanceType: "g6.2xlarge", hourlyUsd: 0.9776, monthlyUsd: 3 * 0.9776 * 730 });
  });

  test("pools within the budget synthesize", () => {
    expect(() => testCluster({ gpuMonthlyBudgetUsd: 1500 }, { gpuPools: [GENERAL] })).not.toThrow();
  });

  test("without a budget in the environment, there is no ceiling", () => {
    expect(() => testCluster({}, { gpuPools: [{ ...P4D, maxNodes: 10 }] })).not.toThrow();
  });

  test("a pool added later that crosses the budget is refused at synth, naming every pool", () => {
    const { stack, cluster } = testCluster({ gpuMonthlyBudgetUsd: 5000 }, { gpuPools: [GENERAL] });
    cluster.addGpuPool("big", P4D);
    const message = errorOf(() => Testing.synth(stack, true));
    expect(message).toContain('pool "general": 2 x g5.xlarge');
    expect(message).toContain('pool "big": 1 x p4d.24xlarge');
  });

  test("the over-budget error is a ConfigError", () => {
    const { stack } = testCluster({ gpuMonthlyBudgetUsd: 5000 }, { gpuPools: [GENERAL, P4D] });
    expect(() => Testing.synth(stack, true)).toThrow(ConfigError);
  });

  test("entry points print the over-budget message without a stack trace", () => {
    const writes: string[] = [];
    const write = jest.spyOn(process.stderr, "write").mockImplementation((s: any) => {
      writes.push(String(s));
      return true;
    });
    const exit = jest.spyOn(process, "exit").mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as any);
    try {
      expect(() => exitOnConfigError(() => Testing.synth(testCluster({ gpuMonthlyBudgetUsd: 5000 }, { gpuPools: [GENERAL, P4D] }).stack, true))).toThrow("exit 1");
      expect(writes.join("")).toMatch(/^Invalid configuration:\ntest-infra\/training: the GPU pools' monthly worst case is \$17,499\.56/);
      expect(writes.join("")).not.toContain("    at ");
    } finally {
      write.mockRestore();
      exit.mockRestore();
    }
  });

  test("the synth summary prints each environment's GPU worst case", () => {
    const { stack } = testCluster({ gpuMonthlyBudgetUsd: 5000 }, { gpuPools: [GENERAL] });
    const app = stack.node.root as any;
    app.synth();
    const summary = synthSummary(app.outdir, [stack.environment as Environment]);
    expect(summary).toContain("  GPU worst case $1,468.76/month (budget $5,000.00): general 2 x g5.xlarge $1,468.76\n");
  });
});

describe("GPU budget guard across clusters", () => {
  test("the budget covers every cluster of the environment", () => {
    // GIVEN one environment with a cluster already near its budget
    const { stack } = testCluster({ gpuMonthlyBudgetUsd: 2000 }, { gpuPools: [GENERAL] });
    const other = new InfraStack(stack.node.root, "other-infra", { environment: stack.environment });
    const key = new EnvironmentKey(other, "kms", { aliasSuffix: "second" });
    // WHEN a second cluster of the same environment (its own VPC, so its own flow-log names) declares a pool
    const network = new Network(other, "network", { key, namePrefix: "ml-test-second" });
    new GpuTrainingCluster(other, "training", {
      network,
      key,
      clusterName: "ml-test-second",
      datasetsBucketName: "ml-test-second-datasets",
      gpuPools: [{ name: "general", instanceTypes: [GpuInstance.of("g5.xlarge")], maxNodes: 1 }],
    });
    const message = errorOf(() => (stack.node.root as App).synth());
    // THEN the guard counts both clusters' pools, reported once, by the environment's first cluster
    expect(message.match(/monthly worst case/g)).toHaveLength(1);
    expect(message).toMatch(/^test-infra\/training: /);
    expect(message).toContain('pool "ml-test-training/general": 2 x g5.xlarge');
    expect(message).toContain('pool "ml-test-second/general": 1 x g5.xlarge');
    expect(message).toContain("total $2,203.14 > budget $2,000.00");
  });

  test("the budget does not depend on the order clusters and pools are declared", () => {
    // GIVEN the second cluster declared first, without pools, and the pool that crosses the budget added last
    const { stack, cluster } = testCluster({ gpuMonthlyBudgetUsd: 2000 }, { gpuPools: [] });
    const other = new InfraStack(stack.node.root, "other-infra", { environment: stack.environment });
    const key = new EnvironmentKey(other, "kms", { aliasSuffix: "second" });
    const network = new Network(other, "network", { key, namePrefix: "ml-test-second" });
    const second = new GpuTrainingCluster(other, "training", { network, key, clusterName: "ml-test-second", datasetsBucketName: "ml-test-second-datasets" });
    second.addGpuPool("general", { instanceTypes: [GpuInstance.of("g5.xlarge")], maxNodes: 1 });
    cluster.addGpuPool("general", GENERAL);
    // THEN the verdict and the total are the same as in the test above
    const message = errorOf(() => (stack.node.root as App).synth());
    expect(message).toContain("total $2,203.14 > budget $2,000.00");
  });
});
