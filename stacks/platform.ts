import { App } from "cdktf";
import { Environment, EnvironmentKey, ExternalSecretsOperator, InfraStack, Network, PlatformStack, SecureBucket } from "../lib";

/** The stacks of one environment of the reference platform. */
export interface EnvironmentStacks {
  readonly environment: Environment;
  /** Creates the S3 state bucket (environments whose state lives in S3). */
  readonly bootstrap?: InfraStack;
  /** Every AWS resource: network, key, cluster, databases, buckets, IAM. Planned offline in tests. */
  readonly infra: InfraStack;
  /**
   * Operators that bring CRDs (External Secrets, kube-prometheus-stack): applied before
   * `platform`, whose ServiceMonitors, PrometheusRules and ExternalSecrets need the CRDs at plan time.
   */
  readonly addons: PlatformStack;
  /** Everything else in the cluster: GPU add-ons, MLflow, Feast, model endpoints. */
  readonly platform: PlatformStack;
}

/**
 * Builds one environment: the same construct tree for every environment, sized by the
 * environment's config. Construct IDs here are Terraform addresses: never rename one
 * without a migration.
 */
export function buildEnvironment(app: App, env: Environment): EnvironmentStacks {
  let bootstrap: InfraStack | undefined;
  if (env.stateBackend.type === "s3") {
    bootstrap = new InfraStack(app, env.stackName("bootstrap"), { environment: env, localState: true });
    const stateKey = new EnvironmentKey(bootstrap, "state-key", { aliasSuffix: "terraform-state" });
    new SecureBucket(bootstrap, "state-bucket", { bucketName: env.stateBackend.bucket, key: stateKey });
  }

  // ---- infrastructure (aws provider only) ----
  const infra = new InfraStack(app, env.stackName("infra"), { environment: env });
  const key = new EnvironmentKey(infra, "kms");
  new Network(infra, "network", { key });
  const clusterName = `${env.prefix}-training`;

  // ---- in-cluster (kubernetes + helm), configured from the cluster looked up by name ----
  const addons = new PlatformStack(app, env.stackName("addons"), { environment: env, clusterName });
  addons.addDependency(infra);
  new ExternalSecretsOperator(addons, "external-secrets");
  const platform = new PlatformStack(app, env.stackName("platform"), { environment: env, clusterName });
  platform.addDependency(addons);

  return { environment: env, bootstrap, infra, addons, platform };
}

/** The whole reference platform: every environment's stacks in one app. */
export function buildApp(app: App, environments: readonly Environment[]): EnvironmentStacks[] {
  return environments.map((env) => buildEnvironment(app, env));
}
