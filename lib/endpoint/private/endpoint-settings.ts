import { Construct } from "constructs";
import { Environment } from "../../core/environment";
import { Validator, formatValue } from "../../core/errors";
import { LibraryShapes, Shape, ShapeSpec } from "../../core/shape";
import { REDACTED, imageReferenceProblem, portProblem, prometheusDurationProblem, secretLiteralKind, secretLiteralProblem, severityProblem } from "../../core/validators";
import { GpuPoolInfo } from "../../gpu-cluster/cluster-interface";
import { Cpu, Memory, RESOURCE_REQUESTS_SHAPE, ResolvedResources, checkResourceQuantities, resourceQuantities } from "../../kubernetes/resources";
import { IN_CLUSTER_PROMETHEUS_URL } from "../../observability/observability";
import { EndpointMetricNames, METRIC_NAME, endpointMetricNames } from "../endpoint-metrics";
import { ModelSource, isModelUri } from "../model-source";
import { COLOURS, Colour, MonitoredEndpointProps } from "../monitored-endpoint-props";
import { ResolvedSlo, resolveSlo } from "../slo";
import { DeliveryInput, ResolvedDelivery, resolveDelivery, validateDelivery } from "./delivery-config";
import { ServingClaims } from "./registry";

/**
 * MonitoredEndpoint's settings: resolve (props and tier defaults) -> validate (every problem at
 * once) -> build (monitored-endpoint.ts, from the resolved settings only).
 */

const NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
/** POSIX-style environment variable names (what a shell can read). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables the endpoint sets itself. */
const RESERVED_ENV = ["MODEL_URI", "PORT", "HOME", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"];
/** Variables of the inference logging contract (lib/endpoint/README.md, "Drift monitoring"). */
const INFERENCE_LOG_ENV = ["INFERENCE_LOG_URI", "INFERENCE_LOG_FORMAT"];

/** A model source: a registry model (`registry.model(...)`, `{ uri }`) or a model image (`{ image }`). */
const MODEL_SOURCE = Shape.either(
  'a model: registry.model(...), { uri: "models:/..." } or { image: "repo:tag" }',
  Shape.like("a registry model", ["uri"]),
  Shape.object({ image: Shape.string() }),
);

/** The shape of MonitoredEndpointProps, for checkShape (types, unknown keys). */
export const ENDPOINT_PROPS_SHAPE: ShapeSpec = {
  name: Shape.string(),
  model: Shape.optional(MODEL_SOURCE),
  blueGreen: Shape.optional(
    Shape.object({
      active: Shape.oneOf(["blue", "green"]),
      blue: Shape.optional(MODEL_SOURCE),
      green: Shape.optional(MODEL_SOURCE),
      idleMinReplicas: Shape.optional(Shape.number()),
    }),
  ),
  image: Shape.string(),
  port: Shape.optional(Shape.number()),
  servicePort: Shape.optional(Shape.number()),
  resources: Shape.optional(RESOURCE_REQUESTS_SHAPE),
  gpu: Shape.optional(Shape.object({ count: Shape.optional(Shape.number()), pool: Shape.optional(Shape.string()) })),
  minReplicas: Shape.optional(Shape.number()),
  maxReplicas: Shape.optional(Shape.number()),
  autoscaling: Shape.optional(
    Shape.object({
      targetCpuUtilization: Shape.optional(Shape.number()),
      targetRequestsPerSecond: Shape.optional(Shape.number()),
      demand: Shape.optional(
        Shape.object({
          requestsPerSecond: Shape.optional(Shape.number()),
          gauge: Shape.optional(
            Shape.object({
              metric: Shape.string(),
              targetPerReplica: Shape.number(),
              activation: Shape.optional(Shape.number()),
              selector: Shape.optional(Shape.string()),
            }),
          ),
          gpuUtilization: Shape.optional(Shape.number()),
          scaleToZero: Shape.optional(Shape.boolean()),
          cooldownSeconds: Shape.optional(Shape.number()),
          scaleDownStabilizationSeconds: Shape.optional(Shape.number()),
          pollingSeconds: Shape.optional(Shape.number()),
        }),
      ),
    }),
  ),
  rollout: Shape.optional(
    Shape.object({
      strategy: Shape.like("RolloutStrategy.canary([...]) or RolloutStrategy.blueGreen()", ["kind", "steps"]),
      analysis: Shape.optional(
        Shape.object({
          maxErrorRatio: Shape.optional(Shape.number()),
          latencyQuantile: Shape.optional(Shape.number()),
          maxLatencySeconds: Shape.optional(Shape.number()),
          quality: Shape.optional(Shape.object({ metric: Shape.string(), min: Shape.optional(Shape.number()), max: Shape.optional(Shape.number()) })),
          interval: Shape.optional(Shape.string()),
          failureLimit: Shape.optional(Shape.number()),
        }),
      ),
      smokeTestPath: Shape.optional(Shape.string()),
    }),
  ),
  prometheusUrl: Shape.optional(Shape.string()),
  cluster: LibraryShapes.cluster,
  serviceAccountRole: LibraryShapes.serviceAccountRole,
  trackingUri: Shape.optional(Shape.string()),
  features: Shape.optional(Shape.like("a FeatureStore (or { featureStoreYaml })", ["featureStoreYaml"])),
  env: Shape.optional(Shape.record(Shape.string())),
  secretEnv: Shape.optional(Shape.record(Shape.object({ secretArn: Shape.string(), property: Shape.optional(Shape.string()) }, "{ secretArn, property? }"))),
  readinessPath: Shape.optional(Shape.string()),
  livenessPath: Shape.optional(Shape.string()),
  metrics: Shape.optional(
    Shape.object({
      prefix: Shape.optional(Shape.string()),
      driftMetric: Shape.optional(Shape.string()),
      driftSelector: Shape.optional(Shape.string()),
      gauges: Shape.optional(Shape.array(Shape.string())),
      port: Shape.optional(Shape.number()),
      path: Shape.optional(Shape.string()),
    }),
  ),
  slo: Shape.optional(
    Shape.object({
      latencyObjectiveSeconds: Shape.optional(Shape.number()),
      errorRatioObjective: Shape.optional(Shape.number()),
      breachFor: Shape.optional(Shape.string()),
      expectTraffic: Shape.optional(Shape.boolean()),
      noTrafficMinutes: Shape.optional(Shape.number()),
      saturationFor: Shape.optional(Shape.string()),
      driftThreshold: Shape.optional(Shape.number()),
      driftFor: Shape.optional(Shape.string()),
      severity: Shape.optional(Shape.string()),
    }),
  ),
  inferenceLogs: Shape.optional(Shape.like("an InferenceLogBucket", ["logUri", "grantWrite"])),
  createNamespace: Shape.optional(Shape.boolean()),
  // Renamed in 0.2 (units in names, as GPU pools' minNodes/maxNodes).
  replicas: Shape.renamed("minReplicas", "maxReplicas"),
};

/** One model the endpoint serves: the endpoint's model, or one colour's of blue/green. */
export interface ServedModel {
  readonly colour?: Colour;
  readonly model: ModelSource;
}

/** Every setting of an endpoint, from its props and the environment's tier. */
export interface EndpointSettings {
  readonly namespace: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly slo: ResolvedSlo;
  readonly metricNames: EndpointMetricNames;
  readonly metricsPrefix: string;
  readonly port: number;
  readonly metricsPort: number;
  readonly servicePort: number;
  readonly targetCpu: number;
  readonly rps?: number;
  readonly readinessPath: string;
  readonly livenessPath: string;
  /** Path the ServiceMonitor scrapes. */
  readonly metricsPath: string;
  /** Minimum replicas of the idle colour of `blueGreen`. */
  readonly idleMinReplicas: number;
  readonly activeColour?: Colour;
  /** The models served: `model`, or each colour of `blueGreen` that has one. */
  readonly models: readonly ServedModel[];
  /** GPUs per pod (checked only with `gpu`). */
  readonly gpuCount: number;
  /** The GPU pool `gpu` names (or the first), if the cluster has it. */
  readonly gpuPool?: GpuPoolInfo;
  /** Where the pods run with `gpu`: the pool's node selector and the GPUs per pod. */
  readonly gpu?: { readonly count: number; readonly nodeSelector: Readonly<Record<string, string>> };
  readonly resources: ResolvedResources;
  /** Autoscaling on demand (KEDA) and progressive delivery (Argo Rollouts); undefined parts are off. */
  readonly delivery: ResolvedDelivery;
}

/** Resolves each prop to its value or its tier default (the `@default`s of MonitoredEndpointProps); checks nothing. */
export function resolveEndpointSettings(props: MonitoredEndpointProps, env: Environment): EndpointSettings {
  const minReplicas = props.minReplicas ?? env.byTier({ development: 1, staging: 2, production: 2 });
  const port = props.port ?? 8080;
  const readinessPath = props.readinessPath ?? "/health";
  const models: ServedModel[] = props.blueGreen
    ? COLOURS.flatMap((colour) => (props.blueGreen![colour] ? [{ colour, model: props.blueGreen![colour]! }] : []))
    : props.model
      ? [{ model: props.model }]
      : [];
  const gpuCount = props.gpu?.count ?? 1;
  const pools = props.cluster.gpuPools;
  const gpuPool = props.gpu ? (props.gpu.pool === undefined ? pools[0] : pools.find((p) => p.name === props.gpu!.pool)) : undefined;
  const base = {
    namespace: props.serviceAccountRole.namespace,
    minReplicas,
    maxReplicas: props.maxReplicas ?? Math.max(minReplicas, env.byTier({ development: 2, staging: 4, production: 8 })),
    slo: resolveSlo(props.slo ?? {}, env.isProduction),
    metricNames: endpointMetricNames(props.metrics),
    metricsPrefix: props.metrics?.prefix ?? "model",
    port,
    metricsPort: props.metrics?.port ?? port,
    servicePort: props.servicePort ?? 80,
    targetCpu: props.autoscaling?.targetCpuUtilization ?? 70,
    ...(props.autoscaling?.targetRequestsPerSecond !== undefined ? { rps: props.autoscaling.targetRequestsPerSecond } : {}),
    readinessPath,
    livenessPath: props.livenessPath ?? readinessPath,
    metricsPath: props.metrics?.path ?? "/metrics",
    idleMinReplicas: props.blueGreen?.idleMinReplicas ?? minReplicas,
    ...(props.blueGreen ? { activeColour: props.blueGreen.active } : {}),
    models,
    gpuCount,
    ...(gpuPool ? { gpuPool } : {}),
    ...(props.gpu && gpuPool ? { gpu: { count: gpuCount, nodeSelector: gpuPool.nodeSelector } } : {}),
    resources: resourceQuantities(props.resources, props.gpu ? { cpu: Cpu.cores(2), memory: Memory.gibibytes(8) } : { cpu: Cpu.cores(1), memory: Memory.gibibytes(2) }),
  };
  return { ...base, delivery: resolveDelivery(env, deliveryInput(props, base)) };
}

/** What the delivery settings are resolved and checked from. */
function deliveryInput(props: MonitoredEndpointProps, s: Omit<EndpointSettings, "delivery">): DeliveryInput {
  return {
    demand: props.autoscaling?.demand,
    rollout: props.rollout,
    blueGreen: props.blueGreen !== undefined,
    prometheusUrl: props.prometheusUrl ?? IN_CLUSTER_PROMETHEUS_URL,
    minReplicas: s.minReplicas,
    maxReplicas: s.maxReplicas,
    gpu: props.gpu !== undefined,
    metrics: s.metricNames,
    slo: s.slo,
    readinessPath: s.readinessPath,
  };
}

/**
 * Every problem of the props and resolved settings, as one ConfigError (nothing is built
 * before). Claims the endpoint's name and service account in its namespace (ServingClaims).
 */
export function validateEndpointSettings(owner: Construct, env: Environment, props: MonitoredEndpointProps, s: EndpointSettings): void {
  const v = new Validator(owner.node.path);
  v.check(NAME.test(props.name), "name", props.name, "must be 1 to 40 lowercase letters, digits or '-', starting with a letter");
  v.check(Number.isInteger(s.minReplicas) && s.minReplicas >= 1, "minReplicas", s.minReplicas, "must be a whole number >= 1");
  v.check(s.maxReplicas >= s.minReplicas, "maxReplicas", s.maxReplicas, `must be >= minReplicas (${s.minReplicas})`);
  v.check(Number.isInteger(s.maxReplicas), "maxReplicas", s.maxReplicas, "must be a whole number");
  v.check(s.slo.latencyObjectiveSeconds > 0, "slo.latencyObjectiveSeconds", s.slo.latencyObjectiveSeconds, "must be a number of seconds > 0");
  v.check(
    s.slo.errorRatioObjective > 0 && s.slo.errorRatioObjective < 1,
    "slo.errorRatioObjective",
    s.slo.errorRatioObjective,
    "must be a ratio strictly between 0 and 1, e.g. 0.01 for 1%",
  );
  v.check(Number.isInteger(s.slo.noTrafficMinutes) && s.slo.noTrafficMinutes >= 1, "slo.noTrafficMinutes", s.slo.noTrafficMinutes, "must be a whole number of minutes >= 1");
  v.check(Number.isFinite(s.slo.driftThreshold), "slo.driftThreshold", s.slo.driftThreshold, "must be a finite number");
  for (const field of ["breachFor", "saturationFor", "driftFor"] as const) {
    v.checkProblem(`slo.${field}`, s.slo[field], prometheusDurationProblem(s.slo[field]));
  }
  for (const [field, metric] of Object.entries({ "metrics.prefix": s.metricsPrefix, "metrics.driftMetric": s.metricNames.driftScore })) {
    v.check(METRIC_NAME.test(metric), field, metric, "must be a Prometheus metric name (letters, digits, _ and :)");
  }
  const driftSelector = props.metrics?.driftSelector;
  if (driftSelector !== undefined) {
    v.check(
      /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"[^"]*"(\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"[^"]*")*\s*$/.test(driftSelector),
      "metrics.driftSelector",
      driftSelector,
      'must be PromQL label matchers without braces, e.g. job="drift-monitor",model="fraud"',
    );
  }
  for (const [field, p] of Object.entries({ port: s.port, "metrics.port": s.metricsPort })) {
    if (field === "metrics.port" && props.metrics?.port === undefined) continue; // the same value as port, judged once
    v.check(Number.isInteger(p) && p >= 1024 && p <= 65535, field, p, "must be a port from 1024 to 65535 (the container runs as non-root)");
  }
  v.check(Number.isInteger(s.targetCpu) && s.targetCpu >= 10 && s.targetCpu <= 100, "autoscaling.targetCpuUtilization", s.targetCpu, "must be a whole percent from 10 to 100");
  if (s.rps !== undefined) v.check(s.rps > 0, "autoscaling.targetRequestsPerSecond", s.rps, "must be > 0");

  // The models: model, or the colours of blue/green.
  const models = s.models;
  if (props.blueGreen) {
    v.check(props.model === undefined, "model", describeSource(props.model), "give either model or blueGreen, not both: with blueGreen each colour names its model");
    v.check(COLOURS.includes(props.blueGreen.active), "blueGreen.active", props.blueGreen.active, 'must be "blue" or "green"');
    const active = props.blueGreen.active;
    v.check(props.blueGreen[active] !== undefined, `blueGreen.${active}`, undefined, `the active colour "${active}" must have a model version (a models:/ URI or an image)`);
    const idle = props.blueGreen.idleMinReplicas;
    if (idle !== undefined) {
      v.check(Number.isInteger(idle) && idle >= 1 && idle <= s.maxReplicas, "blueGreen.idleMinReplicas", idle, `must be a whole number from 1 to maxReplicas (${s.maxReplicas})`);
    }
  } else if (!props.model) {
    v.check(false, "model", undefined, "give the model to serve (a models:/ URI or an image), or blueGreen with a model per colour");
  }
  for (const { colour, model } of models) {
    const field = colour ? `blueGreen.${colour}` : "model";
    if (isModelUri(model)) {
      v.check(model.uri.startsWith("models:/"), `${field}.uri`, model.uri, "must be an MLflow model URI such as models:/fraud@champion or models:/fraud/3");
    } else {
      v.check(typeof model.image === "string" && model.image.length > 0, `${field}.image`, model.image, "must be an image reference");
    }
  }

  const credentialArns = [...new Set(models.flatMap(({ model }) => (isModelUri(model) && model.credentials ? [model.credentials.secretArn] : [])))];
  v.check(
    credentialArns.length <= 1,
    "blueGreen",
    models.map(({ model }) => describeSource(model)).join(", "),
    "every colour must come from the same model registry: the endpoint's pods log in to one MLflow tracking server",
  );

  // GPU: which pool.
  if (props.gpu) {
    const pools = props.cluster.gpuPools;
    const count = s.gpuCount;
    v.check(Number.isInteger(count) && count >= 1, "gpu.count", count, "must be a whole number of GPUs >= 1");
    if (pools.length === 0) {
      v.check(
        false,
        "gpu",
        props.gpu,
        `environment "${env.name}" has no GPU pool in cluster "${props.cluster.clusterName}": add a GPU pool to the cluster, or serve on CPU (omit gpu)`,
      );
    } else {
      const pool = s.gpuPool;
      if (!pool) {
        v.check(false, "gpu.pool", props.gpu.pool, `must be one of the cluster's GPU pools: ${pools.map((p) => formatValue(p.name)).join(", ")}`);
      } else {
        v.check(count <= pool.gpusPerNode, "gpu.count", count, `must be <= ${pool.gpusPerNode}, the GPUs per node of pool "${pool.name}"`);
      }
    }
  }
  checkResourceQuantities(v, "resources", s.resources);
  v.checkProblem("image", props.image, imageReferenceProblem(props.image));
  for (const { colour, model } of models) {
    if (!isModelUri(model) && typeof model.image === "string" && model.image.length > 0) {
      const problem = imageReferenceProblem(model.image);
      v.checkProblem(`${colour ? `blueGreen.${colour}` : "model"}.image`, model.image, problem);
    }
  }
  if (props.servicePort !== undefined) v.checkProblem("servicePort", props.servicePort, portProblem(props.servicePort));
  v.check(
    !(env.isProduction && s.minReplicas < 2),
    "minReplicas",
    s.minReplicas,
    "production endpoints need at least 2 replicas, so that a node drain or a crash does not take the model offline",
  );
  if (props.slo?.severity !== undefined) v.checkProblem("slo.severity", props.slo.severity, severityProblem(props.slo.severity));
  if (props.trackingUri !== undefined) {
    const secret = secretLiteralKind(props.trackingUri);
    v.check(
      secret === undefined,
      "trackingUri",
      REDACTED,
      `looks like ${secret}: give the tracking server's URL without credentials; the endpoint logs in with the registry's reader credentials (registry.model(...)) or secretEnv`,
    );
  }
  for (const [name, value] of Object.entries(props.env ?? {})) {
    v.check(ENV_NAME.test(name), `env[${JSON.stringify(name)}]`, name, "environment variable names must be letters, digits and _, not starting with a digit");
    const secret = secretLiteralProblem(value, name, `pass it as secretEnv: { ${name}: { secretArn, property } } (a Secrets Manager secret synced by External Secrets)`);
    v.checkProblem(`env[${JSON.stringify(name)}]`, REDACTED, secret);
    v.check(!RESERVED_ENV.includes(name), `env[${JSON.stringify(name)}]`, name, `is set by the endpoint itself (${RESERVED_ENV.join(", ")}); use the matching prop instead`);
    if (props.inferenceLogs) v.check(!INFERENCE_LOG_ENV.includes(name), `env[${JSON.stringify(name)}]`, name, `is set by inferenceLogs (${INFERENCE_LOG_ENV.join(", ")})`);
  }
  for (const [name, ref] of Object.entries(props.secretEnv ?? {})) {
    v.check(ENV_NAME.test(name), `secretEnv[${JSON.stringify(name)}]`, name, "environment variable names must be letters, digits and _, not starting with a digit");
    v.check(
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(ref.secretArn),
      `secretEnv[${JSON.stringify(name)}].secretArn`,
      ref.secretArn,
      "must be the ARN of a Secrets Manager secret",
    );
    v.check(!(props.env ?? {})[name], `secretEnv[${JSON.stringify(name)}]`, name, "is also set in env; set it in one place");
  }

  // Names and service accounts are unique per namespace in this stack (ServingClaims, held in the construct tree).
  v.addProblems(ServingClaims.of(owner).claim(owner, s.namespace, NAME.test(props.name) ? props.name : undefined, props.serviceAccountRole.serviceAccount));
  validateDelivery(v, env, deliveryInput(props, s), s.delivery);
  v.throwIfAny();
}

function describeSource(model: ModelSource | undefined): string | undefined {
  if (!model) return undefined;
  return isModelUri(model) ? model.uri : model.image;
}
