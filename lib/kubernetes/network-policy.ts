import { Construct } from "constructs";
import { ITerraformDependable, TerraformResource } from "cdktf";
import { NetworkPolicyV1Spec } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { networkPolicyV1 } from "./private/typed-resource";

/**
 * NetworkPolicies of the namespaces the library creates: each gets a default deny of
 * ingress and egress, DNS to CoreDNS, and then only the flows its workloads need. The VPC
 * CNI enforces them (GpuTrainingCluster turns on `enableNetworkPolicy`).
 *
 * Traffic from the node a pod runs on (kubelet probes) is not subject to the policies on
 * EKS (aws/aws-network-policy-agent: the node's own IP is always allowed), and neither
 * are host-network pods (node-exporter).
 */

/** The label the API server sets on every Namespace to its name (Kubernetes >= 1.22, NamespaceDefaultLabelName). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Ports of the servers other namespaces reach, as the pods listen on them (a policy
 * matches the pod's port, after the Service's translation), with their source.
 */
export const SERVER_PORTS = {
  /** CoreDNS, UDP and TCP (kubernetes/kubernetes cluster/addons/dns/coredns/coredns.yaml.base, ports `dns` and `dns-tcp`). */
  dns: 53,
  /** MLflow tracking server container port (community-charts mlflow 1.11.5 values.schema.json: service.containerPort default 5000). */
  mlflow: 5000,
  /** Feast online feature server (feast-feature-server 0.66.0 templates/deployment.yaml: containerPort 6566, `online`). */
  feastOnline: 6566,
  /** PostgreSQL (RDS) default port. */
  postgres: 5432,
  /** Redis (ElastiCache) default port. */
  redis: 6379,
  /** HTTPS: AWS APIs (STS, S3, Secrets Manager, DynamoDB, ECR), the EKS API server, alert receivers. */
  https: 443,
  /**
   * Prometheus's web and query API (prometheus-operator pkg/prometheus/statefulset.go: container port
   * 9090, `http-web`; kube-prometheus-stack 88.5.3 templates/prometheus/service.yaml: Service port 9090).
   */
  prometheus: 9090,
  /** Admission webhooks the API server calls (external-secrets webhook, prometheus-operator: containerPort 10250). */
  webhook: 10250,
} as const;

/** Pod labels of in-cluster servers that other namespaces' pods reach, with their source. */
export const SERVER_PODS = {
  /** CoreDNS pods in kube-system (EKS's coredns add-on: `k8s-app: kube-dns`). */
  coreDns: { "k8s-app": "kube-dns" },
  /** Prometheus pods (prometheus-operator pkg/prometheus/server/operator.go makeSelectorLabels: `app.kubernetes.io/name: prometheus`). */
  prometheus: { "app.kubernetes.io/name": "prometheus" },
  /** MLflow pods (mlflow 1.11.5 templates/_helpers.tpl selectorLabels: `app.kubernetes.io/name: mlflow`). */
  mlflow: { "app.kubernetes.io/name": "mlflow" },
  /** Alertmanager pods (prometheus-operator pkg/alertmanager/statefulset.go: `app.kubernetes.io/name: alertmanager`). */
  alertmanager: { "app.kubernetes.io/name": "alertmanager" },
  /** Feast feature server pods (feast-feature-server 0.66.0 templates/_helpers.tpl selectorLabels). */
  feastServer: { "app.kubernetes.io/name": "feast-feature-server" },
} as const;

export type Protocol = "TCP" | "UDP";

export interface NetworkPort {
  /** A number, or the name of a container port of the pods on the receiving end. */
  readonly port: number | string;
  /** @default "TCP" */
  readonly protocol?: Protocol;
}

/** The other end of an allowed flow. */
export interface NetworkPeer {
  /** Pods carrying these labels. @default - every pod (of the namespaces below) */
  readonly pods?: Readonly<Record<string, string>>;
  /** The namespace of those pods; "*" for every namespace. @default - the policy's own namespace */
  readonly namespace?: string;
  /** An IP range outside the pod network (nodes, the control plane, RDS, AWS APIs); excludes pods/namespace. */
  readonly cidr?: string;
}

/** One allowed flow. */
export interface NetworkAllow {
  /** Name of the NetworkPolicy (a DNS label, unique in the namespace). */
  readonly name: string;
  readonly direction: "ingress" | "egress";
  /** The namespace's pods it applies to. @default - every pod of the namespace */
  readonly pods?: Readonly<Record<string, string>>;
  /** Who may connect (ingress) or be reached (egress). @default - anyone */
  readonly peers?: readonly NetworkPeer[];
  /** @default - every port */
  readonly ports?: readonly NetworkPort[];
}

/** Any IPv4 address: AWS's public API endpoints and the EKS API server's public endpoint change without notice. */
export const ANYWHERE = "0.0.0.0/0";

/** Common allows. */
export const ALLOW = {
  /** Every pod reaches CoreDNS in kube-system (UDP and TCP 53). */
  dns: (): NetworkAllow => ({
    name: "allow-dns",
    direction: "egress",
    peers: [{ namespace: "kube-system", pods: SERVER_PODS.coreDns }],
    ports: [
      { port: SERVER_PORTS.dns, protocol: "UDP" },
      { port: SERVER_PORTS.dns, protocol: "TCP" },
    ],
  }),
  /**
   * HTTPS to the VPC range only: the AWS APIs with interface endpoints (STS, Secrets Manager, ECR,
   * CloudWatch Logs: `INTERFACE_ENDPOINT_SERVICES` of lib/network/network.ts, private DNS) and the
   * EKS API server (its ENIs in the VPC). The narrowest allow for pods that need nothing else.
   */
  awsApis: (vpcCidr: string, pods?: Record<string, string>): NetworkAllow => ({
    name: "allow-aws-api-egress",
    direction: "egress",
    ...(pods ? { pods } : {}),
    peers: [{ cidr: vpcCidr }],
    ports: [{ port: SERVER_PORTS.https }],
  }),
  /**
   * HTTPS to anywhere, for pods that need S3 or DynamoDB (gateway endpoints route them, but their
   * addresses are public and change, so no ipBlock short of the internet holds them) or the
   * internet. It includes what `awsApis` allows.
   */
  https: (pods?: Record<string, string>): NetworkAllow => ({
    name: "allow-https-egress",
    direction: "egress",
    ...(pods ? { pods } : {}),
    peers: [{ cidr: ANYWHERE }],
    ports: [{ port: SERVER_PORTS.https }],
  }),
  /** Prometheus (in any namespace) scrapes the given ports of the given pods. */
  scrape: (name: string, ports: readonly NetworkPort[], pods?: Record<string, string>): NetworkAllow => ({
    name,
    direction: "ingress",
    ...(pods ? { pods } : {}),
    peers: [{ namespace: "*", pods: SERVER_PODS.prometheus }],
    ports,
  }),
  /** Pods of the namespace talk to each other, both ways. */
  withinNamespace: (): NetworkAllow[] => [
    { name: "allow-same-namespace-ingress", direction: "ingress", peers: [{}] },
    { name: "allow-same-namespace-egress", direction: "egress", peers: [{}] },
  ],
  /** The API server (its ENIs in the VPC) calls an admission webhook. */
  webhook: (vpcCidr: string, pods: Record<string, string>, port: number | string = SERVER_PORTS.webhook): NetworkAllow => ({
    name: "allow-webhook-from-control-plane",
    direction: "ingress",
    pods,
    peers: [{ cidr: vpcCidr }],
    ports: [{ port }],
  }),
  /** Clients in any namespace reach MLflow's tracking server and the Feast feature server. */
  platformServices: (): NetworkAllow => ({
    name: "allow-platform-services",
    direction: "egress",
    peers: [
      { namespace: "*", pods: SERVER_PODS.mlflow },
      { namespace: "*", pods: SERVER_PODS.feastServer },
    ],
    ports: [{ port: SERVER_PORTS.mlflow }, { port: SERVER_PORTS.feastOnline }],
  }),
} as const;

export interface NamespaceNetworkPoliciesProps {
  /** The namespace (a name, or a Terraform reference to the namespace resource's name). */
  readonly namespace: string;
  /** Flows allowed beyond DNS. */
  readonly allows: readonly NetworkAllow[];
  /**
   * What creates the namespace, when `namespace` is a plain name (a Helm release with create_namespace).
   * @default - no dependency: the namespace exists already or is a reference to the resource that creates it
   */
  readonly dependsOn?: ITerraformDependable[];
}

function labelSelector(labels: Readonly<Record<string, string>> | undefined): { matchLabels?: Record<string, string> } {
  return labels && Object.keys(labels).length > 0 ? { matchLabels: { ...labels } } : {};
}

function peer(p: NetworkPeer): Record<string, unknown> {
  if (p.cidr !== undefined) return { ipBlock: { cidr: p.cidr } };
  const out: Record<string, unknown> = {};
  if (p.namespace === "*") out.namespaceSelector = { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "Exists" }] };
  else if (p.namespace !== undefined) out.namespaceSelector = { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespace } };
  // No namespace selector: the policy's own namespace; an empty pod selector: every pod there.
  if (p.pods || p.namespace === undefined) out.podSelector = labelSelector(p.pods);
  return out;
}

function ports(list: readonly NetworkPort[] | undefined): Record<string, unknown>[] | undefined {
  return list?.map((p) => ({ port: String(p.port), protocol: p.protocol ?? "TCP" }));
}

function policy(scope: Construct, id: string, namespace: string, spec: Record<string, unknown>, dependsOn?: ITerraformDependable[]): TerraformResource {
  return networkPolicyV1(scope, id, {
    metadata: { name: id, namespace, labels: { "app.kubernetes.io/managed-by": "cdktf-ml-platform" } },
    // The spec is assembled from typed NetworkAllow rules above, in the binding's field names.
    spec: spec as unknown as NetworkPolicyV1Spec,
    ...(dependsOn?.length ? { dependsOn } : {}),
  });
}

/** The NetworkPolicy (typed `kubernetes_network_policy_v1`, named `allow.name`) allowing one flow. */
export function allowPolicy(scope: Construct, namespace: string, allow: NetworkAllow, dependsOn?: ITerraformDependable[]): TerraformResource {
  const rule = {
    ...(allow.peers ? { [allow.direction === "ingress" ? "from" : "to"]: allow.peers.map(peer) } : {}),
    ...(allow.ports ? { ports: ports(allow.ports) } : {}),
  };
  return policy(
    scope,
    allow.name,
    namespace,
    {
      podSelector: labelSelector(allow.pods),
      policyTypes: [allow.direction === "ingress" ? "Ingress" : "Egress"],
      [allow.direction]: [rule],
    },
    dependsOn,
  );
}

/**
 * The NetworkPolicies of one namespace the library creates: `default-deny` (every pod,
 * ingress and egress, no rule), `allow-dns`, and one policy per allowed flow. Typed
 * `kubernetes_network_policy_v1` resources.
 */
export class NamespaceNetworkPolicies extends Construct {
  public readonly policies: TerraformResource[] = [];

  constructor(scope: Construct, id: string, props: NamespaceNetworkPoliciesProps) {
    super(scope, id);
    this.policies.push(policy(this, "default-deny", props.namespace, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }, props.dependsOn));
    for (const allow of [ALLOW.dns(), ...props.allows]) this.policies.push(allowPolicy(this, props.namespace, allow, props.dependsOn));
  }
}
