import { allEnvironmentSets, EnvironmentSet } from "./in-cluster";
import { renderingUnavailable } from "./helm";
import { kubernetesSchemaUnavailable } from "./kube-schema";

/**
 * Gate of the rendering tests: real helm, the charts (mirror or repository) and the
 * Kubernetes schemas. Missing outside CI: skipped, loudly. With CI=true the tests run and
 * fail on the reason instead.
 */
export const renderingMissing: string | undefined = renderingUnavailable() ?? kubernetesSchemaUnavailable();

if (renderingMissing) process.stderr.write(`\n*** ${process.env.CI ? "FAILING" : "SKIPPING"} IN-CLUSTER RENDERING TESTS: ${renderingMissing} ***\n\n`);

function failingDescribe(name: string): void {
  describe(name, () => {
    test("can render (CI requires it)", () => {
      throw new Error(`in-cluster rendering is unavailable: ${renderingMissing}`);
    });
  });
}

/** `describe` whose body gets every environment's in-cluster set (rendered once per test file). */
export function describeRendered(name: string, body: (sets: EnvironmentSet[]) => void): void {
  if (!renderingMissing) {
    describe(name, () => body(renderedSets()));
  } else if (process.env.CI) {
    failingDescribe(name);
  } else {
    describe.skip(name, () => test("skipped", () => undefined));
  }
}

let rendered: { sets: EnvironmentSet[]; errors: string[] } | undefined;

export function renderedSets(): EnvironmentSet[] {
  rendered ??= allEnvironmentSets();
  return rendered.sets;
}

/** Examples that could not be synthesized (so are missing from the sets). */
export function renderErrors(): string[] {
  renderedSets();
  return rendered!.errors;
}
