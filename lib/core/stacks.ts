import { Aspects, S3Backend, TerraformResource, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsEksClusterAuth } from "@cdktf/provider-aws/lib/data-aws-eks-cluster-auth";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Fn } from "cdktf";
import { DataProtection } from "./data-protection";
import { addConfigValidation } from "./errors";
import { Shape, checkShape } from "./shape";

/** What a stack that creates the state backend holds: the bucket, its settings, and its key. */
const BOOTSTRAP_TYPES = /^aws_(s3_bucket(_.*)?|kms_key|kms_alias|iam_policy_document)$/;
import { Environment, IEnvironmentScope } from "./environment";

export interface EnvironmentStackProps {
  readonly environment: Environment;
}

/**
 * What a synthesized stack records about its environment, under the `//` key that
 * Terraform ignores: the plan review reads it (also from an app it did not build) to
 * group stacks by environment and to explain differences between environments by tier,
 * zones and state backend.
 */
export interface StackEnvironmentMetadata {
  readonly name: string;
  readonly tier: Environment["tier"];
  readonly project: string;
  readonly region: string;
  readonly availabilityZones: readonly string[];
  /** Where this stack's state lives ("local" for a bootstrap stack even in an S3 environment). */
  readonly stateBackend: "local" | "s3";
  /** Where the environment's other stacks keep their state. */
  readonly environmentStateBackend: "local" | "s3";
  readonly protectsData: boolean;
  readonly monthlyBudgetUsd: number;
  readonly gpuMonthlyBudgetUsd?: number;
}

export function stackEnvironmentMetadata(env: Environment, localState = false): StackEnvironmentMetadata {
  return {
    name: env.name,
    tier: env.tier,
    project: env.project,
    region: env.region,
    availabilityZones: env.availabilityZones,
    stateBackend: localState ? "local" : env.stateBackend.type,
    environmentStateBackend: env.stateBackend.type,
    protectsData: env.protectsData,
    monthlyBudgetUsd: env.monthlyBudgetUsd,
    ...(env.gpuMonthlyBudgetUsd !== undefined ? { gpuMonthlyBudgetUsd: env.gpuMonthlyBudgetUsd } : {}),
  };
}

/** Configures the aws provider (region, account guard, default tags) and the state backend. */
function configureAws(stack: TerraformStack, id: string, env: Environment, localState = false): AwsProvider {
  stack.addOverride("//.environment", stackEnvironmentMetadata(env, localState));
  const backend = env.stateBackend;
  if (backend.type === "s3" && !localState) {
    new S3Backend(stack, {
      bucket: backend.bucket,
      key: `${backend.keyPrefix ?? "ml-platform"}/${id}.tfstate`,
      region: backend.region ?? env.region,
      encrypt: true,
    });
    // S3-native locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no option for it.
    stack.addOverride("terraform.backend.s3.use_lockfile", true);
  }
  return new AwsProvider(stack, "aws", {
    region: env.region,
    allowedAccountIds: [env.accountId],
    defaultTags: [{ tags: { ...env.tags } }],
  });
}

/**
 * A stack of AWS resources for one environment: only the aws provider, so that
 * `terraform validate` and `terraform plan` can check it anywhere. Stateful resources
 * get `prevent_destroy` in environments that protect their data.
 */
export interface InfraStackProps extends EnvironmentStackProps {
  /**
   * Keep this stack's state in the local backend whatever the environment says: for the
   * bootstrap stack that creates the state bucket itself.
   * @default false
   */
  readonly localState?: boolean;
}

export class InfraStack extends TerraformStack implements IEnvironmentScope {
  public readonly environment: Environment;
  public readonly awsProvider: AwsProvider;

  constructor(scope: Construct, id: string, props: InfraStackProps) {
    super(scope, id);
    checkShape(id, props, {
      environment: Shape.instanceOf(Environment, "an Environment (new Environment(config))"),
      localState: Shape.optional(Shape.boolean()),
    });
    this.environment = props.environment;
    if (props.localState && props.environment.isProduction) {
      // Local state is for the stack that creates the state bucket itself (BootstrapStack): a
      // production stack holding anything else would keep its state on one machine.
      addConfigValidation(this, () => {
        const others = this.node
          .findAll()
          .filter((c): c is TerraformResource => c instanceof TerraformResource && !BOOTSTRAP_TYPES.test(c.terraformResourceType))
          .map((r) => r.terraformResourceType);
        return others.length === 0
          ? []
          : [
              `${id}: localState is true; a production stack with local state may hold only the state bucket and its key (a BootstrapStack), ` +
                `but this one also holds ${[...new Set(others)].join(", ")}: keep production state in the S3 backend`,
            ];
      });
    }
    this.awsProvider = configureAws(this, id, props.environment, props.localState);
    if (props.environment.protectsData) Aspects.of(this).add(new DataProtection());
  }
}

export interface PlatformStackProps extends EnvironmentStackProps {
  /** Name of the EKS cluster the stack deploys into (created by the infrastructure stack). */
  readonly clusterName: string;
}

/**
 * A stack of in-cluster resources (kubernetes and helm providers). The providers are
 * configured from the cluster looked up by name, never from a resource created in the
 * same stack, as the kubernetes provider's documentation requires.
 *
 * They authenticate with the token of `aws_eks_cluster_auth`, signed by the credentials this
 * stack's aws provider runs with: the stack must be applied by a principal the cluster admits
 * through an access entry, normally the environment's `deployRoleArn` (the cluster creator has
 * no implicit admin). The role is not assumed here: CI usually runs as that role already, and
 * a role assuming itself needs a trust policy that allows it.
 */
export class PlatformStack extends TerraformStack implements IEnvironmentScope {
  public readonly environment: Environment;
  public readonly clusterName: string;
  public readonly awsProvider: AwsProvider;
  public readonly kubernetesProvider: KubernetesProvider;
  public readonly helmProvider: HelmProvider;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    checkShape(id, props, {
      environment: Shape.instanceOf(Environment, "an Environment (new Environment(config))"),
      clusterName: Shape.string({ nonEmpty: true }),
    });
    this.environment = props.environment;
    this.clusterName = props.clusterName;
    this.awsProvider = configureAws(this, id, props.environment);
    const cluster = new DataAwsEksCluster(this, "cluster", { name: props.clusterName });
    const auth = new DataAwsEksClusterAuth(this, "cluster-auth", { name: props.clusterName });
    const connection = {
      host: cluster.endpoint,
      clusterCaCertificate: Fn.base64decode(cluster.certificateAuthority.get(0).data),
      token: auth.token,
    };
    this.kubernetesProvider = new KubernetesProvider(this, "kubernetes", connection);
    this.helmProvider = new HelmProvider(this, "helm", { kubernetes: connection });
  }
}
