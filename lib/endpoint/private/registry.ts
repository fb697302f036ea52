import { Construct, IConstruct } from "constructs";
import { addConfigValidation, formatValue } from "../../core/errors";
import { TerraformStack } from "cdktf";
import { KubernetesObject } from "./kubernetes-object";
import { ALLOW, NamespaceNetworkPolicies } from "../../kubernetes/network-policy";
import { METRICS_PORT_NAME, SERVING_PORT_NAME } from "./workload";

/**
 * The endpoints of one stack, by namespace: which names and service accounts each takes.
 * A construct at the stack's root (found again through the tree, never module state) whose
 * validation, run once the tree is complete, refuses a name or a service account used
 * twice in a namespace: Kubernetes would let the second apply overwrite the first.
 */
export class ServingClaims extends Construct {
  public static of(scope: IConstruct): ServingClaims {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(CLAIMS_ID);
    return existing instanceof ServingClaims ? existing : new ServingClaims(stack, CLAIMS_ID);
  }

  private readonly claims: { readonly path: string; readonly namespace: string; readonly name: string; readonly serviceAccount: string }[] = [];

  private constructor(scope: TerraformStack, id: string) {
    super(scope, id);
    addConfigValidation(this, () => this.problems());
  }

  /** Records the endpoint at `endpoint`'s path; `name` undefined when it is invalid (reported by the endpoint itself). */
  public claim(endpoint: IConstruct, namespace: string, name: string | undefined, serviceAccount: string): void {
    this.claims.push({ path: endpoint.node.path, namespace, name: name ?? "", serviceAccount });
  }

  private problems(): string[] {
    const problems: string[] = [];
    const names = new Map<string, string>();
    const accounts = new Map<string, string>();
    for (const c of this.claims) {
      const nameKey = `${c.namespace}/${c.name}`;
      const nameHolder = names.get(nameKey);
      if (c.name && nameHolder !== undefined) {
        problems.push(`${c.path}: name is ${formatValue(c.name)}; endpoint "${c.name}" already exists in namespace "${c.namespace}" (${nameHolder}); endpoint names must be unique per namespace`);
      } else if (c.name) names.set(nameKey, c.path);
      const saKey = `${c.namespace}/${c.serviceAccount}`;
      const saHolder = accounts.get(saKey);
      if (saHolder !== undefined) {
        problems.push(`${c.path}: serviceAccountRole is ${formatValue(saKey)}; that service account already serves ${saHolder}; give each endpoint its own IRSA role`);
      } else accounts.set(saKey, c.path);
    }
    return problems;
  }
}

const CLAIMS_ID = "serving-claims";

/**
 * The serving namespace, created once per stack: enforcing the `restricted` Pod Security
 * Standard, which every endpoint's pods meet. Its construct ID (`serving-namespace-<name>`,
 * at the stack's root) does not depend on which endpoint came first.
 */
export function servingNamespace(scope: Construct, namespace: string): KubernetesObject {
  const stack = TerraformStack.of(scope);
  let ns = stack.node.tryFindChild(`serving-namespace-${namespace}`) as KubernetesObject | undefined;
  if (!ns) {
    ns = new KubernetesObject(TerraformStack.of(scope), `serving-namespace-${namespace}`, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: namespace,
        labels: {
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
          "app.kubernetes.io/managed-by": "cdktf-ml-platform",
        },
      },
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
export function existingServingNamespace(scope: Construct, namespace: string): KubernetesObject | undefined {
  return of(scope).namespaces.get(namespace);
}
