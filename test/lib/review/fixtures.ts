import { ResourceChange, TerraformPlan } from "../../../lib/terraform/offline";
import { StackEnvironmentMetadata } from "../../../lib/core/stacks";
import { CONDITIONS_KEY, ConditionRecord } from "../../../lib/core/stack-records";
import { ReviewStack, StackConfig, reviewStack } from "../../../lib/review/stack";

/**
 * Small plans in the exact shape `terraform show -json` writes (copied from real plans
 * of the reference stacks and trimmed): one resource change at a time.
 */
export function change(
  address: string,
  actions: string[],
  before: unknown,
  after: unknown,
  extra: Partial<ResourceChange["change"]> & { action_reason?: string } = {},
): ResourceChange {
  const { action_reason, ...rest } = extra;
  const [type, name] = address.split(".");
  return {
    address,
    mode: "managed",
    type,
    name,
    provider_name: "registry.terraform.io/hashicorp/aws",
    ...(action_reason ? { action_reason } : {}),
    change: {
      actions,
      before,
      after,
      after_unknown: {},
      before_sensitive: before === null ? false : {},
      after_sensitive: after === null ? false : {},
      ...rest,
    },
  };
}

export function plan(...changes: ResourceChange[]): TerraformPlan {
  return { format_version: "1.2", terraform_version: "1.11.4", resource_changes: changes };
}

export function metadata(name: string, tier: StackEnvironmentMetadata["tier"], overrides: Partial<StackEnvironmentMetadata> = {}): StackEnvironmentMetadata {
  return {
    name,
    tier,
    project: "ml",
    region: "us-east-1",
    availabilityZones: tier === "development" ? ["us-east-1a", "us-east-1b"] : ["us-east-1a", "us-east-1b", "us-east-1c"],
    stateBackend: tier === "development" ? "local" : "s3",
    environmentStateBackend: tier === "development" ? "local" : "s3",
    protectsData: tier !== "development",
    monthlyBudgetUsd: 10000,
    ...overrides,
  };
}

/** A synthesized stack JSON with its environment metadata and the given resources (`type.name` -> block). */
export function config(env: StackEnvironmentMetadata, resources: Record<string, Record<string, unknown>> = {}, stackName = `ml-${env.name}-infra`): StackConfig {
  const resource: Record<string, Record<string, unknown>> = {};
  for (const [address, block] of Object.entries(resources)) {
    const [type, name] = address.split(".");
    resource[type] = {
      ...(resource[type] ?? {}),
      [name]: { "//": { metadata: { path: `${stackName}/${name.replace(/_[0-9A-F]{8}$/, "").replace(/_/g, "/")}`, uniqueId: name } }, ...block },
    };
  }
  return { "//": { environment: env, metadata: { stackName } }, provider: { aws: [{}] }, resource };
}

export function stack(
  name: string,
  env: StackEnvironmentMetadata,
  p: TerraformPlan | undefined,
  resources: Record<string, Record<string, unknown>> = {},
  settings?: Record<string, string | number | boolean>,
): ReviewStack {
  const c = config(env, resources, name);
  if (settings) c["//"].settings = settings;
  return reviewStack(name, { config: c, ...(p ? { plan: p } : { notPlanned: "fixture" }) });
}

/** A stack as `stack` builds it, with condition records under `"//".conditional_resources` (ConditionalResources). */
export function stackWithRecords(
  name: string,
  env: StackEnvironmentMetadata,
  resources: Record<string, Record<string, unknown>>,
  records: readonly ConditionRecord[],
): ReviewStack {
  const c = config(env, resources, name);
  return reviewStack(name, { config: { ...c, "//": { ...(c["//"] as object), [CONDITIONS_KEY]: records } }, notPlanned: "fixture" });
}
