import { ResourceRequests } from "../kubernetes/resources";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { ServiceAccountRole } from "../iam/service-account-role";
import { EndpointDemandScaling, EndpointRolloutOptions } from "./delivery-options";
import { EndpointMetricsOptions } from "./endpoint-metrics";
import { ModelSource } from "./model-source";
import { EndpointSloOptions } from "./slo";
import { IInferenceLogs } from "./inference-log-bucket";

export type Colour = "blue" | "green";
export const COLOURS: readonly Colour[] = ["blue", "green"];

/**
 * Two colours, each a Deployment serving its own model version; the Service sends
 * traffic to the active one. Switching `active` (or switching back) changes only the
 * Service's selector, in place. A colour without a model has no Deployment.
 */
export interface BlueGreenOptions {
  readonly active: Colour;
  /** @default - no blue Deployment */
  readonly blue?: ModelSource;
  /** @default - no green Deployment */
  readonly green?: ModelSource;
  /**
   * Minimum replicas of the idle colour. Lower it to save (GPU) nodes between releases;
   * raise it back to `minReplicas` before switching, so that traffic lands on warm capacity.
   * @default - minReplicas: a switch never lands on fewer pods than the active colour's minimum
   */
  readonly idleMinReplicas?: number;
}

export interface EndpointAutoscaling {
  /** Average CPU utilisation (percent of requests) the autoscaler keeps. @default 70 */
  readonly targetCpuUtilization?: number;
  /**
   * Requests per second per pod the autoscaler keeps, read as the Pods metric
   * `<prefix>_requests_per_second`, which a custom metrics adapter (prometheus-adapter)
   * must derive from `rate(<prefix>_requests_total[2m])`.
   * @default - CPU only
   */
  readonly targetRequestsPerSecond?: number;
  /**
   * Scale on demand with KEDA (a ScaledObject with Prometheus triggers on the endpoint's own
   * metrics and DCGM GPU utilisation; scale to zero outside production). Needs the `Keda`
   * controller in the addons stack.
   * @default - the CPU HorizontalPodAutoscaler (needs nothing but metrics-server)
   */
  readonly demand?: EndpointDemandScaling;
}

export interface EndpointGpu {
  /** GPUs per pod. @default 1 */
  readonly count?: number;
  /** Name of the cluster's GPU pool to run on. @default - the cluster's first GPU pool */
  readonly pool?: string;
}

/** What an endpoint needs of a feature store (FeatureStore has these properties). */
export interface EndpointFeatures {
  readonly featureStoreYaml: string;
  /** @default - the online store needs no secret (DynamoDB, through the IRSA role) */
  readonly onlineStoreSecret?: {
    /** Secrets Manager secret (ARN) holding the online store's password. */
    readonly secretArn: string;
    /** JSON property of the password in the secret's value. */
    readonly property: string;
    /** Environment variable that feature_store.yaml expands to the password. */
    readonly environmentVariable: string;
  };
}

/** A secret environment variable's source: a Secrets Manager secret and a JSON property of it. */
export interface EndpointSecretEnv {
  readonly secretArn: string;
  /** @default "value" */
  readonly property?: string;
}

export interface MonitoredEndpointProps {
  /** Endpoint name: the Service's name. Lowercase letters, digits and "-", at most 40 characters. */
  readonly name: string;
  /** The model served; give this or `blueGreen`. @default - the active colour's model of `blueGreen` */
  readonly model?: ModelSource;
  /** Blue/green rollout by the Service's selector, switched by Terraform. @default - a single Deployment serving `model` */
  readonly blueGreen?: BlueGreenOptions;
  /**
   * Progressive delivery with Argo Rollouts: the endpoint is a Rollout instead of a
   * Deployment; a change of `model` is rolled out in the cluster (canary steps or blue/green)
   * with a smoke test and SLO analysis, promoted when they pass and aborted when they fail.
   * Needs the `ArgoRollouts` controller in the addons stack. Not with `blueGreen`.
   * @default - a Deployment (rolling update)
   */
  readonly rollout?: EndpointRolloutOptions;
  /**
   * Prometheus's query URL, for KEDA triggers and rollout analysis.
   * @default - the in-cluster Prometheus of `Observability` (IN_CLUSTER_PROMETHEUS_URL)
   */
  readonly prometheusUrl?: string;
  /** Serving image (loads a `models:/` URI given in MODEL_URI). Not used for colours whose model is an image. */
  readonly image: string;
  /** Container port serving predictions. @default 8080 */
  readonly port?: number;
  /** Port of the Service. @default 80 */
  readonly servicePort?: number;
  /** @default - { cpu: Cpu.cores(1), memory: Memory.gibibytes(2) }, or 2 cores and 8Gi with a GPU (fits the smallest single-GPU nodes, 4 vCPU / 16 GiB); memory limit = request */
  readonly resources?: ResourceRequests;
  /** Serve on a GPU pool. @default - CPU only */
  readonly gpu?: EndpointGpu;
  /** Fewest pods the autoscaler keeps (at least 2 in production). @default - 1 in development, 2 otherwise */
  readonly minReplicas?: number;
  /** Most pods the autoscaler runs. @default - the larger of minReplicas and 2 in development, 4 in staging, 8 in production */
  readonly maxReplicas?: number;
  /** @default - CPU target 70% */
  readonly autoscaling?: EndpointAutoscaling;
  /** The cluster (for its GPU pools). */
  readonly cluster: ITrainingCluster;
  /**
   * The IRSA role of the endpoint's service account, created in the infrastructure stack
   * (`cluster.addServiceAccountRole(...)`) and granted there (`registry.grantRead(role)`,
   * `featureStore.grantOnlineRead(role)`). Its namespace is the endpoint's namespace.
   */
  readonly serviceAccountRole: ServiceAccountRole;
  /** MLflow tracking URI the server resolves `models:/` URIs against. @default - the model reference's `trackingUri`, if any */
  readonly trackingUri?: string;
  /**
   * The feature store the model reads online features from (a FeatureStore satisfies it):
   * its feature_store.yaml reaches the server as FEATURE_STORE_YAML_BASE64 and, with a Redis
   * online store, the password is synced from Secrets Manager into the variable the file
   * expands. The role needs `featureStore.grantOnlineRead(role)`.
   * @default - no feature store
   */
  readonly features?: EndpointFeatures;
  /** Extra environment variables. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Environment variables whose values are secrets: each names a Secrets Manager secret (and
   * the JSON property, default "value"), which External Secrets syncs into a Kubernetes Secret
   * as the endpoint's service account (the role gets read access to exactly that secret). A
   * secret-looking literal in `env` is refused at synth and points here.
   * @default - none
   */
  readonly secretEnv?: Readonly<Record<string, EndpointSecretEnv>>;
  /** @default "/health" */
  readonly readinessPath?: string;
  /** @default - the readiness path */
  readonly livenessPath?: string;
  /** @default - see EndpointMetricsOptions */
  readonly metrics?: EndpointMetricsOptions;
  /** @default - see EndpointSloOptions */
  readonly slo?: EndpointSloOptions;
  /**
   * Log every inference's inputs and outputs to S3 (an InferenceLogBucket): the server receives
   * INFERENCE_LOG_URI (`s3://<bucket>/inference-logs/<name>/`) and INFERENCE_LOG_FORMAT (`jsonl`),
   * and the role is granted PutObject on exactly that prefix and kms:GenerateDataKey on the key.
   * The contract (lib/endpoint/README.md, "Drift monitoring") is what a DriftMonitor reads.
   * @default - no inference logging
   */
  readonly inferenceLogs?: IInferenceLogs;
  /** Create the serving namespace (once per stack). @default true */
  readonly createNamespace?: boolean;
}
