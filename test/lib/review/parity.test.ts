import { parity } from "../../../lib/review/parity";
import { ConditionRecord } from "../../../lib/core/stack-records";
import { metadata, plan, stack, stackWithRecords } from "./fixtures";

const record = (constructPath: string, setting: string, value: string, creates: string[], reason = "why"): ConditionRecord => ({ constructPath, setting, value, creates, reason });

const dev = metadata("dev", "development");
const staging = metadata("staging", "staging");
const prod = metadata("prod", "production");
const p = plan();

describe("parity", () => {
  test("identical construct trees have no difference", () => {
    const r = { "aws_vpc.network_vpc_11111111": {} };
    expect(parity([stack("ml-dev-infra", dev, p, r), stack("ml-prod-infra", prod, p, r)]).differences).toEqual([]);
  });

  test("a resource in a zone that only some environments use is explained by availabilityZones", () => {
    // GIVEN a subnet in us-east-1c, which dev does not use
    const common = { "aws_vpc.network_vpc_11111111": {} };
    const extra = { ...common, "aws_subnet.network_private-us-east-1c_22222222": {} };
    const report = parity([stack("ml-dev-infra", dev, p, common), stack("ml-prod-infra", prod, p, extra)]);
    // THEN the difference is listed and explained
    expect(report.differences).toEqual([
      {
        layer: "infra",
        address: "aws_subnet.network_private-us-east-1c_22222222",
        constructPath: "ml-prod-infra/network/private-us-east-1c",
        presentIn: ["prod"],
        missingIn: ["dev"],
        explanation: "availabilityZones: us-east-1c is not a zone of dev (zones: prod 3, dev 2)",
      },
    ]);
  });

  test("a NAT gateway per zone is explained by the natGateways value the network recorded in each environment", () => {
    const nat = { "aws_nat_gateway.network_nat-us-east-1b_33333333": {} };
    const [d] = parity([
      stackWithRecords("ml-dev-infra", dev, {}, [record("network", "natGateways", "single", ["nat-us-east-1a"])]),
      stackWithRecords("ml-staging-infra", staging, nat, [record("network", "natGateways", "one-per-az", ["nat-us-east-1a", "nat-us-east-1b"], "a gateway per zone")]),
    ]).differences;
    expect(d.explanation).toBe('natGateways: "one-per-az" in staging; "single" in dev (a gateway per zone)');
  });

  test("a stack missing where the state backend is local is explained by stateBackend", () => {
    const [d] = parity([stack("ml-dev-infra", dev, p), stack("ml-prod-infra", prod, p), stack("ml-prod-bootstrap", prod, p)]).differences;
    expect(d).toMatchObject({ layer: "bootstrap", presentIn: ["prod"], missingIn: ["dev"] });
    expect(d.address).toBeUndefined();
    expect(d.explanation).toMatch(/^stateBackend: dev keeps state in the local backend/);
  });

  test("a GPU pool declared in production only is explained by the cluster's recorded gpuPools", () => {
    const pool = { "aws_eks_node_group.training_gpu-pool-h100_node-group_66666666": {} };
    const [d] = parity([
      stackWithRecords("ml-dev-infra", dev, {}, [record("training", "gpuPools", "general", ["gpu-pool-general"])]),
      stackWithRecords("ml-prod-infra", prod, pool, [
        record("training", "gpuPools", "general, h100", ["gpu-pool-general", "gpu-pool-h100"], "GPU pools are declared per environment"),
      ]),
    ]).differences;
    expect(d.explanation).toBe('gpuPools: "general, h100" in prod; "general" in dev (GPU pools are declared per environment)');
  });

  test("an endpoint deployed blue/green in some environments and as one version in others is explained from each side", () => {
    // GIVEN dev runs ranker/deployment and prod ranker/blue/deployment, each recording its blueGreen value
    const report = parity([
      stackWithRecords("ml-dev-platform", dev, { "kubernetes_deployment_v1.ranker_deployment_77777777": {} }, [record("ranker", "blueGreen", "off", ["deployment"])]),
      stackWithRecords("ml-prod-platform", prod, { "kubernetes_deployment_v1.ranker_blue_deployment_88888888": {} }, [
        record("ranker", "blueGreen", "blue/green, blue active", ["blue", "green"]),
      ]),
    ]);
    // THEN both differences are explained, each from its side
    expect(report.differences.map((d) => d.explanation)).toEqual([
      'blueGreen: "off" in dev; "blue/green, blue active" in prod (why)',
      'blueGreen: "blue/green, blue active" in prod; "off" in dev (why)',
    ]);
  });

  test("a record does not explain a difference when the other environment recorded nothing for that construct", () => {
    // GIVEN prod's debug construct records that it created its bucket, and dev has no such construct at all
    const bucket = { "aws_s3_bucket.debug_bucket_55555555": {} };
    const report = parity([stackWithRecords("ml-dev-infra", dev, {}, []), stackWithRecords("ml-prod-infra", prod, bucket, [record("debug", "enabled", "true", ["bucket"])])]);
    // THEN the difference stays flagged: nothing says why dev lacks it
    expect(report.differences.map((d) => d.explanation)).toEqual([undefined]);
  });

  test("an endpoint delivered by Argo Rollouts in one environment and as a Deployment in another is explained by its rollout record (issue 17)", () => {
    const dev_ = stackWithRecords("ml-dev-platform", dev, { "kubernetes_manifest.ranker_deployment_77777777": {} }, [
      record("ranker", "blueGreen", "off", ["deployment", "scaled-object"]),
      record("ranker", "rollout", "off", ["deployment"], "rollouts"),
    ]);
    const prod_ = stackWithRecords("ml-prod-platform", prod, { "kubernetes_manifest.ranker_rollout_88888888": {}, "kubernetes_manifest.ranker_canary-service_22222222": {} }, [
      record("ranker", "blueGreen", "off", ["rollout", "scaled-object"]),
      record("ranker", "rollout", "canary", ["rollout", "canary-service"], "rollouts"),
    ]);
    // THEN each difference is explained by the rollout record, not by blueGreen (whose value is "off" on both sides)
    expect(parity([dev_, prod_]).differences.map((d) => `${d.constructPath}: ${d.explanation}`)).toEqual([
      'ml-dev-platform/ranker/deployment: rollout: "off" in dev; "canary" in prod (rollouts)',
      'ml-prod-platform/ranker/canary-service: rollout: "canary" in prod; "off" in dev (rollouts)',
      'ml-prod-platform/ranker/rollout: rollout: "canary" in prod; "off" in dev (rollouts)',
    ]);
  });

  test("the same value on both sides explains nothing", () => {
    const report = parity([
      stackWithRecords("ml-dev-infra", dev, {}, [record("network", "natGateways", "single", ["nat-us-east-1a"])]),
      stackWithRecords("ml-prod-infra", prod, { "aws_nat_gateway.network_nat-us-east-1b_12121212": {} }, [
        record("network", "natGateways", "single", ["nat-us-east-1a", "nat-us-east-1b"]),
      ]),
    ]);
    expect(report.differences.map((d) => d.explanation)).toEqual([undefined]);
  });

  test("a record does not explain a resource it did not create", () => {
    const report = parity([
      stackWithRecords("ml-dev-infra", dev, {}, [record("network", "natGateways", "single", ["nat-us-east-1a"])]),
      stackWithRecords("ml-prod-infra", prod, { "aws_route.network_debug-route_12121212": {} }, [
        record("network", "natGateways", "one-per-az", ["nat-us-east-1a", "nat-us-east-1b"]),
      ]),
    ]);
    expect(report.differences.map((d) => d.explanation)).toEqual([undefined]);
  });

  test("an injected difference that no configuration explains is flagged", () => {
    // GIVEN prod has a debug bucket that neither dev nor staging has, and no config declares it
    const common = { "aws_vpc.network_vpc_11111111": {} };
    const injected = { ...common, "aws_s3_bucket.debug_bucket_55555555": {} };
    const report = parity([stack("ml-dev-infra", dev, p, common), stack("ml-staging-infra", staging, p, common), stack("ml-prod-infra", prod, p, injected)]);
    // THEN it is listed without an explanation
    expect(report.differences).toEqual([
      {
        layer: "infra",
        address: "aws_s3_bucket.debug_bucket_55555555",
        constructPath: "ml-prod-infra/debug/bucket",
        presentIn: ["prod"],
        missingIn: ["dev", "staging"],
      },
    ]);
  });
});
