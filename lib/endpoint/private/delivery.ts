import { CanaryStep } from "../delivery-options";

/**
 * Manifests of demand-based autoscaling (KEDA ScaledObject) and progressive delivery (Argo
 * Rollouts Rollout and AnalysisTemplates). Field names: KEDA 2.20.2 CRD
 * `keda.sh/v1alpha1` ScaledObject (keda chart 2.20.2 templates/crds), Argo Rollouts v1.9.0 CRDs
 * `argoproj.io/v1alpha1` Rollout and AnalysisTemplate (argo-rollouts chart 2.41.0 templates/crds);
 * the in-cluster tests validate every rendered object against those CRDs.
 */
export const KEDA_API = "keda.sh/v1alpha1";
export const ROLLOUTS_API = "argoproj.io/v1alpha1";
/** The HPA KEDA creates for a ScaledObject (keda pkg/scaling/... `keda-hpa-<scaledobject>`; kube-state-metrics reports it under this name). */
export const kedaHpaName = (scaledObject: string): string => `keda-hpa-${scaledObject}`;
/** Label Argo Rollouts puts on the pods of each ReplicaSet it creates (pkg/apis/rollouts/v1alpha1 DefaultRolloutUniqueLabelKey). */
export const POD_TEMPLATE_HASH_LABEL = "rollouts-pod-template-hash";

export interface PrometheusTrigger {
  readonly name: string;
  readonly query: string;
  readonly threshold: number;
  readonly activation?: number;
  /** "AverageValue": the query is a total, divided by the replicas; "Value": already per replica (an average). */
  readonly metricType: "AverageValue" | "Value";
}

export interface ScaledObjectSpec {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly target: { readonly apiVersion: string; readonly kind: string; readonly name: string };
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly prometheusUrl: string;
  readonly triggers: readonly PrometheusTrigger[];
  readonly targetCpuUtilization: number;
  readonly pollingSeconds: number;
  readonly cooldownSeconds: number;
  readonly scaleDownStabilizationSeconds: number;
}

export function scaledObject(s: ScaledObjectSpec): Record<string, unknown> {
  return {
    apiVersion: KEDA_API,
    kind: "ScaledObject",
    metadata: { name: s.name, namespace: s.namespace, labels: { ...s.labels } },
    spec: {
      scaleTargetRef: { ...s.target },
      minReplicaCount: s.minReplicas,
      maxReplicaCount: s.maxReplicas,
      pollingInterval: s.pollingSeconds,
      cooldownPeriod: s.cooldownSeconds,
      advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: s.scaleDownStabilizationSeconds } } } },
      triggers: [
        ...s.triggers.map((t) => ({
          type: "prometheus",
          name: t.name,
          metricType: t.metricType,
          // KEDA's prometheus scaler reads metadata values as strings (keda pkg/scalers/prometheus_scaler.go).
          metadata: {
            serverAddress: s.prometheusUrl,
            query: t.query,
            threshold: String(t.threshold),
            ...(t.activation !== undefined ? { activationThreshold: String(t.activation) } : {}),
          },
        })),
        // CPU as well (metrics-server): never below what the CPU HPA would keep.
        { type: "cpu", name: "cpu", metricType: "Utilization", metadata: { value: String(s.targetCpuUtilization) } },
      ],
    },
  };
}

export interface AnalysisMetric {
  readonly name: string;
  readonly query: string;
  /** Argo Rollouts expression on `result` (a vector of samples: result[0]). */
  readonly successCondition: string;
}

export function analysisTemplate(props: {
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  prometheusUrl: string;
  metrics: readonly AnalysisMetric[];
  interval: string;
  count?: number;
  failureLimit: number;
  args?: readonly string[];
}): Record<string, unknown> {
  return {
    apiVersion: ROLLOUTS_API,
    kind: "AnalysisTemplate",
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
    spec: {
      ...(props.args?.length ? { args: props.args.map((name) => ({ name })) } : {}),
      metrics: props.metrics.map((m) => ({
        name: m.name,
        interval: props.interval,
        ...(props.count !== undefined ? { count: props.count } : {}),
        failureLimit: props.failureLimit,
        // No data yet (a new version with no request so far) is not a failure: the query's `or vector(0)`.
        successCondition: m.successCondition,
        provider: { prometheus: { address: props.prometheusUrl, query: m.query } },
      })),
    },
  };
}

/** The smoke test: one GET of the new version through its canary or preview Service; a non-2xx answer is an error, and no error is tolerated. */
export function smokeTestTemplate(props: { name: string; namespace: string; labels: Readonly<Record<string, string>>; url: string }): Record<string, unknown> {
  return {
    apiVersion: ROLLOUTS_API,
    kind: "AnalysisTemplate",
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
    spec: {
      metrics: [
        {
          name: "smoke-test",
          count: 1,
          // Argo Rollouts v1.9.0 metricproviders/webmetric/webmetric.go: a non-2xx status is a measurement error;
          // a body that is not JSON is a success. consecutiveErrorLimit 0: the first error fails the run.
          consecutiveErrorLimit: 0,
          provider: { web: { url: props.url, timeoutSeconds: 10 } },
        },
      ],
    },
  };
}

export interface RolloutSpec {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The pod template of the Deployment it replaces (its `spec.template`). */
  readonly template: Record<string, unknown>;
  readonly selector: Readonly<Record<string, string>>;
  readonly strategy: "canary" | "blueGreen";
  readonly steps: readonly CanaryStep[];
  /** Services the controller points at the new version (canary) or at each side (blue/green). */
  readonly services: { readonly canary?: string; readonly active?: string; readonly preview?: string };
  readonly analysisTemplates: readonly string[];
  readonly smokeTemplate: string;
}

/**
 * A Rollout with the Deployment's pod template inline (one object owns the pods: the
 * Service, PDB and ServiceMonitor select them by the same labels).
 */
export function rolloutObject(r: RolloutSpec): Record<string, unknown> {
  const hashArg = [{ name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } }];
  const analysis = { templates: r.analysisTemplates.map((templateName) => ({ templateName })), args: hashArg };
  let strategy: Record<string, unknown>;
  if (r.strategy === "canary") {
    const steps: Record<string, unknown>[] = [];
    r.steps.forEach((step, i) => {
      if (step.weight !== undefined) steps.push({ setWeight: step.weight });
      else steps.push({ pause: step.pause !== undefined ? { duration: step.pause } : {} });
      // The smoke test runs as soon as the first new pods exist, before any further step.
      if (i === r.steps.findIndex((s) => s.weight !== undefined && s.weight > 0)) steps.push({ analysis: { templates: [{ templateName: r.smokeTemplate }] } });
    });
    strategy = {
      canary: {
        canaryService: r.services.canary,
        maxSurge: 1,
        maxUnavailable: 0,
        // Background analysis from the first step to promotion; a failure aborts the rollout.
        analysis: { ...analysis, startingStep: 1 },
        steps,
      },
    };
  } else {
    strategy = {
      blueGreen: {
        activeService: r.services.active,
        previewService: r.services.preview,
        autoPromotionEnabled: true,
        prePromotionAnalysis: { templates: [{ templateName: r.smokeTemplate }] },
        postPromotionAnalysis: analysis,
        // Keep the old version 10 minutes after promotion: an abort during post-promotion analysis switches back at once.
        scaleDownDelaySeconds: 600,
      },
    };
  }
  return {
    apiVersion: ROLLOUTS_API,
    kind: "Rollout",
    metadata: { name: r.name, namespace: r.namespace, labels: { ...r.labels } },
    spec: {
      revisionHistoryLimit: 5,
      selector: { matchLabels: { ...r.selector } },
      template: r.template,
      strategy,
    },
  };
}
