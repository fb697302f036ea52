import { RolloutStrategy } from "../../../lib";
import { errorOf, synthJson } from "../../support/synth";
import { endpointFixture, manifestResourcesOfKind, manifestsOfKind } from "./fixture";

/** Issue 17: demand-based autoscaling (KEDA ScaledObject) and progressive delivery (Argo Rollouts) of an endpoint. */
const GPU_POOLS = [
  { name: "general", instanceTypes: ["g6.xlarge"], gpuModel: "L4", gpusPerNode: 1, nodeSelector: { "ml-platform/pool": "general" }, maxNodes: 4, efaInterfacesPerNode: 0 },
];
const CANARY = RolloutStrategy.canary([{ weight: 20 }, { pause: "5m" }, { weight: 100 }]);

describe("MonitoredEndpoint: demand-based autoscaling (KEDA)", () => {
  test("a ScaledObject replaces the CPU HPA, with a requests-per-second trigger on the endpoint's own counter", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { autoscaling: { demand: { requestsPerSecond: 25 } } });
    const json = synthJson(f.platform);
    expect(manifestsOfKind(json, "HorizontalPodAutoscaler")).toEqual([]);
    const [so] = manifestsOfKind(json, "ScaledObject");
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "fraud" });
    expect(so.spec.minReplicaCount).toBe(1);
    expect(so.spec.triggers[0]).toEqual({
      type: "prometheus",
      name: "requests-per-second",
      metricType: "AverageValue",
      metadata: {
        serverAddress: "http://kube-prometheus-stack-prometheus.monitoring.svc:9090",
        query: 'sum(rate(model_requests_total{namespace="serving",service="fraud-metrics"}[2m]))',
        threshold: "25",
      },
    });
    // CPU stays a trigger (metrics-server), with the default target.
    expect(so.spec.triggers.at(-1)).toEqual({ type: "cpu", name: "cpu", metricType: "Utilization", metadata: { value: "70" } });
  });

  test("a GPU endpoint scales on DCGM utilisation of its own pods, as a per-replica value", () => {
    const f = endpointFixture({ gpuPools: GPU_POOLS });
    f.endpoint("fraud", { gpu: {}, autoscaling: { demand: { gpuUtilization: 60 } } });
    const [so] = manifestsOfKind(synthJson(f.platform), "ScaledObject");
    const gpu = so.spec.triggers.find((t: any) => t.name === "gpu-utilization");
    expect(gpu.metricType).toBe("Value");
    expect(gpu.metadata.query).toBe(
      'avg(DCGM_FI_DEV_GPU_UTIL{exported_namespace="serving",exported_pod=~"fraud-.*"} or DCGM_FI_DEV_GPU_UTIL{namespace="serving",pod=~"fraud-.*"})',
    );
  });

  test("scale to zero in staging on a queue's depth, with its activation threshold; cooldowns per tier", () => {
    const f = endpointFixture({ tier: "staging" });
    f.endpoint("fraud", {
      autoscaling: { demand: { scaleToZero: true, gauge: { metric: "queue_depth", selector: 'job="broker",queue="fraud"', targetPerReplica: 10, activation: 1 } } },
    });
    const [so] = manifestsOfKind(synthJson(f.platform), "ScaledObject");
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.cooldownPeriod).toBe(600);
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(so.spec.triggers[0].metadata).toMatchObject({ query: 'sum(queue_depth{job="broker",queue="fraud"})', threshold: "10", activationThreshold: "1" });
  });

  test("the saturation alert watches the HPA KEDA creates (keda-hpa-<name>)", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { autoscaling: { demand: { requestsPerSecond: 25 } } });
    const [rule] = manifestsOfKind(synthJson(f.platform), "PrometheusRule");
    const atMax = rule.spec.groups[0].rules.find((r: any) => r.alert === "ModelEndpointReplicasAtMax");
    expect(atMax.expr).toContain('horizontalpodautoscaler=~"keda-hpa-fraud"');
  });
});

describe("MonitoredEndpoint: progressive delivery (Argo Rollouts)", () => {
  test("a Rollout replaces the Deployment with the same pod template; autoscaler, Services, PDB and ServiceMonitor follow it", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { rollout: { strategy: CANARY }, autoscaling: { demand: { requestsPerSecond: 10 } } });
    const json = synthJson(f.platform);
    expect(manifestsOfKind(json, "Deployment")).toEqual([]);
    const [rollout] = manifestsOfKind(json, "Rollout");
    expect(rollout.spec.selector.matchLabels).toEqual(rollout.spec.template.metadata.labels);
    expect(rollout.spec.template.spec.containers[0].env).toContainEqual({ name: "MODEL_URI", value: "models:/fraud@champion" });
    expect(manifestsOfKind(json, "ScaledObject")[0].spec.scaleTargetRef).toEqual({ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "fraud" });
    expect(
      manifestsOfKind(json, "Service")
        .map((s: any) => s.metadata.name)
        .sort(),
    ).toEqual(["fraud", "fraud-canary", "fraud-metrics"]);
    expect(manifestsOfKind(json, "ServiceMonitor")[0].spec.podTargetLabels).toEqual(["ml-platform/colour", "rollouts-pod-template-hash"]);
    // Terraform does not manage the wait: the rollout happens in the cluster.
    const [[, resource]] = manifestResourcesOfKind(json, "Rollout");
    expect(resource.wait).toBeUndefined();
    // The controller owns the canary Service's selector (it adds the new version's hash): Terraform ignores its changes.
    const services = manifestResourcesOfKind(json, "Service");
    expect(Object.fromEntries(services.map(([, r]) => [r.manifest.metadata.name, r.lifecycle?.ignore_changes]))).toEqual({
      fraud: undefined,
      "fraud-canary": ["spec[0].selector"],
      "fraud-metrics": undefined,
    });
    expect(services.map(([address]) => address.split(".")[0])).toEqual(["kubernetes_service_v1", "kubernetes_service_v1", "kubernetes_service_v1"]);
  });

  test("the Rollout's pod template is the typed Deployment's, as the provider creates it (one pod spec for both)", () => {
    // GIVEN the same GPU endpoint with secrets, once as a Deployment and once as a canary Rollout
    const props = { gpu: {}, env: { A: "b" }, secretEnv: { DB: { secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf" } } };
    const plain = endpointFixture({ gpuPools: GPU_POOLS });
    plain.endpoint("fraud", props);
    const rolled = endpointFixture({ gpuPools: GPU_POOLS });
    rolled.endpoint("fraud", { ...props, rollout: { strategy: CANARY } });
    // THEN the kubernetes_deployment_v1's template, converted, is the Rollout's
    const [[address]] = manifestResourcesOfKind(synthJson(plain.platform), "Deployment");
    expect(address).toMatch(/^kubernetes_deployment_v1\./);
    const [deployment] = manifestsOfKind(synthJson(plain.platform), "Deployment");
    const [rollout] = manifestsOfKind(synthJson(rolled.platform), "Rollout");
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: "DB", valueFrom: { secretKeyRef: { name: "fraud-env-0", key: "value" } } });
    expect(deployment.spec.template).toEqual(rollout.spec.template);
  });

  test("canary: the smoke test follows the first weight, SLO analysis runs in the background from step 1 on the new version's series", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { rollout: { strategy: CANARY, analysis: { quality: { metric: "model_auc", min: 0.8 } } }, metrics: { gauges: ["model_auc"] } });
    const json = synthJson(f.platform);
    const [rollout] = manifestsOfKind(json, "Rollout");
    expect(rollout.spec.strategy.canary.steps).toEqual([
      { setWeight: 20 },
      { analysis: { templates: [{ templateName: "fraud-smoke-test" }] } },
      { pause: { duration: "5m" } },
      { setWeight: 100 },
    ]);
    expect(rollout.spec.strategy.canary.analysis).toEqual({
      templates: [{ templateName: "fraud-slo" }],
      startingStep: 1,
      args: [{ name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } }],
    });
    const templates = manifestsOfKind(json, "AnalysisTemplate");
    const slo = templates.find((t: any) => t.metadata.name === "fraud-slo");
    expect(slo.spec.metrics.map((m: any) => [m.name, m.successCondition])).toEqual([
      ["error-ratio", "len(result) == 0 || result[0] <= 0.01"],
      ["latency-p95", "len(result) == 0 || result[0] <= 0.5"],
      ["model-quality", "len(result) == 0 || result[0] >= 0.8"],
    ]);
    expect(slo.spec.metrics[2].provider.prometheus.query).toBe('min(model_auc{namespace="serving",service="fraud-metrics",rollouts_pod_template_hash="{{args.canary-hash}}"})');
    const smoke = templates.find((t: any) => t.metadata.name === "fraud-smoke-test");
    expect(smoke.spec.metrics[0].provider.web.url).toBe("http://fraud-canary.serving.svc:80/health");
  });

  test("blue/green: preview Service, smoke test before promotion, SLO analysis after it, automatic promotion", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { rollout: { strategy: RolloutStrategy.blueGreen(), smokeTestPath: "/v2/health/ready" } });
    const json = synthJson(f.platform);
    const [rollout] = manifestsOfKind(json, "Rollout");
    expect(rollout.spec.strategy.blueGreen).toMatchObject({
      activeService: "fraud",
      previewService: "fraud-preview",
      autoPromotionEnabled: true,
      prePromotionAnalysis: { templates: [{ templateName: "fraud-smoke-test" }] },
      postPromotionAnalysis: { templates: [{ templateName: "fraud-slo" }] },
    });
    const smoke = manifestsOfKind(json, "AnalysisTemplate").find((t: any) => t.metadata.name === "fraud-smoke-test");
    expect(smoke.spec.metrics[0].provider.web.url).toBe("http://fraud-preview.serving.svc:80/v2/health/ready");
  });

  test("rollout alerts: aborted rollout and failing analysis, from the controller's metrics", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { rollout: { strategy: CANARY } });
    const [rule] = manifestsOfKind(synthJson(f.platform), "PrometheusRule");
    const alerts = Object.fromEntries(rule.spec.groups[0].rules.map((r: any) => [r.alert, r.expr]));
    expect(alerts.ModelEndpointRolloutAborted).toBe('max by (namespace, name, phase) (rollout_info{namespace="serving",name="fraud",phase=~"Abort|Error|Timeout"}) > 0');
    expect(alerts.ModelEndpointAnalysisFailing).toContain('analysis_run_info{namespace="serving",name=~"fraud-[a-z0-9]+-[0-9]+.*",phase=~"Failed|Error"}');
  });
});

describe("MonitoredEndpoint: bad delivery input, one clear error each", () => {
  test("scale to zero in production", () => {
    const f = endpointFixture({ tier: "production" });
    expect(
      errorOf(() =>
        f.endpoint("fraud", {
          minReplicas: 2,
          autoscaling: { demand: { scaleToZero: true, gauge: { metric: "queue_depth", selector: 'queue="fraud"', targetPerReplica: 10 } } },
        }),
      ),
    ).toBe(
      'test-platform/fraud: autoscaling.demand.scaleToZero is true; scale to zero in production is not allowed: environment "test" keeps at least minReplicas (2) replicas; scale to zero in development and staging only',
    );
  });

  test("scale to zero on the endpoint's own series, which vanish with its last pod", () => {
    const f = endpointFixture();
    expect(errorOf(() => f.endpoint("fraud", { autoscaling: { demand: { scaleToZero: true, requestsPerSecond: 5 } } }))).toBe(
      "test-platform/fraud: autoscaling.demand.scaleToZero is true; needs a gauge exported outside the endpoint's pods (autoscaling.demand.gauge with a selector, e.g. a queue's depth): " +
        "the endpoint's own series vanish with its last pod, so nothing would scale it back up",
    );
  });

  test("a canary step weight outside 0-100", () => {
    const f = endpointFixture();
    expect(errorOf(() => f.endpoint("fraud", { rollout: { strategy: RolloutStrategy.canary([{ weight: 20 }, { weight: 150 }]) } }))).toBe(
      "test-platform/fraud: rollout.strategy.steps[1].weight is 150; must be a whole percent from 0 to 100",
    );
  });

  test("an analysis query on a metric the endpoint does not export", () => {
    const f = endpointFixture();
    expect(errorOf(() => f.endpoint("fraud", { rollout: { strategy: CANARY, analysis: { quality: { metric: "model_accuracy", min: 0.9 } } } }))).toBe(
      'test-platform/fraud: rollout.analysis.quality.metric is "model_accuracy"; is not a metric the endpoint exports; declare it in metrics.gauges ' +
        "(the endpoint exports model_request_duration_seconds_bucket, model_request_duration_seconds_sum, model_request_duration_seconds_count, model_requests_total, model_prediction_drift_score)",
    );
  });

  test("a gauge trigger on a metric the endpoint does not export", () => {
    const f = endpointFixture();
    expect(errorOf(() => f.endpoint("fraud", { autoscaling: { demand: { gauge: { metric: "model_inflight", targetPerReplica: 4 } } } }))).toMatch(
      /^test-platform\/fraud: autoscaling\.demand\.gauge\.metric is "model_inflight"; is not a metric the endpoint exports; declare it in metrics\.gauges/,
    );
  });

  test("rollout and blueGreen together", () => {
    const f = endpointFixture();
    expect(
      errorOf(() =>
        f.endpoint("fraud", {
          model: undefined,
          blueGreen: { active: "blue", blue: { uri: "models:/fraud/3" } },
          rollout: { strategy: CANARY },
        }),
      ),
    ).toBe('test-platform/fraud: rollout is "canary"; give either rollout (Argo Rollouts, in the cluster) or blueGreen (the Service\'s selector, switched by Terraform), not both');
  });

  test("GPU utilisation on a CPU endpoint", () => {
    const f = endpointFixture();
    expect(errorOf(() => f.endpoint("fraud", { autoscaling: { demand: { gpuUtilization: 70 } } }))).toBe(
      "test-platform/fraud: autoscaling.demand.gpuUtilization is 70; needs a GPU endpoint (gpu): a CPU endpoint has no DCGM utilisation",
    );
  });
});
