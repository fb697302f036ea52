import { Construct } from "constructs";
import { ConditionalResources } from "../core/stack-records";
import { TerraformResource } from "cdktf";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { Environment } from "../core/environment";
import { base64Of } from "../core/encoding";
import { SyncedSecret } from "../kubernetes/external-secrets";
import { SERVER_PORTS, allowPolicy } from "../kubernetes/network-policy";
import { PrometheusRule, ServiceMonitor } from "../kubernetes/monitoring";
import { GPU_TOLERATION } from "../kubernetes/kubernetes";
import { GrafanaDashboard } from "../observability/dashboard";
import { EndpointMetricNames } from "./endpoint-metrics";
import { ResolvedDelivery, ResolvedDemand, ResolvedRollout } from "./private/delivery-config";
import { ENDPOINT_PROPS_SHAPE, resolveEndpointSettings, validateEndpointSettings } from "./private/endpoint-settings";
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
import { Colour, MonitoredEndpointProps } from "./monitored-endpoint-props";
import { ModelSource, TrackingCredentials, isModelUri } from "./model-source";
import { ResolvedSlo, SloTarget, sloRuleGroup } from "./slo";
import { endpointDashboard } from "./private/dashboard";
import { KubernetesManifest } from "../kubernetes/private/manifest";
import { deploymentV1, horizontalPodAutoscalerV2, podDisruptionBudgetV1, serviceAccountV1, serviceV1 } from "../kubernetes/private/typed-resource";
import { servingNamespace } from "./private/registry";
import {
  COLOUR_LABEL,
  ENDPOINT_LABEL,
  METRICS_PORT_NAME,
  METRICS_SERVICE_LABEL,
  SERVING_PORT_NAME,
  WorkloadSpec,
  autoscalerV2Config,
  deploymentV1Config,
  disruptionBudgetV1Config,
  podTemplateObject,
  serviceAccountV1Config,
  serviceV1Config,
} from "./private/workload";
import { checkShape } from "../core/shape";

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
    checkShape(this.node.path, props, ENDPOINT_PROPS_SHAPE);
    const env = Environment.of(this);
    // resolve -> validate -> build: every setting first, then every problem at once, then the resources.
    const s = resolveEndpointSettings(props, env);
    validateEndpointSettings(this, env, props, s);
    this.name = props.name;
    this.cluster = props.cluster;
    this.namespace = s.namespace;
    this.minReplicas = s.minReplicas;
    this.maxReplicas = s.maxReplicas;
    this.slo = s.slo;
    this.metricNames = s.metricNames;
    this.delivery = s.delivery;
    this.activeColour = s.activeColour;
    const { port, metricsPort, targetCpu, rps, models, gpu, readinessPath, livenessPath, servicePort, idleMinReplicas } = s;
    const { cpu, memory, memoryLimit } = s.resources;

    // ---- resources ----
    const ns = this.namespace;
    const inNamespace: TerraformResource[] = props.createNamespace === false ? [] : [servingNamespace(this, ns)];
    const labels = { "app.kubernetes.io/name": props.name, "app.kubernetes.io/managed-by": "cdktf-ml-platform", [ENDPOINT_LABEL]: props.name };

    const saName = props.serviceAccountRole.serviceAccount;
    this.serviceAccount = serviceAccountV1(this, "service-account", serviceAccountV1Config(saName, ns, props.serviceAccountRole.roleArn, labels));
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
    const autoscalerNames: string[] = [];
    for (const { colour, model } of models) {
      const scopeOf = colour ? new Construct(this, colour) : this;
      const name = colour ? `${props.name}-${colour}` : props.name;
      const podLabels = { [ENDPOINT_LABEL]: props.name, "app.kubernetes.io/name": props.name, ...(colour ? { [COLOUR_LABEL]: colour } : {}) };
      const workload: WorkloadSpec = {
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
        livenessPath,
      };
      let deployment: TerraformResource;
      let target = { apiVersion: "apps/v1", kind: "Deployment" };
      if (rollout) {
        // The Rollout owns the pods; the cluster rolls a new model out (no wait: Terraform declares, Argo Rollouts delivers).
        target = { apiVersion: ROLLOUTS_API, kind: "Rollout" };
        deployment = customResource(
          scopeOf,
          "rollout",
          rolloutObject({
            name,
            namespace: ns,
            labels: podLabels,
            selector: podLabels,
            template: podTemplateObject(workload),
            strategy: rollout.strategy,
            steps: rollout.steps,
            services: rollout.strategy === "canary" ? { canary: `${props.name}-canary` } : { active: props.name, preview: `${props.name}-preview` },
            analysisTemplates: [`${props.name}-slo`],
            smokeTemplate: `${props.name}-smoke-test`,
          }),
        );
      } else {
        // Terraform waits until the new pods are ready, so a failed rollout fails the apply; GPU pods may first
        // wait for a node to scale up from zero and pull a multi-GB CUDA image, hence the longer timeout.
        deployment = deploymentV1(scopeOf, "deployment", deploymentV1Config(workload, { timeout: gpu ? "30m" : undefined }));
      }
      dependOn(deployment, [this.serviceAccount, ...secretsFirst]);
      const minReplicas = colour && colour !== this.activeColour ? idleMinReplicas : this.minReplicas;
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
        autoscaler = customResource(
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
        autoscaler = horizontalPodAutoscalerV2(
          scopeOf,
          "autoscaler",
          autoscalerV2Config({
            name,
            namespace: ns,
            labels: podLabels,
            maxReplicas: this.maxReplicas,
            targetCpuUtilization: targetCpu,
            minReplicas,
            target,
            ...(rps !== undefined ? { requestsPerSecond: { metric: `${s.metricsPrefix}_requests_per_second`, target: rps } } : {}),
          }),
        );
        autoscalerNames.push(name);
      }
      dependOn(autoscaler, [deployment]);
      const disruptionBudget = podDisruptionBudgetV1(scopeOf, "disruption-budget", disruptionBudgetV1Config(name, ns, podLabels));
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
    this.service = serviceV1(this, "service", {
      ...serviceV1Config({ name: props.name, namespace: ns, labels, selector, port: servicePort, targetPort: SERVING_PORT_NAME, portName: SERVING_PORT_NAME }),
      ...(rollout?.strategy === "blueGreen" ? { lifecycle: { ignoreChanges: [SELECTOR_FIELD] } } : {}),
    });
    dependOn(this.service, inNamespace);
    if (rollout) {
      // The Service the new version answers on before promotion (canary / preview): the smoke test calls it.
      const side = rollout.strategy === "canary" ? "canary" : "preview";
      const sideService = serviceV1(this, `${side}-service`, {
        ...serviceV1Config({ name: `${props.name}-${side}`, namespace: ns, labels, selector, port: servicePort, targetPort: SERVING_PORT_NAME, portName: SERVING_PORT_NAME }),
        lifecycle: { ignoreChanges: [SELECTOR_FIELD] },
      });
      dependOn(sideService, inNamespace);
      const hostPort = `${props.name}-${side}.${ns}.svc:${servicePort}`;
      const smoke = customResource(
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
      this.analysisTemplate = customResource(
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
    this.metricsService = serviceV1(
      this,
      "metrics-service",
      serviceV1Config({
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
      path: s.metricsPath,
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
    dependOn(this.dashboard.configMap, inNamespace);
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

/** A custom resource (Rollout, ScaledObject, AnalysisTemplate): a `kubernetes_manifest`, the only way to make one. */
function customResource(scope: Construct, id: string, object: Record<string, unknown>): KubernetesManifest {
  return new KubernetesManifest(scope, id, { manifest: object });
}

/**
 * The Service's selector as Terraform addresses it in `lifecycle.ignore_changes` (the provider's `spec` is a list of one
 * block). Argo Rollouts adds the pod-template hash of the version a Service must reach to its selector.
 */
const SELECTOR_FIELD = "spec[0].selector";

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

/** Grafana UIDs are at most 40 characters: longer ones keep a stable hash suffix. */
function dashboardUid(namespace: string, name: string): string {
  const uid = `ep-${namespace}-${name}`;
  if (uid.length <= 40) return uid;
  let h = 0;
  for (const c of uid) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return `${uid.slice(0, 31)}-${h.toString(16).padStart(8, "0")}`;
}
