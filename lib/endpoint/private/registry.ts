import { Construct, IConstruct } from "constructs";
import { formatValue } from "../../core/errors";
import { TerraformStack } from "cdktf";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { restrictedNamespace } from "../../kubernetes/pod-security";
import { ALLOW, NamespaceNetworkPolicies } from "../../kubernetes/network-policy";
import { METRICS_PORT_NAME, SERVING_PORT_NAME } from "./workload";

/**
 * The endpoints of one stack, by namespace: which names and service accounts each takes.
 * Held by a construct at the stack's root (found again through the tree, never module
 * state). A name or a service account used twice in a namespace is refused when the
 * second is declared, naming the first: Kubernetes would let the second apply overwrite
 * the first. The verdict does not depend on the order (whichever comes second is refused),
 * and it comes before anything else the second construct would collide on.
 */
export class ServingClaims extends Construct {
  public static of(scope: IConstruct): ServingClaims {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(CLAIMS_ID);
    return existing instanceof ServingClaims ? existing : new ServingClaims(stack, CLAIMS_ID);
  }

  private readonly names = new Map<string, string>();
  private readonly accounts = new Map<string, string>();

  /**
   * Claims, for the construct at `owner`'s path, an endpoint name (undefined for a construct
   * that is no endpoint, or an invalid name the endpoint reports itself) and a service
   * account; returns one problem per name already taken (and claims nothing then).
   * `advice` ends the service account's message.
   */
  public claim(owner: IConstruct, namespace: string, name: string | undefined, serviceAccount: string, advice = "give each endpoint its own IRSA role"): string[] {
    const problems: string[] = [];
    const nameHolder = name ? this.names.get(`${namespace}/${name}`) : undefined;
    if (name && nameHolder !== undefined) {
      problems.push(
        `${owner.node.path}: name is ${formatValue(name)}; endpoint "${name}" already exists in namespace "${namespace}" (${nameHolder}); endpoint names must be unique per namespace`,
      );
    }
    const saKey = `${namespace}/${serviceAccount}`;
    const saHolder = this.accounts.get(saKey);
    if (saHolder !== undefined) {
      problems.push(`${owner.node.path}: serviceAccountRole is ${formatValue(saKey)}; that service account already serves ${saHolder}; ${advice}`);
    }
    if (problems.length > 0) return problems;
    if (name) this.names.set(`${namespace}/${name}`, owner.node.path);
    this.accounts.set(saKey, owner.node.path);
    return [];
  }
}

const CLAIMS_ID = "serving-claims";

/**
 * The serving namespace, created once per stack: enforcing the `restricted` Pod Security
 * Standard, which every endpoint's pods meet. Its construct ID (`serving-namespace-<name>`,
 * at the stack's root) does not depend on which endpoint came first.
 */
export function servingNamespace(scope: Construct, namespace: string): NamespaceV1 {
  const stack = TerraformStack.of(scope);
  let ns = stack.node.tryFindChild(`serving-namespace-${namespace}`) as NamespaceV1 | undefined;
  if (!ns) {
    ns = restrictedNamespace(TerraformStack.of(scope), `serving-namespace-${namespace}`, {
      name: namespace,
      labels: { "app.kubernetes.io/managed-by": "cdktf-ml-platform" },
    });
    // Clients (in the cluster, or a load balancer in the VPC) reach every endpoint's serving
    // port; Prometheus scrapes it and the metrics port; the servers load models from MLflow and
    // S3, read features from Feast and DynamoDB, and authenticate through STS.
    new NamespaceNetworkPolicies(TerraformStack.of(scope), `serving-network-policies-${namespace}`, {
      namespace,
      dependsOn: [ns],
      allows: [
        { name: "allow-serving-ingress", direction: "ingress", ports: [{ port: SERVING_PORT_NAME }] },
        ALLOW.scrape("allow-prometheus-scrape", [{ port: SERVING_PORT_NAME }, { port: METRICS_PORT_NAME }]),
        ALLOW.https(),
        ALLOW.platformServices(),
      ],
    });
  }
  return ns;
}

/** The serving namespace object this stack already creates, if any (a drift monitor's objects wait for it). */
export function existingServingNamespace(scope: Construct, namespace: string): NamespaceV1 | undefined {
  const existing = TerraformStack.of(scope).node.tryFindChild(`serving-namespace-${namespace}`);
  return existing instanceof NamespaceV1 ? existing : undefined;
}
