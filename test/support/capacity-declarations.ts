import { EnvironmentSet } from "./in-cluster";
import { PodTemplate, minReplicas, podRequests, podTemplates, poolsFor } from "./wiring";

/** One workload of the library's capacity model, as synthesized under `//.capacity` in the cluster's stack. */
interface DeclaredWorkload {
  readonly id: string;
  readonly kind: string;
  readonly declaredBy: string;
  readonly cpuMillicores: number;
  readonly memoryMiB: number;
  readonly gpus: number;
  readonly replicas: number;
  readonly pools: string[];
  /** Set for pods the library does not render (EKS add-ons): their figures come from upstream. */
  readonly source?: string;
  readonly nodeSelector?: Record<string, string>;
  readonly nodeAffinity?: unknown[];
  readonly tolerations?: unknown[];
}

/**
 * The pods EKS runs that the library does not render (aws-node, kube-proxy, the EBS CSI driver,
 * CoreDNS, metrics-server), as pod templates from the library's declarations (each with its
 * upstream source): the rendered capacity checks count them next to the rendered pods.
 */
export function declaredAddonPods(set: EnvironmentSet): PodTemplate[] {
  return declaredWorkloads(set)
    .filter((w) => w.source)
    .map((w) => {
      const [namespace, name] = w.id.slice(w.kind.length + 1).split("/");
      return {
        owner: `${w.id} (EKS add-on, declared by ${w.declaredBy})`,
        source: w.source!,
        kind: w.kind,
        namespace,
        name,
        labels: {},
        replicas: w.kind === "DaemonSet" ? undefined : w.replicas,
        spec: {
          containers: [{ name, resources: { requests: { cpu: `${w.cpuMillicores}m`, memory: `${w.memoryMiB}Mi` } } }],
          nodeSelector: w.nodeSelector ?? {},
          tolerations: w.tolerations ?? [],
          ...(w.nodeAffinity?.length
            ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: w.nodeAffinity }] } } } }
            : {}),
        },
      };
    });
}

/** Every capacity model written into the environment's stacks (one per cluster). */
export function declaredWorkloads(set: EnvironmentSet): DeclaredWorkload[] {
  return Object.values<any>(set.stacks).flatMap((json) => Object.values<any>(json?.["//"]?.capacity ?? {}).flatMap((m) => m.workloads ?? []));
}

const close = (a: number, b: number) => Math.abs(a - b) < 0.5;

/** A KEDA ScaledObject's minReplicaCount for the workload it scales (KEDA creates the HPA at run time). */
function scaledObjectMin(set: EnvironmentSet, kind: string, namespace: string, name: string): number | undefined {
  const so = set.objects.find(
    (o) =>
      o.object.kind === "ScaledObject" &&
      o.object.metadata?.namespace === namespace &&
      o.object.spec?.scaleTargetRef?.name === name &&
      (o.object.spec?.scaleTargetRef?.kind ?? "Deployment") === kind,
  );
  return so ? (so.object.spec.minReplicaCount ?? 0) : undefined;
}

/**
 * The capacity model the library checks at synth is only as good as its declarations. On
 * the rendered set (real `helm template` of every chart, operator-managed pods included):
 * every workload the cluster will run is declared; each declaration's requests per pod,
 * the pools it can land on (from the rendered node selector, affinity and tolerations), and
 * its replicas (an HPA's minimum) are what is rendered; and nothing is declared that is not
 * rendered, except the EKS add-ons' pods (declared with their upstream source).
 */
export function capacityDeclarationProblems(set: EnvironmentSet): string[] {
  const declared = declaredWorkloads(set);
  if (declared.length === 0) return [`${set.name}: no capacity model in the synthesized stacks (//.capacity)`];
  const byId = new Map(declared.map((w) => [w.id, w]));
  const problems: string[] = [];
  const rendered = new Set<string>();
  for (const p of podTemplates(set.objects)) {
    const id = `${p.kind} ${p.namespace}/${p.name}`;
    rendered.add(id);
    const d = byId.get(id);
    if (!d) {
      problems.push(`${p.owner} [${p.source}]: rendered, but not declared in the cluster's capacity model (cluster.capacity.addWorkload)`);
      continue;
    }
    const r = podRequests(p.spec);
    if (!close(r.cpu, d.cpuMillicores) || !close(r.memory, d.memoryMiB) || r.gpus !== d.gpus) {
      problems.push(
        `${id} (declared by ${d.declaredBy}): declared requests cpu ${d.cpuMillicores}m memory ${d.memoryMiB}Mi gpus ${d.gpus}; ` +
          `rendered [${p.source}] cpu ${r.cpu}m memory ${r.memory}Mi gpus ${r.gpus}`,
      );
    }
    const pools = poolsFor(set.pools, p.spec)
      .map((x) => x.name)
      .sort();
    if (pools.join() !== [...d.pools].sort().join()) {
      problems.push(`${id} (declared by ${d.declaredBy}): the model places it on pools [${[...d.pools].sort().join(", ")}]; the rendered pod can land on [${pools.join(", ")}]`);
    }
    const replicas = p.kind === "DaemonSet" ? 1 : ["Job", "CronJob"].includes(p.kind) ? 1 : (scaledObjectMin(set, p.kind, p.namespace, p.name) ?? minReplicas(set, p) ?? 1);
    if (replicas !== d.replicas) problems.push(`${id} (declared by ${d.declaredBy}): declared ${d.replicas} replicas; rendered ${replicas}`);
  }
  for (const d of declared) {
    if (!rendered.has(d.id) && !d.source) problems.push(`${d.id} (declared by ${d.declaredBy}): declared in the capacity model, but nothing renders it`);
  }
  return problems;
}
