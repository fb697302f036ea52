import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { restrictedNamespace } from "../../kubernetes/pod-security";
import { ALLOW, NamespaceNetworkPolicies } from "../../kubernetes/network-policy";
import { METRICS_PORT_NAME, SERVING_PORT_NAME } from "./workload";

/**
 * Per-stack bookkeeping of endpoints: which names (and service accounts) are taken in
 * which namespace, and the one Namespace object per serving namespace. Kept beside the
 * stack rather than found by walking the construct tree, so that adding the 100th
 * endpoint costs the same as adding the first.
 */
interface StackEndpoints {
  readonly names: Map<string, string>;
  readonly serviceAccounts: Map<string, string>;
  readonly namespaces: Map<string, NamespaceV1>;
}

const byStack = new WeakMap<TerraformStack, StackEndpoints>();

function of(scope: Construct): StackEndpoints {
  const stack = TerraformStack.of(scope);
  let entry = byStack.get(stack);
  if (!entry) {
    entry = { names: new Map(), serviceAccounts: new Map(), namespaces: new Map() };
    byStack.set(stack, entry);
  }
  return entry;
}

/** Records `namespace/name` for the construct at `path`; returns the path that already holds it, if any. */
export function claimEndpointName(scope: Construct, namespace: string, name: string): string | undefined {
  const names = of(scope).names;
  const key = `${namespace}/${name}`;
  const holder = names.get(key);
  if (holder === undefined) names.set(key, scope.node.path);
  return holder;
}

/** Records a service account for the construct at `path`; returns the path that already uses it, if any. */
export function claimServiceAccount(scope: Construct, namespace: string, serviceAccount: string): string | undefined {
  const accounts = of(scope).serviceAccounts;
  const key = `${namespace}/${serviceAccount}`;
  const holder = accounts.get(key);
  if (holder === undefined) accounts.set(key, scope.node.path);
  return holder;
}

/**
 * The serving namespace, created once per stack: enforcing the `restricted` Pod Security
 * Standard, which every endpoint's pods meet. Its construct ID (`serving-namespace-<name>`,
 * at the stack's root) does not depend on which endpoint came first.
 */
export function servingNamespace(scope: Construct, namespace: string): NamespaceV1 {
  const entry = of(scope);
  let ns = entry.namespaces.get(namespace);
  if (!ns) {
    ns = restrictedNamespace(TerraformStack.of(scope), `serving-namespace-${namespace}`, {
      name: namespace,
      labels: { "app.kubernetes.io/managed-by": "cdktf-ml-platform" },
    });
    entry.namespaces.set(namespace, ns);
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
  return of(scope).namespaces.get(namespace);
}
