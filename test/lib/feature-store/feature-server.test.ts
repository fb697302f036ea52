import { Cpu, Memory } from "../../../lib/kubernetes/resources";
import { parse } from "yaml";
import { helmRelease, unknownReleaseKeys } from "../../support/chart-values";
import { crdSchemaErrors } from "../../support/crd-schema";
import { onlyResource, resourcesOfType, synthJson } from "../../support/synth";
import { featureStoreApp } from "./fixtures";

function cronJobPod(json: any): any {
  return onlyResource(json, "kubernetes_cron_job_v1").spec.job_template.spec.template.spec;
}

describe("FeatureServer: Helm release", () => {
  test("installs the pinned feast-feature-server chart in the feast namespace", () => {
    const { platform } = featureStoreApp();
    const release = helmRelease(synthJson(platform), "feast-feature-server");
    expect(release.version).toBe("0.66.0");
    expect(release.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.feast_namespace_\w+\.metadata\[0\]\.name\}$/);
    expect(onlyResource(synthJson(platform), "kubernetes_namespace_v1").metadata.name).toBe("feast");
  });

  test("every values key exists in the chart's defaults", () => {
    const { platform } = featureStoreApp({ tier: "production" }, { onlineStore: "redis" });
    expect(unknownReleaseKeys(helmRelease(synthJson(platform), "feast-feature-server"))).toEqual([]);
  });

  test("the server gets exactly the rendered feature_store.yaml, base64-encoded", () => {
    const { platform, store } = featureStoreApp();
    const values = helmRelease(synthJson(platform), "feast-feature-server").values;
    expect(Buffer.from(values.feature_store_yaml_base64 as string, "base64").toString("utf8")).toBe(store.featureStoreYaml);
  });

  test("with Redis, the server's feature_store.yaml is the same text, encoded by Terraform once the endpoint is known", () => {
    const json = synthJson(featureStoreApp({ tier: "production" }, { onlineStore: "redis" }).platform);
    const encoded = helmRelease(json, "feast-feature-server").values.feature_store_yaml_base64 as string;
    const local = encoded.match(/^\$\{base64encode\(local\.([\w-]+)\)\}$/)![1];
    expect(json.locals[local]).toBe(onlyResource(json, "kubernetes_config_map_v1").data["feature_store.yaml"]);
  });

  test("replicas and resources come from config, and the pods run as the IRSA service account, non-root", () => {
    const { platform } = featureStoreApp({ tier: "staging" }, { server: { replicas: 3, resources: { cpu: Cpu.cores(1), memory: Memory.gibibytes(2) } } });
    const values = helmRelease(synthJson(platform), "feast-feature-server").values as any;
    expect(values.replicaCount).toBe(3);
    // The memory limit is the request unless memoryLimit says otherwise.
    expect(values.resources).toEqual({ requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } });
    expect(values.serviceAccount).toEqual({ name: "feast-feature-server" });
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(values.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  });

  test("replicas default to the tier: one in development, two in production", () => {
    const dev = helmRelease(synthJson(featureStoreApp().platform), "feast-feature-server").values as any;
    const prod = helmRelease(synthJson(featureStoreApp({ tier: "production" }).platform), "feast-feature-server").values as any;
    expect([dev.replicaCount, prod.replicaCount]).toEqual([1, 2]);
  });
});

describe("FeatureServer: service accounts", () => {
  test("each workload's service account carries its own IRSA role", () => {
    const json = synthJson(featureStoreApp().platform);
    const accounts = Object.values(resourcesOfType(json, "kubernetes_service_account_v1")) as any[];
    const byName = Object.fromEntries(accounts.map((a) => [a.metadata.name, a.metadata.annotations["eks.amazonaws.com/role-arn"]]));
    expect(byName["feast-feature-server"]).toMatch(/aws_iam_role\.features_server-role_\w+\.arn/);
    expect(byName["feast-materialize"]).toMatch(/aws_iam_role\.features_materialize-role_\w+\.arn/);
    // No Kubernetes API token in pods that never call the API.
    expect(accounts.map((a) => a.automount_service_account_token)).toEqual([false, false]);
  });
});

describe("FeatureServer: materialization CronJob", () => {
  test("runs feast materialize-incremental up to now (UTC) on the configured schedule, never two at once", () => {
    const json = synthJson(featureStoreApp({}, { materialization: { schedule: "*/30 * * * *" } }).platform);
    const cronJob = onlyResource(json, "kubernetes_cron_job_v1");
    expect(cronJob.metadata.name).toBe("feast-materialize");
    expect(cronJob.spec).toMatchObject({ schedule: "*/30 * * * *", concurrency_policy: "Forbid", timezone: "Etc/UTC" });
    const container = cronJobPod(json).container[0];
    expect(container.command).toEqual(["/bin/sh", "-c", 'exec feast --chdir /etc/feast materialize-incremental "$$(date -u +%Y-%m-%dT%H:%M:%S)"']);
    expect(container.image).toBe("quay.io/feastdev/feature-server:0.66.0");
  });

  test("mounts the same feature_store.yaml from the ConfigMap, read-only", () => {
    const json = synthJson(featureStoreApp().platform);
    const pod = cronJobPod(json);
    const configVolume = pod.volume.find((v: any) => v.name === "config");
    expect(configVolume.config_map.name).toMatch(/kubernetes_config_map_v1\.feast_config_\w+\.metadata\[0\]\.name/);
    expect(pod.container[0].volume_mount).toContainEqual({ name: "config", mount_path: "/etc/feast", read_only: true });
  });

  test("runs as its own service account, non-root, without privilege escalation", () => {
    const pod = cronJobPod(synthJson(featureStoreApp().platform));
    expect(pod.service_account_name).toMatch(/kubernetes_service_account_v1\.feast_materialize-sa_\w+\.metadata\[0\]\.name/);
    expect(pod.security_context).toMatchObject({ run_as_non_root: true, run_as_user: "10001" });
    expect(pod.container[0].security_context).toMatchObject({
      allow_privilege_escalation: false,
      read_only_root_filesystem: true,
      run_as_non_root: true,
      capabilities: { drop: ["ALL"] },
    });
  });
});

describe("FeatureServer: published configuration", () => {
  test("the ConfigMap publishes feature_store.yaml for training jobs and endpoints, parseable, with Feast's required keys", () => {
    const json = synthJson(featureStoreApp().platform);
    const configMap = onlyResource(json, "kubernetes_config_map_v1");
    expect(configMap.metadata.name).toBe("feast-feature-store");
    const config = parse(configMap.data["feature_store.yaml"]);
    expect(Object.keys(config)).toEqual(expect.arrayContaining(["project", "provider", "registry", "online_store", "offline_store"]));
    expect(config.online_store).toMatchObject({ type: "dynamodb", region: "us-east-1" });
  });

  test("with Redis the ConfigMap carries only the endpoint and a $REDIS_PASSWORD placeholder", () => {
    const json = synthJson(featureStoreApp({ tier: "production" }, { onlineStore: "redis" }).platform);
    const config = parse(onlyResource(json, "kubernetes_config_map_v1").data["feature_store.yaml"]);
    expect(config.online_store.connection_string).toMatch(
      /^\$\{aws_elasticache_replication_group\.features_redis_cache_\w+\.primary_endpoint_address\}:6379,ssl=true,username=feast,password=\$REDIS_PASSWORD$/,
    );
  });
});

describe("FeatureServer: Redis password", () => {
  const redis = () => synthJson(featureStoreApp({ tier: "production" }, { onlineStore: "redis" }).platform);

  test("is synced from Secrets Manager by the External Secrets Operator, authenticating as the feature server", () => {
    const manifests = Object.values(resourcesOfType(redis(), "kubernetes_manifest")).map((m: any) => m.manifest);
    const store = manifests.find((m) => m.kind === "SecretStore");
    const externalSecret = manifests.find((m) => m.kind === "ExternalSecret");
    expect(store.spec.provider.aws.auth.jwt.serviceAccountRef.name).toMatch(/feast_server-sa_\w+\.metadata\[0\]\.name/);
    expect(externalSecret.spec.target.name).toBe("feast-redis-auth");
    expect(externalSecret.spec.data).toEqual([
      { secretKey: "password", remoteRef: { key: expect.stringMatching(/aws_secretsmanager_secret\.features_redis_auth_\w+\.arn/), property: "password" } },
    ]);
  });

  test("reaches the server and the job as REDIS_PASSWORD from the Kubernetes Secret", () => {
    const json = redis();
    const fromSecret = { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "feast-redis-auth", key: "password" } } };
    expect((helmRelease(json, "feast-feature-server").values as any).extraEnvs).toContainEqual(fromSecret);
    expect(cronJobPod(json).container[0].env).toContainEqual({ name: "REDIS_PASSWORD", value_from: { secret_key_ref: { name: "feast-redis-auth", key: "password" } } });
  });

  test("DynamoDB needs no secret at all", () => {
    const json = synthJson(featureStoreApp().platform);
    expect(Object.values(resourcesOfType(json, "kubernetes_manifest")).map((m: any) => m.manifest.kind)).toEqual(["PrometheusRule"]);
    expect((helmRelease(json, "feast-feature-server").values as any).extraEnvs.map((e: any) => e.name)).not.toContain("REDIS_PASSWORD");
  });
});

describe("FeatureServer: freshness alert", () => {
  test("the PrometheusRule in the feast namespace validates against the CRD schema", () => {
    const { server } = featureStoreApp({ tier: "production" });
    expect(crdSchemaErrors(server.freshnessRule.object)).toEqual([]);
    expect((server.freshnessRule.object as any).spec.groups[0].rules[0].labels.severity).toBe("critical");
  });
});
