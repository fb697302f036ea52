import { findInSizing, parity } from "../../../lib/review/parity";
import { metadata, plan, stack } from "./fixtures";

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
    expect(report.differences).toEqual([{
      layer: "infra", address: "aws_subnet.network_private-us-east-1c_22222222", constructPath: "ml-prod-infra/network/private-us-east-1c",
      presentIn: ["prod"], missingIn: ["dev"], explanation: "availabilityZones: us-east-1c is not a zone of dev (zones: prod 3, dev 2)",
    }]);
  });

  test("a NAT gateway per zone is explained by the natGateways the Network recorded", () => {
    const threeZones = metadata("dev", "development", { availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"] });
    const nat = { "aws_nat_gateway.network_nat-us-east-1b_33333333": {} };
    const [d] = parity([
      stack("ml-dev-infra", threeZones, p, {}, { "Network.natGateways": "single" }),
      stack("ml-staging-infra", staging, p, nat, { "Network.natGateways": "one-per-az" }),
    ]).differences;
    expect(d.explanation).toBe('Network natGateways: "one-per-az" in staging, "single" in dev');
  });

  test("without a recorded natGateways, a NAT gateway per zone is not explained (no default is re-derived)", () => {
    const threeZones = metadata("dev", "development", { availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"] });
    const nat = { "aws_nat_gateway.network_nat-us-east-1b_33333333": {} };
    const [d] = parity([stack("ml-dev-infra", threeZones, p, {}), stack("ml-staging-infra", staging, p, nat)]).differences;
    expect(d.explanation).toBeUndefined();
  });

  test("a stack missing where the state backend is local is explained by stateBackend", () => {
    const [d] = parity([stack("ml-dev-infra", dev, p), stack("ml-prod-infra", prod, p), stack("ml-prod-bootstrap", prod, p)]).differences;
    expect(d).toMatchObject({ layer: "bootstrap", presentIn: ["prod"], missingIn: ["dev"] });
    expect(d.address).toBeUndefined();
    expect(d.explanation).toMatch(/^stateBackend: dev keeps state in the local backend/);
  });

  test("a construct named after a value only one environment's recorded settings hold is explained by that setting", () => {
    // GIVEN prod's FeatureStore recorded the online store "redis", and dev's "dynamodb"
    const cache = { "aws_elasticache_replication_group.feature-store_redis_cache_44444444": {} };
    const [d] = parity([
      stack("ml-dev-infra", dev, p, {}, { "FeatureStore.onlineStore": "dynamodb" }),
      stack("ml-prod-infra", prod, p, cache, { "FeatureStore.onlineStore": "redis" }),
    ]).differences;
    expect(d.explanation).toBe('FeatureStore onlineStore: "redis" is set in prod only');
  });

  test("a GPU pool declared for production only is explained by the tier", () => {
    const pool = { "aws_eks_node_group.training_gpu-pool-h100_node-group_66666666": {} };
    const [d] = parity([stack("ml-dev-infra", dev, p, {}), stack("ml-prod-infra", prod, p, pool)]).differences;
    expect(d.explanation).toBe('tier: GPU pool "h100" is declared for the production tier only');
  });

  test("an endpoint deployed blue/green in some tiers and as one version in others is explained by the tier", () => {
    // GIVEN dev runs ranker/deployment and prod ranker/blue/deployment
    const report = parity([
      stack("ml-dev-platform", dev, p, { "kubernetes_deployment_v1.ranker_deployment_77777777": {} }),
      stack("ml-prod-platform", prod, p, { "kubernetes_deployment_v1.ranker_blue_deployment_88888888": {} }),
    ]);
    // THEN both differences are explained, each from its side
    expect(report.differences.map((d) => d.explanation)).toEqual([
      "tier: prod (production) deploy ranker blue/green; dev (development) a single version",
      "tier: prod (production) deploy ranker blue/green; dev (development) a single version",
    ]);
  });

  test("an endpoint delivered by Argo Rollouts in some tiers and as a Deployment in others is explained by the tier (issue 17)", () => {
    // GIVEN dev runs ranker/deployment and prod ranker/rollout with its canary Service and AnalysisTemplates
    const report = parity([
      stack("ml-dev-platform", dev, p, { "kubernetes_manifest.ranker_deployment_77777777": {}, "kubernetes_manifest.ranker_scaled-object_11111111": {} }),
      stack("ml-prod-platform", prod, p, {
        "kubernetes_manifest.ranker_rollout_88888888": {}, "kubernetes_manifest.ranker_canary-service_22222222": {},
        "kubernetes_manifest.ranker_analysis-template_33333333": {}, "kubernetes_manifest.ranker_smoke-test-template_44444444": {},
        "kubernetes_manifest.ranker_scaled-object_11111111": {},
      }),
    ]);
    // THEN every difference is explained; a rollout part without the Rollout itself would not be
    expect(report.differences.map((d) => d.explanation)).toEqual(Array(5).fill("tier: prod (production) deliver ranker with Argo Rollouts (rollout); dev (development) a Deployment"));
    const orphan = parity([
      stack("ml-dev-platform", dev, p, { "kubernetes_manifest.ranker_deployment_77777777": {} }),
      stack("ml-prod-platform", prod, p, { "kubernetes_manifest.ranker_deployment_77777777": {}, "kubernetes_manifest.ranker_canary-service_22222222": {} }),
    ]);
    expect(orphan.differences.map((d) => d.explanation)).toEqual([undefined]);
  });

  test("an endpoint's synced online-store password is explained by the onlineStore the FeatureStore recorded in another stack", () => {
    // GIVEN the FeatureStore (infra stack) recorded its online store; the secret is in the platform stack
    const secret = { "kubernetes_manifest.ranker_online-store-secret_store_99999999": {} };
    const [d] = parity([
      stack("ml-dev-infra", dev, p, {}, { "FeatureStore.onlineStore": "dynamodb" }),
      stack("ml-prod-infra", prod, p, {}, { "FeatureStore.onlineStore": "redis" }),
      stack("ml-dev-platform", dev, p, {}),
      stack("ml-prod-platform", prod, p, secret),
    ]).differences;
    expect(d.explanation).toBe('FeatureStore onlineStore: "redis" in prod (its password is synced for the endpoint), "dynamodb" in dev');
  });

  test("an injected difference that no configuration explains is flagged", () => {
    // GIVEN prod has a debug bucket that neither dev nor staging has, and no config declares it
    const common = { "aws_vpc.network_vpc_11111111": {} };
    const injected = { ...common, "aws_s3_bucket.debug_bucket_55555555": {} };
    const report = parity([stack("ml-dev-infra", dev, p, common), stack("ml-staging-infra", staging, p, common), stack("ml-prod-infra", prod, p, injected)]);
    // THEN it is listed without an explanation
    expect(report.differences).toEqual([{
      layer: "infra", address: "aws_s3_bucket.debug_bucket_55555555", constructPath: "ml-prod-infra/debug/bucket", presentIn: ["prod"], missingIn: ["dev", "staging"],
    }]);
  });

  test("findInSizing returns the dotted path of a key or string value", () => {
    expect(findInSizing({ a: { b: ["x", "y"] } }, "y")).toBe("a.b[1]");
    expect(findInSizing({ a: { pools: { h100: { max: 2 } } } }, "h100")).toBe("a.pools.h100");
    expect(findInSizing({ a: 1 }, "z")).toBeUndefined();
  });
});
