import { Construct } from "constructs";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { TerraformResource } from "cdktf";
import { checkSchedule, formatMinutes } from "../core/cron";
import { Environment } from "../core/environment";
import { Validator, formatValue } from "../core/errors";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { cpuQuantityProblem, imageReferenceProblem, memoryQuantityProblem, prometheusDurationProblem, severityProblem } from "../core/validators";
import { ServiceAccountRole } from "../iam/service-account-role";
import { AlertSeverity, PrometheusRule, ServiceMonitor } from "../kubernetes/monitoring";
import { allowPolicy } from "../kubernetes/network-policy";
import { GrafanaDashboard } from "../observability/dashboard";
import { IInferenceLogs } from "./inference-log-bucket";
import { DRIFT_JOB_FILE, DRIFT_JOB_SCRIPT } from "./private/drift-job-script";
import {
  PUSHGATEWAY,
  PUSHGATEWAY_REQUESTS,
  cronJobV1Config,
  driftDashboard,
  driftNames,
  driftRuleGroup,
  jobPodLabels,
  pushgatewayV1Config,
  pushgatewayPodLabels,
  DriftNames,
} from "./private/drift-objects";
import { ServingClaims, existingServingNamespace } from "./private/registry";
import { serviceAccountV1Config, serviceV1Config } from "./private/workload";
import { configMapV1, cronJobV1, deploymentV1, serviceAccountV1, serviceV1 } from "../kubernetes/private/typed-resource";

/** The endpoint a drift monitor watches (a MonitoredEndpoint is one). */
export interface DriftMonitoredEndpoint {
  readonly name: string;
  readonly namespace: string;
  /** The endpoint's cluster: the monitor's pods are declared in its capacity model. @default - not declared (the capacity check does not count them) */
  readonly cluster?: ITrainingCluster;
}

export interface DriftMonitorResources {
  /** CPU request. @default "500m" */
  readonly cpu?: string;
  /** Memory request and limit. @default "1Gi" */
  readonly memory?: string;
}

export interface DriftMonitorProps {
  /** The endpoint whose inputs are compared (a MonitoredEndpoint). The monitor runs in its namespace. */
  readonly endpoint: DriftMonitoredEndpoint;
  /**
   * The monitor's own IRSA role (`cluster.addServiceAccountRole(...)` in the infrastructure stack, in
   * the endpoint's namespace, not the endpoint's role). The monitor grants it exactly what it reads:
   * List/Get on the endpoint's log prefix, Get on the reference object, kms:Decrypt on the log key.
   */
  readonly serviceAccountRole: ServiceAccountRole;
  /** Where the endpoint logs its inputs (the InferenceLogBucket given to the endpoint as `inferenceLogs`). */
  readonly inferenceLogs: IInferenceLogs;
  /**
   * The reference dataset: one S3 object, JSON Lines (`.jsonl`, one record per line, features as keys)
   * or CSV with a header (`.csv`), optionally gzipped (`.gz`); typically a sample of the training data.
   */
  readonly referenceUri: string;
  /**
   * KMS key the reference object is encrypted with (a customer managed key): the role gets kms:Decrypt on it.
   * @default - the reference is readable without a customer key, or with the log bucket's key (the environment key)
   */
  readonly referenceKeyArn?: string;
  /** Input features to compare (names of keys of the logged `inputs`). */
  readonly features: readonly string[];
  /** Image with Python 3.11 and the pinned drift libraries (lib/endpoint/README.md, "Drift monitoring", has its Dockerfile). */
  readonly image: string;
  /** 5-field cron schedule (UTC). @default "0 * * * *" (hourly) */
  readonly schedule?: string;
  /** Days of logs compared (today, UTC, and the days before). @default 1 */
  readonly windowDays?: number;
  /** Drift score (largest feature PSI) above which the drift alert fires; 0.1 to 0.25 is moderate drift, above 0.25 large. @default 0.2 */
  readonly threshold?: number;
  /** How long the score must stay above the threshold. @default "15m" */
  readonly thresholdFor?: string;
  /** Fewest recent records for a score; below it the run publishes only the counts. @default 100 */
  readonly minSamples?: number;
  /** Quantile bins of the reference for PSI. @default 10 */
  readonly bins?: number;
  /** @default - see DriftMonitorResources */
  readonly resources?: DriftMonitorResources;
  /** Severity of the drift alert. @default "warning" */
  readonly severity?: AlertSeverity;
}

const FEATURE = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;
const REFERENCE = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+\.(jsonl|csv)(\.gz)?)$/;

/**
 * Input drift monitoring of one endpoint (lib/endpoint/README.md, "Drift monitoring"): a CronJob
 * running the library's drift script (PSI and Kolmogorov-Smirnov per feature, numpy/scipy) over the
 * endpoint's recent inference logs against a reference dataset, pushing the scores to a Pushgateway of
 * its own that Prometheus scrapes; alerts on drift above the threshold and on a job that failed, has
 * not run or is gone; a Grafana dashboard.
 */
export class DriftMonitor extends Construct {
  /** Name of the CronJob (kube-state-metrics' `cronjob` label). */
  public readonly cronJobName: string;
  /** Name of the Pushgateway's Deployment and Service. */
  public readonly pushgatewayName: string;
  public readonly cronJob: TerraformResource;
  public readonly configMap: TerraformResource;
  public readonly serviceAccount: TerraformResource;
  public readonly pushgateway: TerraformResource;
  public readonly pushgatewayService: TerraformResource;
  public readonly serviceMonitor: ServiceMonitor;
  public readonly rules: PrometheusRule;
  public readonly dashboard: GrafanaDashboard;
  public readonly schedule: string;
  public readonly threshold: number;
  /** CPU and memory each run requests. */
  public readonly requests: { readonly cpu: string; readonly memory: string };

  constructor(scope: Construct, id: string, props: DriftMonitorProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      endpoint: Shape.like("a MonitoredEndpoint", ["name", "namespace"]),
      serviceAccountRole: LibraryShapes.serviceAccountRole,
      inferenceLogs: Shape.like("an InferenceLogBucket", ["logUri", "grantRead"]),
      referenceUri: Shape.string(),
      referenceKeyArn: Shape.optional(Shape.string()),
      features: Shape.array(Shape.string()),
      image: Shape.string(),
      schedule: Shape.optional(Shape.string()),
      windowDays: Shape.optional(Shape.number()),
      threshold: Shape.optional(Shape.number()),
      thresholdFor: Shape.optional(Shape.string()),
      minSamples: Shape.optional(Shape.number()),
      bins: Shape.optional(Shape.number()),
      resources: Shape.optional(Shape.object({ cpu: Shape.optional(Shape.string()), memory: Shape.optional(Shape.string()) }, "resource requests { cpu, memory }")),
      severity: Shape.optional(Shape.string()),
    });
    const env = Environment.of(this);
    const v = new Validator(this.node.path);
    const endpoint = props.endpoint;
    const role = props.serviceAccountRole;
    const n: DriftNames = driftNames(endpoint.name, endpoint.namespace);
    this.cronJobName = n.cronJob;
    this.pushgatewayName = n.pushgateway;
    this.schedule = props.schedule ?? "0 * * * *";
    this.threshold = props.threshold ?? 0.2;
    const thresholdFor = props.thresholdFor ?? "15m";
    const windowDays = props.windowDays ?? 1;
    const minSamples = props.minSamples ?? 100;
    const bins = props.bins ?? 10;
    const severity = props.severity ?? "warning";
    this.requests = { cpu: props.resources?.cpu ?? "500m", memory: props.resources?.memory ?? "1Gi" };

    const gapMinutes = checkSchedule(v, "schedule", this.schedule) ?? 60;
    v.check(
      Number.isFinite(this.threshold) && this.threshold > 0 && this.threshold <= 10,
      "threshold",
      this.threshold,
      "must be a PSI above 0 and at most 10 (0.1 to 0.25 is moderate drift, above 0.25 large)",
    );
    v.checkProblem("thresholdFor", thresholdFor, prometheusDurationProblem(thresholdFor));
    v.check(Number.isInteger(windowDays) && windowDays >= 1 && windowDays <= 31, "windowDays", windowDays, "must be a whole number of days from 1 to 31");
    v.check(Number.isInteger(minSamples) && minSamples >= 1, "minSamples", minSamples, "must be a whole number >= 1");
    v.check(Number.isInteger(bins) && bins >= 2 && bins <= 100, "bins", bins, "must be a whole number from 2 to 100");
    v.checkProblem("severity", severity, severityProblem(severity));
    v.check(
      REFERENCE.test(props.referenceUri),
      "referenceUri",
      props.referenceUri,
      "must be the s3:// URI of one object, s3://bucket/key ending in .jsonl or .csv (optionally .gz)",
    );
    v.check(props.features.length > 0, "features", props.features, "must name at least one input feature to compare");
    props.features.forEach((f, i) => {
      v.check(FEATURE.test(f), `features[${i}]`, f, "must be a feature name: a letter or _, then letters, digits, '_', '.', ':' or '-' (no comma)");
    });
    const duplicates = props.features.filter((f, i) => props.features.indexOf(f) !== i);
    v.check(duplicates.length === 0, "features", props.features, `lists ${duplicates.map((d) => formatValue(d)).join(", ")} more than once`);
    v.checkProblem("image", props.image, imageReferenceProblem(props.image));
    v.checkProblem("resources.cpu", this.requests.cpu, cpuQuantityProblem(this.requests.cpu));
    v.checkProblem("resources.memory", this.requests.memory, memoryQuantityProblem(this.requests.memory));
    v.check(
      role.namespace === endpoint.namespace,
      "serviceAccountRole",
      `${role.namespace}/${role.serviceAccount}`,
      `must be a role of a service account in the endpoint's namespace "${endpoint.namespace}" (the monitor runs there)`,
    );
    // A service account another endpoint or monitor of this stack uses is refused (ServingClaims), whichever comes second.
    if (role.namespace === endpoint.namespace) {
      v.addProblems(ServingClaims.of(this).claim(this, role.namespace, undefined, role.serviceAccount, "give the drift monitor its own IRSA role"));
    }
    v.throwIfAny();

    // ---- IAM: exactly what the job reads ----
    props.inferenceLogs.grantRead(role, endpoint.name);
    const [, refBucket, refKey] = REFERENCE.exec(props.referenceUri)!;
    role.addToPolicy({ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::${refBucket}/${refKey}`] });
    if (props.referenceKeyArn) role.addToPolicy({ actions: ["kms:Decrypt"], resources: [props.referenceKeyArn] });

    // ---- Kubernetes ----
    const ns = n.namespace;
    const inNamespace = existingServingNamespace(this, ns);
    const after = (r: TerraformResource, deps: (TerraformResource | undefined)[]) => {
      const list = deps.filter((d): d is TerraformResource => d !== undefined);
      if (list.length > 0) r.dependsOn = list.map((d) => `${d.terraformResourceType}.${d.friendlyUniqueId}`);
    };
    const labels = { "app.kubernetes.io/managed-by": "cdktf-ml-platform", "app.kubernetes.io/part-of": "drift-monitor" };

    this.serviceAccount = serviceAccountV1(this, "service-account", serviceAccountV1Config(role.serviceAccount, ns, role.roleArn, labels));
    after(this.serviceAccount, [inNamespace]);
    this.configMap = configMapV1(this, "script", {
      metadata: { name: n.configMap, namespace: ns, labels: { ...labels } },
      data: { [DRIFT_JOB_FILE]: DRIFT_JOB_SCRIPT },
    });
    after(this.configMap, [inNamespace]);

    const pushgatewayUrl = `http://${n.pushgateway}.${ns}.svc:${PUSHGATEWAY.port}`;
    this.pushgateway = deploymentV1(this, "pushgateway", pushgatewayV1Config(n, labels));
    after(this.pushgateway, [inNamespace]);
    this.pushgatewayService = serviceV1(
      this,
      "pushgateway-service",
      serviceV1Config({
        name: n.pushgateway,
        namespace: ns,
        labels: { ...labels, ...pushgatewayPodLabels(n) },
        selector: pushgatewayPodLabels(n),
        port: PUSHGATEWAY.port,
        targetPort: "metrics",
        portName: "metrics",
      }),
    );
    after(this.pushgatewayService, [inNamespace]);

    // The Pushgateway and one run at a time (the CronJob forbids overlapping runs) on the endpoint's cluster.
    endpoint.cluster?.capacity.addWorkload(this, { kind: "Deployment", namespace: ns, name: n.pushgateway, requests: PUSHGATEWAY_REQUESTS });
    endpoint.cluster?.capacity.addWorkload(this, { kind: "CronJob", namespace: ns, name: n.cronJob, requests: this.requests });

    this.cronJob = cronJobV1(
      this,
      "cron-job",
      cronJobV1Config({
        names: n,
        labels,
        schedule: this.schedule,
        image: props.image,
        cpu: this.requests.cpu,
        memory: this.requests.memory,
        periodSeconds: gapMinutes * 60,
        env: {
          HOME: "/tmp",
          PYTHONDONTWRITEBYTECODE: "1",
          AWS_REGION: env.region,
          AWS_DEFAULT_REGION: env.region,
          ENDPOINT: endpoint.name,
          REFERENCE_URI: props.referenceUri,
          INFERENCE_LOG_URI: props.inferenceLogs.logUri(endpoint.name),
          FEATURES: props.features.join(","),
          WINDOW_DAYS: String(windowDays),
          MIN_SAMPLES: String(minSamples),
          BINS: String(bins),
          PUSHGATEWAY_URL: pushgatewayUrl,
        },
      }),
    );
    after(this.cronJob, [this.serviceAccount, this.configMap]);

    // The job pushes to its Pushgateway, past the namespace's default deny (the serving namespace
    // already allows HTTPS egress to S3 and STS, and Prometheus's scrape of ports named "metrics").
    if (inNamespace) {
      const push = { port: PUSHGATEWAY.port };
      allowPolicy(this, ns, { name: `${n.cronJob}-push-egress`, direction: "egress", pods: jobPodLabels(n), peers: [{ pods: pushgatewayPodLabels(n) }], ports: [push] }, [
        inNamespace,
      ]);
      allowPolicy(this, ns, { name: `${n.cronJob}-push-ingress`, direction: "ingress", pods: pushgatewayPodLabels(n), peers: [{ pods: jobPodLabels(n) }], ports: [push] }, [
        inNamespace,
      ]);
    }

    this.serviceMonitor = new ServiceMonitor(this, "service-monitor", {
      name: n.pushgateway,
      namespace: ns,
      selector: pushgatewayPodLabels(n),
      port: "metrics",
      honorLabels: true,
      labels,
    });
    const notRunSeconds = Math.max(2 * gapMinutes, 60) * 60 + 600;
    this.rules = new PrometheusRule(this, "rules", {
      name: `${endpoint.name}-drift`,
      namespace: ns,
      labels,
      groups: [driftRuleGroup({ names: n, threshold: this.threshold, thresholdFor, severity, notRunSeconds, notRunText: formatMinutes(notRunSeconds / 60) })],
    });
    this.dashboard = new GrafanaDashboard(this, "dashboard", { ...driftDashboard(n, this.threshold), name: `${endpoint.name}-drift-dashboard`, namespace: ns });
    for (const m of [this.serviceMonitor.manifest, this.rules.manifest, this.dashboard.configMap]) {
      if (inNamespace) m.dependsOn = [`${inNamespace.terraformResourceType}.${inNamespace.friendlyUniqueId}`];
    }
  }
}
