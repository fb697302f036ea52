import { AlertSeverity, RuleGroup } from "../../kubernetes/monitoring";
import { MLFLOW_NAMESPACE, MLFLOW_RELEASE } from "./names";

/**
 * What the tracking server exports with `--expose-prometheus`: MLflow 3.15.1
 * (`mlflow/server/prometheus_exporter.py`) wraps its Flask app in prometheus_flask_exporter's
 * `GunicornInternalPrometheusMetrics(app, export_defaults=True, defaults_prefix="mlflow",
 * excluded_paths=["/health", "/version"], group_by=mlflow_version)`; prometheus_flask_exporter
 * 0.23.2 (`prometheus_flask_exporter/__init__.py`, `export_defaults`) names the default metrics
 * `<prefix>_http_request_total` (labels method, status) and
 * `<prefix>_http_request_duration_seconds` (histogram; labels method, status and the group_by
 * function's name, `mlflow_version`). The integration test scrapes a real server for them.
 */
export const MLFLOW_METRICS = {
  requests: "mlflow_http_request_total",
  duration: "mlflow_http_request_duration_seconds",
  durationBuckets: "mlflow_http_request_duration_seconds_bucket",
} as const;

/**
 * Alerts on the tracking server, from what its ServiceMonitor scrapes: `up` and the request
 * metrics above. The job label is the Service's name, the chart's release.
 */
export function mlflowRuleGroup(severity: AlertSeverity): RuleGroup {
  const sel = `job="${MLFLOW_RELEASE}",namespace="${MLFLOW_NAMESPACE}"`;
  const requests = `${MLFLOW_METRICS.requests}{${sel}}`;
  return {
    name: "mlflow",
    rules: [
      {
        alert: "MlflowTrackingServerDown",
        // absent() also fires when every target is gone (no pod, no endpoint), not only when all report up == 0.
        expr: `absent(up{${sel}} == 1)`,
        for: "5m",
        severity,
        // absent() returns no labels of its own: route by namespace like the other alerts.
        labels: { namespace: MLFLOW_NAMESPACE },
        summary: "The MLflow tracking server has had no healthy replica for 5 minutes",
        description: "Training jobs cannot log runs and endpoints cannot resolve models:/ URIs. Check `kubectl -n mlflow get pods` and the RDS instance.",
      },
      {
        alert: "MlflowServerErrors",
        expr: `sum(rate(${MLFLOW_METRICS.requests}{${sel},status=~"5.."}[5m])) / sum(rate(${requests}[5m])) > 0.05`,
        for: "10m",
        severity: "warning",
        summary: "More than 5% of MLflow requests fail with a server error",
        description: "{{ $value | humanizePercentage }} of requests returned 5xx over 5 minutes; the database or the artifact bucket is the usual cause.",
      },
      {
        alert: "MlflowSlowRequests",
        expr: `histogram_quantile(0.95, sum by (le) (rate(${MLFLOW_METRICS.durationBuckets}{${sel}}[5m]))) > 2`,
        for: "15m",
        severity: "warning",
        summary: "MLflow's 95th percentile request latency is above 2 seconds",
        description: "p95 latency is {{ $value | humanizeDuration }}; look at the database (Performance Insights) before adding replicas.",
      },
    ],
  };
}
