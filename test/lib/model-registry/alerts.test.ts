import { crdSchemaErrors } from "../../support/crd-schema";
import { checkRules, describeWithPromtool, testRules } from "../../support/promtool";
import { synthJson } from "../../support/synth";
import { PROD, mlflowStacks } from "./fixtures";

/** The tracking server's alerts, checked by promtool with synthetic series. */
const { mlflow, platform } = mlflowStacks({}, PROD);
const ruleFile = mlflow.alerts.object.spec as any;
const UP = 'up{job="mlflow",namespace="mlflow",pod="mlflow-0"}';
const DOWN = { exp_labels: { severity: "critical", namespace: "mlflow" }, exp_annotations: ruleFile.groups[0].rules[0].annotations };
const REQUESTS = (status: string) => `flask_http_request_total{job="mlflow",namespace="mlflow",status="${status}",method="GET"}`;

test("the rule is a valid PrometheusRule in the mlflow namespace, created after it", () => {
  const object = mlflow.alerts.object as any;
  expect(crdSchemaErrors(object)).toEqual([]);
  const manifest = Object.values(synthJson(platform).resource.kubernetes_manifest).find((m: any) => m.manifest.kind === "PrometheusRule") as any;
  expect(manifest.manifest.metadata.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.mlflow_namespace_.*\.metadata\[0\]\.name\}$/);
});

test("the server-down alert pages in production", () => {
  expect(ruleFile.groups[0].rules[0]).toMatchObject({ alert: "MlflowTrackingServerDown", labels: { severity: "critical" } });
});

test("the server-down alert is a warning in development", () => {
  expect((mlflowStacks().mlflow.alerts.object.spec as any).groups[0].rules[0].labels.severity).toBe("warning");
});

describeWithPromtool("MLflow alerts under promtool", () => {
  test("promtool check rules accepts the rule file", () => {
    expect(checkRules(ruleFile).ok).toBe(true);
  });

  test("MlflowTrackingServerDown fires 5 minutes after the last healthy replica goes, and when the target vanishes", () => {
    const down = testRules(ruleFile, [{
      interval: "1m",
      input_series: [{ series: UP, values: "1x10 0x20" }],
      alert_rule_test: [
        { eval_time: "14m", alertname: "MlflowTrackingServerDown", exp_alerts: [] },
        { eval_time: "17m", alertname: "MlflowTrackingServerDown", exp_alerts: [DOWN] },
      ],
    }]);
    expect(down.output).toContain("SUCCESS");
    const gone = testRules(ruleFile, [{
      interval: "1m",
      input_series: [{ series: UP, values: "1x10" }],
      alert_rule_test: [{ eval_time: "25m", alertname: "MlflowTrackingServerDown", exp_alerts: [DOWN] }],
    }]);
    expect(gone.output).toContain("SUCCESS");
  });

  test("MlflowServerErrors fires above 5% server errors for 10 minutes, not at 1%", () => {
    const bad = testRules(ruleFile, [{
      interval: "1m",
      // 100 requests a minute, 10 of them 5xx.
      input_series: [{ series: REQUESTS("200"), values: "0+90x30" }, { series: REQUESTS("500"), values: "0+10x30" }],
      alert_rule_test: [{ eval_time: "20m", alertname: "MlflowServerErrors", exp_alerts: [{ exp_labels: { severity: "warning" }, exp_annotations: {
        summary: "More than 5% of MLflow requests fail with a server error",
        description: "10% of requests returned 5xx over 5 minutes; the database or the artifact bucket is the usual cause.",
      } }] }],
    }]);
    expect(bad.output).toContain("SUCCESS");
    const fine = testRules(ruleFile, [{
      interval: "1m",
      input_series: [{ series: REQUESTS("200"), values: "0+99x30" }, { series: REQUESTS("500"), values: "0+1x30" }],
      alert_rule_test: [{ eval_time: "20m", alertname: "MlflowServerErrors", exp_alerts: [] }],
    }]);
    expect(fine.output).toContain("SUCCESS");
  });
});
