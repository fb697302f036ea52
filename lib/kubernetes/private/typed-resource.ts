import { Construct } from "constructs";
import {
  TerraformMetaArguments,
  TerraformResource,
  booleanToHclTerraform,
  booleanToTerraform,
  hashMapper,
  hashMapperHcl,
  numberToTerraform,
  stringToHclTerraform,
  stringToTerraform,
} from "cdktf";
import { ConfigMapV1Config, configMapV1MetadataToHclTerraform, configMapV1MetadataToTerraform } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import {
  CronJobV1Config,
  cronJobV1SpecJobTemplateSpecSelectorToTerraform,
  cronJobV1SpecJobTemplateSpecTemplateToTerraform,
  cronJobV1MetadataToHclTerraform,
  cronJobV1MetadataToTerraform,
  cronJobV1SpecToHclTerraform,
  cronJobV1SpecToTerraform,
  cronJobV1TimeoutsToHclTerraform,
  cronJobV1TimeoutsToTerraform,
} from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import type { DeploymentV1Config, DeploymentV1Spec, DeploymentV1Timeouts } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import {
  HorizontalPodAutoscalerV2Config,
  horizontalPodAutoscalerV2MetadataToHclTerraform,
  horizontalPodAutoscalerV2MetadataToTerraform,
  horizontalPodAutoscalerV2SpecToHclTerraform,
  horizontalPodAutoscalerV2SpecToTerraform,
} from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import {
  PodDisruptionBudgetV1Config,
  podDisruptionBudgetV1MetadataToHclTerraform,
  podDisruptionBudgetV1MetadataToTerraform,
  podDisruptionBudgetV1SpecToHclTerraform,
  podDisruptionBudgetV1SpecToTerraform,
} from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import {
  NetworkPolicyV1Config,
  networkPolicyV1MetadataToHclTerraform,
  networkPolicyV1MetadataToTerraform,
  networkPolicyV1SpecToHclTerraform,
  networkPolicyV1SpecToTerraform,
} from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { ServiceAccountV1Config, serviceAccountV1MetadataToHclTerraform, serviceAccountV1MetadataToTerraform } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import {
  ServiceV1Config,
  serviceV1MetadataToHclTerraform,
  serviceV1MetadataToTerraform,
  serviceV1SpecToHclTerraform,
  serviceV1SpecToTerraform,
  serviceV1TimeoutsToHclTerraform,
  serviceV1TimeoutsToTerraform,
} from "@cdktf/provider-kubernetes/lib/service-v1";

/**
 * One attribute of a typed resource, as its binding class synthesizes it (@cdktf/provider-kubernetes 12.1.1,
 * lib/<resource>/index.js `synthesizeAttributes` and `synthesizeHclAttributes`): the binding's own converters.
 */
interface Field<C> {
  readonly json: (config: C) => unknown;
  readonly hcl: (config: C) => unknown;
  readonly isBlock: boolean;
  readonly type: "simple" | "map" | "list" | "struct";
  readonly storageClassType: string;
}

const bool = <C>(get: (c: C) => boolean | undefined): Field<C> => ({
  json: (c) => booleanToTerraform(get(c)),
  hcl: (c) => booleanToHclTerraform(get(c)),
  isBlock: false,
  type: "simple",
  storageClassType: "boolean",
});
const block = <C, B>(get: (c: C) => B, json: (b: B) => unknown, hcl: (b: B) => unknown, type: "list" | "struct", storageClassType: string): Field<C> => ({
  json: (c) => json(get(c)),
  hcl: (c) => hcl(get(c)),
  isBlock: true,
  type,
  storageClassType,
});

/** A plain value without its undefined object keys (plain objects and arrays only: tokens and other objects stay as they are). */
function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUndefined) as T;
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
  return out as T;
}

/**
 * A typed `kubernetes_*` resource: the Terraform resource type of the provider binding's class, its
 * input typed by the binding's `...Config`, its attributes (JSON and HCL) written by the binding's
 * exported `...ToTerraform` / `...ToHclTerraform` functions, without the binding class itself. The
 * binding class builds a tree of output references for every nested block of its schema at
 * construction (a Deployment's pod spec alone has dozens), each capturing a stack trace: 700
 * `DeploymentV1` took about 550 ms more to construct than these (the endpoint's Deployment; same
 * JSON). A stack with many endpoints makes seven of these per endpoint. Terraform (the provider's
 * schema) validates the result at plan time.
 */
export class KubernetesResource<C extends TerraformMetaArguments> extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    terraformResourceType: string,
    /** The resource's input, as given. */
    public readonly config: C,
    private readonly fields: Readonly<Record<string, Field<C>>>,
  ) {
    super(scope, id, {
      terraformResourceType,
      // As the bindings (@cdktf/provider-kubernetes 12.1.1).
      terraformGeneratorMetadata: { providerName: "kubernetes", providerVersion: "2.38.0", providerVersionConstraint: "~> 2.0" },
      dependsOn: config.dependsOn,
      lifecycle: config.lifecycle,
      provider: config.provider,
    });
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    // Without the keys the binding's converters set to undefined (hundreds in a pod spec), which synth would drop
    // anyway after resolving each of them: the same JSON, a tenth of the work for cdktf's resolve.
    return withoutUndefined(Object.fromEntries(Object.entries(this.fields).map(([name, f]) => [name, f.json(this.config)])));
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    const attrs = Object.entries(this.fields).map(
      ([name, f]) => [name, { value: f.hcl(this.config), isBlock: f.isBlock, type: f.type, storageClassType: f.storageClassType }] as const,
    );
    return Object.fromEntries(attrs.filter(([, a]) => a.value !== undefined));
  }
}

/**
 * The Deployment binding's module (5 MB of generated code, about 45 ms to load and 15 MB), loaded only for HCL output
 * (`SYNTH_HCL_OUTPUT`): the JSON path below needs none of it.
 */
function deploymentBinding(): typeof import("@cdktf/provider-kubernetes/lib/deployment-v1") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require("@cdktf/provider-kubernetes/lib/deployment-v1");
}

/**
 * A Deployment's `spec` as the binding's `deploymentV1SpecToTerraform` writes it (@cdktf/provider-kubernetes 12.1.1,
 * lib/deployment-v1/index-structs/structs400.js and its selector/strategy converters in structs0.js): the few
 * Deployment fields here, the pod template and the label selector by the CronJob binding's converters, which the
 * library loads anyway (DatabaseBootstrap). Their blocks have the same fields: the provider builds both pod specs
 * with `podSpecFields` (hashicorp/terraform-provider-kubernetes v2.38.0 kubernetes/schema_pod_spec.go) and both
 * selectors as match_labels/match_expressions. test/lib/kubernetes/typed-resource.test.ts compares the JSON and HCL
 * with the binding classes' own.
 */
function deploymentSpecToTerraform(s: DeploymentV1Spec): Record<string, unknown> {
  const strategy = s.strategy as { type?: string; rollingUpdate?: { maxSurge?: string; maxUnavailable?: string } } | undefined;
  return {
    min_ready_seconds: numberToTerraform(s.minReadySeconds),
    paused: booleanToTerraform(s.paused),
    progress_deadline_seconds: numberToTerraform(s.progressDeadlineSeconds),
    replicas: stringToTerraform(s.replicas),
    revision_history_limit: numberToTerraform(s.revisionHistoryLimit),
    selector: cronJobV1SpecJobTemplateSpecSelectorToTerraform(s.selector),
    strategy: strategy && {
      type: stringToTerraform(strategy.type),
      rolling_update: strategy.rollingUpdate && {
        max_surge: stringToTerraform(strategy.rollingUpdate.maxSurge),
        max_unavailable: stringToTerraform(strategy.rollingUpdate.maxUnavailable),
      },
    },
    template: cronJobV1SpecJobTemplateSpecTemplateToTerraform(s.template),
  };
}

/** `kubernetes_deployment_v1`. */
export function deploymentV1(scope: Construct, id: string, config: DeploymentV1Config): KubernetesResource<DeploymentV1Config> {
  const timeouts = (t: DeploymentV1Timeouts | undefined) => t && { create: stringToTerraform(t.create), delete: stringToTerraform(t.delete), update: stringToTerraform(t.update) };
  return new KubernetesResource<DeploymentV1Config>(scope, id, "kubernetes_deployment_v1", config, {
    wait_for_rollout: bool((c) => c.waitForRollout as boolean | undefined),
    metadata: block(
      (c) => c.metadata,
      cronJobV1MetadataToTerraform,
      (m) => deploymentBinding().deploymentV1MetadataToHclTerraform(m),
      "list",
      "DeploymentV1MetadataList",
    ),
    spec: block(
      (c) => c.spec,
      deploymentSpecToTerraform,
      (sp) => deploymentBinding().deploymentV1SpecToHclTerraform(sp),
      "list",
      "DeploymentV1SpecList",
    ),
    timeouts: block(
      (c) => c.timeouts,
      timeouts,
      (t) => deploymentBinding().deploymentV1TimeoutsToHclTerraform(t),
      "struct",
      "DeploymentV1Timeouts",
    ),
  });
}

/** `kubernetes_service_v1`. */
export function serviceV1(scope: Construct, id: string, config: ServiceV1Config): KubernetesResource<ServiceV1Config> {
  return new KubernetesResource<ServiceV1Config>(scope, id, "kubernetes_service_v1", config, {
    wait_for_load_balancer: bool((c) => c.waitForLoadBalancer as boolean | undefined),
    metadata: block((c) => c.metadata, serviceV1MetadataToTerraform, serviceV1MetadataToHclTerraform, "list", "ServiceV1MetadataList"),
    spec: block((c) => c.spec, serviceV1SpecToTerraform, serviceV1SpecToHclTerraform, "list", "ServiceV1SpecList"),
    timeouts: block((c) => c.timeouts, serviceV1TimeoutsToTerraform, serviceV1TimeoutsToHclTerraform, "struct", "ServiceV1Timeouts"),
  });
}

/** `kubernetes_service_account_v1` (image pull secrets and mountable secrets are not used by the library). */
export function serviceAccountV1(scope: Construct, id: string, config: ServiceAccountV1Config): KubernetesResource<ServiceAccountV1Config> {
  return new KubernetesResource<ServiceAccountV1Config>(scope, id, "kubernetes_service_account_v1", config, {
    automount_service_account_token: bool((c) => c.automountServiceAccountToken as boolean | undefined),
    metadata: block((c) => c.metadata, serviceAccountV1MetadataToTerraform, serviceAccountV1MetadataToHclTerraform, "list", "ServiceAccountV1MetadataList"),
  });
}

/** `kubernetes_horizontal_pod_autoscaler_v2`. */
export function horizontalPodAutoscalerV2(scope: Construct, id: string, config: HorizontalPodAutoscalerV2Config): KubernetesResource<HorizontalPodAutoscalerV2Config> {
  return new KubernetesResource<HorizontalPodAutoscalerV2Config>(scope, id, "kubernetes_horizontal_pod_autoscaler_v2", config, {
    metadata: block(
      (c) => c.metadata,
      horizontalPodAutoscalerV2MetadataToTerraform,
      horizontalPodAutoscalerV2MetadataToHclTerraform,
      "list",
      "HorizontalPodAutoscalerV2MetadataList",
    ),
    spec: block((c) => c.spec, horizontalPodAutoscalerV2SpecToTerraform, horizontalPodAutoscalerV2SpecToHclTerraform, "list", "HorizontalPodAutoscalerV2SpecList"),
  });
}

/** `kubernetes_pod_disruption_budget_v1`. */
export function podDisruptionBudgetV1(scope: Construct, id: string, config: PodDisruptionBudgetV1Config): KubernetesResource<PodDisruptionBudgetV1Config> {
  return new KubernetesResource<PodDisruptionBudgetV1Config>(scope, id, "kubernetes_pod_disruption_budget_v1", config, {
    metadata: block((c) => c.metadata, podDisruptionBudgetV1MetadataToTerraform, podDisruptionBudgetV1MetadataToHclTerraform, "list", "PodDisruptionBudgetV1MetadataList"),
    spec: block((c) => c.spec, podDisruptionBudgetV1SpecToTerraform, podDisruptionBudgetV1SpecToHclTerraform, "list", "PodDisruptionBudgetV1SpecList"),
  });
}

/** `kubernetes_config_map_v1`. */
export function configMapV1(scope: Construct, id: string, config: ConfigMapV1Config): KubernetesResource<ConfigMapV1Config> {
  const stringMap = (get: (c: ConfigMapV1Config) => { [key: string]: string } | undefined): Field<ConfigMapV1Config> => ({
    json: (c) => hashMapper(stringToTerraform)(get(c)),
    hcl: (c) => hashMapperHcl(stringToHclTerraform)(get(c)),
    isBlock: false,
    type: "map",
    storageClassType: "stringMap",
  });
  return new KubernetesResource<ConfigMapV1Config>(scope, id, "kubernetes_config_map_v1", config, {
    binary_data: stringMap((c) => c.binaryData),
    data: stringMap((c) => c.data),
    immutable: bool((c) => c.immutable as boolean | undefined),
    metadata: block((c) => c.metadata, configMapV1MetadataToTerraform, configMapV1MetadataToHclTerraform, "list", "ConfigMapV1MetadataList"),
  });
}

/** `kubernetes_cron_job_v1`. */
export function cronJobV1(scope: Construct, id: string, config: CronJobV1Config): KubernetesResource<CronJobV1Config> {
  return new KubernetesResource<CronJobV1Config>(scope, id, "kubernetes_cron_job_v1", config, {
    metadata: block((c) => c.metadata, cronJobV1MetadataToTerraform, cronJobV1MetadataToHclTerraform, "list", "CronJobV1MetadataList"),
    spec: block((c) => c.spec, cronJobV1SpecToTerraform, cronJobV1SpecToHclTerraform, "list", "CronJobV1SpecList"),
    timeouts: block((c) => c.timeouts, cronJobV1TimeoutsToTerraform, cronJobV1TimeoutsToHclTerraform, "struct", "CronJobV1Timeouts"),
  });
}

/** `kubernetes_network_policy_v1` (the reference app has about 245: 7 unused output references each through the binding class). */
export function networkPolicyV1(scope: Construct, id: string, config: NetworkPolicyV1Config): KubernetesResource<NetworkPolicyV1Config> {
  return new KubernetesResource<NetworkPolicyV1Config>(scope, id, "kubernetes_network_policy_v1", config, {
    metadata: block((c) => c.metadata, networkPolicyV1MetadataToTerraform, networkPolicyV1MetadataToHclTerraform, "list", "NetworkPolicyV1MetadataList"),
    spec: block((c) => c.spec, networkPolicyV1SpecToTerraform, networkPolicyV1SpecToHclTerraform, "list", "NetworkPolicyV1SpecList"),
  });
}
