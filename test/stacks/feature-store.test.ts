import { parse } from "yaml";
import { helmRelease, unknownReleaseKeys } from "../support/chart-values";
import { crdSchemaErrors } from "../support/crd-schema";
import { synthReferenceApp, stackJsonFromDir } from "../support/reference-app";

/**
 * The feature store in the reference platform: every environment has one, with the
 * online store stacks/platform.ts chooses for it, and its platform half reads the
 * infrastructure's outputs through remote state.
 */
const { outdir, stacks } = synthReferenceApp();
/** The online store of each reference environment, as stacks/platform.ts writes it. */
const ONLINE_STORE: Record<string, string> = { dev: "dynamodb", staging: "dynamodb", prod: "redis" };

describe("the feature store in every environment", () => {
  for (const { environment, infra, platform, featureStore } of stacks) {
    const expected = ONLINE_STORE[environment.name];

    test(`${infra.node.id} has the offline bucket and a ${expected} online store, as sized`, () => {
      const json = stackJsonFromDir(outdir, infra.node.id);
      expect((Object.values(json.resource.aws_s3_bucket) as any[]).map((b) => b.bucket)).toContain(`${environment.prefix}-feature-store-${environment.accountId}`);
      expect(featureStore.onlineStoreType).toBe(expected);
      const caches = Object.values(json.resource.aws_elasticache_replication_group ?? {}) as any[];
      if (expected === "redis") {
        expect(caches).toEqual([expect.objectContaining({ multi_az_enabled: environment.isProduction, transit_encryption_enabled: true, at_rest_encryption_enabled: "true" })]);
      } else {
        expect(caches).toEqual([]);
      }
    });

    test(`${platform.node.id} runs the feature server with known chart keys, the CronJob and a valid freshness rule`, () => {
      const json = stackJsonFromDir(outdir, platform.node.id);
      expect(unknownReleaseKeys(helmRelease(json, "feast-feature-server"))).toEqual([]);
      // The feast namespace's CronJobs (MLflow's database rotation runs in the same stack, in mlflow-db-admin).
      const cronJobs = (Object.values(json.resource.kubernetes_cron_job_v1) as any[]).filter((c) => /feast/.test(c.metadata.namespace));
      expect(cronJobs.map((c) => c.metadata.name)).toEqual(["feast-materialize"]);
      const rules = (Object.values(json.resource.kubernetes_manifest) as any[]).map((m) => m.manifest).filter((m) => m.metadata.name === "feast-freshness");
      expect(rules).toHaveLength(1);
      expect(crdSchemaErrors(rules[0])).toEqual([]);
      expect(rules[0].spec.groups[0].rules[0].labels.severity).toBe(environment.isProduction ? "critical" : "warning");
    });

    test(`${platform.node.id} publishes feature_store.yaml with the ${expected} online store, wired to the infra stack's outputs`, () => {
      const json = stackJsonFromDir(outdir, platform.node.id);
      const configMap = (Object.values(json.resource.kubernetes_config_map_v1) as any[]).find((c) => c.metadata.name === "feast-feature-store");
      const config = parse(configMap.data["feature_store.yaml"]);
      expect(config.project).toBe("features");
      expect(config.registry.path).toBe(`s3://${environment.prefix}-feature-store-${environment.accountId}/registry/registry.pb`);
      expect(config.online_store.type).toBe(expected);
      if (expected === "redis") expect(config.online_store.connection_string).toMatch(/^\$\{data\.terraform_remote_state\.[^}]+\}:6379,ssl=true,/);
      const accounts = (Object.values(json.resource.kubernetes_service_account_v1) as any[]).filter((a) => a.metadata.name.startsWith("feast-"));
      expect(accounts.map((a) => a.metadata.annotations["eks.amazonaws.com/role-arn"])).toEqual([
        expect.stringMatching(/^\$\{data\.terraform_remote_state\./),
        expect.stringMatching(/^\$\{data\.terraform_remote_state\./),
      ]);
    });
  }
});
