import { Validator } from "../core/errors";
import { TrackingCredentials } from "../endpoint/model-source";
import { Shape, checkShape } from "../core/shape";

/** Registry stages (MLflow's older promotion model; aliases are preferred). */
export type ModelStage = "Staging" | "Production" | "Archived";

/** Which version of a registered model: by alias, by number or by stage. */
export type ModelSelector = { readonly alias: string } | { readonly version: number } | { readonly stage: ModelStage };

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;
const ALIAS = /^[A-Za-z0-9_-]{1,255}$/;
const STAGES: readonly ModelStage[] = ["Staging", "Production", "Archived"];

/**
 * A registered model version that serving constructs can load: `uri` is what
 * `mlflow.pyfunc.load_model` and MLflow's model server accept, and `trackingUri` is
 * the registry that resolves it.
 */
export class ModelReference {
  /** `models:/<name>@<alias>`, `models:/<name>/<version>` or `models:/<name>/<stage>`. */
  public readonly uri: string;

  /**
   * @param where the construct path errors name (the registry's)
   */
  constructor(
    where: string,
    public readonly name: string,
    public readonly selector: ModelSelector,
    public readonly trackingUri: string,
    /** The registry's read-only MLflow user, under basic auth. */
    public readonly credentials?: TrackingCredentials,
  ) {
    checkShape(
      where,
      { selector },
      {
        selector: Shape.either(
          "{ alias }, { version } or { stage }",
          Shape.object({ alias: Shape.string() }),
          Shape.object({ version: Shape.number() }),
          Shape.object({ stage: Shape.string() }),
        ),
      },
    );
    const v = new Validator(where);
    v.check(
      typeof name === "string" && MODEL_NAME.test(name),
      "model name",
      name,
      "must be 1 to 256 letters, digits, '.', '_' or '-', starting with a letter or digit (it becomes part of a models:/ URI)",
    );
    if ("alias" in selector) {
      v.check(ALIAS.test(selector.alias), "alias", selector.alias, "must be 1 to 255 letters, digits, '_' or '-'");
      v.check(selector.alias !== "latest" && !/^v\d+$/.test(selector.alias), "alias", selector.alias, 'must not be "latest" or v<number>: MLflow reserves them');
    } else if ("version" in selector) {
      v.check(Number.isInteger(selector.version) && selector.version >= 1, "version", selector.version, "must be a whole number >= 1");
    } else if ("stage" in selector) {
      v.check(STAGES.includes(selector.stage), "stage", selector.stage, `must be one of ${STAGES.join(", ")}`);
    } else {
      v.fail(`model "${name}" needs one of alias, version or stage`);
    }
    v.throwIfAny();
    if ("alias" in selector) this.uri = `models:/${name}@${selector.alias}`;
    else if ("version" in selector) this.uri = `models:/${name}/${selector.version}`;
    else this.uri = `models:/${name}/${selector.stage}`;
  }
}
