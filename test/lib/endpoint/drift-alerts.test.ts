import { checkRules, describeWithPromtool, RuleTest, testRules } from "../../support/promtool";
import { driftFixture } from "./drift-fixture";

/**
 * The drift monitor's alerts under promtool, with synthetic series shaped as the drift job pushes them
 * (through the Pushgateway, namespace from the target) and as kube-state-metrics v2.20.0 exports CronJobs.
 */
describeWithPromtool("DriftMonitor alerts under promtool", () => {
  const f = driftFixture();
  const monitor = f.monitor({ threshold: 0.2, thresholdFor: "15m" });
  const ruleFile = monitor.rules.object.spec as { groups: { rules: any[] }[] };
  const rules = ruleFile.groups[0].rules;
  const cron = 'namespace="serving",cronjob="fraud-drift"';
  const ksm = { job: "kube-state-metrics", instance: "10.0.0.1:8080" };
  const withKsm = (labels: string) => `{${labels},job="${ksm.job}",instance="${ksm.instance}"}`;

  /** The alert fires with these series labels (none: silent); `value` is how its description renders `{{ $value }}`. */
  function fires(alertname: string, evalTime: string, series: RuleTest["input_series"], expected: Record<string, string>[], value = ""): void {
    const rule = rules.find((r) => r.alert === alertname);
    const annotations = Object.fromEntries(Object.entries<string>(rule.annotations).map(([k, v]) => [k, v.replace(/\{\{ \$value( \| humanizeDuration)? \}\}/g, value)]));
    const exp_alerts = expected.map((labels) => ({ exp_labels: { ...rule.labels, ...labels }, exp_annotations: annotations }));
    const result = testRules(ruleFile, [{ interval: "1m", input_series: series, alert_rule_test: [{ eval_time: evalTime, alertname, exp_alerts }] }]);
    if (!result.ok) throw new Error(result.output);
  }

  test("the rules pass promtool check rules", () => {
    const result = checkRules(ruleFile);
    expect(result.output).toContain("SUCCESS");
    expect(rules.map((r) => r.alert)).toEqual(["ModelInputDriftHigh", "ModelDriftJobFailed", "ModelDriftJobNotRun", "ModelDriftCronJobMissing"]);
  });

  test("every query of the drift dashboard parses (promtool, as recording rules)", () => {
    const panels = (monitor.dashboard.dashboard as any).panels as { title: string; targets: { expr: string }[] }[];
    expect(panels.map((p) => p.title)).toContain("Drift score (largest feature PSI)");
    const exprs = panels.flatMap((p) => p.targets.map((t) => t.expr));
    const asRules = { groups: [{ name: "dashboard", rules: exprs.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }] };
    const result = checkRules(asRules);
    expect(result.output).toContain("SUCCESS");
    // A broken query is reported.
    expect(checkRules({ groups: [{ name: "broken", rules: [{ record: "dashboard:broken", expr: `${exprs[0]})` }] }] }).ok).toBe(false);
  });

  describe("ModelInputDriftHigh", () => {
    const score = (value: string) => [{ series: 'ml_drift_score{namespace="serving",endpoint="fraud",job="ml-drift",instance=""}', values: value }];
    test("fires when the score stays above the threshold for 15m", () =>
      fires("ModelInputDriftHigh", "30m", score("0.35x40"), [{ namespace: "serving", endpoint: "fraud" }], "0.35"));
    test("is silent below the threshold", () => fires("ModelInputDriftHigh", "30m", score("0.15x40"), []));
    test("is silent for a breach shorter than 15m", () => fires("ModelInputDriftHigh", "30m", score("0.1x20 0.35x10"), []));
    test("ignores another endpoint's score", () =>
      fires("ModelInputDriftHigh", "30m", [{ series: 'ml_drift_score{namespace="serving",endpoint="ranker"}', values: "0.9x40" }], []));
  });

  describe("ModelDriftJobFailed", () => {
    // t in seconds since the start of the test: a run scheduled at 3600 s.
    const cronSeries = (lastSuccess: string | undefined, active: string) => [
      { series: `kube_cronjob_status_last_schedule_time${withKsm(cron)}`, values: "3600x40" },
      ...(lastSuccess ? [{ series: `kube_cronjob_status_last_successful_time${withKsm(cron)}`, values: lastSuccess }] : []),
      { series: `kube_cronjob_status_active${withKsm(cron)}`, values: active },
    ];
    test("fires when the last scheduled run did not succeed and none is running", () =>
      fires("ModelDriftJobFailed", "20m", cronSeries("60x40", "0x40"), [{ namespace: "serving", cronjob: "fraud-drift", endpoint: "fraud" }]));
    test("fires when the job never succeeded", () =>
      fires("ModelDriftJobFailed", "20m", cronSeries(undefined, "0x40"), [{ namespace: "serving", cronjob: "fraud-drift", endpoint: "fraud" }]));
    test("is silent while the run is still active", () => fires("ModelDriftJobFailed", "20m", cronSeries("60x40", "1x40"), []));
    test("is silent when the last run succeeded", () => fires("ModelDriftJobFailed", "20m", cronSeries("3700x40", "0x40"), []));
  });

  describe("ModelDriftJobNotRun", () => {
    // Hourly schedule: not run after 2 h + 10 min without a success.
    test("fires when the last success is older than 2h10m", () =>
      fires(
        "ModelDriftJobNotRun",
        "3h",
        [
          { series: `kube_cronjob_created${withKsm(cron)}`, values: "0x200" },
          { series: `kube_cronjob_status_last_successful_time${withKsm(cron)}`, values: "60x200" },
        ],
        [{ namespace: "serving", cronjob: "fraud-drift", endpoint: "fraud" }],
        "2h 59m 0s",
      ));
    test("is silent when the job succeeded an hour ago", () =>
      fires(
        "ModelDriftJobNotRun",
        "3h",
        [
          { series: `kube_cronjob_created${withKsm(cron)}`, values: "0x200" },
          { series: `kube_cronjob_status_last_successful_time${withKsm(cron)}`, values: "60x120 7200x80" },
        ],
        [],
      ));
    test("fires when a CronJob created long ago never succeeded", () =>
      fires(
        "ModelDriftJobNotRun",
        "3h",
        [{ series: `kube_cronjob_created${withKsm(cron)}`, values: "0x200" }],
        [{ namespace: "serving", cronjob: "fraud-drift", endpoint: "fraud" }],
        "3h 0m 0s",
      ));
    test("is silent right after the CronJob is created", () => fires("ModelDriftJobNotRun", "3h", [{ series: `kube_cronjob_created${withKsm(cron)}`, values: "9000x200" }], []));
  });

  describe("ModelDriftCronJobMissing", () => {
    test("fires when kube-state-metrics has no such CronJob", () =>
      fires(
        "ModelDriftCronJobMissing",
        "30m",
        [{ series: `kube_cronjob_created${withKsm('namespace="serving",cronjob="other"')}`, values: "0x40" }],
        [{ namespace: "serving", cronjob: "fraud-drift", endpoint: "fraud" }],
      ));
    test("is silent while it exists", () => fires("ModelDriftCronJobMissing", "30m", [{ series: `kube_cronjob_created${withKsm(cron)}`, values: "0x40" }], []));
  });
});
