import { IRSA_ROLE_ANNOTATION } from "../../iam/service-account-role";
import { GPU_TOLERATION, PRIORITY_CLASSES } from "../../kubernetes/kubernetes";
import { ModelSource, describeModel, isModelUri } from "../model-source";
import {
  restrictedContainerSecurityContext,
  restrictedContainerSecurityContextV1,
  restrictedPodSecurityContext,
  restrictedPodSecurityContextV1,
} from "../../kubernetes/pod-security";
import type { DeploymentV1Config, DeploymentV1SpecTemplateSpecContainerStartupProbe } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { HorizontalPodAutoscalerV2Config, HorizontalPodAutoscalerV2SpecMetric } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import { PodDisruptionBudgetV1Config } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { ServiceAccountV1Config } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1Config } from "@cdktf/provider-kubernetes/lib/service-v1";

/** Label every object of an endpoint carries; the metrics Service selects pods of every colour by it. */
export const ENDPOINT_LABEL = "ml-platform/endpoint";
/** Label naming a pod's colour (blue/green); the serving Service selects the active colour by it. */
export const COLOUR_LABEL = "ml-platform/colour";
/** Marks the metrics Service, so that the ServiceMonitor never scrapes a pod twice. */
export const METRICS_SERVICE_LABEL = "ml-platform/metrics";

export const SERVING_PORT_NAME = "http";
export const METRICS_PORT_NAME = "metrics";

export interface WorkloadSpec {
  /** Deployment (and HPA, PDB) name. */
  readonly name: string;
  readonly namespace: string;
  /** Labels of the pods; also the Deployment's selector. */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly image: string;
  readonly model: ModelSource;
  readonly port: number;
  readonly metricsPort: number;
  readonly cpu: string;
  readonly memory: string;
  readonly memoryLimit: string;
  readonly gpu?: { readonly count: number; readonly nodeSelector: Readonly<Record<string, string>> };
  readonly serviceAccount: string;
  readonly env: Readonly<Record<string, string>>;
  /** Environment variables read from Kubernetes Secrets. */
  readonly secretEnv: readonly { readonly name: string; readonly secret: string; readonly key: string }[];
  readonly readinessPath: string;
  readonly livenessPath: string;
}

/** What a probe of the server checks (an HTTP GET on the serving port) and how often. */
interface ProbeParts {
  readonly path: string;
  readonly periodSeconds: number;
  readonly failureThreshold: number;
  readonly timeoutSeconds: number;
}

/**
 * The endpoint's pod, once, in neutral form: the Deployment (`deploymentV1Config`) and the Rollout's
 * template (`podTemplateObject`) are written from it, so that they cannot differ
 * (test/lib/endpoint/delivery.test.ts compares them as the API server receives them).
 */
function podParts(w: WorkloadSpec) {
  const values: Record<string, string> = {
    HOME: "/tmp",
    PORT: String(w.port),
    ...(isModelUri(w.model) ? { MODEL_URI: w.model.uri } : {}),
    ...(isModelUri(w.model) && w.model.trackingUri ? { MLFLOW_TRACKING_URI: w.model.trackingUri } : {}),
    ...w.env,
  };
  const ports = [{ name: SERVING_PORT_NAME, containerPort: w.port, protocol: "TCP" }];
  if (w.metricsPort !== w.port) ports.push({ name: METRICS_PORT_NAME, containerPort: w.metricsPort, protocol: "TCP" });
  const limits: Record<string, string> = { memory: w.memoryLimit };
  if (w.gpu) limits["nvidia.com/gpu"] = String(w.gpu.count);
  const probe = (path: string, periodSeconds: number, failureThreshold: number, timeoutSeconds: number): ProbeParts => ({ path, periodSeconds, failureThreshold, timeoutSeconds });
  return {
    labels: { ...w.podLabels },
    annotations: { "ml-platform/model": describeModel(w.model) },
    image: isModelUri(w.model) ? w.image : w.model.image,
    // The serving priority lets a GPU endpoint preempt training on the GPU nodes. A CPU
    // endpoint runs on the system nodes, next to MLflow, Feast and Prometheus (priority 0):
    // there it would evict the platform instead, so it keeps the default priority.
    priorityClassName: w.gpu ? PRIORITY_CLASSES.serving : undefined,
    ports,
    env: Object.entries(values).map(([name, value]) => ({ name, value })),
    secretEnv: w.secretEnv.map((e) => ({ name: e.name, secret: e.secret, key: e.key })),
    requests: { cpu: w.cpu, memory: w.memory, ...(w.gpu ? { "nvidia.com/gpu": String(w.gpu.count) } : {}) },
    limits,
    // A slow model load is covered by the startup probe, not by a liveness probe that would restart it.
    startupProbe: probe(w.readinessPath, 10, 60, 5),
    readinessProbe: probe(w.readinessPath, 5, 3, 3),
    livenessProbe: probe(w.livenessPath, 15, 4, 5),
    tmpSizeLimit: "4Gi",
    zoneSpread: { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" },
    gpu: w.gpu ? { tolerations: [{ ...GPU_TOLERATION }], nodeSelector: { ...w.gpu.nodeSelector } } : undefined,
  };
}

/** The pod template in the Kubernetes API's field names: the Rollout's (a custom resource, made as a manifest). */
export function podTemplateObject(w: WorkloadSpec): Record<string, unknown> {
  const p = podParts(w);
  const probe = (q: ProbeParts) => ({
    httpGet: { path: q.path, port: SERVING_PORT_NAME },
    periodSeconds: q.periodSeconds,
    failureThreshold: q.failureThreshold,
    timeoutSeconds: q.timeoutSeconds,
  });
  return {
    metadata: { labels: p.labels, annotations: p.annotations },
    spec: {
      serviceAccountName: w.serviceAccount,
      ...(p.priorityClassName ? { priorityClassName: p.priorityClassName } : {}),
      securityContext: restrictedPodSecurityContext(),
      containers: [
        {
          name: "server",
          image: p.image,
          imagePullPolicy: "IfNotPresent",
          ports: p.ports,
          env: [...p.env, ...p.secretEnv.map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } }))],
          resources: { requests: p.requests, limits: p.limits },
          securityContext: restrictedContainerSecurityContext(),
          startupProbe: probe(p.startupProbe),
          readinessProbe: probe(p.readinessProbe),
          livenessProbe: probe(p.livenessProbe),
          volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
        },
      ],
      volumes: [{ name: "tmp", emptyDir: { sizeLimit: p.tmpSizeLimit } }],
      topologySpreadConstraints: [{ ...p.zoneSpread, labelSelector: { matchLabels: { ...p.labels } } }],
      ...(p.gpu ? { tolerations: p.gpu.tolerations, nodeSelector: p.gpu.nodeSelector } : {}),
    },
  };
}

/**
 * A hardened Deployment (`kubernetes_deployment_v1`): non-root, read-only root filesystem (a small
 * writable /tmp), no privilege escalation or capabilities, RuntimeDefault seccomp (the `restricted`
 * Pod Security Standard), serving priority on GPU nodes. No `replicas`: the HPA owns it (the
 * provider's `replicas` is optional and computed), so Terraform never fights the autoscaler.
 * Terraform waits for the rollout, so a failed rollout fails the apply.
 */
export function deploymentV1Config(w: WorkloadSpec, options: { readonly timeout?: string } = {}): DeploymentV1Config {
  const p = podParts(w);
  const probe = (q: ProbeParts): DeploymentV1SpecTemplateSpecContainerStartupProbe => ({
    httpGet: { path: q.path, port: SERVING_PORT_NAME },
    periodSeconds: q.periodSeconds,
    failureThreshold: q.failureThreshold,
    timeoutSeconds: q.timeoutSeconds,
  });
  return {
    metadata: { name: w.name, namespace: w.namespace, labels: { ...w.podLabels } },
    spec: {
      revisionHistoryLimit: 5,
      selector: { matchLabels: { ...w.podLabels } },
      // Never below the current capacity during a rollout: a new pod must be ready before an old one goes.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "0", maxSurge: "1" } },
      template: {
        metadata: { labels: p.labels, annotations: p.annotations },
        spec: {
          serviceAccountName: w.serviceAccount,
          ...(p.priorityClassName ? { priorityClassName: p.priorityClassName } : {}),
          securityContext: restrictedPodSecurityContextV1(),
          container: [
            {
              name: "server",
              image: p.image,
              imagePullPolicy: "IfNotPresent",
              port: p.ports,
              env: [...p.env, ...p.secretEnv.map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } }))],
              resources: { requests: p.requests, limits: p.limits },
              securityContext: restrictedContainerSecurityContextV1(),
              startupProbe: probe(p.startupProbe),
              readinessProbe: probe(p.readinessProbe),
              livenessProbe: probe(p.livenessProbe),
              volumeMount: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volume: [{ name: "tmp", emptyDir: { sizeLimit: p.tmpSizeLimit } }],
          topologySpreadConstraint: [{ ...p.zoneSpread, labelSelector: [{ matchLabels: { ...p.labels } }] }],
          ...(p.gpu ? { toleration: p.gpu.tolerations, nodeSelector: p.gpu.nodeSelector } : {}),
        },
      },
    },
    waitForRollout: true,
    ...(options.timeout ? { timeouts: { create: options.timeout, update: options.timeout } } : {}),
  };
}

export interface AutoscalerSpec {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuUtilization: number;
  /** The workload scaled. @default - the Deployment of the same name */
  readonly target?: { readonly apiVersion: string; readonly kind: string };
  /** Pods metric name and per-pod target, when scaling on requests per second. */
  readonly requestsPerSecond?: { readonly metric: string; readonly target: number };
}

/** The endpoint's HorizontalPodAutoscaler (`kubernetes_horizontal_pod_autoscaler_v2`): CPU, and requests per second per pod when set. */
export function autoscalerV2Config(a: AutoscalerSpec): HorizontalPodAutoscalerV2Config {
  const metric: HorizontalPodAutoscalerV2SpecMetric[] = [
    { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: a.targetCpuUtilization } } },
  ];
  if (a.requestsPerSecond) {
    metric.push({ type: "Pods", pods: { metric: { name: a.requestsPerSecond.metric }, target: { type: "AverageValue", averageValue: String(a.requestsPerSecond.target) } } });
  }
  return {
    metadata: { name: a.name, namespace: a.namespace, labels: { ...a.labels } },
    spec: {
      scaleTargetRef: { apiVersion: a.target?.apiVersion ?? "apps/v1", kind: a.target?.kind ?? "Deployment", name: a.name },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metric,
      // Scale up at once, scale down only after 5 minutes of lower load (no flapping under bursty traffic). The provider
      // requires a policy with a scale-down rule: Kubernetes's own default one (at most 100% of the pods per 15 s,
      // kubernetes/kubernetes pkg/apis/autoscaling/v2/defaults.go, defaultHPAScaleDownRules, v1.31).
      behavior: { scaleDown: [{ stabilizationWindowSeconds: 300, selectPolicy: "Max", policy: [{ type: "Percent", value: 100, periodSeconds: 15 }] }] },
    },
  };
}

/** One pod at a time: node drains proceed, but never take several replicas at once. */
export function disruptionBudgetV1Config(name: string, namespace: string, podLabels: Readonly<Record<string, string>>): PodDisruptionBudgetV1Config {
  return {
    metadata: { name, namespace, labels: { ...podLabels } },
    spec: { maxUnavailable: "1", selector: { matchLabels: { ...podLabels } } },
  };
}

export function serviceV1Config(props: {
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  selector: Readonly<Record<string, string>>;
  port: number;
  targetPort: string;
  portName: string;
  headless?: boolean;
}): ServiceV1Config {
  return {
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
    spec: {
      type: "ClusterIP",
      ...(props.headless ? { clusterIp: "None" } : {}),
      selector: { ...props.selector },
      port: [{ name: props.portName, port: props.port, targetPort: props.targetPort, protocol: "TCP" }],
    },
  };
}

export function serviceAccountV1Config(name: string, namespace: string, roleArn: string, labels: Readonly<Record<string, string>>): ServiceAccountV1Config {
  return {
    metadata: { name, namespace, labels: { ...labels }, annotations: { [IRSA_ROLE_ANNOTATION]: roleArn } },
    // The server never calls the Kubernetes API: no API token in its pods (the provider's default is true). IRSA does
    // not need it (EKS's pod identity webhook projects its own token for sts.amazonaws.com).
    automountServiceAccountToken: false,
  };
}
