import { AlertRule, AlertSeverity, RuleGroup } from "../kubernetes/monitoring";
import { EndpointMetricNames } from "./endpoint-metrics";

/** Service level objectives of an endpoint; each becomes an alert. */
export interface EndpointSloOptions {
  /** Objective for the 95th percentile latency, in seconds. @default 0.5 */
  readonly latencyObjectiveSeconds?: number;
  /** Largest tolerated ratio of 5xx responses to all responses, in (0, 1). @default 0.01 */
  readonly errorRatioObjective?: number;
  /** How long latency or errors must breach their objective before alerting. @default "5m" */
  readonly breachFor?: string;
  /**
   * Whether the endpoint always receives traffic, so that silence means a broken caller or route.
   * @default - true in production, false otherwise
   */
  readonly expectTraffic?: boolean;
  /** Minutes without a single request before the no-traffic alert fires (when traffic is expected). @default 15 */
  readonly noTrafficMinutes?: number;
  /** How long the autoscaler must be pinned at its maximum before the saturation alert fires. @default "15m" */
  readonly saturationFor?: string;
  /** Drift score above which predictions are considered drifting (0.2 is the usual PSI threshold). @default 0.2 */
  readonly driftThreshold?: number;
  /** How long drift must stay above the threshold. @default "30m" */
  readonly driftFor?: string;
  /** Severity of the latency, error and no-traffic alerts. @default - "critical" in production, "warning" otherwise */
  readonly severity?: AlertSeverity;
}

/** SLOs with every default resolved. */
export interface ResolvedSlo {
  readonly latencyObjectiveSeconds: number;
  readonly errorRatioObjective: number;
  readonly breachFor: string;
  readonly expectTraffic: boolean;
  readonly noTrafficMinutes: number;
  readonly saturationFor: string;
  readonly driftThreshold: number;
  readonly driftFor: string;
  readonly severity: AlertSeverity;
}

export function resolveSlo(options: EndpointSloOptions, isProduction: boolean): ResolvedSlo {
  return {
    latencyObjectiveSeconds: options.latencyObjectiveSeconds ?? 0.5,
    errorRatioObjective: options.errorRatioObjective ?? 0.01,
    breachFor: options.breachFor ?? "5m",
    expectTraffic: options.expectTraffic ?? isProduction,
    noTrafficMinutes: options.noTrafficMinutes ?? 15,
    saturationFor: options.saturationFor ?? "15m",
    driftThreshold: options.driftThreshold ?? 0.2,
    driftFor: options.driftFor ?? "30m",
    severity: options.severity ?? (isProduction ? "critical" : "warning"),
  };
}

/** Where an endpoint's series are: the labels Prometheus attaches when scraping its metrics Service. */
export interface SloTarget {
  readonly endpoint: string;
  readonly namespace: string;
  /** The Service the ServiceMonitor scrapes (Prometheus's `service` label). */
  readonly metricsService: string;
  /** The endpoint's HorizontalPodAutoscalers (one per colour; KEDA's `keda-hpa-<name>` with demand scaling). */
  readonly autoscalers: readonly string[];
  /** The endpoint's Argo Rollout, when it has one. */
  readonly rollout?: string;
  readonly metrics: EndpointMetricNames;
}

/** The SLO alerts of one endpoint, as one rule group. */
export function sloRuleGroup(target: SloTarget, slo: ResolvedSlo): RuleGroup {
  const sel = `namespace="${target.namespace}",service="${target.metricsService}"`;
  const { latencyHistogram, requestsTotal, driftScore } = target.metrics;
  const labels = { endpoint: target.endpoint, namespace: target.namespace };
  const who = `endpoint ${target.namespace}/${target.endpoint}`;
  const hpa = `namespace="${target.namespace}",horizontalpodautoscaler=~"${target.autoscalers.join("|")}"`;
  const rules: AlertRule[] = [
    {
      alert: "ModelEndpointLatencyHigh",
      expr: `histogram_quantile(0.95, sum by (le) (rate(${latencyHistogram}_bucket{${sel}}[5m]))) > ${slo.latencyObjectiveSeconds}`,
      for: slo.breachFor,
      severity: slo.severity,
      summary: `p95 latency of ${who} is above its ${slo.latencyObjectiveSeconds}s objective`,
      description: "p95 latency over the last 5 minutes is {{ $value | humanizeDuration }}.",
      labels,
    },
    {
      alert: "ModelEndpointErrorRatioHigh",
      expr: `sum(rate(${requestsTotal}{${sel},code=~"5.."}[5m])) / sum(rate(${requestsTotal}{${sel}}[5m])) > ${slo.errorRatioObjective}`,
      for: slo.breachFor,
      severity: slo.severity,
      summary: `5xx ratio of ${who} is above its ${slo.errorRatioObjective} objective`,
      description: "Ratio of 5xx responses over the last 5 minutes: {{ $value | humanizePercentage }}.",
      labels,
    },
    {
      alert: "ModelEndpointReplicasAtMax",
      expr:
        `max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas{${hpa}})` +
        ` >= max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{${hpa}})`,
      for: slo.saturationFor,
      severity: "warning",
      summary: `${who} is pinned at its autoscaler's maximum replicas (saturated)`,
      description: "The autoscaler cannot add replicas: raise the maximum or expect latency to grow with load.",
      labels,
    },
    {
      alert: "ModelEndpointPredictionDrift",
      expr: `max(${driftScore}{${target.metrics.driftSelector ?? sel}}) > ${slo.driftThreshold}`,
      for: slo.driftFor,
      severity: "warning",
      summary: `predictions of ${who} are drifting (score above ${slo.driftThreshold})`,
      description: "Drift score {{ $value }}: compare recent inputs and outputs with the training data; consider retraining.",
      labels,
    },
  ];
  if (target.rollout !== undefined) {
    // Argo Rollouts controller metrics (argoproj/argo-rollouts v1.9.0 controller/metrics/prommetrics.go, rollouts.go,
    // analysis.go): rollout_info{namespace,name,strategy,traffic_router,phase} is 1 for the phase the rollout is in;
    // analysis_run_info{namespace,name,phase} is 1 for an AnalysisRun's phase. AnalysisRuns are named
    // `<rollout>-<pod-template-hash>-<revision>[-<step>]`.
    const rolloutSel = `namespace="${target.namespace}",name="${target.rollout}"`;
    rules.push(
      {
        alert: "ModelEndpointRolloutAborted",
        expr: `max by (namespace, name, phase) (rollout_info{${rolloutSel},phase=~"Abort|Error|Timeout"}) > 0`,
        for: "1m",
        severity: "warning",
        summary: `the rollout of ${who} was aborted or stalled: the previous model version serves`,
        description: "Rollout phase {{ $labels.phase }}: read the failed AnalysisRun (kubectl argo rollouts get rollout), fix the model, then retry or undo.",
        labels,
      },
      {
        alert: "ModelEndpointAnalysisFailing",
        expr: `max by (namespace) (analysis_run_info{namespace="${target.namespace}",name=~"${target.rollout}-[a-z0-9]+-[0-9]+.*",phase=~"Failed|Error"}) > 0`,
        for: "1m",
        severity: "warning",
        summary: `an analysis of the new model version of ${who} failed`,
        description: "The new version broke its error-ratio, latency or quality check (or the smoke test): the rollout is aborted.",
        labels,
      },
    );
  }
  if (slo.expectTraffic) {
    rules.push({
      alert: "ModelEndpointNoTraffic",
      // No request in the whole window; `or vector(0)`: an endpoint whose series never appeared has no traffic either.
      // Held 2m so that one missed scrape does not page.
      expr: `(sum(rate(${requestsTotal}{${sel}}[${slo.noTrafficMinutes}m])) or vector(0)) == 0`,
      for: "2m",
      severity: slo.severity,
      summary: `${who} has received no request for ${slo.noTrafficMinutes} minutes`,
      description: "Traffic is expected: check callers, DNS and the Service's selector (active colour).",
      labels,
    });
  }
  return { name: `model-endpoint-${target.endpoint}.slo`, rules };
}
