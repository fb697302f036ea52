import { DashboardOptions } from "../../observability/dashboard";
import { SloTarget } from "../slo";

/** The endpoint's dashboard: traffic, latency, errors, capacity, GPU use and drift. */
export function endpointDashboard(target: SloTarget, deployments: readonly string[], latencyObjective: number, driftThreshold: number, uid: string): DashboardOptions {
  const sel = `namespace="${target.namespace}",service="${target.metricsService}"`;
  const { latencyHistogram, requestsTotal, driftScore } = target.metrics;
  const ns = target.namespace;
  const deploymentRe = deployments.join("|");
  const podRe = `(${deploymentRe})-.*`;
  const quantile = (q: number) => ({
    expr: `histogram_quantile(${q}, sum by (le) (rate(${latencyHistogram}_bucket{${sel}}[5m])))`,
    legend: `p${Math.round(q * 100)}`,
  });
  // dcgm-exporter reports the pod using a GPU in `pod`/`namespace`, renamed `exported_pod`/`exported_namespace`
  // when its ServiceMonitor does not honour labels: the query reads either.
  const gpu =
    `avg by (pod) (DCGM_FI_DEV_GPU_UTIL{namespace="${ns}",pod=~"${podRe}"})` +
    ` or avg by (pod) (label_replace(DCGM_FI_DEV_GPU_UTIL{exported_namespace="${ns}",exported_pod=~"${podRe}"}, "pod", "$1", "exported_pod", "(.+)"))`;
  return {
    uid,
    title: `Model endpoint ${ns}/${target.endpoint}`,
    tags: ["ml-platform", "model-endpoint"],
    panels: [
      { title: "Request rate", unit: "reqps", queries: [{ expr: `sum by (code) (rate(${requestsTotal}{${sel}}[5m]))`, legend: "{{code}}" }] },
      {
        title: "Latency quantiles",
        unit: "s",
        queries: [quantile(0.5), quantile(0.95), quantile(0.99), { expr: `vector(${latencyObjective})`, legend: "p95 objective" }],
      },
      {
        title: "Error ratio",
        unit: "percentunit",
        queries: [{ expr: `sum(rate(${requestsTotal}{${sel},code=~"5.."}[5m])) / sum(rate(${requestsTotal}{${sel}}[5m]))`, legend: "5xx ratio" }],
      },
      {
        title: "Replicas",
        unit: "short",
        queries: [
          { expr: `sum by (deployment) (kube_deployment_status_replicas_available{namespace="${ns}",deployment=~"${deploymentRe}"})`, legend: "{{deployment}} available" },
          {
            expr: `max by (horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas{namespace="${ns}",horizontalpodautoscaler=~"${target.autoscalers.join("|")}"})`,
            legend: "{{horizontalpodautoscaler}} max",
          },
        ],
      },
      ...(target.rollout !== undefined
        ? [
            {
              title: "Rollout",
              unit: "short",
              queries: [
                { expr: `max by (phase) (rollout_info{namespace="${ns}",name="${target.rollout}"})`, legend: "phase {{phase}}" },
                { expr: `rollout_info_replicas_available{namespace="${ns}",name="${target.rollout}"}`, legend: "available" },
                { expr: `sum by (phase) (analysis_run_info{namespace="${ns}",name=~"${target.rollout}-[a-z0-9]+-[0-9]+.*"})`, legend: "analysis runs {{phase}}" },
              ],
            },
          ]
        : []),
      { title: "GPU utilisation", unit: "percent", queries: [{ expr: gpu, legend: "{{pod}}" }] },
      {
        title: "Drift",
        unit: "short",
        queries: [
          { expr: `max by (pod) (${driftScore}{${target.metrics.driftSelector ?? sel}})`, legend: "{{pod}}" },
          { expr: `vector(${driftThreshold})`, legend: "threshold" },
        ],
      },
    ],
  };
}
