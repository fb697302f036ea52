import { crdSchemaErrors } from "../support/crd-schema";
import { checkRules, promtoolAvailable } from "../support/promtool";
import { stackJsonFromDir, synthReferenceApp } from "../support/reference-app";
import { manifestsOfKind } from "../lib/endpoint/fixture";

/** The reference platform's example endpoint: CPU with KEDA in development; GPU with KEDA and a canary Rollout from staging up. */
describe("reference stacks: example model endpoint", () => {
  const { outdir, stacks } = synthReferenceApp();
  const manifests = manifestsOfKind;

  for (const { environment, platform, infra } of stacks) {
    const json = () => stackJsonFromDir(outdir, platform.node.id);

    test(`${platform.node.id} serves the ranker ${environment.tier === "development" ? "on CPU, scaled by KEDA" : "on the GPU pool, scaled by KEDA, rolled out as a canary"}`, () => {
      const deployments = manifests(json(), "Deployment").filter((d: any) => d.metadata.labels?.["ml-platform/endpoint"] === "ranker");
      const rollouts = manifests(json(), "Rollout");
      const [scaled] = manifests(json(), "ScaledObject");
      expect(manifests(json(), "HorizontalPodAutoscaler")).toEqual([]);
      if (environment.tier === "development") {
        expect(deployments.map((d: any) => d.metadata.name)).toEqual(["ranker"]);
        expect(rollouts).toEqual([]);
        expect(deployments[0].spec.template.spec.nodeSelector).toBeUndefined();
        expect(scaled.spec.minReplicaCount).toBe(1);
        expect(scaled.spec.triggers.map((t: any) => t.name)).toEqual(["requests-per-second", "cpu"]);
      } else {
        expect(deployments).toEqual([]);
        expect(rollouts.map((r: any) => r.metadata.name)).toEqual(["ranker"]);
        const [r] = rollouts;
        expect(r.spec.template.spec.nodeSelector).toEqual({ "ml-platform/pool": "general" });
        expect(r.spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]).toBe("1");
        expect(r.spec.template.metadata.annotations["ml-platform/model"]).toBe("models:/ranker/8");
        expect(r.spec.strategy.canary.steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight)).toEqual([20, 50, 100]);
        expect(scaled.spec.scaleTargetRef).toEqual({ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "ranker" });
        expect(scaled.spec.minReplicaCount).toBe(2);
        expect(scaled.spec.triggers.map((t: any) => t.name)).toEqual(["requests-per-second", "gpu-utilization", "cpu"]);
      }
    });

    test(`${platform.node.id}: the ranker's monitoring objects are valid`, () => {
      const objects = [...manifests(json(), "ServiceMonitor"), ...manifests(json(), "PrometheusRule")].filter(
        (m: any) => m.metadata.namespace === "serving" && ["ranker", "ranker-slo"].includes(m.metadata.name),
      );
      expect(objects.map((o: any) => o.kind).sort()).toEqual(["PrometheusRule", "ServiceMonitor"]);
      for (const o of objects) expect(crdSchemaErrors(o)).toEqual([]);
      if (promtoolAvailable()) expect(checkRules(objects.find((o: any) => o.kind === "PrometheusRule").spec).ok).toBe(true);
    });

    test(`${platform.node.id}: the ranker's service account carries its role from ${infra.node.id}`, () => {
      const sa = manifests(json(), "ServiceAccount").find((s: any) => s.metadata.name === "ranker");
      expect(sa.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^\$\{data\.terraform_remote_state\./);
    });

    test(`${platform.node.id}: the ranker reads online features${environment.isProduction ? " with the Redis password synced" : ""}`, () => {
      const deployment = [...manifests(json(), "Deployment"), ...manifests(json(), "Rollout")].find((d: any) => d.metadata.labels?.["ml-platform/endpoint"] === "ranker");
      const env = deployment.spec.template.spec.containers[0].env.map((e: any) => e.name);
      expect(env).toContain("FEATURE_STORE_YAML_BASE64");
      const synced = manifests(json(), "ExternalSecret").filter((e: any) => e.metadata.namespace === "serving");
      const redis = stacks.find((s) => s.platform === platform)!.featureStore.onlineStoreSecret !== undefined;
      // The Redis password (production's online store) and the MLflow reader's login (basic auth, every tier).
      expect(synced.map((e: any) => e.metadata.name)).toEqual(redis ? ["ranker-online-store", "ranker-mlflow-credentials"] : ["ranker-mlflow-credentials"]);
      if (redis) expect(env).toContain("REDIS_PASSWORD");
    });

    test(`${platform.node.id}: the ranker logs its inputs and its drift monitor's objects are valid`, () => {
      const deployment = [...manifests(json(), "Deployment"), ...manifests(json(), "Rollout")].find((d: any) => d.metadata.labels?.["ml-platform/endpoint"] === "ranker");
      const env = Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(env.INFERENCE_LOG_URI).toBe(`s3://${environment.prefix}-inference-logs-${environment.accountId}/inference-logs/ranker/`);
      const [cron] = manifests(json(), "CronJob").filter((c: any) => c.metadata.name === "ranker-drift");
      expect(cron.spec.jobTemplate.spec.template.spec.containers[0].env).toContainEqual({ name: "INFERENCE_LOG_URI", value: env.INFERENCE_LOG_URI });
      const objects = [...manifests(json(), "ServiceMonitor"), ...manifests(json(), "PrometheusRule")].filter((m: any) => m.metadata.name.startsWith("ranker-drift"));
      expect(objects.map((o: any) => `${o.kind} ${o.metadata.name}`).sort()).toEqual(["PrometheusRule ranker-drift", "ServiceMonitor ranker-drift-pushgateway"]);
      for (const o of objects) expect(crdSchemaErrors(o)).toEqual([]);
      if (promtoolAvailable()) expect(checkRules(objects.find((o: any) => o.kind === "PrometheusRule").spec).ok).toBe(true);
    });

    test(`${infra.node.id}: the ranker's role reads the model registry's artifacts`, () => {
      const infraJson = stackJsonFromDir(outdir, infra.node.id);
      const role = Object.entries(infraJson.resource.aws_iam_role).find(([, r]: [string, any]) => r.name === `${environment.prefix}-serving-ranker`)!;
      const policy = Object.values(infraJson.resource.aws_iam_role_policy).find((p: any) => p.role === `\${aws_iam_role.${role[0]}.id}`) as any;
      const actions = JSON.parse(policy.policy).Statement.flatMap((s: any) => s.Action);
      expect(actions).toEqual(expect.arrayContaining(["s3:GetObject"]));
    });
  }
});
