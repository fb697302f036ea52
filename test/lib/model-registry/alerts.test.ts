import { crdSchemaErrors } from "../../support/crd-schema";
import { checkRules, describeWithPromtool, testRules } from "../../support/promtool";
import { synthJson } from "../../support/synth";
import { PROD, mlflowStacks } from "./fixtures";

/** The tracking server's alerts, checked by promtool with synthetic series. */
const { mlflow, platform } = mlflowStacks({}, PROD);
const ruleFile = mlflow.alerts.object.spec as any;
const UP = 'up{job="mlflow",namespace="mlflow",pod="mlflow-0"}';
const DOWN = { exp_labels: { severity: "critical", namespace: "mlflow" }, exp_annotations: ruleFile.groups[0].rules[0].annotations };
/** Series as MLflow 3.15.1 exports them (prometheus_flask_exporter, defaults_prefix="mlflow"), with the target labels Prometheus adds. */
const TARGET = 'job="mlflow",namespace="mlflow",pod="mlflow-0"';
const REQUESTS = (status: string) => `mlflow_http_request_total{${TARGET},method="GET",status="${status}"}`;
const BUCKET = (le: string) => `mlflow_http_request_duration_seconds_bucket{${TARGET},le="${le}",method="GET",mlflow_version="3.15.1",status="200"}`;

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
    const down = testRules(ruleFile, [
      {
        interval: "1m",
        input_series: [{ series: UP, values: "1x10 0x20" }],
        alert_rule_test: [
          { eval_time: "14m", alertname: "MlflowTrackingServerDown", exp_alerts: [] },
          { eval_time: "17m", alertname: "MlflowTrackingServerDown", exp_alerts: [DOWN] },
        ],
      },
    ]);
    expect(down.output).toContain("SUCCESS");
    const gone = testRules(ruleFile, [
      {
        interval: "1m",
        input_series: [{ series: UP, values: "1x10" }],
        alert_rule_test: [{ eval_time: "25m", alertname: "MlflowTrackingServerDown", exp_alerts: [DOWN] }],
      },
    ]);
    expect(gone.output).toContain("SUCCESS");
  });

  test("MlflowServerErrors fires above 5% server errors for 10 minutes, not at 1%", () => {
    const bad = testRules(ruleFile, [
      {
        interval: "1m",
        // 100 requests a minute, 10 of them 5xx.
        input_series: [
          { series: REQUESTS("200"), values: "0+90x30" },
          { series: REQUESTS("500"), values: "0+10x30" },
        ],
        alert_rule_test: [
          {
            eval_time: "20m",
            alertname: "MlflowServerErrors",
            exp_alerts: [
              {
                exp_labels: { severity: "warning" },
                exp_annotations: {
                  summary: "More than 5% of MLflow requests fail with a server error",
                  description: "10% of requests returned 5xx over 5 minutes; the database or the artifact bucket is the usual cause.",
                },
              },
            ],
          },
        ],
      },
    ]);
    expect(bad.output).toContain("SUCCESS");
    const fine = testRules(ruleFile, [
      {
        interval: "1m",
        input_series: [
          { series: REQUESTS("200"), values: "0+99x30" },
          { series: REQUESTS("500"), values: "0+1x30" },
        ],
        alert_rule_test: [{ eval_time: "20m", alertname: "MlflowServerErrors", exp_alerts: [] }],
      },
    ]);
    expect(fine.output).toContain("SUCCESS");
  });

  test("MlflowSlowRequests fires when the p95 of MLflow's duration histogram stays above 2s for 15 minutes, not at 0.5s", () => {
    const slow = ruleFile.groups[0].rules.find((r: any) => r.alert === "MlflowSlowRequests");
    // 100 requests a minute; slow: 90 finish within 2.5s, 10 within 5s (p95 between 2.5 and 5); fast: all within 0.5s.
    const histogram = (le: Record<string, number>) => Object.entries(le).map(([b, perMinute]) => ({ series: BUCKET(b), values: `0+${perMinute}x40` }));
    const bad = testRules(ruleFile, [
      {
        interval: "1m",
        input_series: histogram({ "0.5": 0, "1.0": 0, "2.5": 90, "5.0": 100, "+Inf": 100 }),
        alert_rule_test: [
          { eval_time: "10m", alertname: "MlflowSlowRequests", exp_alerts: [] },
          {
            eval_time: "25m",
            alertname: "MlflowSlowRequests",
            exp_alerts: [
              {
                exp_labels: { severity: "warning" },
                exp_annotations: {
                  summary: slow.annotations.summary,
                  description: "p95 latency is 3.75s; look at the database (Performance Insights) before adding replicas.",
                },
              },
            ],
          },
        ],
      },
    ]);
    expect(bad.output).toContain("SUCCESS");
    const fast = testRules(ruleFile, [
      {
        interval: "1m",
        input_series: histogram({ "0.5": 100, "1.0": 100, "2.5": 100, "5.0": 100, "+Inf": 100 }),
        alert_rule_test: [{ eval_time: "25m", alertname: "MlflowSlowRequests", exp_alerts: [] }],
      },
    ]);
    expect(fast.output).toContain("SUCCESS");
  });
});
