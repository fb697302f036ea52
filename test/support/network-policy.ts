import { ClusterObject, EnvironmentSet } from "./in-cluster";
import { PodTemplate, podTemplates, selectorMatches } from "./wiring";

/**
 * A connectivity model of an environment's rendered set under Kubernetes NetworkPolicy
 * semantics (networking.k8s.io/v1, https://kubernetes.io/docs/concepts/services-networking/network-policies/):
 * a pod selected by no policy of a direction is open in that direction; a pod selected by
 * some policy of a direction accepts only what one of their rules allows; a flow needs the
 * sender's egress and the receiver's ingress. Ports in a policy are the receiving pod's
 * (after a Service's translation), by number or by its container port's name.
 *
 * Host-network pods (node-exporter) are nodes, not pods: policies do not apply to them.
 * ipBlock peers match addresses outside the pod network only (conservative: whether an
 * implementation matches pod IPs against ipBlocks varies).
 */

/** One end of a flow: a pod (namespace + labels + its named ports) or an address outside the pod network. */
export type Endpoint =
  | { readonly kind: "pod"; readonly what: string; readonly namespace: string; readonly labels: Record<string, string>; readonly ports: readonly ContainerPort[] }
  | { readonly kind: "address"; readonly what: string; readonly ip: string };

interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: string;
}

export interface Flow {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly port: number;
  readonly protocol: "TCP" | "UDP";
  /** Why the platform needs it. */
  readonly why: string;
}

// ---- addresses ------------------------------------------------------------------------

function ipToInt(ip: string): number {
  return ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const n = Number(bits ?? 32);
  if (n === 0) return true;
  const mask = 2 ** 32 - 2 ** (32 - n);
  return (ipToInt(ip) & mask) >>> 0 === (ipToInt(base) & mask) >>> 0;
}

/** The VPC's range (aws_vpc of the infra stack). */
export function vpcCidr(set: EnvironmentSet): string {
  const vpc = Object.values<any>(set.infra.resource?.aws_vpc ?? {})[0];
  if (!vpc?.cidr_block) throw new Error(`${set.name}: no aws_vpc with a cidr_block in the infra stack`);
  return vpc.cidr_block;
}

/** An address inside the VPC (a node, the EKS control plane's ENIs, RDS, ElastiCache): the range's 11th address. */
export function vpcAddress(set: EnvironmentSet, what: string): Endpoint {
  const [base] = vpcCidr(set).split("/");
  const n = ipToInt(base) + 10;
  return { kind: "address", what, ip: [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".") };
}

/** A public AWS API address (sts.<region>.amazonaws.com and the like resolve outside the VPC unless a VPC endpoint is used). */
export function awsApiAddress(what: string): Endpoint {
  return { kind: "address", what, ip: "52.94.0.10" };
}

/**
 * Where an AWS API resolves from a pod: with an interface endpoint of the service in the infra stack
 * (`aws_vpc_endpoint`, type Interface, private DNS) the endpoint's ENIs in the VPC, else a public address.
 * Gateway endpoints (S3, DynamoDB) only route: the names still resolve to public addresses.
 */
export function awsServiceAddress(set: EnvironmentSet, service: string, what: string): Endpoint {
  const endpoint = Object.values<any>(set.infra.resource?.aws_vpc_endpoint ?? {}).find(
    (e) => e.vpc_endpoint_type === "Interface" && e.private_dns_enabled === true && String(e.service_name).endsWith(`.${service}`),
  );
  return endpoint ? vpcAddress(set, `${what} (interface endpoint)`) : awsApiAddress(what);
}

// ---- policies -------------------------------------------------------------------------

export function networkPolicies(set: EnvironmentSet): ClusterObject[] {
  return set.objects.filter((o) => o.object.kind === "NetworkPolicy");
}

function namespaceLabels(set: EnvironmentSet, namespace: string): Record<string, string> {
  const ns = set.objects.find((o) => o.object.kind === "Namespace" && o.object.metadata?.name === namespace);
  return { ...(ns?.object.metadata?.labels ?? {}), "kubernetes.io/metadata.name": namespace };
}

function policyTypes(spec: any): string[] {
  if (spec?.policyTypes?.length) return spec.policyTypes;
  return ["Ingress", ...(spec?.egress ? ["Egress"] : [])];
}

function peerMatches(set: EnvironmentSet, peer: any, policyNamespace: string, e: Endpoint): boolean {
  if (peer.ipBlock) {
    if (e.kind !== "address") return false;
    return inCidr(e.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((x: string) => inCidr(e.ip, x));
  }
  if (e.kind !== "pod") return false;
  if (!peer.namespaceSelector && !peer.podSelector) return false;
  const nsOk = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, namespaceLabels(set, e.namespace)) : e.namespace === policyNamespace;
  const podOk = peer.podSelector ? selectorMatches(peer.podSelector, e.labels) : true;
  return nsOk && podOk;
}

function portMatches(ports: any[] | undefined, port: number, protocol: string, receiver: Endpoint): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === "number") return p.endPort !== undefined ? port >= p.port && port <= p.endPort : port === p.port;
    // A named port is the receiving pod's container port of that name and protocol.
    return receiver.kind === "pod" && receiver.ports.some((cp) => cp.name === p.port && cp.containerPort === port && (cp.protocol ?? "TCP") === protocol);
  });
}

/** Whether the policies of the set let the flow through, and if not which side blocks it. */
export function flowVerdict(set: EnvironmentSet, flow: Flow): { allowed: boolean; blockedBy?: string } {
  const policies = networkPolicies(set);
  const side = (direction: "Egress" | "Ingress"): string | undefined => {
    const self = direction === "Egress" ? flow.from : flow.to;
    const other = direction === "Egress" ? flow.to : flow.from;
    if (self.kind !== "pod") return undefined;
    const selecting = policies.filter(
      (p) => p.object.metadata.namespace === self.namespace && policyTypes(p.object.spec).includes(direction) && selectorMatches(p.object.spec?.podSelector ?? {}, self.labels),
    );
    if (selecting.length === 0) return undefined;
    const rulesKey = direction === "Egress" ? "egress" : "ingress";
    const peersKey = direction === "Egress" ? "to" : "from";
    const ok = selecting.some((p) =>
      (p.object.spec?.[rulesKey] ?? []).some(
        (rule: any) =>
          (!rule[peersKey] || rule[peersKey].length === 0 || rule[peersKey].some((peer: any) => peerMatches(set, peer, p.object.metadata.namespace, other))) &&
          portMatches(rule.ports, flow.port, flow.protocol, flow.to),
      ),
    );
    return ok ? undefined : `${direction.toLowerCase()} of ${self.what} (policies selecting it: ${selecting.map((p) => p.object.metadata.name).join(", ")})`;
  };
  const blocked = [side("Egress"), side("Ingress")].filter((b): b is string => b !== undefined);
  return blocked.length === 0 ? { allowed: true } : { allowed: false, blockedBy: blocked.join("; ") };
}

// ---- the platform's required flows ----------------------------------------------------

/**
 * Namespaces the library creates: Namespace objects it applies (typed or manifest) and
 * namespaces its Helm releases create (create_namespace).
 */
export function libraryNamespaces(set: EnvironmentSet): string[] {
  const names = new Set<string>();
  for (const o of set.objects) if (o.object.kind === "Namespace" && o.release === undefined) names.add(o.object.metadata.name);
  for (const json of Object.values<any>(set.stacks)) {
    for (const r of Object.values<any>(json.resource?.helm_release ?? {})) if (r.create_namespace === true && !String(r.namespace).includes("${")) names.add(r.namespace);
  }
  return [...names].sort();
}

function isDefaultDeny(o: ClusterObject): boolean {
  const spec = o.object.spec ?? {};
  const selectsAll = Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0 && (spec.podSelector?.matchExpressions ?? []).length === 0;
  const types = policyTypes(spec);
  return selectsAll && types.includes("Ingress") && types.includes("Egress") && (spec.ingress ?? []).length === 0 && (spec.egress ?? []).length === 0;
}

/** Pods subject to NetworkPolicies (host-network pods are not). */
function policyPods(set: EnvironmentSet): PodTemplate[] {
  return podTemplates(set.objects).filter((p) => !p.spec.hostNetwork);
}

function podEndpoint(p: PodTemplate): Endpoint {
  return {
    kind: "pod",
    what: p.owner,
    namespace: p.namespace,
    labels: p.labels,
    ports: [...(p.spec.initContainers ?? []), ...(p.spec.containers ?? [])].flatMap((c: any) => c.ports ?? []),
  };
}

/** CoreDNS as EKS runs it (the coredns add-on: kube-system, `k8s-app: kube-dns`, ports dns/UDP and dns-tcp/TCP 53). */
const COREDNS: Endpoint = {
  kind: "pod",
  what: "EKS add-on coredns",
  namespace: "kube-system",
  labels: { "k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns" },
  ports: [
    { name: "dns", containerPort: 53, protocol: "UDP" },
    { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
    { name: "metrics", containerPort: 9153 },
  ],
};

function servicePods(pods: PodTemplate[], svc: any): PodTemplate[] {
  const selector = svc.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  return pods.filter((p) => p.namespace === svc.metadata.namespace && selectorMatches({ matchLabels: selector }, p.labels));
}

/** The number of a pod's container port, by name. */
function namedPort(pod: PodTemplate, name: string): number | undefined {
  return [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])].flatMap((c: any) => c.ports ?? []).find((cp: ContainerPort) => cp.name === name)?.containerPort;
}

/** The container port a Service port (by name or number) leads to on a pod. */
function containerPortOf(svcPort: any, pod: PodTemplate): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === "number") return target;
  return namedPort(pod, target);
}

/**
 * The pods (and container ports) behind an in-cluster URL `http(s)://<service>.<namespace>.svc[.cluster.local][:port]`;
 * an URL naming no Service of the set (or no port of it) is an error: the caller would reach nothing.
 */
export function serviceUrlTargets(pods: PodTemplate[], services: any[], url: unknown): { pod: PodTemplate; port: number }[] {
  const m = typeof url === "string" ? url.match(/^(https?):\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?(?::(\d+))?(?:\/|$)/) : null;
  if (!m) return [];
  const svc = services.find((s) => s.metadata.name === m[2] && s.metadata.namespace === m[3]);
  if (!svc) throw new Error(`${url}: no Service ${m[3]}/${m[2]} in the rendered set`);
  const svcPort = (svc.spec?.ports ?? []).find((sp: any) => sp.port === Number(m[4] ?? (m[1] === "https" ? 443 : 80)));
  if (!svcPort) throw new Error(`${url}: Service ${m[3]}/${m[2]} has no port ${m[4] ?? (m[1] === "https" ? 443 : 80)}`);
  return servicePods(pods, svc).flatMap((pod) => {
    const port = containerPortOf(svcPort, pod);
    return port === undefined ? [] : [{ pod, port }];
  });
}

/** Every flow the platform needs once applied. */
export function requiredFlows(set: EnvironmentSet): Flow[] {
  const pods = podTemplates(set.objects);
  const subject = policyPods(set);
  const services = set.objects.filter((o) => o.object.kind === "Service").map((o) => o.object);
  const flows: Flow[] = [];
  const libraryNs = new Set(libraryNamespaces(set));

  // Every pod resolves names through CoreDNS.
  for (const p of subject.filter((p) => libraryNs.has(p.namespace))) {
    for (const protocol of ["UDP", "TCP"] as const) flows.push({ from: podEndpoint(p), to: COREDNS, port: 53, protocol, why: "DNS" });
  }

  // Prometheus scrapes every ServiceMonitor target.
  const prometheus = pods.filter((p) => p.owner.startsWith("Prometheus "));
  for (const sm of set.objects.filter((o) => o.object.kind === "ServiceMonitor")) {
    const nsSel = sm.object.spec?.namespaceSelector ?? {};
    const inScope = (ns: string) => (nsSel.any ? true : nsSel.matchNames?.length ? nsSel.matchNames.includes(ns) : ns === sm.object.metadata.namespace);
    const why = `scrape of ServiceMonitor ${sm.object.metadata.namespace}/${sm.object.metadata.name}`;
    const labelsMatch = (svc: any) => selectorMatches(sm.object.spec?.selector ?? {}, svc.metadata?.labels ?? {});
    // Targets on the nodes and the control plane: kubelet (10250), the API server (443).
    if (inScope("kube-system") && sm.object.spec?.selector?.matchLabels?.["app.kubernetes.io/name"] === "kubelet") {
      for (const pr of prometheus) flows.push({ from: podEndpoint(pr), to: vpcAddress(set, "a node's kubelet"), port: 10250, protocol: "TCP", why });
    }
    if (inScope("default") && sm.object.spec?.selector?.matchLabels?.component === "apiserver") {
      for (const pr of prometheus) flows.push({ from: podEndpoint(pr), to: vpcAddress(set, "the EKS API server's ENI"), port: 443, protocol: "TCP", why });
    }
    for (const svc of services.filter((s) => inScope(s.metadata.namespace) && labelsMatch(s))) {
      for (const ep of sm.object.spec?.endpoints ?? []) {
        const svcPort = ep.port !== undefined ? (svc.spec?.ports ?? []).find((p: any) => p.name === ep.port) : undefined;
        for (const target of servicePods(pods, svc)) {
          const port =
            ep.targetPort !== undefined ? (typeof ep.targetPort === "number" ? ep.targetPort : namedPort(target, ep.targetPort)) : svcPort && containerPortOf(svcPort, target);
          if (port === undefined) continue; // a broken ServiceMonitor: serviceMonitorProblems reports it
          const to: Endpoint = target.spec.hostNetwork ? vpcAddress(set, `${target.owner} (host network)`) : podEndpoint(target);
          for (const pr of prometheus) flows.push({ from: podEndpoint(pr), to, port, protocol: "TCP", why });
        }
      }
    }
  }

  // Endpoints (and any pod) reach their MLflow tracking server (MLFLOW_TRACKING_URI: a Service in the cluster).
  for (const p of subject) {
    for (const c of p.spec.containers ?? []) {
      const uri = (c.env ?? []).find((e: any) => e.name === "MLFLOW_TRACKING_URI")?.value;
      const m = typeof uri === "string" ? uri.match(/^https?:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?(?::(\d+))?/) : null;
      if (!m) continue;
      const svc = services.find((s) => s.metadata.name === m[1] && s.metadata.namespace === m[2]);
      const svcPort = svc && (svc.spec?.ports ?? []).find((sp: any) => sp.port === Number(m[3] ?? (uri.startsWith("https") ? 443 : 80)));
      for (const target of svc && svcPort ? servicePods(pods, svc) : []) {
        const port = containerPortOf(svcPort, target);
        if (port !== undefined) flows.push({ from: podEndpoint(p), to: podEndpoint(target), port, protocol: "TCP", why: `MLflow at ${uri}` });
      }
    }
  }

  // Batch jobs push their metrics to a Pushgateway in the cluster (PUSHGATEWAY_URL: a Service; the drift job).
  for (const p of subject) {
    for (const c of p.spec.containers ?? []) {
      const uri = (c.env ?? []).find((e: any) => e.name === "PUSHGATEWAY_URL")?.value;
      const m = typeof uri === "string" ? uri.match(/^http:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?(?::(\d+))?/) : null;
      if (!m) continue;
      const svc = services.find((s) => s.metadata.name === m[1] && s.metadata.namespace === m[2]);
      const svcPort = svc && (svc.spec?.ports ?? []).find((sp: any) => sp.port === Number(m[3] ?? 80));
      if (!svc || !svcPort) {
        flows.push({
          from: podEndpoint(p),
          to: awsApiAddress(`a Service ${m[1]}.${m[2]} that does not exist`),
          port: Number(m[3] ?? 80),
          protocol: "TCP",
          why: `Pushgateway at ${uri}`,
        });
        continue;
      }
      for (const target of servicePods(pods, svc)) {
        const port = containerPortOf(svcPort, target);
        if (port !== undefined) flows.push({ from: podEndpoint(p), to: podEndpoint(target), port, protocol: "TCP", why: `Pushgateway at ${uri}` });
      }
    }
  }

  // MLflow reaches its PostgreSQL database (RDS, in the VPC) and S3 (artifacts).
  for (const p of subject.filter((p) => p.labels["app.kubernetes.io/name"] === "mlflow")) {
    flows.push({ from: podEndpoint(p), to: vpcAddress(set, "RDS PostgreSQL"), port: 5432, protocol: "TCP", why: "MLflow's backend store" });
    flows.push({ from: podEndpoint(p), to: awsApiAddress("S3"), port: 443, protocol: "TCP", why: "MLflow's artifact store" });
  }

  // Pods running as an IRSA service account reach STS (and the AWS API their role is for).
  const irsa = new Set(
    set.objects
      .filter((o) => o.object.kind === "ServiceAccount" && o.object.metadata?.annotations?.["eks.amazonaws.com/role-arn"])
      .map((o) => `${o.object.metadata.namespace}/${o.object.metadata.name}`),
  );
  for (const p of subject.filter((p) => libraryNs.has(p.namespace) && irsa.has(`${p.namespace}/${p.spec.serviceAccountName ?? "default"}`))) {
    flows.push({ from: podEndpoint(p), to: awsServiceAddress(set, "sts", "STS"), port: 443, protocol: "TCP", why: `IRSA (service account ${p.spec.serviceAccountName})` });
  }

  // Secrets Manager readers: the External Secrets controller (it calls STS with the SecretStore's service account token,
  // then Secrets Manager) and the MLflow database bootstrap (reads the master's secret, writes MLflow's login).
  const readsSecrets = (p: PodTemplate) =>
    (p.labels["app.kubernetes.io/name"] === "external-secrets" && !p.owner.includes("webhook") && !p.owner.includes("cert-controller")) ||
    p.labels["app.kubernetes.io/component"] === "database-bootstrap";
  for (const p of subject.filter((p) => libraryNs.has(p.namespace) && readsSecrets(p))) {
    flows.push({ from: podEndpoint(p), to: awsServiceAddress(set, "secretsmanager", "Secrets Manager"), port: 443, protocol: "TCP", why: "secrets sync" });
    flows.push({ from: podEndpoint(p), to: awsServiceAddress(set, "sts", "STS"), port: 443, protocol: "TCP", why: "secrets sync (STS web identity)" });
  }
  // The bootstrap reaches the registry's database as its master user.
  for (const p of subject.filter((p) => p.labels["app.kubernetes.io/component"] === "database-bootstrap")) {
    flows.push({ from: podEndpoint(p), to: vpcAddress(set, "RDS PostgreSQL"), port: 5432, protocol: "TCP", why: "MLflow's database bootstrap" });
  }

  // Feast, and every pod given the Redis password (endpoints reading online features), reach a Redis
  // online store (ElastiCache, in the VPC) when the environment has one.
  if (Object.keys(set.infra.resource?.aws_elasticache_replication_group ?? {}).length > 0) {
    const readsRedis = (p: PodTemplate) =>
      p.labels["app.kubernetes.io/name"] === "feast-feature-server" ||
      p.labels["app.kubernetes.io/part-of"] === "feast" ||
      (p.spec.containers ?? []).some((c: any) => (c.env ?? []).some((e: any) => e.name === "REDIS_PASSWORD"));
    for (const p of subject.filter(readsRedis)) {
      flows.push({ from: podEndpoint(p), to: vpcAddress(set, "ElastiCache Redis"), port: 6379, protocol: "TCP", why: "the Redis online store" });
    }
  }

  // Pods whose service account is bound to a Role or ClusterRole (operators, controllers, Grafana's
  // sidecars) call the Kubernetes API server: its ENIs in the VPC, port 443.
  const bound = new Set(
    set.objects
      .filter((o) => ["RoleBinding", "ClusterRoleBinding"].includes(o.object.kind))
      .flatMap((o) => (o.object.subjects ?? []).filter((s: any) => s.kind === "ServiceAccount").map((s: any) => `${s.namespace ?? o.object.metadata.namespace}/${s.name}`)),
  );
  for (const p of subject.filter((p) => libraryNs.has(p.namespace) && bound.has(`${p.namespace}/${p.spec.serviceAccountName ?? "default"}`))) {
    flows.push({
      from: podEndpoint(p),
      to: vpcAddress(set, "the EKS API server"),
      port: 443,
      protocol: "TCP",
      why: `API calls (service account ${p.spec.serviceAccountName} has RBAC bindings)`,
    });
  }

  // Alertmanager reaches its receivers (HTTPS).
  for (const p of pods.filter((p) => p.owner.startsWith("Alertmanager "))) {
    flows.push({ from: podEndpoint(p), to: awsApiAddress("an alert receiver (Slack, PagerDuty, Opsgenie)"), port: 443, protocol: "TCP", why: "alert notifications" });
  }

  // The API server's aggregation layer calls every APIService backed by a Service (KEDA's metrics apiserver: external.metrics.k8s.io).
  for (const o of set.objects.filter((o) => o.object.kind === "APIService" && o.object.spec?.service)) {
    const ref = o.object.spec.service;
    const svc = services.find((s) => s.metadata.name === ref.name && s.metadata.namespace === ref.namespace);
    const svcPort = svc && (svc.spec?.ports ?? []).find((sp: any) => sp.port === (ref.port ?? 443));
    for (const target of svc && svcPort ? servicePods(pods, svc) : []) {
      const port = containerPortOf(svcPort, target);
      if (port !== undefined)
        flows.push({ from: vpcAddress(set, "the EKS API server"), to: podEndpoint(target), port, protocol: "TCP", why: `APIService ${o.object.metadata.name}` });
    }
  }

  // Controllers call the URLs the library's custom resources give them: KEDA's operator queries each prometheus
  // trigger's serverAddress; the Argo Rollouts controller runs AnalysisRuns (Prometheus queries, web smoke tests).
  const urlFlows = (callers: PodTemplate[], url: unknown, why: string) => {
    for (const target of serviceUrlTargets(pods, services, url)) {
      for (const c of callers) flows.push({ from: podEndpoint(c), to: podEndpoint(target.pod), port: target.port, protocol: "TCP", why });
    }
  };
  const kedaOperator = subject.filter((p) => p.labels.app === "keda-operator");
  const rolloutsController = subject.filter((p) => p.labels["app.kubernetes.io/component"] === "rollouts-controller");
  for (const o of set.objects) {
    const where = `${o.object.kind} ${o.object.metadata?.namespace}/${o.object.metadata?.name}`;
    if (o.object.kind === "ScaledObject") {
      for (const t of o.object.spec?.triggers ?? []) if (t.type === "prometheus") urlFlows(kedaOperator, t.metadata?.serverAddress, `${where} trigger ${t.name}`);
    }
    if (o.object.kind === "AnalysisTemplate") {
      for (const m of o.object.spec?.metrics ?? []) {
        if (m.provider?.prometheus) urlFlows(rolloutsController, m.provider.prometheus.address, `${where} metric ${m.name}`);
        if (m.provider?.web) urlFlows(rolloutsController, m.provider.web.url, `${where} metric ${m.name}`);
      }
    }
  }

  // The API server (its ENIs in the VPC) calls every admission webhook served in the cluster.
  for (const o of set.objects.filter((o) => ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"].includes(o.object.kind))) {
    for (const wh of o.object.webhooks ?? []) {
      const ref = wh.clientConfig?.service;
      const svc = ref && services.find((s) => s.metadata.name === ref.name && s.metadata.namespace === ref.namespace);
      const svcPort = svc && (svc.spec?.ports ?? []).find((sp: any) => sp.port === (ref.port ?? 443));
      for (const target of svc && svcPort ? servicePods(pods, svc) : []) {
        const port = containerPortOf(svcPort, target);
        if (port !== undefined) flows.push({ from: vpcAddress(set, "the EKS API server"), to: podEndpoint(target), port, protocol: "TCP", why: `admission webhook ${wh.name}` });
      }
    }
  }
  return flows;
}

/**
 * Every namespace the library creates has a default deny (every pod, ingress and egress),
 * and every flow the platform needs is allowed by the policies.
 */
export function networkPolicyProblems(set: EnvironmentSet): string[] {
  const problems: string[] = [];
  const policies = networkPolicies(set);
  for (const ns of libraryNamespaces(set)) {
    if (!policies.some((p) => p.object.metadata.namespace === ns && isDefaultDeny(p)))
      problems.push(`namespace ${ns}: no default-deny NetworkPolicy (every pod, Ingress and Egress, no rule)`);
  }
  const seen = new Set<string>();
  for (const flow of requiredFlows(set)) {
    const verdict = flowVerdict(set, flow);
    if (verdict.allowed) continue;
    const line = `${flow.from.what} -> ${flow.to.what} ${flow.protocol}/${flow.port} (${flow.why}): blocked by the ${verdict.blockedBy}`;
    if (!seen.has(line)) problems.push(line);
    seen.add(line);
  }
  return problems;
}
