import { CATALOG_GPU_PRICES, costReport, priceResource } from "../../../lib/review/cost";
import { GPU_INSTANCES } from "../../../lib/gpu-cluster/gpu-instances";
import { PRICES } from "../../../lib/pricing/prices";
import { change, metadata, plan, stack } from "./fixtures";

const prod = metadata("prod", "production", { monthlyBudgetUsd: 150000, gpuMonthlyBudgetUsd: 120000 });
const nodeGroup = (types: string[], scaling: Record<string, number>) => ({ instance_types: types, scaling_config: [scaling] });
const h = PRICES.hoursPerMonth;

describe("cost", () => {
  test("the EKS control plane and each NAT gateway are priced from the dated price table", () => {
    const p = plan(change("aws_eks_cluster.c", ["create"], null, { name: "c" }), change("aws_nat_gateway.n", ["create"], null, {}));
    const [env] = costReport([stack("ml-prod-infra", prod, p)], undefined).environments;
    expect(env.baselineUsd).toBeCloseTo((PRICES.eksClusterUsdPerHour + PRICES.natGatewayUsdPerHour) * h, 2);
  });

  test("system nodes cost desired size x hourly price", () => {
    const priced = priceResource(
      change("aws_eks_node_group.system", ["create"], null, nodeGroup(["m6i.large"], { desired_size: 3, min_size: 3, max_size: 6 })),
      PRICES,
      CATALOG_GPU_PRICES,
    );
    expect(priced).toEqual({ category: "nodes", quantity: "3 x m6i.large", monthlyUsd: Math.round(3 * PRICES.ec2UsdPerHour["m6i.large"] * h * 100) / 100 });
  });

  test("a GPU pool's worst case is max size x the catalog's hourly price x 730", () => {
    // GIVEN a pool of up to 4 p4d.24xlarge
    const p4d = GPU_INSTANCES.find((g) => g.instanceType === "p4d.24xlarge")!;
    const priced = priceResource(
      change("aws_eks_node_group.a100", ["create"], null, nodeGroup(["p4d.24xlarge"], { desired_size: 0, min_size: 0, max_size: 4 })),
      PRICES,
      CATALOG_GPU_PRICES,
    );
    // THEN the worst case is the full pool all month
    expect(priced).toEqual({ category: "gpu", quantity: "max 4 x p4d.24xlarge", monthlyUsd: Math.round(4 * p4d.onDemandUsdPerHour * 730 * 100) / 100 });
  });

  test("a Multi-AZ database bills two instances and two copies of storage", () => {
    const priced = priceResource(
      change("aws_db_instance.db", ["create"], null, { instance_class: "db.t4g.medium", multi_az: true, allocated_storage: 20, storage_type: "gp3" }),
      PRICES,
    );
    expect(priced).toMatchObject({ category: "database", quantity: "db.t4g.medium Multi-AZ, 20 GB" });
    expect((priced as { monthlyUsd: number }).monthlyUsd).toBeCloseTo(2 * 0.065 * h + 2 * 20 * 0.115, 2);
  });

  test("an instance type missing from the tables is listed as unpriced, never as free", () => {
    const p = plan(change("aws_eks_node_group.x", ["create"], null, nodeGroup(["x9.huge"], { desired_size: 1, max_size: 1 })));
    const [env] = costReport([stack("ml-prod-infra", prod, p)], undefined).environments;
    expect(env.unpriced).toEqual(["aws_eks_node_group.x: no price for instance type x9.huge in lib/pricing/prices.ts or the GPU instance catalog"]);
  });

  test("the delta against the base branch comes from the base plans' state after apply", () => {
    // GIVEN the base has one NAT gateway and the head two
    const nat = (n: string) => change(`aws_nat_gateway.${n}`, ["create"], null, {});
    const head = [stack("ml-prod-infra", prod, plan(nat("a"), nat("b")))];
    const base = [stack("ml-prod-infra", prod, plan(nat("a")))];
    const [env] = costReport(head, base).environments;
    // THEN the head costs one gateway more
    expect(env.baselineUsd - env.base!.baselineUsd).toBeCloseTo(PRICES.natGatewayUsdPerHour * h, 2);
  });

  test("resources the plan deletes are not costed", () => {
    const p = plan(change("aws_nat_gateway.n", ["delete"], {}, null));
    expect(costReport([stack("ml-prod-infra", prod, p)], undefined).environments[0].baselineUsd).toBe(0);
  });

  test("a Karpenter GPU pool, in no AWS plan, is priced at its NodePool's GPU limit from the synthesized platform stack", () => {
    // GIVEN a NodePool of up to 3 one-GPU nodes, g5.xlarge or g5.2xlarge, in the (not planned) platform stack
    const nodePool = (gpus: string) => ({
      "kubernetes_manifest.pool": {
        manifest: {
          apiVersion: "karpenter.sh/v1",
          kind: "NodePool",
          metadata: { name: "vision" },
          spec: {
            limits: { "nvidia.com/gpu": gpus },
            template: { spec: { requirements: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: ["g5.xlarge", "g5.2xlarge"] }] } },
          },
        },
      },
    });
    const infra = stack("ml-prod-infra", prod, plan(change("aws_nat_gateway.n", ["create"], null, {})));
    const [env] = costReport([infra, stack("ml-prod-platform", prod, undefined, nodePool("3"))], [infra, stack("ml-prod-platform", prod, undefined, nodePool("2"))]).environments;
    // THEN its worst case is 3 x the pricier type, and the base's 2 nodes give the delta
    const g52 = GPU_INSTANCES.find((g) => g.instanceType === "g5.2xlarge")!.onDemandUsdPerHour;
    expect(env.lines.find((l) => l.category === "gpu")).toMatchObject({
      stack: "ml-prod-platform",
      address: "kubernetes_manifest.pool",
      quantity: "max 3 x g5.2xlarge (Karpenter NodePool vision)",
    });
    expect(env.gpuWorstCaseUsd).toBeCloseTo(3 * g52 * h, 2);
    expect(env.gpuWorstCaseUsd - env.base!.gpuWorstCaseUsd).toBeCloseTo(g52 * h, 2);
  });
});
