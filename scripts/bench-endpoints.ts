import { App } from "cdktf";
import { Environment, EnvironmentKey, GpuTrainingCluster, InfraStack, MonitoredEndpoint, Network, PlatformStack, RolloutStrategy } from "../lib";
import { dev } from "../stacks/environments";

/**
 * `npm run bench` scenarios for MonitoredEndpoint: the development environment's infra
 * stack (network, key, cluster, one IRSA role per endpoint) and a platform stack with
 * `count` CPU endpoints (with `delivery`: KEDA and a canary rollout each). The 100-endpoint run
 * should take at most 3x the 1-endpoint run.
 */
export function endpointsScenario(count: number, options: { delivery?: boolean } = {}): (app: App) => void {
  return (app) => {
    const env = new Environment(dev);
    const infra = new InfraStack(app, env.stackName("infra"), { environment: env });
    const key = new EnvironmentKey(infra, "kms");
    const network = new Network(infra, "network", { key });
    // System nodes that hold `count` endpoints (the capacity model refuses a pool that cannot): 1 CPU / 2Gi each.
    const systemNodeCount = Math.max(1, Math.ceil(count / 20));
    const cluster = new GpuTrainingCluster(infra, "training", {
      network,
      key,
      clusterName: `${env.prefix}-training`,
      systemNodeInstanceType: "m6i.4xlarge",
      systemNodeCount,
    });
    const platform = new PlatformStack(app, env.stackName("platform"), { environment: env, clusterName: cluster.clusterName });
    platform.addDependency(infra);
    for (let i = 0; i < count; i++) {
      const name = `model-${i}`;
      new MonitoredEndpoint(platform, name, {
        name,
        model: { uri: `models:/${name}@champion` },
        image: "ghcr.io/mlflow/mlflow:v2.17.0",
        cluster,
        serviceAccountRole: cluster.addServiceAccountRole(`serving-${name}`, { namespace: "serving", serviceAccount: name }),
        // Issue 17: a KEDA ScaledObject and a canary Rollout with its Services and AnalysisTemplates per endpoint.
        ...(options.delivery
          ? {
              autoscaling: { demand: { requestsPerSecond: 20 } },
              rollout: { strategy: RolloutStrategy.canary([{ weight: 20 }, { pause: "5m" }, { weight: 100 }]) },
            }
          : {}),
      });
    }
  };
}
