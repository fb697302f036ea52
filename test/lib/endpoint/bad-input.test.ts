import { Testing } from "cdktf";
import { errorOf } from "../../support/synth";
import { endpointFixture } from "./fixture";

/** One test per bad input, each asserting the exact message: construct path, field, value, what is allowed. */
describe("MonitoredEndpoint: bad input", () => {
  test("min replicas above max replicas", () => {
    const f = endpointFixture();
    expect(errorOf(() => f.endpoint("fraud", { minReplicas: 4, maxReplicas: 2 }))).toBe("test-platform/fraud: maxReplicas is 2; must be >= minReplicas (4)");
  });

  test("a latency objective of zero", () => {
    const f = endpointFixture();
    expect(errorOf(() => f.endpoint("fraud", { slo: { latencyObjectiveSeconds: 0 } }))).toBe(
      "test-platform/fraud: slo.latencyObjectiveSeconds is 0; must be a number of seconds > 0",
    );
  });

  test("an error objective outside (0, 1)", () => {
    const f = endpointFixture();
    expect(errorOf(() => f.endpoint("fraud", { slo: { errorRatioObjective: 1.5 } }))).toBe(
      "test-platform/fraud: slo.errorRatioObjective is 1.5; must be a ratio strictly between 0 and 1, e.g. 0.01 for 1%",
    );
  });

  test("a GPU endpoint in an environment without a GPU pool", () => {
    const f = endpointFixture({ gpuPools: [] });
    expect(errorOf(() => f.endpoint("fraud", { gpu: { count: 1 } }))).toBe(
      'test-platform/fraud: gpu is {"count":1}; environment "test" has no GPU pool in cluster "ml-test-training": ' + "add a GPU pool to the cluster, or serve on CPU (omit gpu)",
    );
  });

  test("blue/green whose active colour has no model version", () => {
    const f = endpointFixture();
    expect(errorOf(() => f.endpoint("fraud", { model: undefined, blueGreen: { active: "green", blue: { uri: "models:/fraud/3" } } }))).toBe(
      'test-platform/fraud: blueGreen.green is undefined; the active colour "green" must have a model version (a models:/ URI or an image)',
    );
  });

  test("two endpoints with the same name in one namespace", () => {
    const f = endpointFixture();
    f.endpoint("fraud-a", { name: "fraud", serviceAccountRole: f.role("fraud-a") });
    expect(errorOf(() => f.endpoint("fraud-b", { name: "fraud", serviceAccountRole: f.role("fraud-b") }))).toBe(
      'test-platform/fraud-b: name is "fraud"; endpoint "fraud" already exists in namespace "serving" (test-platform/fraud-a); ' + "endpoint names must be unique per namespace",
    );
  });

  test("two endpoints with one service account in one namespace", () => {
    const f = endpointFixture();
    const shared = f.role("shared");
    f.endpoint("fraud-a", { name: "fraud-a", serviceAccountRole: shared });
    expect(errorOf(() => f.endpoint("fraud-b", { name: "fraud-b", serviceAccountRole: shared }))).toBe(
      'test-platform/fraud-b: serviceAccountRole is "serving/shared"; that service account already serves test-platform/fraud-a; give each endpoint its own IRSA role',
    );
  });

  test("the same name in two namespaces is allowed", () => {
    const f = endpointFixture();
    f.endpoint("fraud-a", { name: "fraud", serviceAccountRole: f.role("fraud", "team-a") });
    f.endpoint("fraud-b", { name: "fraud", serviceAccountRole: f.role("fraud", "team-b") });
    expect(() => Testing.synth(f.platform, true)).not.toThrow();
  });

  test("a GPU pool the cluster does not have", () => {
    const f = endpointFixture({
      gpuPools: [{ name: "general", instanceTypes: ["g5.xlarge"], gpuModel: "A10G", gpusPerNode: 1, nodeSelector: {}, maxNodes: 1, efaInterfacesPerNode: 0 }],
    });
    expect(errorOf(() => f.endpoint("fraud", { gpu: { pool: "h100" } }))).toBe('test-platform/fraud: gpu.pool is "h100"; must be one of the cluster\'s GPU pools: "general"');
  });

  test("a model URI that is not an MLflow models:/ URI", () => {
    const f = endpointFixture();
    expect(errorOf(() => f.endpoint("fraud", { model: { uri: "s3://bucket/model" } }))).toBe(
      'test-platform/fraud: model.uri is "s3://bucket/model"; must be an MLflow model URI such as models:/fraud@champion or models:/fraud/3',
    );
  });

  test("a drift selector that is not PromQL label matchers", () => {
    const f = endpointFixture();
    expect(errorOf(() => f.endpoint("fraud", { metrics: { driftSelector: '{job="drift"}' } }))).toBe(
      'test-platform/fraud: metrics.driftSelector is "{job=\\"drift\\"}"; must be PromQL label matchers without braces, e.g. job="drift-monitor",model="fraud"',
    );
  });

  test("neither model nor blue/green", () => {
    const f = endpointFixture();
    expect(errorOf(() => f.endpoint("fraud", { model: undefined }))).toBe(
      "test-platform/fraud: model is undefined; give the model to serve (a models:/ URI or an image), or blueGreen with a model per colour",
    );
  });
});
