import { checkRules, describeWithPromtool, RuleTest, testRules } from "../../support/promtool";
import { endpointFixture } from "./fixture";

/**
 * Every SLO alert of an endpoint, run by promtool against synthetic series: it fires above
 * its threshold and stays silent below. The endpoint is a production blue/green one with
 * the default objectives (p95 0.5s, 1% errors, 15 minutes without traffic, drift 0.2).
 */
describeWithPromtool("MonitoredEndpoint SLO alerts under promtool", () => {
  const f = endpointFixture({ tier: "production" });
  const endpoint = f.endpoint("fraud", { model: undefined, blueGreen: { active: "blue", blue: { uri: "models:/fraud/3" }, green: { uri: "models:/fraud/4" } } });
  const ruleFile = endpoint.rules.object.spec as { groups: { rules: any[] }[] };
  const rules = ruleFile.groups[0].rules;
  const sel = 'namespace="serving",service="fraud-metrics"';

  /** The alert as promtool reports it: rule labels plus the series' labels, annotations with templates rendered. */
  function expected(alert: string, seriesLabels: Record<string, string>, description?: string) {
    const rule = rules.find((r) => r.alert === alert);
    return {
      exp_labels: { ...rule.labels, ...seriesLabels },
      exp_annotations: { ...rule.annotations, ...(description !== undefined ? { description } : {}) },
    };
  }

  function run(alertname: string, evalTime: string, series: RuleTest["input_series"], alerts: ReturnType<typeof expected>[]) {
    const result = testRules(ruleFile, [{ interval: "1m", input_series: series, alert_rule_test: [{ eval_time: evalTime, alertname, exp_alerts: alerts }] }]);
    if (!result.ok) throw new Error(result.output);
    return result;
  }

  const histogram = (slowBucket: "0.1" | "1") =>
    ["0.1", "0.5", "1", "+Inf"].map((le) => ({
      series: `model_request_duration_seconds_bucket{${sel},le="${le}"}`,
      // Every request lands in the slow bucket and every bucket above it (buckets are cumulative).
      values: Number(le === "+Inf" ? Infinity : le) >= Number(slowBucket) ? "0+60x30" : "0x30",
    }));
  const requests = (okPerMin: number, errorsPerMin: number) => [
    { series: `model_requests_total{${sel},code="200"}`, values: `0+${okPerMin}x40` },
    { series: `model_requests_total{${sel},code="500"}`, values: `0+${errorsPerMin}x40` },
  ];
  const hpa = (current: number) => [
    { series: 'kube_horizontalpodautoscaler_status_current_replicas{namespace="serving",horizontalpodautoscaler="fraud-blue",job="kube-state-metrics"}', values: `${current}x30` },
    { series: 'kube_horizontalpodautoscaler_spec_max_replicas{namespace="serving",horizontalpodautoscaler="fraud-blue",job="kube-state-metrics"}', values: "8x30" },
    { series: 'kube_horizontalpodautoscaler_status_current_replicas{namespace="serving",horizontalpodautoscaler="fraud-green",job="kube-state-metrics"}', values: "2x30" },
    { series: 'kube_horizontalpodautoscaler_spec_max_replicas{namespace="serving",horizontalpodautoscaler="fraud-green",job="kube-state-metrics"}', values: "8x30" },
  ];

  test("every rule passes promtool check rules", () => {
    const result = checkRules(ruleFile);
    expect(result.output).toContain("SUCCESS: 5 rules found");
    expect(result.ok).toBe(true);
  });

  test("latency: fires when p95 is above the objective for 5 minutes", () => {
    // 95th percentile inside the (0.5s, 1s] bucket: 0.975s
    expect(run("ModelEndpointLatencyHigh", "15m", histogram("1"), [expected("ModelEndpointLatencyHigh", {}, "p95 latency over the last 5 minutes is 975ms.")]).ok).toBe(true);
  });

  test("latency: silent when p95 is below the objective", () => {
    expect(run("ModelEndpointLatencyHigh", "15m", histogram("0.1"), []).ok).toBe(true);
  });

  test("errors: fires when the 5xx ratio is above the objective", () => {
    expect(
      run("ModelEndpointErrorRatioHigh", "20m", requests(30, 30), [expected("ModelEndpointErrorRatioHigh", {}, "Ratio of 5xx responses over the last 5 minutes: 50%.")]).ok,
    ).toBe(true);
  });

  test("errors: silent when the 5xx ratio is below the objective", () => {
    // 1 error in 1000 requests: 0.1% < 1%
    expect(run("ModelEndpointErrorRatioHigh", "20m", requests(999, 1), []).ok).toBe(true);
  });

  test("no traffic: fires when the request counter has not moved", () => {
    const flat = [{ series: `model_requests_total{${sel},code="200"}`, values: "500x40" }];
    expect(run("ModelEndpointNoTraffic", "30m", flat, [expected("ModelEndpointNoTraffic", {})]).ok).toBe(true);
  });

  test("no traffic: fires when the endpoint never reported a request", () => {
    expect(run("ModelEndpointNoTraffic", "30m", [{ series: 'up{job="other"}', values: "1x40" }], [expected("ModelEndpointNoTraffic", {})]).ok).toBe(true);
  });

  test("no traffic: silent while requests arrive", () => {
    expect(run("ModelEndpointNoTraffic", "30m", requests(10, 0), []).ok).toBe(true);
  });

  test("saturation: fires when a colour is pinned at its autoscaler's maximum", () => {
    expect(run("ModelEndpointReplicasAtMax", "25m", hpa(8), [expected("ModelEndpointReplicasAtMax", { horizontalpodautoscaler: "fraud-blue" })]).ok).toBe(true);
  });

  test("saturation: silent below the maximum", () => {
    expect(run("ModelEndpointReplicasAtMax", "25m", hpa(7), []).ok).toBe(true);
  });

  test("drift: fires when the score stays above the threshold", () => {
    const drift = [{ series: `model_prediction_drift_score{${sel},pod="fraud-blue-1"}`, values: "0.5x40" }];
    expect(
      run("ModelEndpointPredictionDrift", "40m", drift, [
        expected("ModelEndpointPredictionDrift", {}, "Drift score 0.5: compare recent inputs and outputs with the training data; consider retraining."),
      ]).ok,
    ).toBe(true);
  });

  test("drift: silent below the threshold", () => {
    const drift = [{ series: `model_prediction_drift_score{${sel},pod="fraud-blue-1"}`, values: "0.1x40" }];
    expect(run("ModelEndpointPredictionDrift", "40m", drift, []).ok).toBe(true);
  });
});
