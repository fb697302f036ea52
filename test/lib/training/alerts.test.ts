import { crdSchemaErrors } from "../../support/crd-schema";
import { RuleTest, checkRules, describeWithPromtool, testRules } from "../../support/promtool";
import { synthJson } from "../../support/synth";
import { trainingFixture } from "./fixture";

/**
 * The training alerts under promtool, with synthetic Kueue (v0.19.2 pkg/metrics/metrics.go)
 * and DCGM series shaped as Prometheus stores them (DCGM's pod labels as exported_*).
 */
const { platform, training } = trainingFixture();
training.addTeam("vision", { gpuQuota: { general: 2 } });
const rule = Object.values<any>(synthJson(platform).resource.kubernetes_manifest)
  .map((r) => r.manifest)
  .find((m) => m.kind === "PrometheusRule");
const ruleFile = rule.spec;
const byName = (alert: string) => ruleFile.groups[0].rules.find((r: any) => r.alert === alert);

/** The annotations promtool renders for an alert with these labels and value. */
function annotations(alert: string, labels: Record<string, string>, value: string): Record<string, string> {
  const render = (t: string) => t.replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_, l) => labels[l]).replace(/\{\{ \$value \}\}/g, value);
  return Object.fromEntries(Object.entries<string>(byName(alert).annotations).map(([k, v]) => [k, render(v)]));
}

function at(evalTime: string, series: RuleTest["input_series"], alertname: string, fired: { labels: Record<string, string>; value: string }[]): RuleTest {
  return {
    interval: "1m",
    input_series: series,
    alert_rule_test: [
      {
        eval_time: evalTime,
        alertname,
        exp_alerts: fired.map((f) => ({ exp_labels: { severity: "warning", ...f.labels }, exp_annotations: annotations(alertname, f.labels, f.value) })),
      },
    ],
  };
}

function expectPasses(tests: RuleTest[]): void {
  const result = testRules(ruleFile, tests);
  expect(result.output).toContain("SUCCESS");
  expect(result.ok).toBe(true);
}

test("the rule is a valid PrometheusRule for the prometheus-operator CRD", () => {
  expect(crdSchemaErrors(rule)).toEqual([]);
});

describeWithPromtool("training alerts under promtool", () => {
  test("promtool check rules accepts the rule file", () => {
    expect(checkRules(ruleFile).ok).toBe(true);
  });

  const PENDING = 'kueue_pending_workloads{cluster_queue="vision",status="inadmissible"}';
  const ADMITTED = 'kueue_admitted_workloads_total{cluster_queue="vision"}';

  test("TrainingQueueStuck: workloads pending 30m with none admitted fires after its 30m hold", () => {
    const series = [
      { series: PENDING, values: "2x90" },
      { series: ADMITTED, values: "5x90" },
    ];
    expectPasses([at("29m", series, "TrainingQueueStuck", []), at("31m", series, "TrainingQueueStuck", [{ labels: { cluster_queue: "vision" }, value: "2" }])]);
  });

  test("TrainingQueueStuck: silent while the queue keeps admitting (a busy queue, not a stuck one)", () => {
    const series = [
      { series: PENDING, values: "2x90" },
      { series: ADMITTED, values: "0+1x90" },
    ];
    expectPasses([at("60m", series, "TrainingQueueStuck", []), at("85m", series, "TrainingQueueStuck", [])]);
  });

  const UTIL = (ns: string, pod: string, gpu: string) => `DCGM_FI_DEV_GPU_UTIL{exported_namespace="${ns}",exported_pod="${pod}",gpu="${gpu}",Hostname="ip-10-0-1-1"}`;

  test("TrainingGpusIdle: a team pod whose GPUs average below 5% for 60m, per pod", () => {
    const series = [
      { series: UTIL("vision", "resnet-node-0-0", "0"), values: "2x90" },
      { series: UTIL("vision", "resnet-node-0-0", "1"), values: "3x90" },
      { series: UTIL("vision", "busy-node-0-0", "0"), values: "85x90" },
    ];
    expectPasses([at("59m", series, "TrainingGpusIdle", []), at("61m", series, "TrainingGpusIdle", [{ labels: { namespace: "vision", pod: "resnet-node-0-0" }, value: "2.5" }])]);
  });

  test("TrainingGpusIdle: silent for GPU pods outside the training namespaces (a model endpoint at night)", () => {
    const series = [{ series: UTIL("serving", "ranker-abc", "0"), values: "0x90" }];
    expectPasses([at("80m", series, "TrainingGpusIdle", [])]);
  });

  const Q = (metric: string) => `kueue_cluster_queue_${metric}{cohort="ml-platform",cluster_queue="vision",flavor="general",resource="nvidia.com/gpu"}`;

  test("TrainingQueueAtQuota: usage at the nominal GPU quota with workloads waiting, for 60m", () => {
    const series = [
      { series: Q("resource_usage"), values: "2x90" },
      { series: Q("nominal_quota"), values: "2x90" },
      { series: PENDING, values: "1x90" },
    ];
    expectPasses([
      at("59m", series, "TrainingQueueAtQuota", []),
      at("61m", series, "TrainingQueueAtQuota", [{ labels: { cluster_queue: "vision", flavor: "general" }, value: "2" }]),
    ]);
  });

  test("TrainingQueueAtQuota: silent below quota, with nothing waiting, and on a flavor the team only borrows (quota 0)", () => {
    const below = [
      { series: Q("resource_usage"), values: "1x90" },
      { series: Q("nominal_quota"), values: "2x90" },
      { series: PENDING, values: "1x90" },
    ];
    const idle = [
      { series: Q("resource_usage"), values: "2x90" },
      { series: Q("nominal_quota"), values: "2x90" },
      { series: PENDING, values: "0x90" },
    ];
    const borrowed = [
      { series: Q("resource_usage"), values: "2x90" },
      { series: Q("nominal_quota"), values: "0x90" },
      { series: PENDING, values: "1x90" },
    ];
    expectPasses([at("80m", below, "TrainingQueueAtQuota", []), at("80m", idle, "TrainingQueueAtQuota", []), at("80m", borrowed, "TrainingQueueAtQuota", [])]);
  });
});
