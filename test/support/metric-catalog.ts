import { parse } from "yaml";
import { endpointMetricNames } from "../../lib/endpoint/endpoint-metrics";
import { DRIFT_METRICS } from "../../lib/endpoint/private/drift-job-script";
import { ClusterObject } from "./in-cluster";

/**
 * What each exporter or server of the platform really exports: the catalog that every
 * metric name in a PrometheusRule (and a dashboard query) is checked against. Each entry
 * records the upstream file and version it was read from; histograms list their base
 * name (the `_bucket`, `_sum` and `_count` series are implied).
 */
export interface MetricSource {
  readonly exporter: string;
  readonly version: string;
  /** Upstream repository, file and tag the names were read from. */
  readonly source: string;
  readonly metrics: readonly string[];
  readonly histograms?: readonly string[];
}

export const METRIC_CATALOG: readonly MetricSource[] = [
  {
    exporter: "prometheus (series it writes itself)",
    version: "v3 (kube-prometheus-stack 88.5.3)",
    source: "prometheus/prometheus scrape/scrape.go (up, scrape_*: the report of every scrape) and rules/alerting.go (ALERTS, ALERTS_FOR_STATE)",
    metrics: ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added", "ALERTS", "ALERTS_FOR_STATE"],
  },
  {
    exporter: "kube-state-metrics",
    version: "v2.20.0 (chart 8.4.0, subchart of kube-prometheus-stack 88.5.3)",
    source: "kubernetes/kube-state-metrics internal/store/cronjob.go, horizontalpodautoscaler.go, deployment.go, job.go, pod.go @ v2.20.0",
    metrics: [
      // internal/store/cronjob.go
      "kube_cronjob_annotations",
      "kube_cronjob_created",
      "kube_cronjob_info",
      "kube_cronjob_labels",
      "kube_cronjob_metadata_resource_version",
      "kube_cronjob_next_schedule_time",
      "kube_cronjob_schedule_invalid",
      "kube_cronjob_spec_failed_job_history_limit",
      "kube_cronjob_spec_starting_deadline_seconds",
      "kube_cronjob_spec_successful_job_history_limit",
      "kube_cronjob_spec_suspend",
      "kube_cronjob_status_active",
      "kube_cronjob_status_last_schedule_time",
      "kube_cronjob_status_last_successful_time",
      // internal/store/horizontalpodautoscaler.go
      "kube_horizontalpodautoscaler_annotations",
      "kube_horizontalpodautoscaler_created",
      "kube_horizontalpodautoscaler_deletion_timestamp",
      "kube_horizontalpodautoscaler_info",
      "kube_horizontalpodautoscaler_labels",
      "kube_horizontalpodautoscaler_metadata_generation",
      "kube_horizontalpodautoscaler_spec_behavior_scale_down_tolerance",
      "kube_horizontalpodautoscaler_spec_behavior_scale_up_tolerance",
      "kube_horizontalpodautoscaler_spec_max_replicas",
      "kube_horizontalpodautoscaler_spec_min_replicas",
      "kube_horizontalpodautoscaler_spec_target_metric",
      "kube_horizontalpodautoscaler_status_condition",
      "kube_horizontalpodautoscaler_status_current_replicas",
      "kube_horizontalpodautoscaler_status_desired_replicas",
      "kube_horizontalpodautoscaler_status_target_metric",
      // internal/store/deployment.go
      "kube_deployment_annotations",
      "kube_deployment_created",
      "kube_deployment_deletion_timestamp",
      "kube_deployment_labels",
      "kube_deployment_metadata_generation",
      "kube_deployment_owner",
      "kube_deployment_spec_paused",
      "kube_deployment_spec_replicas",
      "kube_deployment_spec_strategy_rollingupdate_max_surge",
      "kube_deployment_spec_strategy_rollingupdate_max_unavailable",
      "kube_deployment_status_condition",
      "kube_deployment_status_observed_generation",
      "kube_deployment_status_replicas",
      "kube_deployment_status_replicas_available",
      "kube_deployment_status_replicas_ready",
      "kube_deployment_status_replicas_unavailable",
      "kube_deployment_status_replicas_updated",
      "kube_deployment_status_terminating_replicas",
      // internal/store/job.go
      "kube_job_annotations",
      "kube_job_complete",
      "kube_job_created",
      "kube_job_failed",
      "kube_job_info",
      "kube_job_labels",
      "kube_job_owner",
      "kube_job_spec_active_deadline_seconds",
      "kube_job_spec_completions",
      "kube_job_spec_parallelism",
      "kube_job_status_active",
      "kube_job_status_completion_time",
      "kube_job_status_failed",
      "kube_job_status_ready",
      "kube_job_status_start_time",
      "kube_job_status_succeeded",
      "kube_job_status_suspended",
      // internal/store/pod.go (the subset alerts use)
      "kube_pod_container_resource_limits",
      "kube_pod_container_resource_requests",
      "kube_pod_container_status_ready",
      "kube_pod_container_status_restarts_total",
      "kube_pod_container_status_running",
      "kube_pod_container_status_terminated_reason",
      "kube_pod_container_status_waiting_reason",
      "kube_pod_info",
      "kube_pod_labels",
      "kube_pod_owner",
      "kube_pod_status_phase",
      "kube_pod_status_ready",
      "kube_pod_status_reason",
      "kube_pod_status_scheduled",
      "kube_pod_status_unschedulable",
    ],
  },
  {
    exporter: "mlflow tracking server (--expose-prometheus)",
    version: "3.15.1",
    source:
      'mlflow/mlflow mlflow/server/prometheus_exporter.py (GunicornInternalPrometheusMetrics(export_defaults=True, defaults_prefix="mlflow")) → ' +
      "rycus86/prometheus_flask_exporter prometheus_flask_exporter/__init__.py export_defaults: '%sexporter_info', '%shttp_request_duration_seconds' (histogram), '%shttp_request_total', '%shttp_request_exceptions_total'",
    metrics: ["mlflow_exporter_info", "mlflow_http_request_total", "mlflow_http_request_exceptions_total"],
    histograms: ["mlflow_http_request_duration_seconds"],
  },
  {
    exporter: "argo-rollouts controller",
    version: "v1.9.0 (chart argo-rollouts 2.41.0)",
    source:
      "argoproj/argo-rollouts controller/metrics/prommetrics.go @ v1.9.0 (rollout_info{namespace,name,strategy,traffic_router,phase}, analysis_run_info{namespace,name,phase}, " +
      "analysis_run_metric_phase{namespace,name,metric,type,dry_run,phase}); phases: controller/metrics/rollouts.go calculatePhase (Completed, Progressing, Paused, Timeout, Error, Abort, InvalidSpec), " +
      "pkg/apis/rollouts/v1alpha1/types.go AnalysisPhase (Pending, Running, Successful, Failed, Error, Inconclusive)",
    metrics: [
      "rollout_info",
      "rollout_info_replicas_available",
      "rollout_info_replicas_unavailable",
      "rollout_info_replicas_desired",
      "rollout_info_replicas_updated",
      "rollout_phase",
      "rollout_events_total",
      "rollout_reconcile_error",
      "analysis_run_info",
      "analysis_run_phase",
      "analysis_run_metric_type",
      "analysis_run_metric_phase",
      "analysis_run_reconcile_error",
      "analysis_template_info",
      "analysis_template_metric_info",
    ],
    histograms: ["rollout_reconcile", "analysis_run_reconcile"],
  },
  {
    exporter: "karpenter controller",
    version: "1.14.1 (chart karpenter 1.14.1; core sigs.k8s.io/karpenter v1.14.1)",
    source:
      'kubernetes-sigs/karpenter pkg/controllers/metrics/nodepool/controller.go @ v1.14.1 (Namespace "karpenter", NodePoolSubsystem "nodepools": limit, usage, cost_total; ' +
      "pkg/metrics/metrics.go); aws/karpenter-provider-aws website/content/en/v1.14/reference/metrics.md",
    metrics: [
      "karpenter_nodepools_limit",
      "karpenter_nodepools_usage",
      "karpenter_nodepools_cost_total",
      "karpenter_nodeclaims_created_total",
      "karpenter_nodeclaims_disrupted_total",
      "karpenter_interruption_received_messages_total",
      "karpenter_interruption_deleted_messages_total",
      "karpenter_cloudprovider_errors_total",
    ],
  },
  {
    exporter: "kueue controller-manager",
    version: "v0.19.2 (chart kueue 0.19.2)",
    source:
      'kubernetes-sigs/kueue pkg/metrics/metrics.go @ v0.19.2 (Subsystem constants.KueueName = "kueue", pkg/constants/constants.go); ' +
      "the cluster_queue_resource_* and *_quota gauges only with Configuration metrics.enableClusterQueueResources (apis/config/v1beta2/configuration_types.go)",
    metrics: [
      "kueue_admission_attempts_total",
      "kueue_build_info",
      "kueue_pending_workloads",
      "kueue_local_queue_pending_workloads",
      "kueue_quota_reserved_workloads_total",
      "kueue_admitted_workloads_total",
      "kueue_local_queue_admitted_workloads_total",
      "kueue_finished_workloads_total",
      "kueue_evicted_workloads_total",
      "kueue_preempted_workloads_total",
      "kueue_reserving_active_workloads",
      "kueue_admitted_active_workloads",
      "kueue_cluster_queue_status",
      "kueue_cluster_queue_resource_reservation",
      "kueue_cluster_queue_resource_pending",
      "kueue_cluster_queue_resource_usage",
      "kueue_cluster_queue_nominal_quota",
      "kueue_cluster_queue_borrowing_limit",
      "kueue_cluster_queue_lending_limit",
    ],
    histograms: ["kueue_admission_wait_time_seconds", "kueue_quota_reserved_wait_time_seconds", "kueue_ready_wait_time_seconds", "kueue_admission_attempt_duration_seconds"],
  },
  {
    exporter: "model server (the library's metrics contract for serving images)",
    version: "this library",
    source: "lib/endpoint/endpoint-metrics.ts endpointMetricNames() defaults",
    metrics: [endpointMetricNames().requestsTotal, endpointMetricNames().driftScore],
    histograms: [endpointMetricNames().latencyHistogram],
  },
  {
    exporter: "drift job (DriftMonitor's CronJob, through its Pushgateway)",
    version: "this library",
    source: "lib/endpoint/private/drift-job-script.ts DRIFT_JOB_SCRIPT (Gauge names; test/integration/drift.test.ts runs it and reads them back from a Pushgateway)",
    metrics: Object.values(DRIFT_METRICS),
  },
];

/**
 * Catalog entries read from the rendered set itself: dcgm-exporter exports exactly the
 * counters of the CSV its chart mounts (dcgm-exporter chart 4.8.2,
 * templates/metrics-configmap.yaml → /etc/dcgm-exporter/default-counters.csv).
 */
export function renderedMetricSources(objects: readonly ClusterObject[]): MetricSource[] {
  const sources: MetricSource[] = [];
  for (const o of objects) {
    if (o.object.kind === "ConfigMap" && o.release === "dcgm-exporter" && typeof o.object.data?.metrics === "string") {
      const metrics = o.object.data.metrics
        .split("\n")
        .map((l: string) => l.trim())
        .filter((l: string) => l && !l.startsWith("#"))
        .map((l: string) => l.split(",")[0].trim());
      sources.push({ exporter: "dcgm-exporter", version: "chart 4.8.2", source: `${o.source}: ConfigMap ${o.object.metadata.name} key "metrics"`, metrics });
    }
  }
  return sources;
}

/** Every series name a catalog provides (histograms expanded). */
export function catalogNames(sources: readonly MetricSource[]): Set<string> {
  const names = new Set<string>();
  for (const s of sources) {
    for (const m of s.metrics) names.add(m);
    for (const h of s.histograms ?? []) for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${h}${suffix}`);
  }
  return names;
}

const KEYWORDS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan", "Inf", "NaN", "atan2"]);

/**
 * The metric names a PromQL expression selects: identifiers that are not functions,
 * aggregation operators, keywords, label names or string contents.
 */
export function promqlMetricNames(expr: string): string[] {
  let s = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""'); // strings
  s = s.replace(/\{[^}]*\}/g, " "); // label matchers
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " "); // label lists
  s = s.replace(/\[[^\]]*\]/g, " "); // ranges and subqueries
  const names = new Set<string>();
  const re = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const name = m[0];
    const before = s[m.index - 1];
    if (before && /[0-9.]/.test(before)) continue; // part of a number or duration (5m, 1e3)
    const after = s.slice(m.index + name.length).match(/^\s*(\S)/)?.[1];
    if (after === "(") continue; // function or aggregation
    if (KEYWORDS.has(name)) continue;
    names.add(name);
  }
  return [...names];
}

export interface RuleExpression {
  readonly where: string;
  readonly expr: string;
}

/** Every alert and recording rule expression of the PrometheusRules the library creates, and the series recorded. */
export function libraryRuleExpressions(objects: readonly ClusterObject[]): { exprs: RuleExpression[]; recorded: Set<string> } {
  const exprs: RuleExpression[] = [];
  const recorded = new Set<string>();
  for (const o of objects) {
    if (o.object.kind !== "PrometheusRule") continue;
    for (const g of o.object.spec?.groups ?? []) {
      for (const r of g.rules ?? []) {
        if (r.record) recorded.add(r.record);
        if (o.release) continue; // the charts' own rules are upstream's (kube-prometheus-stack's mixins)
        exprs.push({ where: `PrometheusRule ${o.object.metadata.namespace}/${o.object.metadata.name} ${r.alert ?? r.record}`, expr: String(r.expr) });
      }
    }
  }
  return { exprs, recorded };
}

/** Every query of the Grafana dashboards the library ships (ConfigMaps labelled grafana_dashboard). */
export function libraryDashboardExpressions(objects: readonly ClusterObject[]): RuleExpression[] {
  const exprs: RuleExpression[] = [];
  for (const o of objects) {
    if (o.object.kind !== "ConfigMap" || o.release || o.object.metadata?.labels?.grafana_dashboard === undefined) continue;
    for (const [key, text] of Object.entries<string>(o.object.data ?? {})) {
      const dashboard = parse(text);
      for (const panel of dashboard?.panels ?? []) {
        for (const t of panel.targets ?? []) if (t.expr) exprs.push({ where: `dashboard ${o.object.metadata.name}/${key} panel "${panel.title}"`, expr: String(t.expr) });
      }
    }
  }
  return exprs;
}

/** Metric names in the expressions that no catalog entry (nor a recording rule) provides. */
export function unknownMetrics(exprs: readonly RuleExpression[], known: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const e of exprs) {
    for (const name of promqlMetricNames(e.expr)) {
      if (!known.has(name)) problems.push(`${e.where}: metric ${name} is exported by nothing in the catalog`);
    }
  }
  return problems;
}

/**
 * Every PromQL query the library hands to a controller: KEDA ScaledObjects' prometheus
 * triggers and Argo Rollouts AnalysisTemplates' prometheus metrics (Argo's `{{args.x}}`
 * placeholders sit inside label values, so the text is PromQL as it stands).
 */
export function libraryQueryExpressions(objects: readonly ClusterObject[]): RuleExpression[] {
  const exprs: RuleExpression[] = [];
  for (const o of objects) {
    if (o.release) continue;
    const where = `${o.object.kind} ${o.object.metadata?.namespace}/${o.object.metadata?.name}`;
    if (o.object.kind === "ScaledObject") {
      for (const t of o.object.spec?.triggers ?? []) if (t.type === "prometheus") exprs.push({ where: `${where} trigger ${t.name}`, expr: String(t.metadata.query) });
    }
    if (o.object.kind === "AnalysisTemplate" || o.object.kind === "ClusterAnalysisTemplate") {
      for (const m of o.object.spec?.metrics ?? []) if (m.provider?.prometheus) exprs.push({ where: `${where} metric ${m.name}`, expr: String(m.provider.prometheus.query) });
    }
  }
  return exprs;
}
