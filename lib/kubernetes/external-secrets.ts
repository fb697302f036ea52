import { Construct } from "constructs";
import { ITerraformDependable, TerraformResource } from "cdktf";
import { KubernetesManifest } from "./private/manifest";
import { Environment } from "../core/environment";
import { IGrantable } from "../iam/policy-statement";
import { ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { CHARTS } from "./charts";
import { HelmChart } from "./helm-chart";
import { ALLOW, NamespaceNetworkPolicies } from "./network-policy";
import { restrictedContainerSecurityContext } from "./pod-security";

/**
 * How secrets reach pods: AWS Secrets Manager holds the value (RDS manages its own
 * master secret; operators set the others), and the External Secrets Operator copies it
 * into a Kubernetes Secret at run time. Terraform never reads a secret value, so none
 * is in code, in synthesized JSON or in any Terraform state. Each namespace has its own
 * SecretStore that authenticates as that namespace's IRSA service account, so a
 * workload can only sync the secrets its own role may read.
 */
export const EXTERNAL_SECRETS_API = "external-secrets.io/v1";

/** Grants what syncing one Secrets Manager secret needs: read that secret and decrypt it. */
export function grantSecretRead(grantee: IGrantable, secretArn: string, keyArn: string): void {
  grantee.addToPolicy({ actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: [secretArn] });
  grantee.addToPolicy({ actions: ["kms:Decrypt"], resources: [keyArn] });
}

export interface ExternalSecretsOperatorProps {
  /** @default "external-secrets" */
  readonly namespace?: string;
  /** The cluster it runs on: its pods are declared in the cluster's capacity model. @default - not declared (the capacity check does not count them) */
  readonly cluster?: ITrainingCluster;
}

/** Requests of the operator's three pods (the chart sets none). */
const ESO_REQUESTS = {
  controller: { cpu: "50m", memory: "128Mi" },
  webhook: { cpu: "10m", memory: "64Mi" },
  certController: { cpu: "10m", memory: "64Mi" },
} as const;

/** The External Secrets Operator with its CRDs (install in a stack applied before its users). */
export class ExternalSecretsOperator extends Construct {
  public readonly chart: HelmChart;
  public readonly networkPolicies: NamespaceNetworkPolicies;

  constructor(scope: Construct, id: string, props: ExternalSecretsOperatorProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? "external-secrets";
    this.chart = new HelmChart(this, "chart", {
      chart: CHARTS.externalSecrets,
      namespace,
      createNamespace: true,
      values: {
        installCRDs: true,
        serviceMonitor: { enabled: false },
        securityContext: restrictedContainerSecurityContext(),
        resources: { requests: { ...ESO_REQUESTS.controller } },
        webhook: { resources: { requests: { ...ESO_REQUESTS.webhook } } },
        certController: { resources: { requests: { ...ESO_REQUESTS.certController } } },
      },
    });
    // external-secrets 0.19.2 names its Deployments after the release (the chart's name here).
    const release = CHARTS.externalSecrets.chart;
    for (const [name, requests] of [
      [release, ESO_REQUESTS.controller],
      [`${release}-webhook`, ESO_REQUESTS.webhook],
      [`${release}-cert-controller`, ESO_REQUESTS.certController],
    ] as const) {
      props.cluster?.capacity.addWorkload(this, { kind: "Deployment", namespace, name, requests });
    }
    // The operator reads Secrets Manager (through its interface endpoint, as STS) and writes Secrets
    // (the API server): HTTPS inside the VPC only;
    // the API server calls its validating webhook (external-secrets 0.19.2 values.yaml webhook.port 10250).
    this.networkPolicies = new NamespaceNetworkPolicies(this, "network-policies", {
      namespace,
      dependsOn: [this.chart.release],
      allows: [ALLOW.awsApis(Environment.of(this).vpcCidr), ALLOW.webhook(Environment.of(this).vpcCidr, { "app.kubernetes.io/name": "external-secrets-webhook" })],
    });
  }
}

export interface SecretStoreObjectProps {
  readonly name: string;
  readonly namespace: string;
  /** The service account (with an IRSA role) the store authenticates as. */
  readonly serviceAccount: string;
}

/** A namespaced SecretStore for AWS Secrets Manager, authenticating as an IRSA service account. */
export function secretStoreObject(scope: Construct, props: SecretStoreObjectProps): Record<string, unknown> {
  return {
    apiVersion: EXTERNAL_SECRETS_API,
    kind: "SecretStore",
    metadata: { name: props.name, namespace: props.namespace },
    spec: {
      provider: {
        aws: {
          service: "SecretsManager",
          region: Environment.of(scope).region,
          auth: { jwt: { serviceAccountRef: { name: props.serviceAccount } } },
        },
      },
    },
  };
}

export interface ExternalSecretObjectProps {
  readonly name: string;
  readonly namespace: string;
  /** The SecretStore (same namespace) to read through. */
  readonly storeName: string;
  /** Name of the Kubernetes Secret to create. */
  readonly targetSecret: string;
  /** Secrets Manager secret: name or ARN. */
  readonly remoteSecret: string;
  /** Kubernetes Secret key -> JSON property of the Secrets Manager value (omit the property for the whole value). */
  readonly keys: Readonly<Record<string, string | undefined>>;
  /** @default "1h" */
  readonly refreshInterval?: string;
  /**
   * Keys of the Kubernetes Secret rendered from the fetched keys with the operator's
   * template engine (v2), e.g. `{ "password-url": "{{ .password | urlquery }}" }`; the
   * Secret then holds only these keys. @default - the fetched keys as they are
   */
  readonly template?: Readonly<Record<string, string>>;
}

/** An ExternalSecret manifest: the Kubernetes Secret `targetSecret` kept in sync with a Secrets Manager secret. */
export function externalSecretObject(props: ExternalSecretObjectProps): Record<string, unknown> {
  return {
    apiVersion: EXTERNAL_SECRETS_API,
    kind: "ExternalSecret",
    metadata: { name: props.name, namespace: props.namespace },
    spec: {
      refreshInterval: props.refreshInterval ?? "1h",
      secretStoreRef: { kind: "SecretStore", name: props.storeName },
      target: {
        name: props.targetSecret,
        creationPolicy: "Owner",
        ...(props.template ? { template: { engineVersion: "v2", data: { ...props.template } } } : {}),
      },
      data: Object.entries(props.keys).map(([secretKey, property]) => ({
        secretKey,
        remoteRef: { key: props.remoteSecret, ...(property ? { property } : {}) },
      })),
    },
  };
}

/** A SecretStore and ExternalSecret as Terraform-managed manifests (the CRDs must already exist). */
export class SyncedSecret extends Construct {
  public readonly secretName: string;
  public readonly store: TerraformResource;
  public readonly externalSecret: TerraformResource;

  /**
   * @param props.waitUntilReady make Terraform wait for the first sync (the ExternalSecret's
   *   Ready condition), so that resources depending on this one find the Secret. @default false
   * @param props.dependsOn what must exist before the SecretStore (its namespace and service account). @default - none
   */
  constructor(
    scope: Construct,
    id: string,
    props: Omit<ExternalSecretObjectProps, "storeName" | "name"> & {
      serviceAccount: string;
      waitUntilReady?: boolean;
      dependsOn?: ITerraformDependable[];
    },
  ) {
    super(scope, id);
    this.secretName = props.targetSecret;
    const storeName = `${props.targetSecret}-store`;
    this.store = new KubernetesManifest(this, "store", {
      manifest: secretStoreObject(this, { name: storeName, namespace: props.namespace, serviceAccount: props.serviceAccount }),
      dependsOn: props.dependsOn,
    });
    this.externalSecret = new KubernetesManifest(this, "external-secret", {
      manifest: externalSecretObject({ ...props, name: props.targetSecret, storeName }),
      dependsOn: [this.store],
      ...(props.waitUntilReady ? { wait: { condition: [{ type: "Ready", status: "True" }] } } : {}),
    });
  }
}
