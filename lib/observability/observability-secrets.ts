import { Construct } from "constructs";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Environment } from "../core/environment";
import { Validator } from "../core/errors";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { ServiceAccountRole } from "../iam/service-account-role";
import { grantSecretRead } from "../kubernetes/external-secrets";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { claimPhysicalName } from "../core/physical-names";

export interface ObservabilitySecretsProps {
  /** The cluster whose OIDC provider the secret-sync roles trust, and whose key encrypts the secrets. */
  readonly cluster: ITrainingCluster;
  /** Namespace of the observability stack. @default "monitoring" */
  readonly namespace?: string;
}

/** One Secrets Manager secret and the IRSA role (of one service account) that may read exactly it. */
export interface SyncedSecretSource {
  readonly secret: SecretsmanagerSecret;
  /** The secret's name: a plain string, so platform stacks need no cross-stack reference for it. */
  readonly secretName: string;
  readonly role: ServiceAccountRole;
}

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
export class ObservabilitySecrets extends Construct {
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
    v.check(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(this.namespace), "namespace", this.namespace, "must be a Kubernetes namespace name (DNS label)");
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
      });
      const role = new ServiceAccountRole(this, `${sid}-reader`, { identity: props.cluster, namespace: this.namespace, serviceAccount });
      grantSecretRead(role, secret.arn, props.cluster.key.keyArn);
      return { secret, secretName, role };
    };
    this.alertmanager = source("alertmanager", "alertmanager", "alertmanager-secret-sync",
      "Alertmanager receiver credentials: JSON object, receiver name -> Slack webhook URL or PagerDuty routing key. Set by an operator.");
    this.grafanaAdmin = source("grafana-admin", "grafana-admin", "grafana-secret-sync",
      'Grafana admin login: JSON {"admin-user": ..., "admin-password": ...}. Set by an operator.');
  }
}
