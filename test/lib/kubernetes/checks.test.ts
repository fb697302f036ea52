import { HelmChart, PrometheusRule, ServiceMonitor } from "../../../lib";
import { CHARTS, renderRuleGroups } from "../../../lib/kubernetes";
import { platformStack } from "../../support/env";
import { chartDefaults, helmRelease, unknownReleaseKeys, unknownValueKeys } from "../../support/chart-values";
import { crdSchemaErrors } from "../../support/crd-schema";
import { checkRules, describeWithPromtool, testRules } from "../../support/promtool";
import { errorOf, synthJson } from "../../support/synth";

/** The suite's checkers must be able to fail: each is shown catching a real mistake. */
describe("chart-values key check", () => {
  const grafana = chartDefaults("grafana", "12.11.1");

  test("catches a misspelled key (Helm would silently ignore it)", () => {
    const values = { grafana: { adminPasword: "x", persistence: { enabled: true } } };
    expect(unknownValueKeys(values, chartDefaults("kube-prometheus-stack", "88.5.3"), { subcharts: { grafana } })).toEqual(["grafana.adminPasword"]);
  });

  test("accepts keys under a map that defaults to {}", () => {
    expect(unknownValueKeys({ podAnnotations: { anything: "goes" } }, chartDefaults("mlflow", "1.11.5"))).toEqual([]);
  });

  test("reads values back from a synthesized helm_release", () => {
    const stack = platformStack();
    new HelmChart(stack, "mlflow", { chart: CHARTS.mlflow, namespace: "mlflow", values: { replicaCount: 2, servceAccount: { create: true } } });
    const release = helmRelease(synthJson(stack), "mlflow");
    expect(release.version).toBe("1.11.5");
    expect(release.resource.atomic).toBe(true);
    expect(unknownReleaseKeys(release)).toEqual(["servceAccount"]);
  });
});

describe("CRD schema validation", () => {
  test("a generated PrometheusRule and ServiceMonitor are valid", () => {
    const stack = platformStack();
    const rule = new PrometheusRule(stack, "rule", {
      name: "r",
      namespace: "ns",
      groups: [{ name: "g", rules: [{ alert: "Down", expr: "up == 0", for: "5m", severity: "critical", summary: "down" }] }],
    });
    const monitor = new ServiceMonitor(stack, "sm", { name: "m", namespace: "ns", selector: { app: "x" }, port: "metrics" });
    expect(crdSchemaErrors(rule.object as any)).toEqual([]);
    expect(crdSchemaErrors(monitor.object as any)).toEqual([]);
  });

  test("catches a rule with the wrong shape", () => {
    const bad = { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "r" }, spec: { groups: [{ rules: [{ alert: "A" }] }] } };
    expect(crdSchemaErrors(bad)).toEqual(expect.arrayContaining([expect.stringContaining("must have required property 'name'")]));
  });
});

describe("PrometheusRule", () => {
  test("an invalid duration is refused", () => {
    expect(
      errorOf(
        () =>
          new PrometheusRule(platformStack(), "rule", {
            name: "r",
            namespace: "ns",
            groups: [{ name: "g", rules: [{ alert: "Down", expr: "up == 0", for: "5 minutes", severity: "critical", summary: "down" }] }],
          }),
      ),
    ).toBe('test-platform/rule: Down.for is "5 minutes"; must be a Prometheus duration such as "30s", "5m" or "1h30m" (units y, w, d, h, m, s, ms, largest first, each once)');
  });
});

describeWithPromtool("promtool", () => {
  const rules = renderRuleGroups([{ name: "g", rules: [{ alert: "Down", expr: "up == 0", for: "2m", severity: "critical", summary: "down" }] }]);

  test("check rules catches invalid PromQL", () => {
    expect(checkRules(rules).ok).toBe(true);
    const bad = checkRules(renderRuleGroups([{ name: "g", rules: [{ alert: "Bad", expr: "rate(up[5m]", severity: "warning", summary: "x" }] }]));
    expect(bad.ok).toBe(false);
  });

  test("test rules fails when an expected alert does not fire", () => {
    const series = [{ series: 'up{job="x"}', values: "1x10" }];
    const wrong = testRules(rules, [
      { interval: "1m", input_series: series, alert_rule_test: [{ eval_time: "5m", alertname: "Down", exp_alerts: [{ exp_labels: { severity: "critical", job: "x" } }] }] },
    ]);
    expect(wrong.ok).toBe(false);
    const right = testRules(rules, [{ interval: "1m", input_series: series, alert_rule_test: [{ eval_time: "5m", alertname: "Down", exp_alerts: [] }] }]);
    expect(right.ok).toBe(true);
  });
});
