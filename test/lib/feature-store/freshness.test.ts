import { crdSchemaErrors } from "../../support/crd-schema";
import { RuleTest, checkRules, describeWithPromtool, testRules } from "../../support/promtool";
import { featureStoreApp } from "./fixtures";

/**
 * The freshness alert, checked by promtool with synthetic kube-state-metrics series.
 * Schedule hourly, multiple 2: the threshold is 2h (7200s), and the alert holds 5m.
 */
const { server } = featureStoreApp({}, { materialization: { schedule: "0 * * * *", freshnessMultiple: 2 } });
const rule = server.freshnessRule.object as any;
const ruleFile = rule.spec;

const SEL = '{namespace="feast",cronjob="feast-materialize"}';
const LAST_SUCCESS = `kube_cronjob_status_last_successful_time${SEL}`;
const CREATED = `kube_cronjob_created${SEL}`;
const LABELS = { severity: "warning", namespace: "feast", cronjob: "feast-materialize" };

function staleAnnotations(age: string): Record<string, string> {
  const annotations = ruleFile.groups[0].rules[0].annotations;
  return { summary: annotations.summary, description: annotations.description.replace("{{ $value | humanizeDuration }}", age) };
}

function alertsAt(
  evalTime: string,
  series: RuleTest["input_series"],
  alertname: string,
  expAlerts: RuleTest["alert_rule_test"] extends (infer T)[] | undefined ? (T extends { exp_alerts: infer E } ? E : never) : never,
): RuleTest {
  return { interval: "1m", input_series: series, alert_rule_test: [{ eval_time: evalTime, alertname, exp_alerts: expAlerts }] };
}

test("the rule is a valid PrometheusRule for the prometheus-operator CRD", () => {
  expect(crdSchemaErrors(rule)).toEqual([]);
});

test("the threshold is the multiple times the schedule period, in seconds", () => {
  expect(ruleFile.groups[0].rules[0].expr).toContain("> 7200");
  expect(ruleFile.groups[0].rules[0].annotations.summary).toContain("more than 2h");
});

describeWithPromtool("freshness alert under promtool", () => {
  test("promtool check rules accepts the rule file", () => {
    const result = checkRules(ruleFile);
    expect(result.output).toContain("SUCCESS");
    expect(result.ok).toBe(true);
  });

  test("fires once the last success is older than the threshold (for 5m), with one alert per CronJob", () => {
    const series = [
      { series: LAST_SUCCESS, values: "0x300" },
      { series: CREATED, values: "0x300" },
    ];
    const result = testRules(ruleFile, [
      alertsAt("2h", series, "FeastFeaturesStale", []),
      alertsAt("2h5m", series, "FeastFeaturesStale", []),
      alertsAt("2h7m", series, "FeastFeaturesStale", [{ exp_labels: LABELS, exp_annotations: staleAnnotations("2h 7m 0s") }]),
    ]);
    expect(result.output).toContain("SUCCESS");
    expect(result.ok).toBe(true);
  });

  test("stays silent while the job succeeds every hour", () => {
    // The last success moves forward each hour: at most 1h old.
    const series = [
      { series: LAST_SUCCESS, values: "0x59 3600x59 7200x59 10800x59 14400x59 18000x59" },
      { series: CREATED, values: "0x360" },
    ];
    const result = testRules(ruleFile, [alertsAt("3h30m", series, "FeastFeaturesStale", []), alertsAt("5h50m", series, "FeastFeaturesStale", [])]);
    expect(result.ok).toBe(true);
  });

  test("fires when the job never succeeded and the CronJob was created longer ago than the threshold", () => {
    const series = [{ series: CREATED, values: "0x300" }];
    const result = testRules(ruleFile, [
      alertsAt("1h", series, "FeastFeaturesStale", []),
      alertsAt("2h10m", series, "FeastFeaturesStale", [{ exp_labels: LABELS, exp_annotations: staleAnnotations("2h 10m 0s") }]),
    ]);
    expect(result.output).toContain("SUCCESS");
    expect(result.ok).toBe(true);
  });

  test("stays silent after a first deployment until the threshold has passed since the CronJob's creation", () => {
    // Created at 1h, never succeeded yet: at 2h30m it is only 1h30m old.
    const series = [{ series: CREATED, values: "3600x300" }];
    const result = testRules(ruleFile, [alertsAt("2h30m", series, "FeastFeaturesStale", [])]);
    expect(result.ok).toBe(true);
  });

  test("ignores other CronJobs' staleness", () => {
    const series = [
      { series: 'kube_cronjob_status_last_successful_time{namespace="other",cronjob="feast-materialize"}', values: "0x300" },
      { series: 'kube_cronjob_created{namespace="other",cronjob="feast-materialize"}', values: "0x300" },
      { series: LAST_SUCCESS, values: "10000x300" },
      { series: CREATED, values: "0x300" },
    ];
    const result = testRules(ruleFile, [alertsAt("3h", series, "FeastFeaturesStale", [])]);
    expect(result.ok).toBe(true);
  });

  test("a missing CronJob raises its own alert after 15m", () => {
    const series = [{ series: 'up{job="kube-state-metrics"}', values: "1x60" }];
    const result = testRules(ruleFile, [
      alertsAt("10m", series, "FeastMaterializationCronJobMissing", []),
      alertsAt("20m", series, "FeastMaterializationCronJobMissing", [
        {
          exp_labels: { severity: "warning", namespace: "feast", cronjob: "feast-materialize" },
          exp_annotations: ruleFile.groups[0].rules[1].annotations,
        },
      ]),
    ]);
    expect(result.output).toContain("SUCCESS");
    expect(result.ok).toBe(true);
  });

  test("the test harness notices a wrong expectation (the stale alert is not silent when too old)", () => {
    const series = [
      { series: LAST_SUCCESS, values: "0x300" },
      { series: CREATED, values: "0x300" },
    ];
    expect(testRules(ruleFile, [alertsAt("3h", series, "FeastFeaturesStale", [])]).ok).toBe(false);
  });
});
