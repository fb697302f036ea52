import { Cpu, Memory, RESOURCE_REQUESTS_SHAPE, resolveResources } from "../kubernetes/resources";
import { Construct } from "constructs";
import { ConditionalResources } from "../core/stack-records";
import { TerraformResource } from "cdktf";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { Environment } from "../core/environment";
import { base64Of } from "../core/encoding";
import { Validator, formatValue } from "../core/errors";
import { SyncedSecret } from "../kubernetes/external-secrets";
import { SERVER_PORTS, allowPolicy } from "../kubernetes/network-policy";
import { PrometheusRule, ServiceMonitor } from "../kubernetes/monitoring";
import { GPU_TOLERATION } from "../kubernetes/kubernetes";
import { GrafanaDashboard } from "../observability/dashboard";
import { METRIC_NAME, endpointMetricNames, EndpointMetricNames } from "./endpoint-metrics";
import { IN_CLUSTER_PROMETHEUS_URL } from "../observability/observability";
import { resolveDelivery, ResolvedDelivery, ResolvedDemand, ResolvedRollout } from "./private/delivery-config";
import {
  AnalysisMetric,
  POD_TEMPLATE_HASH_LABEL,
  PrometheusTrigger,
  ROLLOUTS_API,
  analysisTemplate,
  kedaHpaName,
  rolloutObject,
  scaledObject,
  smokeTestTemplate,
} from "./private/delivery";
import { COLOURS, Colour, MonitoredEndpointProps } from "./monitored-endpoint-props";
import { ModelSource, TrackingCredentials, isModelUri } from "./model-source";
import { ResolvedSlo, SloTarget, resolveSlo, sloRuleGroup } from "./slo";
import { endpointDashboard } from "./private/dashboard";
import { KubernetesObject } from "./private/kubernetes-object";
import { ServingClaims, servingNamespace } from "./private/registry";
import {
  COLOUR_LABEL,
  ENDPOINT_LABEL,
  METRICS_PORT_NAME,
  METRICS_SERVICE_LABEL,
  SERVING_PORT_NAME,
  autoscalerObject,
  deploymentObject,
  disruptionBudgetObject,
  serviceAccountObject,
  serviceObject,
} from "./private/workload";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { REDACTED, prometheusDurationProblem, imageReferenceProblem, portProblem, secretLiteralKind, secretLiteralProblem, severityProblem } from "../core/validators";

const NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
/** POSIX-style environment variable names (what a shell can read). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables the endpoint sets itself. */
const RESERVED_ENV = ["MODEL_URI", "PORT", "HOME", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"];
/** Variables of the inference logging contract (lib/endpoint/README.md, "Drift monitoring"). */
const INFERENCE_LOG_ENV = ["INFERENCE_LOG_URI", "INFERENCE_LOG_FORMAT"];

/** One colour (or the only Deployment): its Deployment, autoscaler and disruption budget. */
export interface EndpointWorkload {
  readonly colour?: Colour;
  readonly model: ModelSource;
  readonly deployment: TerraformResource;
  readonly autoscaler: TerraformResource;
  readonly disruptionBudget: TerraformResource;
}

/**
 * A model endpoint as an ML platform team runs it: a hardened, autoscaled Deployment per
 * colour, a Service, an IRSA service account, a ServiceMonitor, SLO alerts and a Grafana
 * dashboard. See lib/endpoint/README.md for the metrics the server must expose.
 */
/** A model source: a registry model (`registry.model(...)`, `{ uri }`) or a model image (`{ image }`). */
const MODEL_SOURCE = Shape.either(
  'a model: registry.model(...), { uri: "models:/..." } or { image: "repo:tag" }',
  Shape.like("a registry model", ["uri"]),
  Shape.object({ image: Shape.string() }),
);

export class MonitoredEndpoint extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The cluster the endpoint runs on. */
  public readonly cluster: ITrainingCluster;
  public readonly activeColour?: Colour;
  public readonly service: TerraformResource;
  public readonly metricsService: TerraformResource;
  public readonly serviceAccount: TerraformResource;
  public readonly workloads: readonly EndpointWorkload[];
  public readonly serviceMonitor: ServiceMonitor;
  public readonly rules: PrometheusRule;
  public readonly dashboard: GrafanaDashboard;
  /** The SLO AnalysisTemplate of a Rollout (`rollout` set). */
  public readonly analysisTemplate?: TerraformResource;
  public readonly slo: ResolvedSlo;
  public readonly metricNames: EndpointMetricNames;
  public readonly minReplicas: number;
  public readonly maxReplicas: number;
  /** Autoscaling on demand (KEDA) and progressive delivery (Argo Rollouts), resolved; undefined parts are off. */
  private readonly delivery: ResolvedDelivery;

  constructor(scope: Construct, id: string, props: MonitoredEndpointProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
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
      replicas: Shape.optional(Shape.object({ min: Shape.optional(Shape.number()), max: Shape.optional(Shape.number()) })),
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
    });
    const env = Environment.of(this);
    const v = new Validator(this.node.path);
    this.name = props.name;
    this.cluster = props.cluster;
    this.namespace = props.serviceAccountRole.namespace;
    this.minReplicas = props.replicas?.min ?? env.byTier({ development: 1, staging: 2, production: 2 });
    this.maxReplicas = props.replicas?.max ?? Math.max(this.minReplicas, env.byTier({ development: 2, staging: 4, production: 8 }));
    this.slo = resolveSlo(props.slo ?? {}, env.isProduction);
    this.metricNames = endpointMetricNames(props.metrics);
    const port = props.port ?? 8080;
    const metricsPort = props.metrics?.port ?? port;
    const targetCpu = props.autoscaling?.targetCpuUtilization ?? 70;
    const rps = props.autoscaling?.targetRequestsPerSecond;

    // ---- validation: one problem per line ----
    v.check(NAME.test(props.name), "name", props.name, "must be 1 to 40 lowercase letters, digits or '-', starting with a letter");
    v.check(Number.isInteger(this.minReplicas) && this.minReplicas >= 1, "replicas.min", this.minReplicas, "must be a whole number >= 1");
    v.check(this.maxReplicas >= this.minReplicas, "replicas.max", this.maxReplicas, `must be >= replicas.min (${this.minReplicas})`);
    v.check(Number.isInteger(this.maxReplicas), "replicas.max", this.maxReplicas, "must be a whole number");
    v.check(this.slo.latencyObjectiveSeconds > 0, "slo.latencyObjectiveSeconds", this.slo.latencyObjectiveSeconds, "must be a number of seconds > 0");
    v.check(
      this.slo.errorRatioObjective > 0 && this.slo.errorRatioObjective < 1,
      "slo.errorRatioObjective",
      this.slo.errorRatioObjective,
      "must be a ratio strictly between 0 and 1, e.g. 0.01 for 1%",
    );
    v.check(
      Number.isInteger(this.slo.noTrafficMinutes) && this.slo.noTrafficMinutes >= 1,
      "slo.noTrafficMinutes",
      this.slo.noTrafficMinutes,
      "must be a whole number of minutes >= 1",
    );
    v.check(Number.isFinite(this.slo.driftThreshold), "slo.driftThreshold", this.slo.driftThreshold, "must be a finite number");
    for (const field of ["breachFor", "saturationFor", "driftFor"] as const) {
      v.check(prometheusDurationProblem(this.slo[field]) === undefined, `slo.${field}`, this.slo[field], prometheusDurationProblem(this.slo[field]) ?? "");
    }
    for (const [field, metric] of Object.entries({ "metrics.prefix": props.metrics?.prefix ?? "model", "metrics.driftMetric": this.metricNames.driftScore })) {
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
    for (const [field, p] of Object.entries({ port, "metrics.port": metricsPort })) {
      if (field === "metrics.port" && props.metrics?.port === undefined) continue; // the same value as port, judged once
      v.check(Number.isInteger(p) && p >= 1024 && p <= 65535, field, p, "must be a port from 1024 to 65535 (the container runs as non-root)");
    }
    v.check(Number.isInteger(targetCpu) && targetCpu >= 10 && targetCpu <= 100, "autoscaling.targetCpuUtilization", targetCpu, "must be a whole percent from 10 to 100");
    if (rps !== undefined) v.check(rps > 0, "autoscaling.targetRequestsPerSecond", rps, "must be > 0");

    // The models: model, or the colours of blue/green.
    const models: { colour?: Colour; model: ModelSource }[] = [];
    if (props.blueGreen) {
      v.check(props.model === undefined, "model", describeSource(props.model), "give either model or blueGreen, not both: with blueGreen each colour names its model");
      v.check(COLOURS.includes(props.blueGreen.active), "blueGreen.active", props.blueGreen.active, 'must be "blue" or "green"');
      const active = props.blueGreen.active;
      v.check(props.blueGreen[active] !== undefined, `blueGreen.${active}`, undefined, `the active colour "${active}" must have a model version (a models:/ URI or an image)`);
      const idle = props.blueGreen.idleMinReplicas;
      if (idle !== undefined) {
        v.check(
          Number.isInteger(idle) && idle >= 1 && idle <= this.maxReplicas,
          "blueGreen.idleMinReplicas",
          idle,
          `must be a whole number from 1 to replicas.max (${this.maxReplicas})`,
        );
      }
      for (const colour of COLOURS) {
        const model = props.blueGreen[colour];
        if (model) models.push({ colour, model });
      }
    } else if (props.model) {
      models.push({ model: props.model });
    } else {
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
    let gpu: { count: number; nodeSelector: Readonly<Record<string, string>> } | undefined;
    if (props.gpu) {
      const pools = props.cluster.gpuPools;
      const count = props.gpu.count ?? 1;
      v.check(Number.isInteger(count) && count >= 1, "gpu.count", count, "must be a whole number of GPUs >= 1");
      if (pools.length === 0) {
        v.check(
          false,
          "gpu",
          props.gpu,
          `environment "${env.name}" has no GPU pool in cluster "${props.cluster.clusterName}": add a GPU pool to the cluster, or serve on CPU (omit gpu)`,
        );
      } else {
        const pool = props.gpu.pool === undefined ? pools[0] : pools.find((p) => p.name === props.gpu!.pool);
        if (!pool) {
          v.check(false, "gpu.pool", props.gpu.pool, `must be one of the cluster's GPU pools: ${pools.map((p) => formatValue(p.name)).join(", ")}`);
        } else {
          v.check(count <= pool.gpusPerNode, "gpu.count", count, `must be <= ${pool.gpusPerNode}, the GPUs per node of pool "${pool.name}"`);
          gpu = { count, nodeSelector: pool.nodeSelector };
        }
      }
    }
    const { cpu, memory, memoryLimit } = resolveResources(
      v,
      "resources",
      props.resources,
      props.gpu ? { cpu: Cpu.cores(2), memory: Memory.gibibytes(8) } : { cpu: Cpu.cores(1), memory: Memory.gibibytes(2) },
    );
    v.check(imageReferenceProblem(props.image) === undefined, "image", props.image, imageReferenceProblem(props.image) ?? "");
    for (const { colour, model } of models) {
      if (!isModelUri(model) && typeof model.image === "string" && model.image.length > 0) {
        const problem = imageReferenceProblem(model.image);
        v.check(problem === undefined, `${colour ? `blueGreen.${colour}` : "model"}.image`, model.image, problem ?? "");
      }
    }
    if (props.servicePort !== undefined) v.check(portProblem(props.servicePort) === undefined, "servicePort", props.servicePort, portProblem(props.servicePort) ?? "");
    v.check(
      !(env.isProduction && this.minReplicas < 2),
      "replicas.min",
      this.minReplicas,
      "production endpoints need at least 2 replicas, so that a node drain or a crash does not take the model offline",
    );
    if (props.slo?.severity !== undefined)
      v.check(severityProblem(props.slo.severity) === undefined, "slo.severity", props.slo.severity, severityProblem(props.slo.severity) ?? "");
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
      v.check(secret === undefined, `env[${JSON.stringify(name)}]`, REDACTED, secret ?? "");
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
    v.addProblems(ServingClaims.of(this).claim(this, this.namespace, NAME.test(props.name) ? props.name : undefined, props.serviceAccountRole.serviceAccount));
    this.delivery = resolveDelivery(v, env, {
      demand: props.autoscaling?.demand,
      rollout: props.rollout,
      blueGreen: props.blueGreen !== undefined,
      prometheusUrl: props.prometheusUrl ?? IN_CLUSTER_PROMETHEUS_URL,
      minReplicas: this.minReplicas,
      maxReplicas: this.maxReplicas,
      gpu: props.gpu !== undefined,
      metrics: this.metricNames,
      slo: this.slo,
      readinessPath: props.readinessPath ?? "/health",
    });
    v.throwIfAny();

    // ---- resources ----
    this.activeColour = props.blueGreen?.active;
    const ns = this.namespace;
    const inNamespace: TerraformResource[] = props.createNamespace === false ? [] : [servingNamespace(this, ns)];
    const labels = { "app.kubernetes.io/name": props.name, "app.kubernetes.io/managed-by": "cdktf-ml-platform", [ENDPOINT_LABEL]: props.name };

    const saName = props.serviceAccountRole.serviceAccount;
    this.serviceAccount = new KubernetesObject(this, "service-account", serviceAccountObject(saName, ns, props.serviceAccountRole.roleArn, labels));
    dependOn(this.serviceAccount, inNamespace);

    const features = props.features;
    const envVars: Record<string, string> = {
      ...(props.trackingUri ? { MLFLOW_TRACKING_URI: props.trackingUri } : {}),
      ...(features ? { FEATURE_STORE_YAML_BASE64: base64Of(this, "feature-store-yaml", features.featureStoreYaml) } : {}),
      ...(props.inferenceLogs ? { INFERENCE_LOG_URI: props.inferenceLogs.logUri(props.name), INFERENCE_LOG_FORMAT: "jsonl" } : {}),
      ...(props.env ?? {}),
    };
    // The server writes its own log prefix, nothing else (no read, list or delete).
    props.inferenceLogs?.grantWrite(props.serviceAccountRole, props.name);
    const readinessPath = props.readinessPath ?? "/health";
    // A Redis online store's password: synced by External Secrets as the endpoint's own service account.
    const onlineSecret = features?.onlineStoreSecret;
    let synced: SyncedSecret | undefined;
    if (onlineSecret) {
      synced = new SyncedSecret(this, "online-store-secret", {
        namespace: ns,
        serviceAccount: saName,
        targetSecret: `${props.name}-online-store`,
        remoteSecret: onlineSecret.secretArn,
        keys: { password: onlineSecret.property },
      });
      dependOn(synced.store, [this.serviceAccount]);
      // The Redis online store (ElastiCache, in the VPC), past the serving namespace's default deny.
      if (inNamespace.length > 0) {
        allowPolicy(
          this,
          ns,
          {
            name: `${props.name}-redis`,
            direction: "egress",
            pods: { [ENDPOINT_LABEL]: props.name },
            peers: [{ cidr: Environment.of(this).vpcCidr }],
            ports: [{ port: SERVER_PORTS.redis }],
          },
          inNamespace,
        );
      }
    }
    const secretEnv = onlineSecret && synced ? [{ name: onlineSecret.environmentVariable, secret: synced.secretName, key: "password" }] : [];
    // The user's own secrets, each synced from Secrets Manager as the endpoint's service account: never a literal in the JSON.
    const userSecrets = Object.entries(props.secretEnv ?? {});
    if (userSecrets.length > 0) {
      userSecrets.forEach(([name, ref], i) => {
        const userSecret = new SyncedSecret(this, `secret-env-${i}`, {
          namespace: ns,
          serviceAccount: saName,
          targetSecret: `${props.name}-env-${i}`,
          remoteSecret: ref.secretArn,
          keys: { value: ref.property ?? "value" },
        });
        dependOn(userSecret.store, [this.serviceAccount]);
        props.serviceAccountRole.addToPolicy({ actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: [ref.secretArn] });
        secretEnv.push({ name, secret: userSecret.secretName, key: "value" });
      });
    }
    // The MLflow user the server resolves models:/ URIs as (basic auth): synced as the endpoint's own service account.
    const credentials = trackingCredentials(models.map((m) => m.model));
    let trackingSecret: SyncedSecret | undefined;
    if (credentials) {
      trackingSecret = new SyncedSecret(this, "tracking-credentials", {
        namespace: ns,
        serviceAccount: saName,
        targetSecret: `${props.name}-mlflow-credentials`,
        remoteSecret: credentials.secretArn,
        keys: { username: "username", password: "password" },
        refreshInterval: "15m",
      });
      dependOn(trackingSecret.store, [this.serviceAccount]);
      secretEnv.push(
        { name: "MLFLOW_TRACKING_USERNAME", secret: trackingSecret.secretName, key: "username" },
        { name: "MLFLOW_TRACKING_PASSWORD", secret: trackingSecret.secretName, key: "password" },
      );
    }
    const secretsFirst = [synced, trackingSecret].filter((x): x is SyncedSecret => x !== undefined).map((x) => x.externalSecret);
    const workloads: EndpointWorkload[] = [];
    const { demand, rollout } = this.delivery;
    const servicePort = props.servicePort ?? 80;
    const autoscalerNames: string[] = [];
    for (const { colour, model } of models) {
      const scopeOf = colour ? new Construct(this, colour) : this;
      const name = colour ? `${props.name}-${colour}` : props.name;
      const podLabels = { [ENDPOINT_LABEL]: props.name, "app.kubernetes.io/name": props.name, ...(colour ? { [COLOUR_LABEL]: colour } : {}) };
      const deploymentManifest = deploymentObject({
        name,
        namespace: ns,
        podLabels,
        image: props.image,
        model,
        port,
        metricsPort,
        cpu,
        memory,
        memoryLimit,
        gpu,
        serviceAccount: saName,
        env: envVars,
        secretEnv,
        readinessPath,
        livenessPath: props.livenessPath ?? readinessPath,
      });
      let deployment: TerraformResource;
      let target = { apiVersion: "apps/v1", kind: "Deployment" };
      if (rollout) {
        // The Rollout owns the pods; the cluster rolls a new model out (no wait: Terraform declares, Argo Rollouts delivers).
        target = { apiVersion: ROLLOUTS_API, kind: "Rollout" };
        deployment = new KubernetesObject(
          scopeOf,
          "rollout",
          rolloutObject({
            name,
            namespace: ns,
            labels: podLabels,
            selector: podLabels,
            template: (deploymentManifest.spec as { template: Record<string, unknown> }).template,
            strategy: rollout.strategy,
            steps: rollout.steps,
            services: rollout.strategy === "canary" ? { canary: `${props.name}-canary` } : { active: props.name, preview: `${props.name}-preview` },
            analysisTemplates: [`${props.name}-slo`],
            smokeTemplate: `${props.name}-smoke-test`,
          }),
        );
      } else {
        deployment = new KubernetesObject(scopeOf, "deployment", deploymentManifest, true, gpu ? "30m" : undefined);
      }
      // Terraform waits until the new pods are ready, so a failed rollout fails the apply; GPU pods may first
      // wait for a node to scale up from zero and pull a multi-GB CUDA image, hence the longer timeout.
      dependOn(deployment, [this.serviceAccount, ...secretsFirst]);
      const minReplicas = colour && colour !== this.activeColour ? (props.blueGreen?.idleMinReplicas ?? this.minReplicas) : this.minReplicas;
      // The capacity model counts the autoscaler's minimum: what must run at once.
      props.cluster.capacity.addWorkload(scopeOf, {
        kind: rollout ? "Rollout" : "Deployment",
        namespace: ns,
        name,
        replicas: demand ? Math.min(minReplicas, demand.minReplicas) : minReplicas,
        requests: { cpu, memory, ...(gpu ? { gpus: gpu.count } : {}) },
        ...(gpu ? { nodeSelector: gpu.nodeSelector, tolerations: [{ ...GPU_TOLERATION }] } : {}),
      });
      let autoscaler: TerraformResource;
      if (demand) {
        autoscaler = new KubernetesObject(
          scopeOf,
          "scaled-object",
          scaledObject({
            name,
            namespace: ns,
            labels: podLabels,
            target: { ...target, name },
            minReplicas: Math.min(minReplicas, demand.minReplicas),
            maxReplicas: this.maxReplicas,
            prometheusUrl: this.delivery.prometheusUrl,
            triggers: demandTriggers(this.metricNames, demand, ns, `${props.name}-metrics`, name),
            targetCpuUtilization: targetCpu,
            pollingSeconds: demand.pollingSeconds,
            cooldownSeconds: demand.cooldownSeconds,
            scaleDownStabilizationSeconds: demand.scaleDownStabilizationSeconds,
          }),
        );
        autoscalerNames.push(kedaHpaName(name));
      } else {
        autoscaler = new KubernetesObject(
          scopeOf,
          "autoscaler",
          autoscalerObject({
            name,
            namespace: ns,
            labels: podLabels,
            maxReplicas: this.maxReplicas,
            targetCpuUtilization: targetCpu,
            minReplicas,
            target,
            ...(rps !== undefined ? { requestsPerSecond: { metric: `${props.metrics?.prefix ?? "model"}_requests_per_second`, target: rps } } : {}),
          }),
        );
        autoscalerNames.push(name);
      }
      dependOn(autoscaler, [deployment]);
      const disruptionBudget = new KubernetesObject(scopeOf, "disruption-budget", disruptionBudgetObject(name, ns, podLabels));
      dependOn(disruptionBudget, inNamespace);
      workloads.push({ colour, model, deployment, autoscaler, disruptionBudget });
    }
    this.workloads = workloads;
    ConditionalResources.of(this).record("blueGreen", this.activeColour ? `blue/green, ${this.activeColour} active` : "off", {
      creates: workloads.map((w) => (w.colour ? w.colour : [w.deployment, w.autoscaler, w.disruptionBudget].map((o) => o.node.id))).flat(),
      reason: "with blueGreen each colour runs its own workload, autoscaler and disruption budget; without, one set",
    });
    ConditionalResources.of(this).record("rollout", rollout ? rollout.strategy : "off", {
      creates: rollout
        ? ["rollout", rollout.strategy === "canary" ? "canary-service" : "preview-service", "smoke-test-template", "analysis-template"]
        : workloads.filter((w) => !w.colour).map((w) => w.deployment.node.id),
      reason: "with rollout the endpoint is an Argo Rollout with its canary or preview Service and AnalysisTemplates; without, a Deployment",
    });
    ConditionalResources.of(this).record("features", onlineSecret ? "an online store with a password (Redis)" : features ? "an online store without a password" : "none", {
      creates: onlineSecret ? ["online-store-secret", ...(inNamespace.length > 0 ? [`${props.name}-redis`] : [])] : [],
      reason: "a Redis online store's password is synced for the endpoint, and a NetworkPolicy lets it reach Redis on 6379",
    });

    // The Service's construct ID never depends on the colour: switching colours updates its selector in place.
    const selector = { [ENDPOINT_LABEL]: props.name, ...(this.activeColour ? { [COLOUR_LABEL]: this.activeColour } : {}) };
    // With a blue/green Rollout, the controller adds the active version's pod-template hash to the selector: not Terraform's to revert.
    this.service = new KubernetesObject(
      this,
      "service",
      serviceObject({ name: props.name, namespace: ns, labels, selector, port: servicePort, targetPort: SERVING_PORT_NAME, portName: SERVING_PORT_NAME }),
      false,
      undefined,
      rollout?.strategy === "blueGreen" ? ["spec.selector"] : undefined,
    );
    dependOn(this.service, inNamespace);
    if (rollout) {
      // The Service the new version answers on before promotion (canary / preview): the smoke test calls it.
      const side = rollout.strategy === "canary" ? "canary" : "preview";
      const sideService = new KubernetesObject(
        this,
        `${side}-service`,
        serviceObject({ name: `${props.name}-${side}`, namespace: ns, labels, selector, port: servicePort, targetPort: SERVING_PORT_NAME, portName: SERVING_PORT_NAME }),
        false,
        undefined,
        ["spec.selector"],
      );
      dependOn(sideService, inNamespace);
      const hostPort = `${props.name}-${side}.${ns}.svc:${servicePort}`;
      const smoke = new KubernetesObject(
        this,
        "smoke-test-template",
        smokeTestTemplate({
          name: `${props.name}-smoke-test`,
          namespace: ns,
          labels,
          url: `http://${hostPort}${rollout.smokeTestPath}`,
        }),
      );
      dependOn(smoke, inNamespace);
      this.analysisTemplate = new KubernetesObject(
        this,
        "analysis-template",
        analysisTemplate({
          name: `${props.name}-slo`,
          namespace: ns,
          labels,
          prometheusUrl: this.delivery.prometheusUrl,
          args: ["canary-hash"],
          metrics: analysisMetrics(this.metricNames, rollout, `namespace="${ns}",service="${props.name}-metrics",${POD_TEMPLATE_HASH_METRIC_LABEL}="{{args.canary-hash}}"`),
          interval: rollout.interval,
          failureLimit: rollout.failureLimit,
        }),
      );
      dependOn(this.analysisTemplate, inNamespace);
    }
    // Every colour is scraped (the idle one too, to compare versions), through a headless Service of its own.
    const metricsServiceName = `${props.name}-metrics`;
    const metricsLabels = { ...labels, [METRICS_SERVICE_LABEL]: "true" };
    this.metricsService = new KubernetesObject(
      this,
      "metrics-service",
      serviceObject({
        name: metricsServiceName,
        namespace: ns,
        labels: metricsLabels,
        selector: { [ENDPOINT_LABEL]: props.name },
        port: metricsPort,
        targetPort: metricsPort === port ? SERVING_PORT_NAME : METRICS_PORT_NAME,
        portName: METRICS_PORT_NAME,
        headless: true,
      }),
    );
    dependOn(this.metricsService, inNamespace);
    this.serviceMonitor = new ServiceMonitor(this, "service-monitor", {
      name: props.name,
      namespace: ns,
      selector: { [ENDPOINT_LABEL]: props.name, [METRICS_SERVICE_LABEL]: "true" },
      port: METRICS_PORT_NAME,
      path: props.metrics?.path ?? "/metrics",
      // The pod-template hash tells a rollout's new version from the old one in the analysis queries.
      podTargetLabels: rollout ? [COLOUR_LABEL, POD_TEMPLATE_HASH_LABEL] : [COLOUR_LABEL],
      labels,
    });

    dependOn(this.serviceMonitor.manifest, inNamespace);

    const deploymentNames = workloads.map((w) => (w.colour ? `${props.name}-${w.colour}` : props.name));
    const target: SloTarget = {
      endpoint: props.name,
      namespace: ns,
      metricsService: metricsServiceName,
      autoscalers: autoscalerNames,
      metrics: this.metricNames,
      ...(rollout ? { rollout: props.name } : {}),
    };
    this.rules = new PrometheusRule(this, "slo-rules", { name: `${props.name}-slo`, namespace: ns, groups: [sloRuleGroup(target, this.slo)], labels });
    this.dashboard = new GrafanaDashboard(this, "dashboard", {
      ...endpointDashboard(target, deploymentNames, this.slo.latencyObjectiveSeconds, this.slo.driftThreshold, dashboardUid(ns, props.name)),
      name: `${props.name}-dashboard`,
      namespace: ns,
    });
    dependOn(this.dashboard.manifest, inNamespace);
    dependOn(this.rules.manifest, inNamespace);
  }
}

/**
 * Orders `resource` after `after` by Terraform address. Plain strings, not `fqn` tokens:
 * every token captures a stack trace, which dominated synth time with many endpoints.
 */
function dependOn(resource: TerraformResource, after: readonly TerraformResource[]): void {
  if (after.length > 0) resource.dependsOn = after.map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`);
}

/** Prometheus's name for the pod label POD_TEMPLATE_HASH_LABEL copied by the ServiceMonitor (podTargetLabels: invalid characters become "_"). */
const POD_TEMPLATE_HASH_METRIC_LABEL = POD_TEMPLATE_HASH_LABEL.replace(/[^a-zA-Z0-9_]/g, "_");

/** KEDA's Prometheus triggers: requests per second, a gauge, DCGM GPU utilisation. */
function demandTriggers(m: EndpointMetricNames, d: ResolvedDemand, namespace: string, metricsService: string, workload: string): PrometheusTrigger[] {
  const sel = `namespace="${namespace}",service="${metricsService}"`;
  const triggers: PrometheusTrigger[] = [];
  if (d.requestsPerSecond !== undefined)
    triggers.push({ name: "requests-per-second", query: `sum(rate(${m.requestsTotal}{${sel}}[2m]))`, threshold: d.requestsPerSecond, metricType: "AverageValue" });
  if (d.gauge) {
    triggers.push({
      name: "gauge",
      query: `sum(${d.gauge.metric}{${d.gauge.selector ?? sel}})`,
      threshold: d.gauge.targetPerReplica,
      metricType: "AverageValue",
      ...(d.gauge.activation !== undefined ? { activation: d.gauge.activation } : {}),
    });
  }
  if (d.gpuUtilization !== undefined) {
    // dcgm-exporter (kubernetes mode) labels each GPU's series with the pod using it; the library's ServiceMonitor does not
    // honour labels, so Prometheus keeps them as exported_namespace/exported_pod (or namespace/pod where labels are honoured).
    const pods = `"${workload}-.*"`;
    triggers.push({
      name: "gpu-utilization",
      query: `avg(DCGM_FI_DEV_GPU_UTIL{exported_namespace="${namespace}",exported_pod=~${pods}} or DCGM_FI_DEV_GPU_UTIL{namespace="${namespace}",pod=~${pods}})`,
      threshold: d.gpuUtilization,
      metricType: "Value",
    });
  }
  return triggers;
}

/** The SLO checks of a rollout's new version; no traffic yet is no failure (an empty result passes). */
function analysisMetrics(m: EndpointMetricNames, r: ResolvedRollout, sel: string): AnalysisMetric[] {
  const pass = (condition: string) => `len(result) == 0 || ${condition}`;
  const metrics: AnalysisMetric[] = [
    {
      name: "error-ratio",
      // `> 0` drops the ratio when there is no traffic (0/0 is NaN, which would fail every comparison).
      query: `sum(rate(${m.requestsTotal}{${sel},code=~"5.."}[2m])) / (sum(rate(${m.requestsTotal}{${sel}}[2m])) > 0)`,
      successCondition: pass(`result[0] <= ${r.maxErrorRatio}`),
    },
    {
      name: `latency-p${Math.round(r.latencyQuantile * 100)}`,
      // `>= 0` drops NaN (no request in the window).
      query: `histogram_quantile(${r.latencyQuantile}, sum by (le) (rate(${m.latencyHistogram}_bucket{${sel}}[2m]))) >= 0`,
      successCondition: pass(`result[0] <= ${r.maxLatencySeconds}`),
    },
  ];
  if (r.quality) {
    const bounds = [r.quality.min !== undefined ? `result[0] >= ${r.quality.min}` : undefined, r.quality.max !== undefined ? `result[0] <= ${r.quality.max}` : undefined]
      .filter((c): c is string => c !== undefined)
      .join(" && ");
    metrics.push({ name: "model-quality", query: `min(${r.quality.metric}{${sel}})`, successCondition: pass(bounds) });
  }
  return metrics;
}

/** The MLflow credentials of the endpoint's models (validated above: at most one registry). */
function trackingCredentials(models: readonly ModelSource[]): TrackingCredentials | undefined {
  for (const model of models) if (isModelUri(model) && model.credentials) return model.credentials;
  return undefined;
}

function describeSource(model: ModelSource | undefined): string | undefined {
  if (!model) return undefined;
  return isModelUri(model) ? model.uri : model.image;
}

/** Grafana UIDs are at most 40 characters: longer ones keep a stable hash suffix. */
function dashboardUid(namespace: string, name: string): string {
  const uid = `ep-${namespace}-${name}`;
  if (uid.length <= 40) return uid;
  let h = 0;
  for (const c of uid) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return `${uid.slice(0, 31)}-${h.toString(16).padStart(8, "0")}`;
}
