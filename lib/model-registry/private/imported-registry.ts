import { Construct } from "constructs";
import { Environment } from "../../core/environment";
import { Validator } from "../../core/errors";
import { LibraryShapes, Shape, checkShape } from "../../core/shape";
import { ITrainingCluster } from "../../gpu-cluster/cluster-interface";
import { principalArnProblem } from "../../core/validators";
import { RegistryAuth } from "../auth";
import { ModelReference, ModelSelector } from "../model-reference";
import { TrackingCredentials } from "../../endpoint/model-source";
import { IModelRegistry, ModelRegistryAttributes } from "../model-registry-interface";
import { CLIENT_KINDS, MLFLOW_TRACKING_URI, MlflowClientKind } from "./names";

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** A registry created elsewhere, known by its attributes (ModelRegistry.fromAttributes). */
export class ImportedModelRegistry extends Construct implements IModelRegistry {
  public readonly trackingUri = MLFLOW_TRACKING_URI;
  public readonly auth: RegistryAuth;
  public readonly databaseAddress: string;
  public readonly databaseSecretArn: string;
  public readonly databaseAppSecretArn: string;
  public readonly databaseBootstrapRoleArn: string;
  public readonly artifactBucketName: string;
  public readonly serverRoleArn: string;
  public readonly authSecretArn?: string;
  public readonly clientSecretArns?: Readonly<Record<MlflowClientKind, string>>;
  public readonly cluster?: ITrainingCluster;
  private readerCredentials?: TrackingCredentials;

  constructor(scope: Construct, id: string, attrs: ModelRegistryAttributes) {
    super(scope, id);
    checkShape(this.node.path, attrs, {
      databaseAddress: Shape.string({ nonEmpty: true }),
      databaseSecretArn: Shape.string({ nonEmpty: true }),
      databaseAppSecretArn: Shape.string({ nonEmpty: true }),
      databaseBootstrapRoleArn: Shape.string({ nonEmpty: true }),
      artifactBucketName: Shape.string({ nonEmpty: true }),
      serverRoleArn: Shape.string({ nonEmpty: true }),
      auth: Shape.optional(Shape.instanceOf(RegistryAuth, "RegistryAuth.basic(), RegistryAuth.oidc({...}) or RegistryAuth.none()")),
      authSecretArn: Shape.optional(Shape.string()),
      clientSecretArns: Shape.optional(Shape.object({ reader: Shape.string(), trainer: Shape.string() }, "{ reader, trainer } secret ARNs")),
      cluster: Shape.optional(LibraryShapes.cluster),
    });
    const env = Environment.of(this);
    this.auth = attrs.auth ?? RegistryAuth.basic();
    const v = new Validator(this.node.path);
    v.check(
      /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(attrs.databaseAddress),
      "databaseAddress",
      attrs.databaseAddress,
      "must be the database's host name, such as ml-prod-model-registry.abc123.us-east-1.rds.amazonaws.com (no port, no scheme)",
    );
    v.check(
      SECRET_ARN.test(attrs.databaseSecretArn),
      "databaseSecretArn",
      attrs.databaseSecretArn,
      "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
    );
    v.check(
      SECRET_ARN.test(attrs.databaseAppSecretArn),
      "databaseAppSecretArn",
      attrs.databaseAppSecretArn,
      "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
    );
    v.checkProblem("databaseBootstrapRoleArn", attrs.databaseBootstrapRoleArn, principalArnProblem(attrs.databaseBootstrapRoleArn));
    v.check(BUCKET.test(attrs.artifactBucketName), "artifactBucketName", attrs.artifactBucketName, "must be an S3 bucket name (not an s3:// URL or an ARN)");
    v.checkProblem("serverRoleArn", attrs.serverRoleArn, principalArnProblem(attrs.serverRoleArn));
    v.check(
      this.auth.enabled || !env.protectsData,
      "auth",
      this.auth.kind,
      `${env.tier} needs authentication on the tracking server: RegistryAuth.basic() or RegistryAuth.oidc({...})`,
    );
    if (this.auth.enabled) {
      v.check(
        attrs.authSecretArn !== undefined,
        "authSecretArn",
        attrs.authSecretArn,
        `is required with RegistryAuth.${this.auth.kind}(): the ARN of the registry's ${this.auth.kind === "basic" ? "admin credentials" : "OIDC client"} secret`,
      );
    }
    if (attrs.authSecretArn !== undefined) v.check(SECRET_ARN.test(attrs.authSecretArn), "authSecretArn", attrs.authSecretArn, "must be a Secrets Manager secret ARN");
    if (this.auth.kind === "basic") {
      v.check(
        attrs.clientSecretArns !== undefined,
        "clientSecretArns",
        attrs.clientSecretArns,
        "is required with RegistryAuth.basic(): { reader, trainer }, the ARNs of the MLflow client users' secrets",
      );
    } else {
      v.check(attrs.clientSecretArns === undefined, "clientSecretArns", attrs.clientSecretArns, "applies to RegistryAuth.basic() only");
    }
    for (const kind of CLIENT_KINDS) {
      const arn = attrs.clientSecretArns?.[kind];
      if (arn !== undefined) v.check(SECRET_ARN.test(arn), `clientSecretArns.${kind}`, arn, "must be a Secrets Manager secret ARN");
    }
    v.throwIfAny();
    this.databaseAddress = attrs.databaseAddress;
    this.databaseSecretArn = attrs.databaseSecretArn;
    this.databaseAppSecretArn = attrs.databaseAppSecretArn;
    this.databaseBootstrapRoleArn = attrs.databaseBootstrapRoleArn;
    this.artifactBucketName = attrs.artifactBucketName;
    this.serverRoleArn = attrs.serverRoleArn;
    this.authSecretArn = attrs.authSecretArn;
    this.clientSecretArns = attrs.clientSecretArns;
    this.cluster = attrs.cluster;
  }

  public model(name: string, selector: ModelSelector): ModelReference {
    // One credentials object for every reference, as ModelRegistry.model: endpoints compare their colours' credentials.
    this.readerCredentials ??= this.clientSecretArns ? { secretArn: this.clientSecretArns.reader } : undefined;
    return new ModelReference(this.node.path, name, selector, this.trackingUri, this.readerCredentials);
  }
}
