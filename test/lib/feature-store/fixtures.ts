import { App, Testing } from "cdktf";
import { EnvironmentConfig, FeatureServer, FeatureServerProps, FeatureStore, FeatureStoreProps, InfraStack, PlatformStack } from "../../../lib";
import { TestCluster } from "../../support/cluster";
import { testEnvironment } from "../../support/env";

/** An infra stack with a TestCluster and a FeatureStore, and a platform stack with its FeatureServer, in one app. */
export function featureStoreApp(
  overrides: Partial<EnvironmentConfig> = {},
  props: Partial<Omit<FeatureStoreProps, "cluster">> = {},
  serverProps: Partial<Omit<FeatureServerProps, "featureStore">> = {},
): { app: App; infra: InfraStack; platform: PlatformStack; store: FeatureStore; server: FeatureServer } {
  const app = Testing.app();
  const environment = testEnvironment(overrides);
  const infra = new InfraStack(app, "test-infra", { environment });
  const cluster = new TestCluster(infra, "cluster");
  const store = new FeatureStore(infra, "features", { cluster, project: "driver_stats", ...props });
  const platform = new PlatformStack(app, "test-platform", { environment, clusterName: cluster.clusterName });
  const server = new FeatureServer(platform, "feast", { featureStore: store, ...serverProps });
  return { app, infra, platform, store, server };
}

/** A FeatureStore alone (for bad-input and infra tests). */
export function featureStore(overrides: Partial<EnvironmentConfig> = {}, props: Partial<Omit<FeatureStoreProps, "cluster">> = {}): { infra: InfraStack; store: FeatureStore } {
  const app = Testing.app();
  const infra = new InfraStack(app, "test-infra", { environment: testEnvironment(overrides) });
  const cluster = new TestCluster(infra, "cluster");
  const store = new FeatureStore(infra, "features", { cluster, project: "driver_stats", ...props });
  return { infra, store };
}
