import { Testing } from "cdktf";
import { EnvironmentTier, GpuPoolInfo, InfraStack, MonitoredEndpoint, MonitoredEndpointProps, PlatformStack } from "../../../lib";
import { TestCluster } from "../../support/cluster";
import { testEnvironment } from "../../support/env";

/** An infra stack with a test cluster and a platform stack, in one app (cross-stack references resolve). */
export function endpointFixture(opts: { tier?: EnvironmentTier; gpuPools?: GpuPoolInfo[]; name?: string } = {}) {
  const app = Testing.app();
  const environment = testEnvironment({ tier: opts.tier ?? "development", ...(opts.name ? { name: opts.name } : {}) });
  const infra = new InfraStack(app, "test-infra", { environment });
  const cluster = new TestCluster(infra, "cluster", { gpuPools: opts.gpuPools });
  const platform = new PlatformStack(app, "test-platform", { environment, clusterName: cluster.clusterName });
  const role = (serviceAccount = "fraud", namespace = "serving") => cluster.addServiceAccountRole(`role-${namespace}-${serviceAccount}`, { namespace, serviceAccount });
  /** An endpoint with minimal valid props, overridden by `props`. */
  const endpoint = (id: string, props: Partial<MonitoredEndpointProps> = {}) =>
    new MonitoredEndpoint(platform, id, {
      name: "fraud",
      model: { uri: "models:/fraud@champion" },
      image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlflow-serve:2.17.0",
      cluster,
      serviceAccountRole: props.serviceAccountRole ?? role(props.name ?? "fraud"),
      ...props,
    });
  return { app, environment, infra, cluster, platform, role, endpoint };
}

/** Every kubernetes_manifest object of a synthesized stack, by kind. */
export function manifestsOfKind(json: any, kind: string): any[] {
  return Object.values(json.resource?.kubernetes_manifest ?? {})
    .map((r: any) => r.manifest)
    .filter((m: any) => m.kind === kind);
}

/** The kubernetes_manifest resources (with their logical names) of a kind. */
export function manifestResourcesOfKind(json: any, kind: string): [string, any][] {
  return Object.entries(json.resource?.kubernetes_manifest ?? {}).filter(([, r]: [string, any]) => r.manifest.kind === kind) as [string, any][];
}
