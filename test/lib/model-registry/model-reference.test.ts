import { registryStack } from "./fixtures";

describe("ModelRegistry.model", () => {
  test("an alias gives models:/<name>@<alias>", () => {
    expect(registryStack().registry.model("fraud-detector", { alias: "champion" }).uri).toBe("models:/fraud-detector@champion");
  });

  test("a version gives models:/<name>/<version>", () => {
    expect(registryStack().registry.model("fraud-detector", { version: 3 }).uri).toBe("models:/fraud-detector/3");
  });

  test("a stage gives models:/<name>/<stage>", () => {
    expect(registryStack().registry.model("fraud-detector", { stage: "Production" }).uri).toBe("models:/fraud-detector/Production");
  });

  test("carries the registry's tracking URI and the model's name", () => {
    const ref = registryStack().registry.model("churn.v2_model", { alias: "prod" });
    expect(ref.trackingUri).toBe("http://mlflow.mlflow.svc.cluster.local:80");
    expect(ref.name).toBe("churn.v2_model");
  });
});
