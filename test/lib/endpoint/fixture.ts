import { Testing } from "cdktf";
import { EnvironmentTier, GpuPoolInfo, InfraStack, MonitoredEndpoint, MonitoredEndpointProps, PlatformStack } from "../../../lib";
import { TestCluster } from "../../support/cluster";
import { testEnvironment } from "../../support/env";
import { TYPED_KINDS, typedToObject } from "../../support/in-cluster";

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

/**
 * Every Kubernetes object of a synthesized stack, of a kind: the manifests of kubernetes_manifest resources and the
 * objects the typed kubernetes_* resources create (converted as the provider does, test/support/in-cluster.ts).
 */
export function manifestsOfKind(json: any, kind: string): any[] {
  return manifestResourcesOfKind(json, kind).map(([, r]) => r.manifest);
}

/**
 * The resources (with their Terraform type and logical name, `type.name`) creating objects of a kind; `manifest` is
 * the object (a kubernetes_manifest's own, or the typed resource's converted).
 */
export function manifestResourcesOfKind(json: any, kind: string): [string, any][] {
  const found: [string, any][] = [];
  for (const [type, byId] of Object.entries<any>(json.resource ?? {})) {
    if (!type.startsWith("kubernetes_") || (type !== "kubernetes_manifest" && !TYPED_KINDS[type])) continue;
    for (const [name, r] of Object.entries<any>(byId)) {
      const object = type === "kubernetes_manifest" ? r.manifest : typedToObject(type, r);
      if (object.kind === kind) found.push([`${type}.${name}`, type === "kubernetes_manifest" ? r : { ...r, manifest: object }]);
    }
  }
  return found;
}
