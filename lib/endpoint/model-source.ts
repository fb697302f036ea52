/**
 * A model registered in MLflow: ModelRegistry's `registry.model(name, { alias | version | stage })`
 * satisfies it. The serving container loads `uri` at start-up.
 */
export interface ModelUri {
  /** An MLflow model URI: `models:/<name>@<alias>`, `models:/<name>/<version>` or `models:/<name>/<stage>`. */
  readonly uri: string;
  /** The MLflow tracking server that resolves `uri` (ModelRegistry's references carry it). @default - none */
  readonly trackingUri?: string;
  /**
   * The MLflow user the server logs in as to resolve `uri` (ModelRegistry's references carry
   * its read-only user under basic auth). The endpoint syncs the secret into its namespace
   * as its own service account and sets MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD.
   * @default - no credentials (a tracking server without authentication)
   */
  readonly credentials?: TrackingCredentials;
}

/** A Secrets Manager secret holding `{"username","password"}` of an MLflow user. */
export interface TrackingCredentials {
  /** ARN of the secret; the endpoint's IRSA role must be allowed to read it (`registry.grantRead(role)` grants it). */
  readonly secretArn: string;
}

/** A model baked into its own serving image: the image is the version. */
export interface ModelImage {
  /** Image reference, preferably pinned by digest (`repo@sha256:...`) or an immutable tag. */
  readonly image: string;
}

/** What an endpoint serves: a registry model (served by the endpoint's image) or a model image. */
export type ModelSource = ModelUri | ModelImage;

export function isModelUri(source: ModelSource): source is ModelUri {
  return typeof (source as Partial<ModelUri>).uri === "string";
}

/** A short description of the model for labels and messages. */
export function describeModel(source: ModelSource): string {
  return isModelUri(source) ? source.uri : source.image;
}
