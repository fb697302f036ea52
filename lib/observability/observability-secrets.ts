import { Construct, IConstruct } from "constructs";
import { namespaceProblem, principalArnProblem } from "../core/validators";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Environment } from "../core/environment";
import { Validator } from "../core/errors";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { ServiceAccountRole } from "../iam/service-account-role";
import { grantSecretRead } from "../kubernetes/external-secrets";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { claimPhysicalName } from "../core/physical-names";
import { SecretRotation } from "../core/secret-rotation";

export interface ObservabilitySecretsProps {
  /** The cluster whose OIDC provider the secret-sync roles trust, and whose key encrypts the secrets. */
  readonly cluster: ITrainingCluster;
  /** Namespace of the observability stack. @default "monitoring" */
  readonly namespace?: string;
}

/** What the in-cluster sync of one secret needs: the secret's name and the service account whose IRSA role may read it. */
export interface SecretSyncSource {
  /** The secret's name: a plain string, so platform stacks need no cross-stack reference for it. */
  readonly secretName: string;
  /** The service account, in the observability namespace, that syncs the secret. */
  readonly serviceAccount: string;
  /** ARN of that service account's IRSA role. */
  readonly roleArn: string;
}

/** One Secrets Manager secret and the IRSA role (of one service account) that may read exactly it. */
export interface SyncedSecretSource extends SecretSyncSource {
  readonly secret: SecretsmanagerSecret;
  readonly role: ServiceAccountRole;
}

/**
 * The observability secrets as the in-cluster Observability uses them. `ObservabilitySecrets`
 * implements it; `ObservabilitySecrets.fromAttributes` imports ones created by another app.
 */
export interface IObservabilitySecrets extends IConstruct {
  /** Namespace of the observability stack. */
  readonly namespace: string;
  readonly alertmanager: SecretSyncSource;
  readonly grafanaAdmin: SecretSyncSource;
  /** The cluster monitored, whose capacity model takes Observability's pods; undefined for an import without one. */
  readonly cluster?: ITrainingCluster;
}

/** What `ObservabilitySecrets.fromAttributes` needs: the outputs of the stack that created them. */
export interface ObservabilitySecretsAttributes {
  /** The namespace the secrets' roles were created for. @default "monitoring" */
  readonly namespace?: string;
  /** Name of the Alertmanager receivers' secret, `<prefix>/observability/alertmanager`. */
  readonly alertmanagerSecretName: string;
  /** ARN of the IRSA role of `alertmanager-secret-sync`. */
  readonly alertmanagerRoleArn: string;
  /** Name of the Grafana admin secret, `<prefix>/observability/grafana-admin`. */
  readonly grafanaAdminSecretName: string;
  /** ARN of the IRSA role of `grafana-secret-sync`. */
  readonly grafanaAdminRoleArn: string;
  /** The cluster monitored, so that Observability's pods are checked against its capacity model. @default - not checked */
  readonly cluster?: ITrainingCluster;
}

/** The service accounts that sync the two secrets (their roles trust exactly these). */
const ALERTMANAGER_SYNC_ACCOUNT = "alertmanager-secret-sync";
const GRAFANA_SYNC_ACCOUNT = "grafana-secret-sync";

/**
 * The infrastructure half of the observability stack (InfraStack): the Secrets Manager
 * secrets holding the Alertmanager receivers' credentials and the Grafana admin login,
 * each KMS-encrypted with the environment key and with NO value: an operator sets it
 * (see lib/observability/README.md), so no credential is ever in code or in Terraform
 * state. Each secret gets its own IRSA role, for the service account of the
 * SecretStore that syncs it, allowed to read that secret only.
 *
 * Values, as JSON:
 * - `<prefix>/observability/alertmanager`: `{"<receiver name>": "<Slack webhook URL or PagerDuty routing key>", ...}`
 * - `<prefix>/observability/grafana-admin`: `{"admin-user": "admin", "admin-password": "<strong password>"}`
 */
export class ObservabilitySecrets extends Construct implements IObservabilitySecrets {
  /**
   * Secrets created by another app, for an Observability in a platform stack of this one. Each
   * attribute is checked; a missing or malformed one is a ConfigError naming it.
   */
  public static fromAttributes(scope: Construct, id: string, attrs: ObservabilitySecretsAttributes): IObservabilitySecrets {
    return new ImportedObservabilitySecrets(scope, id, attrs);
  }

  public readonly namespace: string;
  /** The cluster monitored: Observability declares its workloads in its capacity model. */
  public readonly cluster: ITrainingCluster;
  public readonly alertmanager: SyncedSecretSource;
  public readonly grafanaAdmin: SyncedSecretSource;

  constructor(scope: Construct, id: string, props: ObservabilitySecretsProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      cluster: LibraryShapes.cluster,
      namespace: Shape.optional(Shape.string()),
    });
    const env = Environment.of(this);
    this.cluster = props.cluster;
    this.namespace = props.namespace ?? "monitoring";
    const v = new Validator(this.node.path);
    v.checkProblem("namespace", this.namespace, namespaceProblem(this.namespace));
    v.throwIfAny();

    const source = (sid: string, name: string, serviceAccount: string, description: string): SyncedSecretSource => {
      const secretName = `${env.prefix}/observability/${name}`;
      claimPhysicalName(this, "Secrets Manager secret", "id", secretName, "region");
      const secret = new SecretsmanagerSecret(this, `${sid}-secret`, {
        name: secretName,
        description,
        kmsKeyId: props.cluster.key.keyArn,
        // Development secrets can be deleted and recreated at once; elsewhere a deletion can be undone for 30 days.
        recoveryWindowInDays: env.protectsData ? 30 : 0,
        // Third-party keys and an admin login: an operator replaces them (lib/observability/README.md, "Rotation").
        tags: SecretRotation.operator(),
      });
      const role = new ServiceAccountRole(this, `${sid}-reader`, { identity: props.cluster, namespace: this.namespace, serviceAccount });
      grantSecretRead(role, secret.arn, props.cluster.key.keyArn);
      return { secret, secretName, role, serviceAccount, roleArn: role.roleArn };
    };
    this.alertmanager = source(
      "alertmanager",
      "alertmanager",
      ALERTMANAGER_SYNC_ACCOUNT,
      "Alertmanager receiver credentials: JSON object, receiver name -> Slack webhook URL or PagerDuty routing key. Set by an operator.",
    );
    this.grafanaAdmin = source("grafana-admin", "grafana-admin", GRAFANA_SYNC_ACCOUNT, 'Grafana admin login: JSON {"admin-user": ..., "admin-password": ...}. Set by an operator.');
  }
}

/** Secrets created elsewhere, known by their names and the ARNs of their readers' roles. */
class ImportedObservabilitySecrets extends Construct implements IObservabilitySecrets {
  public readonly namespace: string;
  public readonly alertmanager: SecretSyncSource;
  public readonly grafanaAdmin: SecretSyncSource;
  public readonly cluster?: ITrainingCluster;

  constructor(scope: Construct, id: string, attrs: ObservabilitySecretsAttributes) {
    super(scope, id);
    checkShape(this.node.path, attrs, {
      namespace: Shape.optional(Shape.string()),
      alertmanagerSecretName: Shape.string({ nonEmpty: true }),
      alertmanagerRoleArn: Shape.string({ nonEmpty: true }),
      grafanaAdminSecretName: Shape.string({ nonEmpty: true }),
      grafanaAdminRoleArn: Shape.string({ nonEmpty: true }),
      cluster: Shape.optional(LibraryShapes.cluster),
    });
    this.namespace = attrs.namespace ?? "monitoring";
    const v = new Validator(this.node.path);
    v.checkProblem("namespace", this.namespace, namespaceProblem(this.namespace));
    for (const field of ["alertmanagerRoleArn", "grafanaAdminRoleArn"] as const) {
      v.checkProblem(field, attrs[field], principalArnProblem(attrs[field]));
    }
    for (const field of ["alertmanagerSecretName", "grafanaAdminSecretName"] as const) {
      v.check(!attrs[field].startsWith("arn:"), field, attrs[field], "must be the secret's name (<prefix>/observability/...), not its ARN");
    }
    v.throwIfAny();
    this.alertmanager = { secretName: attrs.alertmanagerSecretName, serviceAccount: ALERTMANAGER_SYNC_ACCOUNT, roleArn: attrs.alertmanagerRoleArn };
    this.cluster = attrs.cluster;
    this.grafanaAdmin = { secretName: attrs.grafanaAdminSecretName, serviceAccount: GRAFANA_SYNC_ACCOUNT, roleArn: attrs.grafanaAdminRoleArn };
  }
}
