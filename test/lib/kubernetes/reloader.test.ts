import Ajv from "ajv";
import { ENVIRONMENTS } from "../../../stacks/environments";
import { chartDefaults, chartSchema, helmRelease, unknownReleaseKeys } from "../../support/chart-values";
import { stackJsonFromDir, synthReferenceApp } from "../../support/reference-app";
import { helmMerge, mlflowStacks, synthStacks } from "../model-registry/fixtures";

/**
 * Issue 12: RDS rotates the registry's master password every 7 days; External Secrets copies the
 * new one into `mlflow-db-credentials`, but running pods keep the old one. Reloader restarts the
 * Deployments that name a changed Secret in `secret.reloader.stakater.com/reload`.
 */
const { outdir } = synthReferenceApp();

describe("Reloader in every reference environment", () => {
  test.each(ENVIRONMENTS.map((e) => [e.name]))("%s: the addons stack installs the pinned reloader chart, secrets only, annotated workloads only", (name) => {
    const addons = stackJsonFromDir(outdir, `ml-${name}-addons`);
    const release = helmRelease(addons, "reloader");
    expect(release).toMatchObject({ chart: "reloader", version: "2.2.16", namespace: "reloader" });
    const values = release.values as any;
    expect(values.reloader).toMatchObject({ reloadStrategy: "annotations", autoReloadAll: false });
    expect(values.reloader.ignoreSecrets).toBeUndefined();
    expect(unknownReleaseKeys(release)).toEqual([]);
    const validate = new Ajv({ strict: false, allErrors: true }).compile(chartSchema("reloader", "2.2.16")!);
    expect(validate(helmMerge(chartDefaults("reloader", "2.2.16"), release.values))).toBe(true);
  });
});

describe("MLflow restarts on every Secret it reads", () => {
  test("the reload annotation names exactly the Secrets the MLflow pod takes values from", () => {
    const built = mlflowStacks();
    const values = helmRelease(synthStacks(built.app)["test-platform"], "mlflow").values as any;
    const referenced = new Set<string>([
      values.backendStore.existingDatabaseSecret.name,
      values.auth.existingAdminSecret.name,
      values.auth.postgres.existingSecret.name,
      ...values.initContainers.flatMap((c: any) => (c.env ?? []).map((e: any) => e.valueFrom?.secretKeyRef?.name).filter(Boolean)),
    ]);
    const annotated = new Set(values.deploymentAnnotations["secret.reloader.stakater.com/reload"].split(","));
    expect([...annotated].sort()).toEqual([...referenced].sort());
    expect(annotated).toContain("mlflow-db-credentials");
  });
});
