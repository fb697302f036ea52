import { IConstruct } from "constructs";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { RegistryAuth } from "./auth";
import { ModelReference, ModelSelector } from "./model-reference";
import { MlflowClientKind } from "./private/names";

/**
 * A model registry as the in-cluster constructs use it (MlflowServer, endpoints through
 * `model(...)`): where its database, artifacts and secrets are. `ModelRegistry` implements it;
 * `ModelRegistry.fromAttributes` imports one created elsewhere (another app, another state), so
 * that the in-cluster stacks can live apart from the AWS ones.
 */
export interface IModelRegistry extends IConstruct {
  /** In-cluster URL of the tracking server. */
  readonly trackingUri: string;
  readonly auth: RegistryAuth;
  /** Host name of the registry's PostgreSQL instance. */
  readonly databaseAddress: string;
  /** ARN of the Secrets Manager secret of the database's master user (RDS-managed): read by the database bootstrap only. */
  readonly databaseSecretArn: string;
  /** ARN of the secret of MLflow's own database login, which the database bootstrap writes and rotates. */
  readonly databaseAppSecretArn: string;
  /** ARN of the IRSA role of the database bootstrap's service account (`mlflow-db-admin/mlflow-db-bootstrap`). */
  readonly databaseBootstrapRoleArn: string;
  /** Name of the S3 bucket that holds the artifacts. */
  readonly artifactBucketName: string;
  /** ARN of the IRSA role of the tracking server's service account (`mlflow/mlflow`). */
  readonly serverRoleArn: string;
  /** ARN of the admin (basic) or client (OIDC) secret; undefined without authentication. */
  readonly authSecretArn?: string;
  /** Basic auth only: ARNs of the `reader` and `trainer` MLflow users' secrets. */
  readonly clientSecretArns?: Readonly<Record<MlflowClientKind, string>>;
  /** The cluster MLflow runs on, whose capacity model takes its pods; undefined for an import without one. */
  readonly cluster?: ITrainingCluster;
  /** A registered model version, e.g. `model("fraud-detector", { alias: "champion" })`. */
  model(name: string, selector: ModelSelector): ModelReference;
}

/** What `ModelRegistry.fromAttributes` needs to know about an existing registry. */
export interface ModelRegistryAttributes {
  /** Host name of the registry's PostgreSQL instance (the RDS endpoint address, without the port). */
  readonly databaseAddress: string;
  /** ARN of the Secrets Manager secret of the database's master user. */
  readonly databaseSecretArn: string;
  /** ARN of the secret of MLflow's own database login (`<prefix>/mlflow/database-app`, the registry's `databaseAppSecretArn`). */
  readonly databaseAppSecretArn: string;
  /** ARN of the database bootstrap's IRSA role (the registry's `databaseBootstrapRoleArn`). */
  readonly databaseBootstrapRoleArn: string;
  /** Name of the artifact bucket. */
  readonly artifactBucketName: string;
  /** ARN of the tracking server's IRSA role. */
  readonly serverRoleArn: string;
  /** The registry's authentication, as it was created. @default RegistryAuth.basic() */
  readonly auth?: RegistryAuth;
  /** Required unless auth is RegistryAuth.none(). @default - none */
  readonly authSecretArn?: string;
  /** Required with basic auth: the reader and trainer secrets' ARNs. @default - none */
  readonly clientSecretArns?: Readonly<Record<MlflowClientKind, string>>;
  /** The cluster MLflow runs on, so that its pods are checked against the cluster's capacity model. @default - not checked */
  readonly cluster?: ITrainingCluster;
}
