import { Testing } from "cdktf";
import { Capacity, GpuClusterAddons, GpuInstance, GpuPoolProps } from "../../../lib";
import { errorOf } from "../../support/synth";
import { GENERAL, platformFor, testCluster } from "./fixture";

const withPool = (pool: Partial<GpuPoolProps>) => () => testCluster({}, { gpuPools: [{ ...GENERAL, ...pool }] });

describe("GpuTrainingCluster refuses bad input", () => {
  test("maxNodes smaller than minNodes", () => {
    expect(errorOf(withPool({ minNodes: 4, maxNodes: 2 }))).toBe('test-infra/training/gpu-pool "general": maxNodes (2) is smaller than minNodes (4); maxNodes must be >= minNodes');
  });

  test("desiredNodes outside [minNodes, maxNodes]", () => {
    expect(errorOf(withPool({ minNodes: 1, maxNodes: 2, desiredNodes: 3 }))).toBe(
      'test-infra/training/gpu-pool "general": desiredNodes is 3; must be between minNodes (1) and maxNodes (2)',
    );
  });

  test("an unknown instance type", () => {
    expect(errorOf(withPool({ instanceTypes: ["g5.huge"] }))).toBe(
      'test-infra/training/gpu-pool "general": instanceTypes[0] is "g5.huge"; not in the GPU instance catalog: must be one of ' +
        "g5.xlarge, g5.2xlarge, g5.4xlarge, g5.8xlarge, g5.12xlarge, g5.16xlarge, g5.24xlarge, g5.48xlarge, " +
        "g6.xlarge, g6.2xlarge, g6.4xlarge, g6.8xlarge, g6.12xlarge, g6.16xlarge, g6.24xlarge, g6.48xlarge, " +
        "g6e.xlarge, g6e.2xlarge, g6e.4xlarge, g6e.8xlarge, g6e.12xlarge, g6e.16xlarge, g6e.24xlarge, g6e.48xlarge, " +
        "p4d.24xlarge, p5.48xlarge",
    );
  });

  test("a non-GPU instance type in a GPU pool", () => {
    expect(errorOf(withPool({ instanceTypes: ["m6i.large"] }))).toBe(
      'test-infra/training/gpu-pool "general": instanceTypes[0] is "m6i.large"; m6i.large has no GPU: a GPU pool takes only GPU instance types (families g5, g6, g6e, p4d, p5)',
    );
  });

  test("EFA (a multi-node pool) on a type without EFA", () => {
    expect(errorOf(withPool({ multiNode: true }))).toBe(
      'test-infra/training/gpu-pool "general": multiNode is true; multi-node pools use EFA, which g5.xlarge does not support; ' +
        "use an EFA-capable type (g5.48xlarge, g6.48xlarge, g6e.48xlarge, p4d.24xlarge, p5.48xlarge)",
    );
  });

  test("spot capacity on a pool marked critical", () => {
    expect(errorOf(withPool({ critical: true, capacity: Capacity.spot() }))).toBe(
      'test-infra/training/gpu-pool "general": capacity is "spot"; a pool marked critical must use Capacity.onDemand(): spot nodes can be reclaimed with two minutes\' notice',
    );
  });

  test("two pools with the same name", () => {
    expect(
      errorOf(() => {
        const { cluster } = testCluster({}, { gpuPools: [GENERAL] });
        cluster.addGpuPool("general", { instanceTypes: [GpuInstance.of("g6.xlarge")], maxNodes: 1 });
      }),
    ).toBe('test-infra/training/gpu-pool "general": name is "general"; a pool of that name already exists: every pool needs its own name');
  });

  test("a Kubernetes version the provider does not support", () => {
    expect(errorOf(() => testCluster({}, { kubernetesVersion: "1.27" }))).toBe(
      'test-infra/training: kubernetesVersion is "1.27"; must be one of 1.30, 1.31, 1.32, 1.33 (versions EKS and the pinned aws provider support; see SUPPORTED_KUBERNETES_VERSIONS)',
    );
  });

  test("a GPU quota smaller than one node of the smallest pool", () => {
    expect(
      errorOf(() => {
        const { cluster } = testCluster({}, { gpuPools: [{ name: "quad", instanceTypes: [GpuInstance.of("g5.12xlarge")], maxNodes: 1 }] });
        const platform = platformFor(cluster);
        new GpuClusterAddons(platform, "gpu-addons", { cluster, trainingGpuQuota: 2 });
        Testing.synth(platform, true);
      }),
    ).toBe(
      'test-platform/gpu-addons: trainingGpuQuota is 2; must be at least 4, the GPUs of one node of the smallest pool ("quad", 4 x A10G per node): a smaller quota lets no training job use a whole node',
    );
  });

  test("the GPU quota is judged against every pool, whether a pool is added before or after the add-ons", () => {
    // GIVEN the same cluster and quota, with the 4-GPU pool added after the add-ons
    const { cluster } = testCluster({});
    const platform = platformFor(cluster);
    new GpuClusterAddons(platform, "gpu-addons", { cluster, trainingGpuQuota: 2 });
    cluster.addGpuPool("quad", { instanceTypes: [GpuInstance.of("g5.12xlarge")], maxNodes: 1 });
    // THEN synth refuses it exactly as when the pool came first
    expect(errorOf(() => Testing.synth(platform, true))).toBe(
      'test-platform/gpu-addons: trainingGpuQuota is 2; must be at least 4, the GPUs of one node of the smallest pool ("quad", 4 x A10G per node): a smaller quota lets no training job use a whole node',
    );
  });

  test("a public endpoint open to the internet in production, also in disguise", () => {
    for (const cidrs of [["0.0.0.0/1", "128.0.0.0/1"], ["10.0.0.0/8"]]) {
      expect(errorOf(() => testCluster({ tier: "production", name: "prod" }, { publicAccessCidrs: cidrs }))).toContain("opens a production cluster's API to ");
    }
    expect(errorOf(() => testCluster({ tier: "production", name: "prod" }, { publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] }))).toBe(
      'test-infra/training: publicAccessCidrs is ["0.0.0.0/1","128.0.0.0/1"]; opens a production cluster\'s API to the whole internet: list your VPN or office ranges (each at most a /16), or leave publicAccessCidrs unset for a private endpoint',
    );
    expect(errorOf(() => testCluster({ tier: "production", name: "prod" }, { publicAccessCidrs: ["0.0.0.0/00"] }))).toBe(
      'test-infra/training: publicAccessCidrs[0] is "0.0.0.0/00"; must be an IPv4 CIDR block with no host bits set and no leading zeros, such as 203.0.113.0/24',
    );
  });

  test("a public endpoint open to 0.0.0.0/0 in production", () => {
    expect(errorOf(() => testCluster({ tier: "production", name: "prod" }, { publicAccessCidrs: ["0.0.0.0/0"] }))).toBe(
      'test-infra/training: publicAccessCidrs is ["0.0.0.0/0"]; opens a production cluster\'s API to the whole internet: list your VPN or office ranges (each at most a /16), or leave publicAccessCidrs unset for a private endpoint',
    );
  });

  test("pools whose worst case is over the GPU budget", () => {
    expect(
      errorOf(() =>
        Testing.synth(
          testCluster(
            { gpuMonthlyBudgetUsd: 5000 },
            {
              gpuPools: [GENERAL, { name: "big", instanceTypes: [GpuInstance.of("p4d.24xlarge")], maxNodes: 1 }],
            },
          ).stack,
          true,
        ),
      ),
    ).toBe(
      [
        "test-infra/training: the GPU pools' monthly worst case is $17,499.56, over environment \"test\"'s gpuMonthlyBudgetUsd of $5,000.00:",
        '  pool "general": 2 x g5.xlarge x $1.006/h x 730 h = $1,468.76',
        '  pool "big": 1 x p4d.24xlarge x $21.96/h x 730 h = $16,030.80',
        "  total $17,499.56 > budget $5,000.00; lower maxNodes, choose cheaper instance types, or raise gpuMonthlyBudgetUsd",
      ].join("\n"),
    );
  });

  test("fewer than 2 system nodes in production", () => {
    expect(errorOf(() => testCluster({ tier: "production", name: "prod" }, { systemNodeCount: 1 }))).toBe(
      "test-infra/training: systemNodeCount is 1; production needs at least 2 system nodes, so that CoreDNS and the add-ons survive losing one",
    );
  });

  test("instance types with different GPUs in one pool", () => {
    expect(errorOf(withPool({ instanceTypes: [GpuInstance.of("g5.xlarge"), GpuInstance.of("g6.xlarge")] }))).toBe(
      'test-infra/training/gpu-pool "general": instanceTypes is ["g5.xlarge","g6.xlarge"]; mixes GPU configurations (1 x A10G, 1 x L4): ' +
        "every type of a pool needs the same GPU model and count, so that its labels and the autoscaler's node template hold for every node",
    );
  });

  test("every problem of a pool is reported at once", () => {
    expect(errorOf(withPool({ minNodes: 3, maxNodes: 1, diskSizeGiB: 10 })).split("\n")).toEqual([
      'test-infra/training/gpu-pool "general": maxNodes (1) is smaller than minNodes (3); maxNodes must be >= minNodes',
      'test-infra/training/gpu-pool "general": diskSizeGiB is 10; must be a whole number of GiB from 50 (GPU images and drivers need room) to 16384 (gp3 maximum)',
    ]);
  });

  test("an open public endpoint is the user's choice outside production", () => {
    expect(() => testCluster({}, { publicAccessCidrs: ["0.0.0.0/0"] })).not.toThrow();
  });

  test("a GPU pool named like the system node group", () => {
    expect(errorOf(withPool({ name: "system" }))).toBe(
      'test-infra/training/gpu-pool "system": name is "system"; "system" names the CPU node group of cluster add-ons; choose another pool name',
    );
  });
});
