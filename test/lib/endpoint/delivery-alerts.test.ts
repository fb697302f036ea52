import { RolloutStrategy } from "../../../lib";
import { checkRules, describeWithPromtool, RuleTest, testRules } from "../../support/promtool";
import { synthJson } from "../../support/synth";
import { endpointFixture, manifestsOfKind } from "./fixture";

/**
 * Issue 17, under promtool: the rollout and autoscaler alerts fire on the controllers' series
 * and stay silent otherwise; every KEDA trigger and AnalysisTemplate query parses, and returns
 * what the controller compares against its threshold on synthetic series of the endpoint.
 */
const GPU_POOLS = [
  { name: "general", instanceTypes: ["g6.xlarge"], gpuModel: "L4", gpusPerNode: 1, nodeSelector: { "ml-platform/pool": "general" }, maxNodes: 4, efaInterfacesPerNode: 0 },
];

describeWithPromtool("rollout and autoscaler alerts under promtool", () => {
  const f = endpointFixture({ tier: "production", gpuPools: GPU_POOLS });
  const endpoint = f.endpoint("fraud", {
    gpu: {},
    minReplicas: 2,
    rollout: { strategy: RolloutStrategy.canary([{ weight: 20 }, { pause: "5m" }, { weight: 100 }]) },
    autoscaling: { demand: { requestsPerSecond: 20, gpuUtilization: 70 } },
  });
  const ruleFile = endpoint.rules.object.spec as { groups: { rules: any[] }[] };
  const rules = ruleFile.groups[0].rules;
  const json = synthJson(f.platform);

  function run(alertname: string, evalTime: string, series: RuleTest["input_series"], firing: Record<string, string>[]) {
    const rule = rules.find((r) => r.alert === alertname);
    // Annotations as promtool renders them ({{ $labels.x }} from the alert's labels).
    const render = (text: string, labels: Record<string, string>) => text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, l: string) => labels[l] ?? "");
    const exp_alerts = firing.map((labels) => ({
      exp_labels: { ...rule.labels, ...labels },
      exp_annotations: Object.fromEntries(Object.entries<string>(rule.annotations).map(([k, v]) => [k, render(v, labels)])),
    }));
    const result = testRules(ruleFile, [{ interval: "1m", input_series: series, alert_rule_test: [{ eval_time: evalTime, alertname, exp_alerts }] }]);
    if (!result.ok) throw new Error(result.output);
    return result.ok;
  }

  test("every rule passes promtool check rules (the SLO alerts plus the two rollout alerts)", () => {
    const result = checkRules(ruleFile);
    expect(result.output).toContain("SUCCESS: 7 rules found");
  });

  const rolloutInfo = (phase: string) => [
    { series: `rollout_info{namespace="serving",name="fraud",strategy="canary",traffic_router="",phase="${phase}",job="argo-rollouts-metrics"}`, values: "1x10" },
  ];

  test("rollout aborted: fires when the controller reports phase Abort", () => {
    expect(run("ModelEndpointRolloutAborted", "5m", rolloutInfo("Abort"), [{ namespace: "serving", name: "fraud", phase: "Abort" }])).toBe(true);
  });

  test("rollout aborted: silent while the rollout progresses or completes", () => {
    expect(run("ModelEndpointRolloutAborted", "5m", [...rolloutInfo("Progressing")], [])).toBe(true);
    expect(run("ModelEndpointRolloutAborted", "5m", [...rolloutInfo("Completed")], [])).toBe(true);
  });

  const analysisRun = (name: string, phase: string) => [
    { series: `analysis_run_info{namespace="serving",name="${name}",phase="${phase}",job="argo-rollouts-metrics"}`, values: "1x10" },
  ];

  test("analysis failing: fires on a Failed AnalysisRun of the endpoint's rollout", () => {
    expect(run("ModelEndpointAnalysisFailing", "5m", analysisRun("fraud-6f9c8d7b5-3", "Failed"), [{ namespace: "serving" }])).toBe(true);
    expect(run("ModelEndpointAnalysisFailing", "5m", analysisRun("fraud-6f9c8d7b5-3-1", "Error"), [{ namespace: "serving" }])).toBe(true);
  });

  test("analysis failing: silent for a successful run, and for another rollout's failed run", () => {
    expect(run("ModelEndpointAnalysisFailing", "5m", analysisRun("fraud-6f9c8d7b5-3", "Successful"), [])).toBe(true);
    expect(run("ModelEndpointAnalysisFailing", "5m", analysisRun("fraudster-6f9c8d7b5-3", "Failed"), [])).toBe(true);
  });

  const hpa = (current: number) => [
    {
      series: 'kube_horizontalpodautoscaler_status_current_replicas{namespace="serving",horizontalpodautoscaler="keda-hpa-fraud",job="kube-state-metrics"}',
      values: `${current}x30`,
    },
    { series: 'kube_horizontalpodautoscaler_spec_max_replicas{namespace="serving",horizontalpodautoscaler="keda-hpa-fraud",job="kube-state-metrics"}', values: "8x30" },
  ];

  test("autoscaler at max: fires on the HPA KEDA created when pinned at its maximum for 15 minutes, silent below", () => {
    expect(run("ModelEndpointReplicasAtMax", "25m", hpa(8), [{ namespace: "serving", horizontalpodautoscaler: "keda-hpa-fraud" }])).toBe(true);
    expect(run("ModelEndpointReplicasAtMax", "25m", hpa(5), [])).toBe(true);
  });

  // ---- the queries KEDA and Argo Rollouts run ----
  const HASH = "6f9c8d7b5";
  const sel = 'namespace="serving",service="fraud-metrics"';
  const triggers = manifestsOfKind(json, "ScaledObject")[0].spec.triggers.filter((t: any) => t.type === "prometheus");
  const analysis = manifestsOfKind(json, "AnalysisTemplate").find((t: any) => t.metadata.name === "fraud-slo").spec.metrics;
  const queries: [string, string][] = [
    ...triggers.map((t: any) => [`trigger ${t.name}`, t.metadata.query] as [string, string]),
    ...analysis.map((m: any) => [`analysis ${m.name}`, m.provider.prometheus.query.replaceAll("{{args.canary-hash}}", HASH)] as [string, string]),
  ];

  test("every trigger and analysis query parses (promtool check rules, each as a recording rule)", () => {
    expect(queries.map(([name]) => name)).toEqual(["trigger requests-per-second", "trigger gpu-utilization", "analysis error-ratio", "analysis latency-p95"]);
    const result = checkRules({ groups: [{ name: "queries", rules: queries.map(([, expr], i) => ({ record: `query:${i}`, expr })) }] });
    expect(result.output).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  test("on synthetic series of the endpoint, each query returns the value the controller compares with its threshold", () => {
    // Two pods of the new version: 10 req/s each, 1 in 10 a 500; every request in the (0.1, 0.5] latency bucket; GPUs at 40% and 80%.
    const pod = (p: string) => `${sel},pod="fraud-${HASH}-${p}",rollouts_pod_template_hash="${HASH}"`;
    const series: RuleTest["input_series"] = [];
    for (const p of ["a", "b"]) {
      series.push({ series: `model_requests_total{${pod(p)},code="200"}`, values: "0+540x20" }, { series: `model_requests_total{${pod(p)},code="500"}`, values: "0+60x20" });
      for (const le of ["0.1", "0.5", "+Inf"]) series.push({ series: `model_request_duration_seconds_bucket{${pod(p)},le="${le}"}`, values: le === "0.1" ? "0x20" : "0+600x20" });
    }
    series.push(
      { series: `DCGM_FI_DEV_GPU_UTIL{namespace="kube-system",pod="dcgm-exporter-x",exported_namespace="serving",exported_pod="fraud-${HASH}-a",gpu="0"}`, values: "40x20" },
      { series: `DCGM_FI_DEV_GPU_UTIL{namespace="kube-system",pod="dcgm-exporter-y",exported_namespace="serving",exported_pod="fraud-${HASH}-b",gpu="0"}`, values: "80x20" },
      // Another namespace's GPU pod named like the endpoint: not counted.
      { series: `DCGM_FI_DEV_GPU_UTIL{namespace="kube-system",pod="dcgm-exporter-z",exported_namespace="other",exported_pod="fraud-x-y",gpu="0"}`, values: "100x20" },
    );
    const expected: Record<string, number> = {
      "trigger requests-per-second": 20, // sum over the pods: KEDA divides by the replicas (AverageValue)
      "trigger gpu-utilization": 60, // average of the endpoint's GPUs (Value)
      "analysis error-ratio": 0.1,
      "analysis latency-p95": 0.48, // every request in the (0.1, 0.5] bucket: 0.1 + 0.4 * 0.95 by linear interpolation
    };
    const promqlTests = queries.map(([name, expr]) => ({ expr, eval_time: "10m", exp_samples: [{ labels: "{}", value: expected[name] }] }));
    const result = testRules({ groups: [] }, [{ interval: "1m", input_series: series, promql_expr_test: promqlTests }]);
    if (!result.ok) throw new Error(result.output);
    expect(result.ok).toBe(true);
  });
});
