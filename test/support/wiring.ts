import { ClusterObject, EnvironmentSet, NodePool, withoutInterpolations } from "./in-cluster";
import { parse as parseYaml } from "yaml";
import { allocatable, nodeSpec } from "./node-capacity";
import { networkPolicyProblems } from "./network-policy";
import { capacityDeclarationProblems, declaredAddonPods } from "./capacity-declarations";
import {
  catalogNames,
  libraryDashboardExpressions,
  libraryQueryExpressions,
  libraryRuleExpressions,
  METRIC_CATALOG,
  renderedMetricSources,
  unknownMetrics,
} from "./metric-catalog";

/**
 * Wiring checks on an environment's rendered in-cluster set: each returns the problems
 * it finds ([] when the wiring holds), one line per problem naming the objects.
 */

export interface PodTemplate {
  /** e.g. `Deployment serving/ranker-blue`. */
  readonly owner: string;
  readonly source: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly spec: any;
  /** Desired replicas (undefined for DaemonSets, Jobs and CronJobs). */
  readonly replicas?: number;
}

// ---------------------------------------------------------------------------------------
// Objects that exist in every EKS cluster or are created by an operator at runtime
// ---------------------------------------------------------------------------------------

/**
 * Pods of the EKS default add-ons in kube-system (not in the rendered set): their labels
 * and named container ports, from the add-on manifests EKS installs (CoreDNS: the
 * kubernetes/kubernetes cluster/addons/dns/coredns manifest, `k8s-app: kube-dns`, port
 * `metrics` 9153; kube-proxy: `k8s-app: kube-proxy`; VPC CNI: aws/amazon-vpc-cni-k8s
 * config/master/aws-k8s-cni.yaml, `k8s-app: aws-node`).
 */
const EKS_ADDON_PODS: readonly { name: string; labels: Record<string, string>; ports: { name?: string; containerPort: number }[] }[] = [
  {
    name: "coredns",
    labels: { "k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns" },
    ports: [
      { name: "dns", containerPort: 53 },
      { name: "dns-tcp", containerPort: 53 },
      { name: "metrics", containerPort: 9153 },
    ],
  },
  { name: "kube-proxy", labels: { "k8s-app": "kube-proxy" }, ports: [] },
  { name: "aws-node", labels: { "k8s-app": "aws-node" }, ports: [{ name: "metrics", containerPort: 61678 }] },
];

/**
 * Pods that prometheus-operator creates from Prometheus and Alertmanager resources, with
 * the labels and ports it gives them (prometheus-operator v0.93.0, the chart runs
 * v0.93.1: pkg/prometheus/server/operator.go and pkg/alertmanager/operator.go
 * makeSelectorLabels; pkg/prometheus/common.go MakeContainerPorts, port 9090 named
 * spec.portName; pkg/alertmanager/statefulset.go, 9093 named spec.portName, mesh 9094;
 * pkg/operator/config_reloader.go, `reloader-web` 8080).
 */
export function operatorPods(objects: readonly ClusterObject[]): PodTemplate[] {
  const pods: PodTemplate[] = [];
  const reloader = configReloaderResources(objects);
  for (const o of objects) {
    const { kind, metadata, spec } = o.object;
    if (kind !== "Prometheus" && kind !== "Alertmanager") continue;
    const app = kind === "Prometheus" ? "prometheus" : "alertmanager";
    const labels: Record<string, string> = {
      ...(spec?.podMetadata?.labels ?? {}),
      "app.kubernetes.io/name": app,
      "app.kubernetes.io/managed-by": "prometheus-operator",
      "app.kubernetes.io/instance": metadata.name,
      ...(kind === "Prometheus" ? { "operator.prometheus.io/name": metadata.name, "operator.prometheus.io/shard": "0" } : { alertmanager: metadata.name }),
    };
    const web = { name: spec?.portName ?? "web", containerPort: kind === "Prometheus" ? 9090 : 9093 };
    const ports = kind === "Prometheus" ? [web] : [web, { name: "mesh-tcp", containerPort: 9094 }, { name: "mesh-udp", containerPort: 9094 }];
    pods.push({
      owner: `${kind} ${metadata.namespace}/${metadata.name} (operator-managed StatefulSet)`,
      source: o.source,
      kind: "StatefulSet",
      namespace: metadata.namespace,
      name: `${app}-${metadata.name}`,
      labels,
      replicas: spec?.replicas ?? 1,
      spec: {
        containers: [
          { name: app, image: spec?.image, ports, resources: spec?.resources ?? {} },
          { name: "config-reloader", ports: [{ name: "reloader-web", containerPort: 8080 }], resources: reloader },
        ],
        nodeSelector: spec?.nodeSelector,
        tolerations: spec?.tolerations,
        affinity: spec?.affinity,
        serviceAccountName: spec?.serviceAccountName,
        priorityClassName: spec?.priorityClassName,
      },
    });
  }
  return pods;
}

/**
 * Requests of the config-reloader container the operator adds to Prometheus and Alertmanager
 * pods: its `--config-reloader-cpu-request` / `--config-reloader-memory-request` flags, which
 * kube-prometheus-stack renders from prometheusOperator.prometheusConfigReloader.resources
 * (templates/prometheus-operator/deployment.yaml; "0" means none).
 */
function configReloaderResources(objects: readonly ClusterObject[]): any {
  const args: string[] = objects
    .filter((o) => o.object.kind === "Deployment")
    .flatMap((o) => (o.object.spec?.template?.spec?.containers ?? []).flatMap((c: any) => c.args ?? []))
    .filter((a: string) => a.startsWith("--config-reloader-"));
  const flag = (name: string) => args.find((a) => a.startsWith(`--config-reloader-${name}=`))?.split("=")[1];
  const requests: Record<string, string> = {};
  for (const [key, name] of [
    ["cpu", "cpu-request"],
    ["memory", "memory-request"],
  ] as const) {
    const v = flag(name);
    if (v !== undefined && v !== "0") requests[key] = v;
  }
  return Object.keys(requests).length > 0 ? { requests } : {};
}

/** Pod templates of every workload in the set, plus operator-managed pods. */
export function podTemplates(objects: readonly ClusterObject[]): PodTemplate[] {
  const pods: PodTemplate[] = [];
  for (const o of objects) {
    const { kind, metadata, spec } = o.object;
    let template: any;
    // Argo Rollouts' Rollout (inline template) owns its pods as a Deployment does.
    if (["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Rollout"].includes(kind)) template = spec?.template;
    else if (kind === "CronJob") template = spec?.jobTemplate?.spec?.template;
    if (!template) continue;
    pods.push({
      owner: `${kind} ${metadata.namespace}/${metadata.name}`,
      source: o.source,
      kind,
      namespace: metadata.namespace,
      name: metadata.name,
      labels: template.metadata?.labels ?? {},
      spec: template.spec ?? {},
      replicas: ["Deployment", "StatefulSet", "ReplicaSet", "Rollout"].includes(kind) ? (spec?.replicas ?? 1) : undefined,
    });
  }
  return [...pods, ...operatorPods(objects)];
}

function containers(spec: any): any[] {
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

export function selectorMatches(selector: any, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const matchLabels = selector.matchLabels ?? (selector.matchExpressions ? {} : selector);
  for (const [k, v] of Object.entries(matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === "In" && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function objectsOfKind(set: EnvironmentSet, kind: string): ClusterObject[] {
  return set.objects.filter((o) => o.object.kind === kind);
}

function id(o: ClusterObject): string {
  return `${o.object.kind} ${o.object.metadata.namespace ? `${o.object.metadata.namespace}/` : ""}${o.object.metadata.name}`;
}

/** Services that exist in every EKS cluster although nothing in the set renders them. */
function builtInServices(set: EnvironmentSet): any[] {
  const kubeletServices =
    objectsOfKind(set, "Prometheus").length > 0
      ? set.objects
          .filter((o) => o.object.kind === "ServiceMonitor" && o.object.spec?.selector?.matchLabels?.["app.kubernetes.io/name"] === "kubelet")
          .map((o) => ({
            // prometheus-operator --kubelet-service=kube-system/<release>-kubelet (pkg/kubelet/controller.go): endpoints are the nodes.
            metadata: { namespace: "kube-system", name: "kubelet", labels: { ...o.object.spec.selector.matchLabels } },
            spec: {
              ports: [
                { name: "https-metrics", port: 10250 },
                { name: "http-metrics", port: 10255 },
                { name: "cadvisor", port: 4194 },
              ],
            },
            nodes: true,
          }))
      : [];
  // The API server's own Service (default/kubernetes), endpoints are the control plane.
  const apiserver = {
    metadata: { namespace: "default", name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: { ports: [{ name: "https", port: 443 }] },
    nodes: true,
  };
  return [apiserver, ...kubeletServices];
}

interface PodLike {
  readonly owner: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly ports: { name?: string; containerPort: number }[];
}

function podsIn(pods: PodTemplate[]): PodLike[] {
  return [
    ...pods.map((p) => ({ owner: p.owner, namespace: p.namespace, labels: p.labels, ports: (p.spec.containers ?? []).flatMap((c: any) => c.ports ?? []) })),
    ...EKS_ADDON_PODS.map((p) => ({ owner: `EKS add-on ${p.name}`, namespace: "kube-system", labels: p.labels, ports: p.ports })),
  ];
}

// ---------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------

/** Service selectors → pod labels: every Service with a selector selects pods in its namespace. */
export function serviceSelectorProblems(set: EnvironmentSet): string[] {
  const pods = podsIn(podTemplates(set.objects));
  const problems: string[] = [];
  for (const svc of objectsOfKind(set, "Service")) {
    const selector = svc.object.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) continue;
    const matched = pods.filter((p) => p.namespace === svc.object.metadata.namespace && selectorMatches({ matchLabels: selector }, p.labels));
    if (matched.length === 0) problems.push(`${id(svc)} [${svc.source}]: selector ${JSON.stringify(selector)} matches no pod in namespace ${svc.object.metadata.namespace}`);
    for (const port of svc.object.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      if (typeof target !== "string") continue;
      for (const p of matched) {
        if (!p.ports.some((cp) => cp.name === target))
          problems.push(
            `${id(svc)} port ${port.name ?? port.port}: targetPort "${target}" is not a container port of ${p.owner} (ports: ${p.ports.map((cp) => cp.name ?? cp.containerPort).join(", ") || "none"})`,
          );
      }
    }
  }
  return problems;
}

/** ServiceMonitor → Service (namespace, selector) → port name → container port. */
export function serviceMonitorProblems(set: EnvironmentSet): string[] {
  const pods = podsIn(podTemplates(set.objects));
  const services = [...objectsOfKind(set, "Service").map((s) => ({ ...s.object, nodes: false })), ...builtInServices(set)];
  const problems: string[] = [];
  for (const sm of objectsOfKind(set, "ServiceMonitor")) {
    const { namespace } = sm.object.metadata;
    const nsSel = sm.object.spec?.namespaceSelector ?? {};
    const inScope = (ns: string) => (nsSel.any ? true : nsSel.matchNames?.length ? nsSel.matchNames.includes(ns) : ns === namespace);
    const matched = services.filter((s) => inScope(s.metadata.namespace) && selectorMatches(sm.object.spec?.selector ?? {}, s.metadata.labels ?? {}));
    const where = `${id(sm)} [${sm.source}]`;
    if (matched.length === 0) {
      problems.push(
        `${where}: selects no Service (selector ${JSON.stringify(sm.object.spec?.selector)}, namespaces ${nsSel.any ? "any" : JSON.stringify(nsSel.matchNames ?? [namespace])})`,
      );
      continue;
    }
    for (const [i, ep] of (sm.object.spec?.endpoints ?? []).entries()) {
      for (const svc of matched) {
        const svcId = `Service ${svc.metadata.namespace}/${svc.metadata.name}`;
        const backing = svc.nodes ? [] : pods.filter((p) => p.namespace === svc.metadata.namespace && selectorMatches({ matchLabels: svc.spec?.selector ?? {} }, p.labels));
        if (!svc.nodes && backing.length === 0) {
          problems.push(`${where} endpoint ${i}: ${svcId} has no pods (selector ${JSON.stringify(svc.spec?.selector)})`);
          continue;
        }
        if (ep.port !== undefined) {
          const port = (svc.spec?.ports ?? []).find((p: any) => p.name === ep.port);
          if (!port) {
            problems.push(`${where} endpoint ${i}: port "${ep.port}" is not a port name of ${svcId} (${(svc.spec?.ports ?? []).map((p: any) => p.name).join(", ")})`);
            continue;
          }
          const target = port.targetPort ?? port.port;
          if (typeof target === "string") {
            for (const p of backing)
              if (!p.ports.some((cp) => cp.name === target))
                problems.push(`${where} endpoint ${i}: ${svcId} port "${ep.port}" targets "${target}", not a container port of ${p.owner}`);
          }
        } else if (ep.targetPort !== undefined) {
          // targetPort: the pods' container port, by name or number.
          for (const p of backing) {
            const ok = typeof ep.targetPort === "number" ? true : p.ports.some((cp) => cp.name === ep.targetPort);
            if (!ok)
              problems.push(
                `${where} endpoint ${i}: targetPort "${ep.targetPort}" is not a container port of ${p.owner} behind ${svcId} (ports: ${p.ports.map((cp) => cp.name ?? cp.containerPort).join(", ") || "none"})`,
              );
          }
        } else {
          problems.push(`${where} endpoint ${i}: neither port nor targetPort`);
        }
      }
    }
  }
  return problems;
}

function intOrPercent(v: any, replicas: number, roundUp: boolean): number {
  if (typeof v === "string" && v.endsWith("%")) {
    const x = (Number(v.slice(0, -1)) / 100) * replicas;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return Number(v);
}

/** Effective replicas: an HPA's minReplicas when one scales the workload. */
export function minReplicas(set: EnvironmentSet, pod: PodTemplate): number | undefined {
  const hpa = objectsOfKind(set, "HorizontalPodAutoscaler").find(
    (h) => h.object.metadata.namespace === pod.namespace && h.object.spec?.scaleTargetRef?.kind === pod.kind && h.object.spec?.scaleTargetRef?.name === pod.name,
  );
  return hpa ? (hpa.object.spec.minReplicas ?? 1) : pod.replicas;
}

/** PDBs leave room for a voluntary eviction: minAvailable below replicas, maxUnavailable above 0. */
export function disruptionBudgetProblems(set: EnvironmentSet): string[] {
  const pods = podTemplates(set.objects);
  const problems: string[] = [];
  for (const pdb of objectsOfKind(set, "PodDisruptionBudget")) {
    const selected = pods.filter((p) => p.namespace === pdb.object.metadata.namespace && selectorMatches(pdb.object.spec?.selector, p.labels));
    if (selected.length === 0) {
      problems.push(`${id(pdb)} [${pdb.source}]: selects no pods`);
      continue;
    }
    for (const p of selected) {
      const replicas = minReplicas(set, p);
      if (replicas === undefined) continue;
      const { minAvailable, maxUnavailable } = pdb.object.spec;
      if (minAvailable !== undefined && intOrPercent(minAvailable, replicas, true) >= replicas) {
        problems.push(`${id(pdb)}: minAvailable ${minAvailable} with ${replicas} replica(s) of ${p.owner}: no pod can ever be evicted (node drains block)`);
      }
      if (maxUnavailable !== undefined && intOrPercent(maxUnavailable, replicas, false) < 1) {
        problems.push(`${id(pdb)}: maxUnavailable ${maxUnavailable} with ${replicas} replica(s) of ${p.owner}: no pod can ever be evicted (node drains block)`);
      }
    }
  }
  return problems;
}

/**
 * HPAs: the target exists, every container has a request for each resource metric, and
 * something serves the resource metrics API (metrics.k8s.io: the metrics-server chart's
 * APIService, or the EKS `metrics-server` add-on in the infra stack).
 */
export function autoscalerProblems(set: EnvironmentSet): string[] {
  const pods = podTemplates(set.objects);
  const problems: string[] = [];
  const hpas = objectsOfKind(set, "HorizontalPodAutoscaler");
  for (const hpa of hpas) {
    const ref = hpa.object.spec?.scaleTargetRef ?? {};
    const target = pods.find((p) => p.namespace === hpa.object.metadata.namespace && p.kind === ref.kind && p.name === ref.name);
    if (!target) {
      problems.push(`${id(hpa)}: scaleTargetRef ${ref.kind}/${ref.name} is not in namespace ${hpa.object.metadata.namespace}`);
      continue;
    }
    for (const m of hpa.object.spec?.metrics ?? []) {
      if (m.type !== "Resource" && m.type !== "ContainerResource") continue;
      const resource = m.resource?.name ?? m.containerResource?.name;
      const cs = (target.spec.containers ?? []).filter((c: any) => m.type === "Resource" || c.name === m.containerResource.container);
      for (const c of cs) {
        if (c.resources?.requests?.[resource] === undefined)
          problems.push(`${id(hpa)}: metric ${resource} but container ${c.name} of ${target.owner} has no ${resource} request (utilization is undefined)`);
      }
    }
  }
  // KEDA ScaledObjects: the target exists; a cpu/memory trigger needs the request; KEDA's metrics apiserver serves
  // external.metrics.k8s.io (only: metrics.k8s.io stays with metrics-server); Prometheus triggers carry a query.
  const scaledObjects = objectsOfKind(set, "ScaledObject");
  for (const so of scaledObjects) {
    const ref = so.object.spec?.scaleTargetRef ?? {};
    const target = pods.find((p) => p.namespace === so.object.metadata.namespace && p.kind === (ref.kind ?? "Deployment") && p.name === ref.name);
    if (!target) {
      problems.push(`${id(so)}: scaleTargetRef ${ref.kind ?? "Deployment"}/${ref.name} is not in namespace ${so.object.metadata.namespace}`);
      continue;
    }
    for (const t of so.object.spec?.triggers ?? []) {
      if ((t.type === "cpu" || t.type === "memory") && (target.spec.containers ?? []).some((c: any) => c.resources?.requests?.[t.type] === undefined)) {
        problems.push(`${id(so)}: trigger ${t.type} but a container of ${target.owner} has no ${t.type} request`);
      }
      if (t.type === "prometheus" && !(t.metadata?.serverAddress && t.metadata?.query && t.metadata?.threshold))
        problems.push(`${id(so)}: prometheus trigger ${t.name} without serverAddress, query and threshold`);
    }
  }
  if (scaledObjects.length > 0) {
    const external = set.objects.filter((o) => o.object.kind === "APIService" && o.object.spec?.group === "external.metrics.k8s.io");
    if (external.length !== 1)
      problems.push(
        `ScaledObjects ${scaledObjects.map(id).join(", ")} need exactly one APIService for external.metrics.k8s.io (KEDA's metrics apiserver); found ${external.length}`,
      );
    const kedaMetrics = set.objects.filter((o) => o.object.kind === "APIService" && o.object.spec?.group === "metrics.k8s.io" && o.release === "keda");
    if (kedaMetrics.length > 0) problems.push("KEDA registers metrics.k8s.io, which metrics-server serves: the two would conflict");
  }
  const usesResourceMetrics = [...hpas, ...scaledObjects].some(
    (h) =>
      (h.object.spec?.metrics ?? []).some((m: any) => m.type === "Resource" || m.type === "ContainerResource") ||
      (h.object.spec?.triggers ?? []).some((t: any) => t.type === "cpu" || t.type === "memory"),
  );
  const apiService = set.objects.some((o) => o.object.kind === "APIService" && o.object.metadata?.name === "v1beta1.metrics.k8s.io");
  const addon = Object.values<any>(set.infra.resource?.aws_eks_addon ?? {}).some((a) => a.addon_name === "metrics-server");
  if (usesResourceMetrics && !apiService && !addon) {
    problems.push(
      `HPAs ${hpas.map(id).join(", ")} scale on resource metrics, but nothing serves metrics.k8s.io (no metrics-server add-on or APIService): they stay at minReplicas`,
    );
  }
  return problems;
}

/**
 * Labels every node carries besides its pool's own: an EKS managed node its node group's name, a
 * Karpenter node its NodePool's name (karpenter.sh/nodepool, which the Karpenter chart's own
 * affinity keys on: its controller never runs on a node Karpenter launched).
 */
function nodeLabels(pool: NodePool, instanceType: string): Record<string, string> {
  const own: Record<string, string> = pool.provisioner === "karpenter" ? { "karpenter.sh/nodepool": pool.name } : { "eks.amazonaws.com/nodegroup": pool.name };
  return { ...pool.labels, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "node.kubernetes.io/instance-type": instanceType, ...own };
}

function nodeSelectorTermMatches(term: any, labels: Record<string, string>): boolean {
  return (term.matchExpressions ?? []).every((e: any) =>
    selectorMatches({ matchExpressions: [{ ...e, operator: e.operator === "Gt" || e.operator === "Lt" ? "Exists" : e.operator }] }, labels),
  );
}

function tolerates(tolerations: any[], taint: { key: string; value?: string; effect: string }): boolean {
  return tolerations.some(
    (t) =>
      (t.key === undefined && t.operator === "Exists") || (t.key === taint.key && (t.operator === "Exists" || t.value === taint.value) && (!t.effect || t.effect === taint.effect)),
  );
}

/** The pools a pod can be scheduled on: node selector and required node affinity match, every taint tolerated. */
export function poolsFor(pools: readonly NodePool[], spec: any): NodePool[] {
  return pools.filter((pool) =>
    pool.instanceTypes.some((type) => {
      const labels = nodeLabels(pool, type);
      if (!selectorMatches({ matchLabels: spec.nodeSelector ?? {} }, labels)) return false;
      const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
      if (terms?.length && !terms.some((t: any) => nodeSelectorTermMatches(t, labels))) return false;
      return pool.taints.filter((t) => t.effect !== "PreferNoSchedule").every((t) => tolerates(spec.tolerations ?? [], t));
    }),
  );
}

/** Every pod's node selector, affinity and tolerations admit at least one node pool of the cluster. */
export function schedulingProblems(set: EnvironmentSet): string[] {
  const problems: string[] = [];
  for (const p of podTemplates(set.objects)) {
    if (poolsFor(set.pools, p.spec).length > 0) continue;
    const why = set.pools
      .map((pool) => `${pool.name} (labels ${JSON.stringify(pool.labels)}, taints ${JSON.stringify(pool.taints.map((t) => `${t.key}=${t.value}:${t.effect}`))})`)
      .join("; ");
    problems.push(
      `${p.owner} [${p.source}]: no node pool admits it (nodeSelector ${JSON.stringify(p.spec.nodeSelector ?? {})}, tolerations ${JSON.stringify(p.spec.tolerations ?? [])}); pools: ${why}`,
    );
  }
  return problems;
}

/** Images pinned: a tag other than `latest`, or a digest. */
export function imageProblems(set: EnvironmentSet): string[] {
  const problems: string[] = [];
  for (const p of podTemplates(set.objects)) {
    for (const c of [...containers(p.spec), ...(p.spec.ephemeralContainers ?? [])]) {
      if (p.owner.includes("operator-managed") && c.image === undefined) continue; // the operator's default image, pinned by its version
      const image = String(c.image ?? "");
      if (image.includes("@sha256:")) continue;
      const lastSegment = image.split("/").pop() ?? "";
      const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : undefined;
      if (!image || !tag || tag === "latest") problems.push(`${p.owner} container ${c.name}: image "${image}" is not pinned (needs a tag other than latest, or a digest)`);
    }
  }
  return problems;
}

const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/;

/** The service-account subjects (namespace:name) an IAM trust policy allows through the cluster's OIDC provider. */
export function trustedSubjects(policy: any): string[] {
  const subjects: string[] = [];
  for (const st of [policy?.Statement ?? []].flat()) {
    if (st.Effect !== "Allow" || ![st.Action].flat().includes("sts:AssumeRoleWithWebIdentity")) continue;
    for (const op of ["StringEquals", "StringLike"]) {
      for (const [key, value] of Object.entries<any>(st.Condition?.[op] ?? {})) {
        if (!key.endsWith(":sub")) continue;
        for (const v of [value].flat()) if (String(v).startsWith("system:serviceaccount:")) subjects.push(String(v).slice("system:serviceaccount:".length));
      }
    }
  }
  return subjects;
}

function subjectMatches(pattern: string, subject: string): boolean {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  ).test(subject);
}

/** Every IRSA-annotated ServiceAccount's role exists in the infra stack and trusts exactly that namespace:name. */
export function irsaProblems(set: EnvironmentSet): string[] {
  const roles = Object.values<any>(set.infra.resource?.aws_iam_role ?? {});
  const problems: string[] = [];
  for (const sa of objectsOfKind(set, "ServiceAccount")) {
    const arn = sa.object.metadata?.annotations?.["eks.amazonaws.com/role-arn"];
    if (arn === undefined) continue;
    const subject = `${sa.object.metadata.namespace}:${sa.object.metadata.name}`;
    const m = String(arn).match(ROLE_ARN);
    if (!m) {
      problems.push(`${id(sa)} [${sa.source}]: role-arn annotation "${arn}" is not an IAM role ARN of the infra stack`);
      continue;
    }
    const role = roles.find((r) => r.name === m[1]);
    if (!role) {
      problems.push(`${id(sa)}: role ${m[1]} is not in ${set.name}-infra`);
      continue;
    }
    let policy: any;
    try {
      policy = JSON.parse(withoutInterpolations(String(role.assume_role_policy)));
    } catch {
      problems.push(`${id(sa)}: the trust policy of role ${m[1]} is not literal JSON in the infra stack`);
      continue;
    }
    const subjects = trustedSubjects(policy);
    if (!subjects.some((s) => subjectMatches(s, subject))) problems.push(`${id(sa)}: role ${m[1]} trusts ${JSON.stringify(subjects)}, not ${subject}`);
  }
  return problems;
}

/** Pods run as ServiceAccounts that exist (in the set, or `default`). */
export function serviceAccountProblems(set: EnvironmentSet): string[] {
  const accounts = new Set(objectsOfKind(set, "ServiceAccount").map((o) => `${o.object.metadata.namespace}/${o.object.metadata.name}`));
  const problems: string[] = [];
  for (const p of podTemplates(set.objects)) {
    const name = p.spec.serviceAccountName ?? "default";
    if (name !== "default" && !accounts.has(`${p.namespace}/${name}`)) problems.push(`${p.owner}: serviceAccountName ${name} does not exist in namespace ${p.namespace}`);
  }
  return problems;
}

/** Every metric name in the library's PrometheusRules and dashboards is exported by something in the catalog. */
export function metricProblems(set: EnvironmentSet): string[] {
  const { exprs, recorded } = libraryRuleExpressions(set.objects);
  const known = catalogNames([...METRIC_CATALOG, ...renderedMetricSources(set.objects)]);
  for (const r of recorded) known.add(r);
  return unknownMetrics([...exprs, ...libraryDashboardExpressions(set.objects), ...libraryQueryExpressions(set.objects)], known);
}

/** Priority of built-in PriorityClasses (kubernetes pkg/apis/scheduling: SystemCriticalPriority = 2000000000). */
const BUILT_IN_PRIORITIES: Readonly<Record<string, number>> = { "system-cluster-critical": 2000000000, "system-node-critical": 2000001000 };
const ENDPOINT_LABEL = "ml-platform/endpoint";

/**
 * Model endpoints never outrank platform pods on a node pool they share: an endpoint with
 * a higher priority preempts MLflow, Feast or Prometheus when the pool is full (in
 * development: one system node).
 */
export function priorityProblems(set: EnvironmentSet): string[] {
  const classes: Record<string, number> = { ...BUILT_IN_PRIORITIES };
  for (const pc of objectsOfKind(set, "PriorityClass")) classes[pc.object.metadata.name] = Number(pc.object.value);
  const priority = (p: PodTemplate) => (p.spec.priorityClassName ? (classes[p.spec.priorityClassName] ?? 0) : 0);
  const pods = podTemplates(set.objects).filter((p) => p.kind !== "DaemonSet");
  const endpoints = pods.filter((p) => p.labels[ENDPOINT_LABEL] !== undefined);
  const platform = pods.filter((p) => p.labels[ENDPOINT_LABEL] === undefined && p.namespace !== "training");
  const problems: string[] = [];
  for (const e of endpoints) {
    const pools = new Set(poolsFor(set.pools, e.spec).map((p) => p.name));
    for (const p of platform) {
      const shared = poolsFor(set.pools, p.spec)
        .filter((pool) => pools.has(pool.name))
        .map((pool) => pool.name);
      if (shared.length > 0 && priority(e) > priority(p)) {
        problems.push(
          `${e.owner} (priority ${priority(e)}, ${e.spec.priorityClassName}) outranks ${p.owner} (priority ${priority(p)}) on pool ${shared.join(", ")}: it can preempt it`,
        );
      }
    }
  }
  return problems;
}

/** A Kubernetes quantity in base units (bytes, cores). */
export function quantity(q: unknown): number {
  const m = String(q).match(/^([0-9.]+)([a-zA-Z]*)$/);
  if (!m) throw new Error(`not a quantity: ${q}`);
  const units: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  if (!(m[2] in units)) throw new Error(`unknown quantity unit in ${q}`);
  return Number(m[1]) * units[m[2]];
}

/**
 * LimitRange defaults admit every request the namespace allows: the LimitRanger sets the
 * default limit on each container that has none (kubernetes plugin/pkg/admission/limitranger),
 * so a request above it without a limit is rejected (request > limit) unless `max` caps
 * requests at or below the default anyway.
 */
export function limitRangeProblems(set: EnvironmentSet): string[] {
  const problems: string[] = [];
  for (const lr of objectsOfKind(set, "LimitRange")) {
    for (const item of lr.object.spec?.limits ?? []) {
      if (item.type !== "Container") continue;
      for (const [resource, limit] of Object.entries<string>(item.default ?? {})) {
        const max = item.max?.[resource];
        if (max === undefined || quantity(max) > quantity(limit)) {
          problems.push(
            `${id(lr)} [${lr.source}]: default ${resource} limit ${limit}: a container requesting more ${resource} without a limit is rejected (request > limit)${max ? `, though max allows ${max}` : ""}`,
          );
        }
        const request = item.defaultRequest?.[resource];
        if (request !== undefined && quantity(request) > quantity(limit)) problems.push(`${id(lr)}: defaultRequest ${resource} ${request} is above the default limit ${limit}`);
      }
    }
  }
  return problems;
}

/**
 * Device plugins that make the kubelet offer an extended resource, by the chart that installs them
 * (NVIDIA/k8s-device-plugin: nvidia.com/gpu; aws/eks-charts stable/aws-efa-k8s-device-plugin: vpc.amazonaws.com/efa).
 */
export const DEVICE_PLUGIN_CHARTS: Readonly<Record<string, string>> = {
  "nvidia.com/gpu": "nvidia-device-plugin",
  "vpc.amazonaws.com/efa": "aws-efa-k8s-device-plugin",
};

/**
 * Extended resources that a pool's nodes are promised to offer (the cluster-autoscaler node
 * template tags on its Auto Scaling group, k8s.io/cluster-autoscaler/node-template/resources/<name>)
 * have a device plugin DaemonSet that runs on that pool: else the autoscaler scales nodes up
 * for pods that can never schedule there.
 */
export function devicePluginProblems(set: EnvironmentSet): string[] {
  const groups = set.infra.resource?.aws_eks_node_group ?? {};
  const chartOf = new Map(set.releases.map((r) => [`${r.stack}/${r.name}`, r.chart]));
  const daemonSets = podTemplates(set.objects).filter((p) => p.kind === "DaemonSet");
  const sources = new Map(set.objects.map((o) => [o.source, o]));
  const problems: string[] = [];
  for (const tag of Object.values<any>(set.infra.resource?.aws_autoscaling_group_tag ?? {})) {
    const m = String(tag.tag?.key).match(/^k8s\.io\/cluster-autoscaler\/node-template\/resources\/(.+)$/);
    if (!m || Number(tag.tag.value) === 0) continue;
    const groupId = String(tag.autoscaling_group_name).match(/aws_eks_node_group\.([^.]+)\./)?.[1];
    const poolName = groups[groupId ?? ""]?.labels?.[POOL_LABEL_KEY];
    const pool = set.pools.find((p) => p.name === poolName);
    if (!pool) {
      problems.push(`autoscaler node template ${tag.tag.key}: node group ${groupId} is not a pool of ${set.name}`);
      continue;
    }
    const chart = DEVICE_PLUGIN_CHARTS[m[1]];
    const served = daemonSets.some((d) => {
      const o = sources.get(d.source);
      return chart !== undefined && o?.release !== undefined && chartOf.get(`${o.stack}/${o.release}`) === chart && poolsFor([pool], d.spec).length > 0;
    });
    if (!served) {
      problems.push(
        `pool ${pool.name}: the autoscaler's node template promises ${tag.tag.value} ${m[1]}, but no ${chart ?? "device plugin"} DaemonSet runs on the pool: nodes scale up for pods that never schedule`,
      );
    }
  }
  return problems;
}

const POOL_LABEL_KEY = "ml-platform/pool";

/** Whether an alert's labels satisfy Alertmanager matchers (`a = "b"`, `a != "b"`, `a =~ "re"`, `a !~ "re"`; anchored regexes). */
function matchersMatch(matchers: readonly string[], labels: Record<string, string>): boolean {
  return matchers.every((m) => {
    const x = m.match(/^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/);
    if (!x) throw new Error(`unsupported matcher ${m}`);
    const value = labels[x[1]] ?? "";
    if (x[2] === "=") return value === x[3];
    if (x[2] === "!=") return value !== x[3];
    const re = new RegExp(`^(?:${x[3]})$`);
    return x[2] === "=~" ? re.test(value) : !re.test(value);
  });
}

/** Receivers an alert reaches through an Alertmanager route tree (first match wins unless `continue`). */
export function routeReceivers(route: any, labels: Record<string, string>): string[] {
  const out: string[] = [];
  for (const child of route.routes ?? []) {
    if (!matchersMatch(child.matchers ?? [], labels)) continue;
    out.push(...routeReceivers({ receiver: child.receiver ?? route.receiver, ...child }, labels));
    if (!child.continue) return out;
  }
  return out.length > 0 ? out : [route.receiver];
}

/**
 * A dead man's switch in production: kube-prometheus-stack's always-firing Watchdog
 * (labels alertname=Watchdog, severity=none) reaches a receiver that notifies something,
 * through the Alertmanager configuration the chart renders (Secret alertmanager-<name>).
 * Without it, a broken Prometheus or Alertmanager pages nobody.
 */
export function deadMansSwitchProblems(set: EnvironmentSet): string[] {
  const tier = Object.values<any>(set.stacks)
    .map((s) => s["//"]?.environment?.tier)
    .find(Boolean);
  if (tier !== "production") return [];
  const secret = set.objects.find((o) => o.object.kind === "Secret" && o.release === "kube-prometheus-stack" && o.object.data?.["alertmanager.yaml"]);
  if (!secret) return ["no rendered Alertmanager configuration (Secret with alertmanager.yaml from kube-prometheus-stack)"];
  const config = parseYaml(Buffer.from(secret.object.data["alertmanager.yaml"], "base64").toString("utf8"));
  const reached = routeReceivers(config.route, { alertname: "Watchdog", severity: "none" });
  const notifying = reached.filter((name) => {
    const r = (config.receivers ?? []).find((x: any) => x.name === name);
    return r && Object.keys(r).some((k) => k.endsWith("_configs") && r[k]?.length > 0);
  });
  return notifying.length > 0
    ? []
    : [`production: the Watchdog alert reaches only ${JSON.stringify(reached)}, which notify nothing: nobody learns that monitoring is down (add AlertReceiver.heartbeat)`];
}

/** Charts of applications the library configures (not operators or controllers, which call the Kubernetes API). */
const APPLICATION_CHARTS = new Set(["feast-feature-server", "mlflow"]);

/**
 * Pods of the library's own workloads and applications (model endpoints, Feast, MLflow)
 * never call the Kubernetes API, so they mount no API token: the pod's
 * automountServiceAccountToken, else its ServiceAccount's, must be false (Kubernetes mounts
 * one by default). Operators and controllers from charts are out of scope.
 */
export function tokenMountProblems(set: EnvironmentSet): string[] {
  const chartOf = new Map(set.releases.map((r) => [`${r.stack}/${r.name}`, r.chart]));
  const sources = new Map(set.objects.map((o) => [o.source, o]));
  const accounts = new Map(objectsOfKind(set, "ServiceAccount").map((o) => [`${o.object.metadata.namespace}/${o.object.metadata.name}`, o.object]));
  const problems: string[] = [];
  for (const p of podTemplates(set.objects)) {
    const o = sources.get(p.source);
    const library = o?.release === undefined ? !p.owner.includes("operator-managed") : APPLICATION_CHARTS.has(chartOf.get(`${o.stack}/${o.release}`) ?? "");
    if (!library) continue;
    const sa = accounts.get(`${p.namespace}/${p.spec.serviceAccountName ?? "default"}`);
    const mounted = p.spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
    if (mounted) problems.push(`${p.owner} [${p.source}]: mounts a Kubernetes API token (service account ${p.spec.serviceAccountName ?? "default"}) it never uses`);
  }
  return problems;
}

/** A pod's effective requests (the larger of the biggest init container and the sum of the containers): cpu in millicores, memory in MiB. */
export function podRequests(spec: any): { cpu: number; memory: number; gpus: number } {
  const of = (c: any) => ({
    cpu: c.resources?.requests?.cpu !== undefined ? quantity(c.resources.requests.cpu) * 1000 : 0,
    memory: c.resources?.requests?.memory !== undefined ? quantity(c.resources.requests.memory) / 2 ** 20 : 0,
    gpus: Number(c.resources?.requests?.["nvidia.com/gpu"] ?? c.resources?.limits?.["nvidia.com/gpu"] ?? 0),
  });
  const sum = (spec.containers ?? [])
    .map(of)
    .reduce((a: any, b: any) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory, gpus: a.gpus + b.gpus }), { cpu: 0, memory: 0, gpus: 0 });
  const init = (spec.initContainers ?? []).map(of);
  return {
    cpu: Math.max(sum.cpu, ...init.map((i: any) => i.cpu)),
    memory: Math.max(sum.memory, ...init.map((i: any) => i.memory)),
    gpus: Math.max(sum.gpus, ...init.map((i: any) => i.gpus)),
  };
}

/**
 * Every workload fits one node of a pool it can land on: its requests plus the requests of
 * the DaemonSets on that pool within the node's allocatable (upper bound: node-capacity.ts).
 * The rendered pods, plus the EKS add-ons' pods that EKS applies (the library's declarations,
 * with their upstream sources: declaredAddonPods).
 */
export function capacityProblems(set: EnvironmentSet): string[] {
  const all = [...podTemplates(set.objects), ...declaredAddonPods(set)];
  const daemonSets = all.filter((p) => p.kind === "DaemonSet");
  const problems: string[] = [];
  for (const p of all.filter((p) => p.kind !== "DaemonSet")) {
    const req = podRequests(p.spec);
    const tried: string[] = [];
    let fits = false;
    for (const pool of poolsFor(set.pools, p.spec)) {
      const overhead = daemonSets
        .filter((d) => poolsFor([pool], d.spec).length > 0)
        .map((d) => podRequests(d.spec))
        .reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory, gpus: 0 }), { cpu: 0, memory: 0, gpus: 0 });
      for (const type of pool.instanceTypes) {
        const spec = nodeSpec(type);
        if (!spec) {
          problems.push(
            `${p.owner}: no capacity figures for instance type ${type} of pool ${pool.name} (add it to the library catalogs: lib/gpu-cluster/gpu-instances.ts or system-instances.ts)`,
          );
          continue;
        }
        const a = allocatable(spec);
        if (req.cpu + overhead.cpu <= a.cpu && req.memory + overhead.memory <= a.memory && req.gpus <= a.gpus) fits = true;
        tried.push(
          `${pool.name}/${type}: allocatable cpu ${a.cpu}m memory ${Math.floor(a.memory)}Mi gpus ${a.gpus}, DaemonSets use cpu ${overhead.cpu}m memory ${Math.ceil(overhead.memory)}Mi`,
        );
      }
    }
    if (!fits && tried.length > 0) {
      problems.push(`${p.owner} [${p.source}] requests cpu ${req.cpu}m memory ${Math.ceil(req.memory)}Mi gpus ${req.gpus}: fits no node it can land on (${tried.join("; ")})`);
    }
  }
  return problems;
}

/**
 * Each pool at its maximum size holds every pod that can land only on it (replicas x
 * requests; Jobs and CronJobs count once), with the DaemonSets' requests taken on every
 * node: else the platform's own pods stay Pending once the pool is full.
 */
export function poolCapacityProblems(set: EnvironmentSet): string[] {
  const all = [...podTemplates(set.objects), ...declaredAddonPods(set)];
  const daemonSets = all.filter((p) => p.kind === "DaemonSet");
  const problems: string[] = [];
  for (const pool of set.pools) {
    const specs = pool.instanceTypes.map((t) => nodeSpec(t)).filter((s): s is NonNullable<typeof s> => s !== undefined);
    if (specs.length === 0) continue; // reported by capacityProblems
    // The smallest instance type of the pool: the autoscaler may pick it.
    const node = specs.map((s) => allocatable(s)).sort((a, b) => a.memory - b.memory)[0];
    const overhead = daemonSets
      .filter((d) => poolsFor([pool], d.spec).length > 0)
      .map((d) => podRequests(d.spec))
      .reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), { cpu: 0, memory: 0 });
    const pinned = all.filter(
      (p) =>
        p.kind !== "DaemonSet" &&
        poolsFor(set.pools, p.spec)
          .map((x) => x.name)
          .join() === pool.name,
    );
    const need = pinned
      .map((p) => ({ p, r: podRequests(p.spec), n: minReplicas(set, p) ?? 1 }))
      .reduce((a, { r, n }) => ({ cpu: a.cpu + r.cpu * n, memory: a.memory + r.memory * n, pods: a.pods + n }), { cpu: 0, memory: 0, pods: 0 });
    const have = { cpu: pool.maxNodes * (node.cpu - overhead.cpu), memory: pool.maxNodes * (node.memory - overhead.memory) };
    if (need.cpu > have.cpu || need.memory > have.memory) {
      problems.push(
        `pool ${pool.name}: ${need.pods} pods that can run only there request cpu ${need.cpu}m memory ${Math.ceil(need.memory)}Mi; ` +
          `${pool.maxNodes} nodes (max size) allocate cpu ${have.cpu}m memory ${Math.floor(have.memory)}Mi after DaemonSets`,
      );
    }
  }
  return problems;
}

/**
 * The `job` label values of the scrape targets: for each ServiceMonitor, every Service it
 * selects gives job = the value of its `spec.jobLabel` label, else the Service's name
 * (prometheus-operator's generated relabelling); PodMonitors likewise from the pod.
 */
export function scrapeJobs(set: EnvironmentSet): Set<string> {
  const services = [...objectsOfKind(set, "Service").map((s) => s.object), ...builtInServices(set)];
  const jobs = new Set<string>();
  for (const sm of objectsOfKind(set, "ServiceMonitor")) {
    const nsSel = sm.object.spec?.namespaceSelector ?? {};
    const inScope = (ns: string) => (nsSel.any ? true : nsSel.matchNames?.length ? nsSel.matchNames.includes(ns) : ns === sm.object.metadata.namespace);
    for (const svc of services) {
      if (!inScope(svc.metadata.namespace) || !selectorMatches(sm.object.spec?.selector ?? {}, svc.metadata.labels ?? {})) continue;
      const jobLabel = sm.object.spec?.jobLabel;
      jobs.add(jobLabel && svc.metadata.labels?.[jobLabel] ? svc.metadata.labels[jobLabel] : svc.metadata.name);
    }
  }
  for (const pm of objectsOfKind(set, "PodMonitor")) jobs.add(`${pm.object.metadata.namespace}/${pm.object.metadata.name}`);
  return jobs;
}

/** Every `job="…"` a library alert selects is a job that Prometheus scrapes (else `up` is absent and the alert is blind or fires forever). */
export function alertJobProblems(set: EnvironmentSet): string[] {
  const jobs = scrapeJobs(set);
  const problems: string[] = [];
  for (const e of libraryRuleExpressions(set.objects).exprs) {
    for (const m of e.expr.matchAll(/\bjob\s*=\s*"([^"]*)"/g)) {
      if (!jobs.has(m[1])) problems.push(`${e.where}: selects job="${m[1]}", which no ServiceMonitor or PodMonitor scrapes (jobs: ${[...jobs].sort().join(", ")})`);
    }
  }
  return problems;
}

export const WIRING_CHECKS: Readonly<Record<string, (set: EnvironmentSet) => string[]>> = {
  "ServiceMonitor → Service → port → container port": serviceMonitorProblems,
  "Service selectors select pods; named target ports exist": serviceSelectorProblems,
  "PodDisruptionBudgets below replicas": disruptionBudgetProblems,
  "HPA targets have requests for their metrics; metrics API served": autoscalerProblems,
  "pods schedule on a node pool (selectors, affinity, taints/tolerations)": schedulingProblems,
  "images pinned": imageProblems,
  "IRSA ServiceAccounts match their role's trust policy": irsaProblems,
  "pods' ServiceAccounts exist": serviceAccountProblems,
  "metric names in rules and dashboards are exported": metricProblems,
  "jobs selected by alerts are scraped": alertJobProblems,
  "LimitRange defaults admit larger requests": limitRangeProblems,
  "endpoints do not outrank platform pods on a shared pool": priorityProblems,
  "every workload fits a node of a pool it can land on": capacityProblems,
  "each pool at max size holds the pods that can run only there": poolCapacityProblems,
  "extended resources the autoscaler promises have a device plugin on the pool": devicePluginProblems,
  "the library's workloads mount no unused API token": tokenMountProblems,
  "production's Watchdog reaches a dead man's switch": deadMansSwitchProblems,
  "the library's capacity model declares every rendered workload with its real requests and placement": (set) => capacityDeclarationProblems(set),
  // A function, not the binding: network-policy.ts imports this module.
  "NetworkPolicies: default deny in every library namespace; every required flow allowed": (set) => networkPolicyProblems(set),
};
