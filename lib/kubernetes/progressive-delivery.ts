import { Construct } from "constructs";
import { ITerraformDependable, TerraformResource } from "cdktf";
import { Environment } from "../core/environment";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { WorkloadOptions } from "../gpu-cluster/cluster-capacity";
import { Validator } from "../core/errors";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { namespaceProblem } from "../core/validators";
import { CHARTS, ChartRef } from "./charts";
import { HelmChart } from "./helm-chart";
import { restrictedNamespace } from "./pod-security";
import { ALLOW, NamespaceNetworkPolicies, NetworkAllow, SERVER_PODS, SERVER_PORTS, allowPolicy } from "./network-policy";

/**
 * The in-cluster controllers endpoints use for demand-based autoscaling (KEDA) and
 * progressive delivery (Argo Rollouts). Both bring CRDs, so they belong in the addons
 * stack, applied before the platform stack whose ScaledObjects, Rollouts and
 * AnalysisTemplates need them at plan time.
 */

/** The Prometheus the controllers query (kube-prometheus-stack, installed by Observability). */
export interface ControllerPrometheus {
  /** Namespace of the Prometheus pods. @default "monitoring" */
  readonly namespace?: string;
  /** What installs Prometheus and the ServiceMonitor CRD (the charts' ServiceMonitors need it). @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

export interface ControllerProps {
  /** @default - "keda" for KEDA, "argo-rollouts" for Argo Rollouts */
  readonly namespace?: string;
  /** The cluster it runs on: its pods are declared in the cluster's capacity model. @default - not declared (the capacity check does not count them) */
  readonly cluster?: ITrainingCluster;
  /** @default - Prometheus in "monitoring" */
  readonly prometheus?: ControllerPrometheus;
}

/** Pod labels of the controllers, from the rendered charts (templates/*deployment.yaml selector labels). */
export const CONTROLLER_PODS = {
  /** keda 2.20.2 templates/manager/deployment.yaml: `app: keda-operator` (evaluates triggers, queries Prometheus). */
  kedaOperator: { app: "keda-operator" },
  /** keda 2.20.2 templates/metrics-server/deployment.yaml: `app: keda-operator-metrics-apiserver` (serves external.metrics.k8s.io on 6443). */
  kedaMetricsApiServer: { app: "keda-operator-metrics-apiserver" },
  /** keda 2.20.2 templates/webhooks/deployment.yaml: `app: keda-admission-webhooks` (containerPort 9443). */
  kedaWebhooks: { app: "keda-admission-webhooks" },
  /** argo-rollouts 2.41.0 templates/controller/deployment.yaml: `app.kubernetes.io/component: rollouts-controller` (runs AnalysisRuns). */
  argoRolloutsController: { "app.kubernetes.io/component": "rollouts-controller", "app.kubernetes.io/name": "argo-rollouts" },
} as const;

/** Ports of the controllers (containerPort in the same templates). */
export const CONTROLLER_PORTS = {
  /** KEDA's metrics apiserver, `--secure-port=6443`: the API server's aggregation layer calls it. */
  kedaMetricsApiServer: 6443,
  /** KEDA's admission webhook server. */
  kedaWebhooks: 9443,
  /** KEDA operator, metrics apiserver and webhooks: Prometheus metrics (`prometheus.*.port` 8080). */
  kedaMetrics: 8080,
  /** Argo Rollouts controller metrics (`controller.metrics.service.port` 8090, containerPort `metrics`). */
  argoRolloutsMetrics: 8090,
} as const;

/** Requests of each KEDA pod (the chart's defaults) and of the Argo Rollouts controller (the chart sets none). */
const KEDA_REQUESTS = { cpu: "100m", memory: "100Mi" } as const;
const ARGO_ROLLOUTS_REQUESTS = { cpu: "50m", memory: "128Mi" } as const;

/** Checks the props of a controller construct: one ConfigError per problem. */
function checkControllerProps(path: string, props: ControllerProps): void {
  checkShape(path, props, {
    namespace: Shape.optional(Shape.string()),
    cluster: Shape.optional(LibraryShapes.cluster),
    prometheus: Shape.optional(Shape.object({ namespace: Shape.optional(Shape.string()), dependsOn: Shape.optional(Shape.array(Shape.any())) })),
  });
  const v = new Validator(path);
  for (const [field, value] of [
    ["namespace", props.namespace],
    ["prometheus.namespace", props.prometheus?.namespace],
  ] as const) {
    if (value !== undefined) v.checkProblem(field, value, namespaceProblem(value));
  }
  v.throwIfAny();
}

/** Lets `pods` of `namespace` query Prometheus: the ingress half, in Prometheus's namespace (which denies by default). */
function prometheusQueryIngress(scope: Construct, name: string, namespace: string, pods: Record<string, string>, prometheus: ControllerPrometheus): TerraformResource {
  return allowPolicy(
    scope,
    prometheus.namespace ?? "monitoring",
    {
      name,
      direction: "ingress",
      pods: SERVER_PODS.prometheus,
      peers: [{ namespace, pods }],
      ports: [{ port: SERVER_PORTS.prometheus }],
    },
    prometheus.dependsOn,
  );
}

/** The egress half of a Prometheus query. */
function prometheusQueryEgress(pods: Record<string, string>): NetworkAllow {
  return {
    name: "allow-prometheus-query",
    direction: "egress",
    pods,
    peers: [{ namespace: "*", pods: SERVER_PODS.prometheus }],
    ports: [{ port: SERVER_PORTS.prometheus }],
  };
}

/** What differs between the two controllers; everything else is `PrometheusQueryingController`'s. */
export interface ControllerRelease {
  readonly defaultNamespace: string;
  readonly chart: ChartRef;
  readonly values: Readonly<Record<string, unknown>>;
  /** The chart's Deployments, declared in the cluster's capacity model. */
  readonly workloads: readonly Omit<WorkloadOptions, "kind" | "namespace">[];
  /** The pods that query Prometheus. */
  readonly queryingPods: Readonly<Record<string, string>>;
  /** Name of the ingress policy in Prometheus's namespace. */
  readonly prometheusIngressName: string;
  /** The namespace's allows, given the VPC CIDR and the Prometheus query egress. */
  readonly allows: (vpcCidr: string, prometheusQuery: NetworkAllow) => NetworkAllow[];
}

/**
 * A controller chart whose pods query Prometheus (KEDA, Argo Rollouts), in its own restricted
 * namespace (both charts' pods meet the level with their values): its pods in the cluster's
 * capacity model, a default deny with the release's allows, and Prometheus's half of the
 * query flow.
 */
export abstract class PrometheusQueryingController extends Construct {
  public readonly namespace: string;
  public readonly chart: HelmChart;
  public readonly networkPolicies: NamespaceNetworkPolicies;

  protected constructor(scope: Construct, id: string, props: ControllerProps, release: ControllerRelease) {
    super(scope, id);
    checkControllerProps(this.node.path, props);
    this.namespace = props.namespace ?? release.defaultNamespace;
    const prometheus = props.prometheus ?? {};
    const ns = restrictedNamespace(this, "namespace", { name: this.namespace, labels: { "app.kubernetes.io/managed-by": "cdktf-ml-platform" } });
    this.chart = new HelmChart(this, "chart", {
      chart: release.chart,
      namespace: this.namespace,
      dependsOn: [ns, ...(prometheus.dependsOn ?? [])],
      values: release.values,
    });
    for (const workload of release.workloads) props.cluster?.capacity.addWorkload(this, { kind: "Deployment", namespace: this.namespace, ...workload });
    this.networkPolicies = new NamespaceNetworkPolicies(this, "network-policies", {
      namespace: this.namespace,
      dependsOn: [ns],
      allows: release.allows(Environment.of(this).vpcCidr, prometheusQueryEgress(release.queryingPods)),
    });
    prometheusQueryIngress(this, release.prometheusIngressName, this.namespace, release.queryingPods, prometheus);
  }
}

/**
 * KEDA: ScaledObjects scale endpoints on their own Prometheus metrics (requests per second,
 * a queue or in-flight gauge) and on DCGM GPU utilisation, down to zero where allowed. Its
 * metrics apiserver serves only `external.metrics.k8s.io` (the chart's APIService
 * `v1beta1.external.metrics.k8s.io`), so it coexists with the EKS metrics-server add-on,
 * which serves `metrics.k8s.io` for CPU HPAs.
 */
export class Keda extends PrometheusQueryingController {
  constructor(scope: Construct, id: string, props: ControllerProps = {}) {
    super(scope, id, props, {
      defaultNamespace: "keda",
      chart: CHARTS.keda,
      values: {
        // The operator's metrics (keda_scaler_errors_total, keda_scaled_object_paused, …), scraped by a ServiceMonitor.
        prometheus: { operator: { enabled: true, serviceMonitor: { enabled: true } } },
        // The chart's default security contexts meet `restricted` (non-root, no capabilities, RuntimeDefault
        // seccomp, read-only root): the in-cluster pod security check holds them to it.
        // Requests as the chart's defaults (values.yaml resources.*), stated so the capacity model declares the same.
        resources: { operator: { requests: { ...KEDA_REQUESTS } }, metricServer: { requests: { ...KEDA_REQUESTS } }, webhooks: { requests: { ...KEDA_REQUESTS } } },
      },
      // keda 2.20.2: three Deployments named after their components, one replica each, nodeSelector kubernetes.io/os.
      workloads: ["keda-operator", "keda-operator-metrics-apiserver", "keda-admission-webhooks"].map((name) => ({
        name,
        requests: KEDA_REQUESTS,
        nodeSelector: { "kubernetes.io/os": "linux" },
      })),
      queryingPods: CONTROLLER_PODS.kedaOperator,
      prometheusIngressName: "allow-prometheus-query-from-keda",
      // The operator queries Prometheus and calls the API server; the metrics apiserver asks the operator
      // (gRPC 9666, in the namespace); the API server calls the metrics apiserver (aggregation layer,
      // external.metrics.k8s.io) and the admission webhook; Prometheus scrapes the operator.
      // HTTPS to the VPC only (the API server's ENIs): the library's triggers are all Prometheus queries, in the cluster.
      allows: (vpcCidr, prometheusQuery) => [
        ALLOW.awsApis(vpcCidr),
        ...ALLOW.withinNamespace(),
        prometheusQuery,
        { ...ALLOW.webhook(vpcCidr, CONTROLLER_PODS.kedaMetricsApiServer, CONTROLLER_PORTS.kedaMetricsApiServer), name: "allow-metrics-apiserver-from-control-plane" },
        ALLOW.webhook(vpcCidr, CONTROLLER_PODS.kedaWebhooks, CONTROLLER_PORTS.kedaWebhooks),
        ALLOW.scrape("allow-prometheus-scrape", [{ port: CONTROLLER_PORTS.kedaMetrics }], CONTROLLER_PODS.kedaOperator),
      ],
    });
  }
}

/**
 * Argo Rollouts: an endpoint with `rollout` is a Rollout (canary or blue/green) whose
 * AnalysisRuns query Prometheus for the endpoint's SLOs and call its preview Service for a
 * smoke test; the controller promotes when they pass and aborts (rolls back) when they fail.
 */
export class ArgoRollouts extends PrometheusQueryingController {
  constructor(scope: Construct, id: string, props: ControllerProps = {}) {
    super(scope, id, props, {
      defaultNamespace: "argo-rollouts",
      chart: CHARTS.argoRollouts,
      values: {
        // rollout_info, analysis_run_info, analysis_run_metric_phase: the rollout alerts read them.
        controller: { metrics: { enabled: true, serviceMonitor: { enabled: true } }, resources: { requests: { ...ARGO_ROLLOUTS_REQUESTS } } },
        // The dashboard would be an unauthenticated UI able to promote and abort: off (the chart's default).
        dashboard: { enabled: false },
      },
      // argo-rollouts 2.41.0: the controller Deployment is named after the release, two replicas (controller.replicas).
      workloads: [{ name: CHARTS.argoRollouts.chart, replicas: 2, requests: ARGO_ROLLOUTS_REQUESTS }],
      queryingPods: CONTROLLER_PODS.argoRolloutsController,
      prometheusIngressName: "allow-prometheus-query-from-argo-rollouts",
      // The controller calls the API server, queries Prometheus (analysis) and calls endpoints'
      // preview/canary Services on their serving port (`http`, the smoke test's web metric).
      // HTTPS to the VPC only: the API server's ENIs; analysis and smoke tests stay in the cluster.
      allows: (vpcCidr, prometheusQuery) => [
        ALLOW.awsApis(vpcCidr),
        prometheusQuery,
        {
          name: "allow-smoke-tests",
          direction: "egress",
          pods: CONTROLLER_PODS.argoRolloutsController,
          peers: [{ namespace: "*" }],
          ports: [{ port: "http" }],
        },
        ALLOW.scrape("allow-prometheus-scrape", [{ port: CONTROLLER_PORTS.argoRolloutsMetrics }], CONTROLLER_PODS.argoRolloutsController),
      ],
    });
  }
}
