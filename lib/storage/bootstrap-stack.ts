import { Construct } from "constructs";
import { Environment } from "../core/environment";
import { EnvironmentKey } from "../core/environment-key";
import { ConfigError } from "../core/errors";
import { InfraStack } from "../core/stacks";
import { SecureBucket } from "./secure-bucket";

export interface BootstrapStackProps {
  /** An environment whose `stateBackend` is `{ type: "s3", bucket }`: the bucket this stack creates. */
  readonly environment: Environment;
}

/**
 * The stack that creates an environment's S3 state bucket, deployed once before the
 * environment's other stacks. It keeps its own state in the local backend (the bucket
 * cannot hold the state of the stack that creates it): keep that `terraform.tfstate`
 * safe. The bucket is a `SecureBucket` encrypted with its own key (alias
 * `alias/<prefix>-terraform-state`), created in the backend's region; in staging and
 * production both get `prevent_destroy` like every stateful resource.
 *
 * Construct IDs `state-key` and `state-bucket` are Terraform addresses.
 */
export class BootstrapStack extends InfraStack {
  /** The key that encrypts the state objects. */
  public readonly key: EnvironmentKey;
  /** The state bucket named by the environment's `stateBackend.bucket`. */
  public readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id, { environment: props.environment, localState: true });
    const backend = props.environment.stateBackend;
    if (backend.type !== "s3") {
      throw new ConfigError([
        `${this.node.path}: environment.stateBackend.type is ${JSON.stringify(backend.type)}; a bootstrap stack creates the S3 state bucket, ` +
          'so the environment must use { type: "s3", bucket } (an environment with local state needs no bootstrap stack)',
      ]);
    }
    // The backend reads the bucket in its own region; the bucket and its key must live there.
    if (backend.region !== undefined && backend.region !== props.environment.region) this.awsProvider.region = backend.region;
    this.key = new EnvironmentKey(this, "state-key", { aliasSuffix: "terraform-state" });
    this.bucket = new SecureBucket(this, "state-bucket", { bucketName: backend.bucket, key: this.key });
  }
}
