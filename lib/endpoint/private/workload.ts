import { IRSA_ROLE_ANNOTATION } from "../../iam/service-account-role";
import { GPU_TOLERATION, PRIORITY_CLASSES } from "../../kubernetes/kubernetes";
import { ModelSource, describeModel, isModelUri } from "../model-source";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../kubernetes/pod-security";

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

/**
 * A hardened Deployment: non-root, read-only root filesystem (a small writable /tmp),
 * no privilege escalation or capabilities, RuntimeDefault seccomp (the `restricted` Pod
 * Security Standard), serving priority on GPU nodes. No `replicas`: the HPA owns it, so Terraform
 * never fights the autoscaler. A slow model load is covered by the startup probe, not by
 * a liveness probe that would restart it.
 */
export function deploymentObject(w: WorkloadSpec): Record<string, unknown> {
  const image = isModelUri(w.model) ? w.image : w.model.image;
  const env: Record<string, string> = {
    HOME: "/tmp",
    PORT: String(w.port),
    ...(isModelUri(w.model) ? { MODEL_URI: w.model.uri } : {}),
    ...(isModelUri(w.model) && w.model.trackingUri ? { MLFLOW_TRACKING_URI: w.model.trackingUri } : {}),
    ...w.env,
  };
  const probe = (path: string, extra: Record<string, number>) => ({ httpGet: { path, port: SERVING_PORT_NAME }, ...extra });
  const ports = [{ name: SERVING_PORT_NAME, containerPort: w.port, protocol: "TCP" }];
  if (w.metricsPort !== w.port) ports.push({ name: METRICS_PORT_NAME, containerPort: w.metricsPort, protocol: "TCP" });
  const limits: Record<string, string> = { memory: w.memoryLimit };
  if (w.gpu) limits["nvidia.com/gpu"] = String(w.gpu.count);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: w.name, namespace: w.namespace, labels: { ...w.podLabels } },
    spec: {
      revisionHistoryLimit: 5,
      selector: { matchLabels: { ...w.podLabels } },
      // Never below the current capacity during a rollout: a new pod must be ready before an old one goes.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...w.podLabels }, annotations: { "ml-platform/model": describeModel(w.model) } },
        spec: {
          serviceAccountName: w.serviceAccount,
          // The serving priority lets a GPU endpoint preempt training on the GPU nodes. A CPU
          // endpoint runs on the system nodes, next to MLflow, Feast and Prometheus (priority 0):
          // there it would evict the platform instead, so it keeps the default priority.
          ...(w.gpu ? { priorityClassName: PRIORITY_CLASSES.serving } : {}),
          securityContext: restrictedPodSecurityContext(),
          containers: [
            {
              name: "server",
              image,
              imagePullPolicy: "IfNotPresent",
              ports,
              env: [
                ...Object.entries(env).map(([name, value]) => ({ name, value })),
                ...w.secretEnv.map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret, key: e.key } } })),
              ],
              resources: { requests: { cpu: w.cpu, memory: w.memory, ...(w.gpu ? { "nvidia.com/gpu": String(w.gpu.count) } : {}) }, limits },
              securityContext: restrictedContainerSecurityContext(),
              startupProbe: probe(w.readinessPath, { periodSeconds: 10, failureThreshold: 60, timeoutSeconds: 5 }),
              readinessProbe: probe(w.readinessPath, { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 3 }),
              livenessProbe: probe(w.livenessPath, { periodSeconds: 15, failureThreshold: 4, timeoutSeconds: 5 }),
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: "4Gi" } }],
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: { ...w.podLabels } },
            },
          ],
          ...(w.gpu ? { tolerations: [{ ...GPU_TOLERATION }], nodeSelector: { ...w.gpu.nodeSelector } } : {}),
        },
      },
    },
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

export function autoscalerObject(a: AutoscalerSpec): Record<string, unknown> {
  const metrics: Record<string, unknown>[] = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: a.targetCpuUtilization } } }];
  if (a.requestsPerSecond) {
    metrics.push({
      type: "Pods",
      pods: { metric: { name: a.requestsPerSecond.metric }, target: { type: "AverageValue", averageValue: String(a.requestsPerSecond.target) } },
    });
  }
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: a.name, namespace: a.namespace, labels: { ...a.labels } },
    spec: {
      scaleTargetRef: { apiVersion: a.target?.apiVersion ?? "apps/v1", kind: a.target?.kind ?? "Deployment", name: a.name },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics,
      // Scale up at once, scale down only after 5 minutes of lower load (no flapping under bursty traffic).
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
}

export function disruptionBudgetObject(name: string, namespace: string, podLabels: Readonly<Record<string, string>>): Record<string, unknown> {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name, namespace, labels: { ...podLabels } },
    // One pod at a time: node drains proceed, but never take several replicas at once.
    spec: { maxUnavailable: 1, selector: { matchLabels: { ...podLabels } } },
  };
}

export function serviceObject(props: {
  name: string;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  selector: Readonly<Record<string, string>>;
  port: number;
  targetPort: string;
  portName: string;
  headless?: boolean;
}): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
    spec: {
      type: "ClusterIP",
      ...(props.headless ? { clusterIP: "None" } : {}),
      selector: { ...props.selector },
      ports: [{ name: props.portName, port: props.port, targetPort: props.targetPort, protocol: "TCP" }],
    },
  };
}

export function serviceAccountObject(name: string, namespace: string, roleArn: string, labels: Readonly<Record<string, string>>): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name, namespace, labels: { ...labels }, annotations: { [IRSA_ROLE_ANNOTATION]: roleArn } },
    // The server never calls the Kubernetes API: no API token in its pods. IRSA does not need
    // it (EKS's pod identity webhook projects its own token for sts.amazonaws.com).
    automountServiceAccountToken: false,
  };
}
