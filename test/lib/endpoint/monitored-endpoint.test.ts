import { A10G_POOL } from "../../support/cluster";
import { crdSchemaErrors } from "../../support/crd-schema";
import { synthJson } from "../../support/synth";
import { endpointFixture, manifestResourcesOfKind, manifestsOfKind } from "./fixture";

describe("MonitoredEndpoint: workload", () => {
  test("the Deployment runs non-root with a read-only root filesystem and probes; on CPU, without the serving priority", () => {
    // GIVEN a CPU endpoint
    const f = endpointFixture();
    f.endpoint("fraud");
    // WHEN synthesized
    const [deployment] = manifestsOfKind(synthJson(f.platform), "Deployment");
    // THEN the pod and container are hardened and probed
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.securityContext).toEqual({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/health", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
    expect(container.startupProbe.failureThreshold).toBe(60);
    // A CPU endpoint shares the system nodes with MLflow, Feast and Prometheus: it must not preempt them.
    expect(pod.priorityClassName).toBeUndefined();
    expect(pod.tolerations).toBeUndefined();
  });

  test("the Deployment leaves replicas to the autoscaler and serves the model URI", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { trackingUri: "http://mlflow.mlflow:5000" });
    const [deployment] = manifestsOfKind(synthJson(f.platform), "Deployment");
    expect(deployment.spec.replicas).toBeUndefined();
    const env = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ MODEL_URI: "models:/fraud@champion", MLFLOW_TRACKING_URI: "http://mlflow.mlflow:5000" });
  });

  test("a registry model reference brings its tracking URI", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { model: { uri: "models:/fraud@champion", trackingUri: "http://mlflow.mlflow.svc.cluster.local:5000" } });
    const [deployment] = manifestsOfKind(synthJson(f.platform), "Deployment");
    const env = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env.MLFLOW_TRACKING_URI).toBe("http://mlflow.mlflow.svc.cluster.local:5000");
  });

  test("a feature store's feature_store.yaml reaches the server", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { features: { featureStoreYaml: "project: features\n" } });
    const json = synthJson(f.platform);
    const env = manifestsOfKind(json, "Deployment")[0].spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "FEATURE_STORE_YAML_BASE64", value: Buffer.from("project: features\n").toString("base64") });
    expect(manifestsOfKind(json, "ExternalSecret")).toEqual([]);
  });

  test("a Redis online store's password is synced as the endpoint's service account and read from the Secret", () => {
    const f = endpointFixture();
    const onlineStoreSecret = { secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:feast-redis-AbCdEf", property: "password", environmentVariable: "REDIS_PASSWORD" };
    f.endpoint("fraud", { features: { featureStoreYaml: "project: features\n", onlineStoreSecret } });
    const json = synthJson(f.platform);
    const [store] = manifestsOfKind(json, "SecretStore");
    const [externalSecret] = manifestsOfKind(json, "ExternalSecret");
    expect(store.spec.provider.aws.auth.jwt.serviceAccountRef.name).toBe("fraud");
    expect(externalSecret.spec.data).toEqual([{ secretKey: "password", remoteRef: { key: onlineStoreSecret.secretArn, property: "password" } }]);
    const env = manifestsOfKind(json, "Deployment")[0].spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "fraud-online-store", key: "password" } } });
  });

  test("a model image is the container image", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { model: { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-model@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" } });
    const [deployment] = manifestsOfKind(synthJson(f.platform), "Deployment");
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-model@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    );
  });

  test("the service account carries the IRSA role's ARN and the endpoint lives in the role's namespace", () => {
    const f = endpointFixture();
    const role = f.role("scoring", "risk");
    f.endpoint("fraud", { serviceAccountRole: role });
    const json = synthJson(f.platform);
    const [sa] = manifestsOfKind(json, "ServiceAccount");
    expect(sa.metadata).toMatchObject({ name: "scoring", namespace: "risk" });
    expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^\$\{aws_iam_role\..*\.arn\}$/);
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(manifestsOfKind(json, "Deployment")[0].spec.template.spec.serviceAccountName).toBe("scoring");
    expect((Object.values(json.resource.kubernetes_namespace_v1) as any[])[0].metadata.name).toBe("risk");
  });

  test("the autoscaler scales between min and max on CPU", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { minReplicas: 2, maxReplicas: 6, autoscaling: { targetCpuUtilization: 60 } });
    const [hpa] = manifestsOfKind(synthJson(f.platform), "HorizontalPodAutoscaler");
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 6, scaleTargetRef: { kind: "Deployment", name: "fraud" } });
    expect(hpa.spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }]);
  });

  test("a requests-per-second target adds a Pods metric", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { autoscaling: { targetRequestsPerSecond: 25 } });
    const [hpa] = manifestsOfKind(synthJson(f.platform), "HorizontalPodAutoscaler");
    expect(hpa.spec.metrics[1]).toEqual({ type: "Pods", pods: { metric: { name: "model_requests_per_second" }, target: { type: "AverageValue", averageValue: "25" } } });
  });

  test("replicas default by tier: production keeps at least two", () => {
    const f = endpointFixture({ tier: "production" });
    f.endpoint("fraud");
    const [hpa] = manifestsOfKind(synthJson(f.platform), "HorizontalPodAutoscaler");
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 8]);
  });

  test("a disruption budget lets at most one pod go at a time", () => {
    const f = endpointFixture();
    f.endpoint("fraud");
    const [pdb] = manifestsOfKind(synthJson(f.platform), "PodDisruptionBudget");
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { "ml-platform/endpoint": "fraud", "app.kubernetes.io/name": "fraud" } } });
  });

  test("a GPU endpoint tolerates the GPU taint, selects the GPU pool and requests GPUs", () => {
    const f = endpointFixture({ gpuPools: [A10G_POOL] });
    f.endpoint("fraud", { gpu: {} });
    const pod = manifestsOfKind(synthJson(f.platform), "Deployment")[0].spec.template.spec;
    expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
    expect(pod.nodeSelector).toEqual({ "ml-platform/pool": "general" });
    expect(pod.containers[0].resources.limits["nvidia.com/gpu"]).toBe("1");
    expect(pod.containers[0].resources.requests).toEqual({ cpu: "2", memory: "8Gi", "nvidia.com/gpu": "1" });
    // On the GPU nodes the serving priority preempts training.
    expect(pod.priorityClassName).toBe("ml-serving-critical");
  });

  test("Terraform waits for the rollout, longer for GPU pods (node scale-up from zero)", () => {
    const cpu = endpointFixture();
    cpu.endpoint("fraud");
    const gpu = endpointFixture({ gpuPools: [A10G_POOL] });
    gpu.endpoint("fraud", { gpu: {} });
    const deploymentOf = (json: any) => manifestResourcesOfKind(json, "Deployment")[0];
    expect(deploymentOf(synthJson(cpu.platform))[0]).toMatch(/^kubernetes_deployment_v1\./);
    expect(deploymentOf(synthJson(cpu.platform))[1]).toMatchObject({ wait_for_rollout: true });
    expect(deploymentOf(synthJson(cpu.platform))[1].timeouts).toBeUndefined();
    expect(deploymentOf(synthJson(gpu.platform))[1]).toMatchObject({ wait_for_rollout: true, timeouts: { create: "30m", update: "30m" } });
  });

  test("a GPU endpoint can name its pool", () => {
    const big = { ...A10G_POOL, name: "a100", gpuModel: "A100", gpusPerNode: 8, nodeSelector: { "ml-platform/pool": "a100" } };
    const f = endpointFixture({ gpuPools: [A10G_POOL, big] });
    f.endpoint("fraud", { gpu: { pool: "a100", count: 2 } });
    const pod = manifestsOfKind(synthJson(f.platform), "Deployment")[0].spec.template.spec;
    expect(pod.nodeSelector).toEqual({ "ml-platform/pool": "a100" });
    expect(pod.containers[0].resources.limits["nvidia.com/gpu"]).toBe("2");
  });

  test("every object is applied after the namespace, the Deployment after its service account", () => {
    const f = endpointFixture();
    f.endpoint("fraud");
    const json = synthJson(f.platform);
    const kinds = ["ServiceAccount", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service", "ServiceMonitor", "PrometheusRule", "ConfigMap"];
    const resources = Object.fromEntries(kinds.flatMap((k) => manifestResourcesOfKind(json, k)));
    const kindOf = (address: string) => (address.startsWith("kubernetes_namespace_v1.") ? "Namespace" : resources[address]?.manifest.kind);
    const after = Object.fromEntries(Object.values(resources).map((r: any) => [r.manifest.kind, (r.depends_on ?? []).map(kindOf)]));
    expect(Object.keys(json.resource.kubernetes_namespace_v1)).toHaveLength(1);
    expect(after).toEqual({
      ServiceAccount: ["Namespace"],
      Deployment: ["ServiceAccount"],
      HorizontalPodAutoscaler: ["Deployment"],
      PodDisruptionBudget: ["Namespace"],
      Service: ["Namespace"],
      ServiceMonitor: ["Namespace"],
      PrometheusRule: ["Namespace"],
      ConfigMap: ["Namespace"],
    });
  });

  test("two endpoints in one namespace share one Namespace object", () => {
    const f = endpointFixture();
    f.endpoint("fraud");
    f.endpoint("churn", { name: "churn" });
    const namespaces = Object.values(synthJson(f.platform).resource.kubernetes_namespace_v1) as any[];
    expect(namespaces).toHaveLength(1);
    expect(namespaces[0].metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });
});

describe("MonitoredEndpoint: monitoring objects", () => {
  test("the ServiceMonitor is valid against the CRD and scrapes the metrics Service of every colour", () => {
    const f = endpointFixture();
    const ep = f.endpoint("fraud", { blueGreen: { active: "blue", blue: { uri: "models:/fraud/3" }, green: { uri: "models:/fraud/4" } }, model: undefined });
    expect(crdSchemaErrors(ep.serviceMonitor.object)).toEqual([]);
    const json = synthJson(f.platform);
    const metricsService = manifestsOfKind(json, "Service").find((s) => s.metadata.name === "fraud-metrics");
    expect(metricsService.spec.selector).toEqual({ "ml-platform/endpoint": "fraud" });
    expect((ep.serviceMonitor.object.spec as any).selector.matchLabels).toEqual(
      Object.fromEntries(Object.entries(metricsService.metadata.labels).filter(([k]) => k === "ml-platform/endpoint" || k === "ml-platform/metrics")),
    );
  });

  test("the PrometheusRule is valid against the CRD", () => {
    const f = endpointFixture({ tier: "production" });
    const ep = f.endpoint("fraud");
    expect(crdSchemaErrors(ep.rules.object)).toEqual([]);
  });

  test("the rule carries the five SLO alerts when traffic is expected", () => {
    const f = endpointFixture();
    const ep = f.endpoint("fraud", { slo: { expectTraffic: true } });
    const alerts = (ep.rules.object.spec as any).groups[0].rules.map((r: any) => r.alert);
    expect(alerts.sort()).toEqual([
      "ModelEndpointErrorRatioHigh",
      "ModelEndpointLatencyHigh",
      "ModelEndpointNoTraffic",
      "ModelEndpointPredictionDrift",
      "ModelEndpointReplicasAtMax",
    ]);
  });

  test("no no-traffic alert where traffic is not expected (development default)", () => {
    const f = endpointFixture();
    const ep = f.endpoint("fraud");
    const alerts = (ep.rules.object.spec as any).groups[0].rules.map((r: any) => r.alert);
    expect(alerts).not.toContain("ModelEndpointNoTraffic");
  });

  test("the drift metric name is configurable", () => {
    const f = endpointFixture();
    const ep = f.endpoint("fraud", { metrics: { prefix: "fraud", driftMetric: "evidently_psi_score" } });
    const exprs = (ep.rules.object.spec as any).groups[0].rules.map((r: any) => r.expr).join("\n");
    expect(exprs).toContain("max(evidently_psi_score{");
    expect(exprs).toContain("fraud_request_duration_seconds_bucket{");
  });

  test("a drift score exported by a separate job is selected by its own labels", () => {
    const f = endpointFixture();
    const ep = f.endpoint("fraud", { metrics: { driftSelector: 'job="drift-monitor",model="fraud"' } });
    const drift = (ep.rules.object.spec as any).groups[0].rules.find((r: any) => r.alert === "ModelEndpointPredictionDrift");
    expect(drift.expr).toBe('max(model_prediction_drift_score{job="drift-monitor",model="fraud"}) > 0.2');
  });

  test("the dashboard is a labelled ConfigMap with valid JSON and the six panels", () => {
    const f = endpointFixture();
    f.endpoint("fraud");
    const [cm] = manifestsOfKind(synthJson(f.platform), "ConfigMap");
    expect(cm.metadata.labels).toEqual({ grafana_dashboard: "1" });
    const dashboard = JSON.parse(cm.data["fraud-dashboard.json"]);
    expect(dashboard.panels.map((p: any) => p.title)).toEqual(["Request rate", "Latency quantiles", "Error ratio", "Replicas", "GPU utilisation", "Drift"]);
    const gpu = dashboard.panels.find((p: any) => p.title === "GPU utilisation");
    expect(gpu.targets[0].expr).toContain('DCGM_FI_DEV_GPU_UTIL{namespace="serving",pod=~"(fraud)-.*"}');
    expect(dashboard.panels.every((p: any) => p.targets.length > 0 && p.datasource.uid === "prometheus")).toBe(true);
  });
});

describe("MonitoredEndpoint: blue/green", () => {
  const models = { blue: { uri: "models:/fraud/3" }, green: { uri: "models:/fraud/4" } };

  function synthWithActive(active: "blue" | "green") {
    const f = endpointFixture({ tier: "production", gpuPools: [A10G_POOL] });
    f.endpoint("fraud", { model: undefined, blueGreen: { active, ...models } });
    return synthJson(f.platform);
  }

  test("each colour is its own Deployment with its own model version", () => {
    const json = synthWithActive("blue");
    const deployments = manifestsOfKind(json, "Deployment");
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(["fraud-blue", "fraud-green"]);
    const uriOf = (name: string) => deployments.find((d) => d.metadata.name === name).spec.template.spec.containers[0].env.find((e: any) => e.name === "MODEL_URI").value;
    expect([uriOf("fraud-blue"), uriOf("fraud-green")]).toEqual(["models:/fraud/3", "models:/fraud/4"]);
    expect(manifestsOfKind(json, "HorizontalPodAutoscaler")).toHaveLength(2);
  });

  test("the Service selects the active colour", () => {
    const service = manifestsOfKind(synthWithActive("green"), "Service").find((s) => s.metadata.name === "fraud");
    expect(service.spec.selector).toEqual({ "ml-platform/endpoint": "fraud", "ml-platform/colour": "green" });
  });

  test("switching colours keeps the Service's address and changes only its selector (an in-place update)", () => {
    // GIVEN the same endpoint with blue active, then green active
    const [blue, green] = [synthWithActive("blue"), synthWithActive("green")];
    const serviceOf = (json: any) => manifestResourcesOfKind(json, "Service").find(([, r]) => r.manifest.metadata.name === "fraud")!;
    const [blueAddress, blueService] = serviceOf(blue);
    const [greenAddress, greenService] = serviceOf(green);
    // THEN the Terraform address is the same and only spec.selector differs
    expect(greenAddress).toBe(blueAddress);
    const { selector: blueSelector, ...blueRest } = blueService.manifest.spec;
    const { selector: greenSelector, ...greenRest } = greenService.manifest.spec;
    expect(greenRest).toEqual(blueRest);
    expect({ ...greenService.manifest, spec: {} }).toEqual({ ...blueService.manifest, spec: {} });
    expect(blueSelector["ml-platform/colour"]).toBe("blue");
    expect(greenSelector["ml-platform/colour"]).toBe("green");
    // AND every other resource is unchanged
    const others = (json: any) => Object.fromEntries(Object.entries(json.resource.kubernetes_manifest).filter(([k]) => k !== blueAddress));
    expect(others(green)).toEqual(others(blue));
  });

  test("rolling back to the previous colour restores the original Service exactly", () => {
    const before = synthWithActive("blue");
    synthWithActive("green");
    const after = synthWithActive("blue");
    expect(after.resource.kubernetes_manifest).toEqual(before.resource.kubernetes_manifest);
  });

  test("the idle colour can keep fewer replicas than the active one", () => {
    const f = endpointFixture({ tier: "production" });
    f.endpoint("fraud", { model: undefined, minReplicas: 3, maxReplicas: 6, blueGreen: { active: "green", ...models, idleMinReplicas: 1 } });
    const hpas = manifestsOfKind(synthJson(f.platform), "HorizontalPodAutoscaler");
    expect(Object.fromEntries(hpas.map((h) => [h.metadata.name, h.spec.minReplicas]))).toEqual({ "fraud-blue": 1, "fraud-green": 3 });
  });

  test("a colour without a model has no Deployment", () => {
    const f = endpointFixture();
    f.endpoint("fraud", { model: undefined, blueGreen: { active: "blue", blue: { uri: "models:/fraud/3" } } });
    expect(manifestsOfKind(synthJson(f.platform), "Deployment").map((d) => d.metadata.name)).toEqual(["fraud-blue"]);
  });
});
