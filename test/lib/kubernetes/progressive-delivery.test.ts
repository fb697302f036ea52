import { ENVIRONMENTS } from "../../../stacks/environments";
import { helmRelease, unknownReleaseKeys } from "../../support/chart-values";
import { stackJsonFromDir, synthReferenceApp } from "../../support/reference-app";

/** Issue 17: KEDA and Argo Rollouts in every reference environment's addons stack. */
const { outdir } = synthReferenceApp();

describe("KEDA and Argo Rollouts in the addons stack", () => {
  test.each(ENVIRONMENTS.map((e) => [e.name]))("%s: pinned charts in their own restricted namespaces, with their metrics scraped and only known values keys", (name) => {
    const addons = stackJsonFromDir(outdir, `ml-${name}-addons`);
    const keda = helmRelease(addons, "keda");
    const argo = helmRelease(addons, "argo-rollouts");
    expect(keda).toMatchObject({ chart: "keda", version: "2.20.2", namespace: "keda" });
    expect(argo).toMatchObject({ chart: "argo-rollouts", version: "2.41.0", namespace: "argo-rollouts" });
    expect((keda.values as any).prometheus.operator).toEqual({ enabled: true, serviceMonitor: { enabled: true } });
    expect((argo.values as any).controller.metrics).toEqual({ enabled: true, serviceMonitor: { enabled: true } });
    expect((argo.values as any).controller.resources.requests).toEqual({ cpu: "50m", memory: "128Mi" });
    expect(unknownReleaseKeys(keda)).toEqual([]);
    expect(unknownReleaseKeys(argo)).toEqual([]);
    const namespaces = Object.values<any>(addons.resource.kubernetes_namespace_v1).map((n) => n.metadata);
    for (const ns of ["keda", "argo-rollouts"]) {
      expect(namespaces.find((m) => m.name === ns).labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
    }
  });
});
