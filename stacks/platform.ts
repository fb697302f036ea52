import { App } from "cdktf";
import { Environment, EnvironmentKey, InfraStack, Network, SecureBucket } from "../lib";

/** The stacks of one environment of the reference platform. */
export interface EnvironmentStacks {
  readonly environment: Environment;
  readonly infra: InfraStack;
  readonly bootstrap?: InfraStack;
}

/**
 * Builds one environment: the same construct tree for every environment, sized by the
 * environment's config. Construct IDs here are Terraform addresses: never rename one
 * without a migration (see test/stacks/stateful-addresses.test.ts).
 */
export function buildEnvironment(app: App, env: Environment): EnvironmentStacks {
  let bootstrap: InfraStack | undefined;
  if (env.stateBackend.type === "s3") {
    bootstrap = new InfraStack(app, env.stackName("bootstrap"), { environment: env, localState: true });
    const stateKey = new EnvironmentKey(bootstrap, "state-key", { aliasSuffix: "terraform-state" });
    new SecureBucket(bootstrap, "state-bucket", { bucketName: env.stateBackend.bucket, key: stateKey });
  }

  const infra = new InfraStack(app, env.stackName("infra"), { environment: env });
  const key = new EnvironmentKey(infra, "kms");
  new Network(infra, "network", { key });

  return { environment: env, infra, bootstrap };
}

/** The whole reference platform: every environment's stacks in one app. */
export function buildApp(app: App, environments: readonly Environment[]): EnvironmentStacks[] {
  return environments.map((env) => buildEnvironment(app, env));
}
