import { resourceCounts, synthJson } from "../../support/synth";
import { endpointFixture, manifestsOfKind } from "./fixture";

/** A platform stack with 100 endpoints synthesizes every object once (timing is measured by `npm run bench`, not here). */
describe("MonitoredEndpoint at scale", () => {
  test("100 endpoints yield 100 of each workload object, 200 Services and one Namespace", () => {
    // GIVEN 100 endpoints, each with its own IRSA role
    const f = endpointFixture();
    for (let i = 0; i < 100; i++) f.endpoint(`model-${i}`, { name: `model-${i}`, serviceAccountRole: f.role(`model-${i}`) });
    // WHEN the platform stack is synthesized
    const json = synthJson(f.platform);
    // THEN each kind appears as often as expected
    const count = (kind: string) => manifestsOfKind(json, kind).length;
    expect(
      Object.fromEntries(
        ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceAccount", "ServiceMonitor", "PrometheusRule", "ConfigMap"].map((k) => [k, count(k)]),
      ),
    ).toEqual({
      Deployment: 100,
      HorizontalPodAutoscaler: 100,
      PodDisruptionBudget: 100,
      ServiceAccount: 100,
      ServiceMonitor: 100,
      PrometheusRule: 100,
      ConfigMap: 100,
    });
    expect(count("Service")).toBe(200);
    expect(resourceCounts(json).kubernetes_namespace_v1).toBe(1);
    // Custom resources only are manifests (ServiceMonitor, PrometheusRule); the core kinds are typed resources.
    expect(resourceCounts(json).kubernetes_manifest).toBe(100 * 2);
    expect(resourceCounts(json).kubernetes_deployment_v1).toBe(100);
    expect(new Set(manifestsOfKind(json, "Deployment").map((d) => d.metadata.name)).size).toBe(100);
  });
});
