/**
 * The metrics contract between a model server and the platform. Every endpoint must
 * expose, on its metrics port and path (Prometheus text format):
 *
 * - `<prefix>_request_duration_seconds` (histogram): latency of each prediction request;
 * - `<prefix>_requests_total` (counter) with a `code` label carrying the HTTP status code;
 * - `<driftMetric>` (gauge, optional): a prediction drift score (e.g. PSI of the output
 *   distribution against the training baseline), exported by the server or by a drift job
 *   that writes it for the endpoint's pods.
 *
 * With the default prefix "model" that is `model_request_duration_seconds_bucket`,
 * `model_requests_total{code="200"}` and `model_prediction_drift_score`.
 */
export interface EndpointMetricsOptions {
  /** Prefix of the latency histogram and request counter. @default "model" */
  readonly prefix?: string;
  /** Name of the drift score gauge. @default "<prefix>_prediction_drift_score" */
  readonly driftMetric?: string;
  /**
   * PromQL label matchers selecting the drift series, for a score exported by a separate
   * drift job rather than the endpoint's pods, e.g. `job="drift-monitor",model="fraud"`.
   * @default - the endpoint's own series (its namespace and metrics Service)
   */
  readonly driftSelector?: string;
  /**
   * Further gauges the server exports (in-flight requests, queue depth, a model-quality
   * score), which `autoscaling.demand.gauge` and `rollout.analysis.quality` may query.
   * @default - none
   */
  readonly gauges?: readonly string[];
  /** Port (container port number) serving /metrics. @default - the serving port */
  readonly port?: number;
  /** @default "/metrics" */
  readonly path?: string;
}

export interface EndpointMetricNames {
  readonly latencyHistogram: string;
  readonly requestsTotal: string;
  readonly driftScore: string;
  /** Declared further gauges. */
  readonly gauges: readonly string[];
  /** Label matchers of the drift series; undefined: the endpoint's own. */
  readonly driftSelector?: string;
}

export function endpointMetricNames(options: EndpointMetricsOptions = {}): EndpointMetricNames {
  const prefix = options.prefix ?? "model";
  return {
    latencyHistogram: `${prefix}_request_duration_seconds`,
    requestsTotal: `${prefix}_requests_total`,
    driftScore: options.driftMetric ?? `${prefix}_prediction_drift_score`,
    gauges: [...(options.gauges ?? [])],
    ...(options.driftSelector !== undefined ? { driftSelector: options.driftSelector } : {}),
  };
}

/** Every metric name the endpoint's server exports (histograms by their series names). */
export function exportedMetrics(names: EndpointMetricNames): string[] {
  const h = names.latencyHistogram;
  return [`${h}_bucket`, `${h}_sum`, `${h}_count`, names.requestsTotal, ...(names.driftSelector === undefined ? [names.driftScore] : []), ...names.gauges];
}

export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
