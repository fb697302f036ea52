import { Construct, IConstruct } from "constructs";
import { Lazy, TerraformStack, Token } from "cdktf";
import { ConfigError, addConfigValidation, formatValue } from "../core/errors";
import { cpuCores, cpuQuantityProblem, memoryBytes, memoryQuantityProblem } from "../core/validators";
import { InstanceCapacity, NodeAllocatable, instanceCapacity, nodeAllocatable } from "./node-allocatable";

/** Requests of ONE pod: the sum over its containers, or its largest init container when that is larger. */
export interface PodRequests {
  /** A Kubernetes CPU quantity, e.g. "250m". @default - no CPU request */
  readonly cpu?: string;
  /** A Kubernetes memory quantity, e.g. "512Mi". @default - no memory request */
  readonly memory?: string;
  /** `nvidia.com/gpu`. @default 0 */
  readonly gpus?: number;
}

/** A pod toleration, as in a pod spec. */
export interface PodToleration {
  /** @default - every key (with operator Exists) */
  readonly key?: string;
  /** @default "Equal" */
  readonly operator?: "Equal" | "Exists";
  /** @default "" */
  readonly value?: string;
  /** @default - every effect */
  readonly effect?: string;
}

/** A node taint. */
export interface NodeTaint {
  readonly key: string;
  /** @default "" */
  readonly value?: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** One term of a required node affinity (`matchExpressions`), as in a pod spec. */
export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  /** @default - none (Exists, DoesNotExist) */
  readonly values?: readonly string[];
}

/** Kinds of pod controllers; "Rollout" is Argo Rollouts' replacement of a Deployment. */
export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "CronJob" | "Job" | "Rollout";

/**
 * A workload as the capacity model sees it: what one pod requests, how many pods must run
 * at once, and where they may land.
 */
export interface WorkloadOptions {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  /**
   * The object's name in the cluster: for Helm workloads the name the chart renders (for
   * operator-managed pods, the StatefulSet the operator creates, e.g. `prometheus-<name>`).
   */
  readonly name: string;
  readonly requests: PodRequests;
  /**
   * Pods that must run at once (an autoscaled workload: its minimum). Ignored for a
   * DaemonSet, which runs one pod on every node it can land on.
   * @default 1
   */
  readonly replicas?: number;
  /** @default - none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Required node affinity: every expression must hold. @default - none */
  readonly nodeAffinity?: readonly NodeSelectorRequirement[];
  /** @default - none: the pod lands only on untainted nodes */
  readonly tolerations?: readonly PodToleration[];
  /**
   * Where the figures come from when the library does not render the workload itself (an
   * EKS add-on: its upstream file and version). @default - the registering construct renders it
   */
  readonly source?: string;
}

/** A registered workload, with its requests in numbers. */
export interface CapacityWorkload extends WorkloadOptions {
  /** Path of the construct that declared it. */
  readonly declaredBy: string;
  /** `Deployment serving/ranker`. */
  readonly id: string;
  readonly cpuMillicores: number;
  readonly memoryMiB: number;
  readonly gpus: number;
  readonly replicas: number;
}

/** A node pool of the cluster as the capacity model sees it. */
export interface NodePoolCapacity {
  /** The pool's name (its POOL_LABEL value). */
  readonly name: string;
  readonly instanceTypes: readonly string[];
  readonly maxNodes: number;
  /** Labels on every node of the pool. */
  readonly labels: Readonly<Record<string, string>>;
  /** @default - none */
  readonly taints?: readonly NodeTaint[];
}

/** Well-known node labels every node carries (kubelet), added to a pool's labels when matching. */
const INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type";
const WELL_KNOWN_LABELS: Readonly<Record<string, string>> = { "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" };

/** One kind of node: a pool and one of its instance types. */
interface NodeShape {
  readonly pool: NodePoolCapacity;
  readonly instanceType: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly capacity?: InstanceCapacity;
  readonly allocatable?: NodeAllocatable;
}

interface Usage {
  cpuMillicores: number;
  memoryMiB: number;
  pods: number;
  names: string[];
}

/**
 * The cluster's capacity model, checked at synth: the node pools (instance types, max
 * size, labels, taints) and every workload the library places on the cluster.
 *
 * Every construct that creates pods on a cluster registers them here, once, in its
 * constructor, with the requests and placement it renders:
 *
 *     cluster.capacity.addWorkload(this, {
 *       kind: "Deployment", namespace: "kueue-system", name: "kueue-controller-manager",
 *       requests: { cpu: "500m", memory: "512Mi" }, replicas: 1,
 *       nodeSelector: { [POOL_LABEL]: SYSTEM_POOL_NAME },
 *     });
 *
 * For a Helm chart, pass the same objects you put in its values (resources, replicas,
 * nodeSelector, tolerations), and the name the chart renders: the in-cluster tests render
 * the charts and fail when a declaration and the rendered pod differ, or when a rendered
 * workload was not declared.
 *
 * At synth (`node.addValidation`), after the whole app exists:
 * - every workload fits the allocatable (EKS AL2023 kubelet reservations, node-allocatable.ts)
 *   of at least one instance type of a pool it can land on (node selector, required node
 *   affinity, taints and tolerations), next to the DaemonSets that land there too;
 * - every pool at its max size holds the pods that can land only on it (replicas x requests,
 *   and the pod count), with the DaemonSets taken on every node.
 * Each failure is one ConfigError line naming the workload or pool, the requests and the allocatable.
 *
 * A cluster whose pools are unknown (none added) is not checked.
 */
export class ClusterCapacity extends Construct {
  private readonly poolList: NodePoolCapacity[] = [];
  private readonly workloadList: CapacityWorkload[] = [];
  /** Path of the cluster the model belongs to, for error messages. */
  public readonly clusterPath: string;
  private uncheckedReason?: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.clusterPath = scope.node.path;
    addConfigValidation(this, () => this.problems());
    // The model in the synthesized JSON (Terraform ignores `//`): the in-cluster tests compare
    // it with what the charts render.
    TerraformStack.of(this).addOverride(`//.capacity.${this.node.addr}`, Lazy.anyValue({ produce: () => this.toJSON() }));
  }

  /**
   * Turns the synth checks off, saying why (an imported cluster whose node pools were not
   * declared): workloads are still recorded, and the reason is written to the model's JSON.
   */
  public skipChecks(reason: string): void {
    this.uncheckedReason = reason;
  }

  /** Why the checks are off, or undefined when they run. */
  public get skippedBecause(): string | undefined {
    return this.uncheckedReason;
  }

  /** The pools declared so far. */
  public get pools(): readonly NodePoolCapacity[] {
    return [...this.poolList];
  }

  /** The workloads declared so far. */
  public get workloads(): readonly CapacityWorkload[] {
    return [...this.workloadList];
  }

  /** Declares a node pool (the cluster does this for its own pools; an imported cluster's owner does it by hand). */
  public addPool(pool: NodePoolCapacity): void {
    const where = `${this.clusterPath}: capacity pool ${formatValue(pool.name)}`;
    const problems: string[] = [];
    if (this.poolList.some((p) => p.name === pool.name)) problems.push(`${where}: name is taken; every pool needs its own name`);
    if (!Token.isUnresolved(pool.maxNodes) && !(Number.isInteger(pool.maxNodes) && pool.maxNodes >= 0)) {
      problems.push(`${where}: maxNodes is ${formatValue(pool.maxNodes)}; must be a whole number >= 0`);
    }
    if (problems.length > 0) throw new ConfigError(problems);
    this.poolList.push(pool);
  }

  /**
   * Declares a workload that `scope` creates on this cluster (see the class documentation).
   * Throws a ConfigError for malformed requests or a workload declared twice.
   */
  public addWorkload(scope: IConstruct, options: WorkloadOptions): CapacityWorkload {
    const id = `${options.kind} ${options.namespace}/${options.name}`;
    const where = `${scope.node.path}: workload ${id}`;
    const problems: string[] = [];
    const { cpu, memory, gpus } = options.requests;
    if (cpu !== undefined && !Token.isUnresolved(cpu) && cpuQuantityProblem(cpu)) problems.push(`${where}: requests.cpu is ${formatValue(cpu)}; ${cpuQuantityProblem(cpu)}`);
    if (memory !== undefined && !Token.isUnresolved(memory) && memoryQuantityProblem(memory)) {
      problems.push(`${where}: requests.memory is ${formatValue(memory)}; ${memoryQuantityProblem(memory)}`);
    }
    if (gpus !== undefined && !(Number.isInteger(gpus) && gpus >= 0)) problems.push(`${where}: requests.gpus is ${formatValue(gpus)}; must be a whole number >= 0`);
    const replicas = options.kind === "DaemonSet" ? 1 : (options.replicas ?? 1);
    if (!Token.isUnresolved(replicas) && !(Number.isInteger(replicas) && replicas >= 0))
      problems.push(`${where}: replicas is ${formatValue(replicas)}; must be a whole number >= 0`);
    const taken = this.workloadList.find((w) => w.id === id);
    if (taken) problems.push(`${where}: already declared by ${taken.declaredBy}; declare each workload once`);
    if (problems.length > 0) throw new ConfigError(problems);
    const workload: CapacityWorkload = {
      ...options,
      declaredBy: scope.node.path,
      id,
      cpuMillicores: cpu === undefined || Token.isUnresolved(cpu) ? 0 : Math.round(cpuCores(cpu)! * 1000),
      memoryMiB: memory === undefined || Token.isUnresolved(memory) ? 0 : memoryBytes(memory)! / 2 ** 20,
      gpus: gpus ?? 0,
      replicas,
    };
    this.workloadList.push(workload);
    return workload;
  }

  /** Names of the pools a workload can land on (by selector, affinity and tolerations). */
  public poolsFor(workload: WorkloadOptions): string[] {
    return [
      ...new Set(
        this.shapes()
          .filter((s) => canLand(workload, s))
          .map((s) => s.pool.name),
      ),
    ];
  }

  /** The problems the synth validation reports ([] when every workload fits). */
  public problems(): string[] {
    if (this.uncheckedReason !== undefined || this.poolList.length === 0) return [];
    const shapes = this.shapes();
    const problems: string[] = [];
    for (const s of shapes) {
      if (!s.allocatable) {
        problems.push(
          `${this.clusterPath}: pool "${s.pool.name}": instance type ${s.instanceType} is in neither the GPU nor the system instance catalog: its capacity is unknown (add it to gpu-instances.ts or system-instances.ts with its sources)`,
        );
      }
    }
    const known = shapes.filter((s) => s.allocatable);
    const daemonSets = this.workloadList.filter((w) => w.kind === "DaemonSet");
    const overhead = new Map(known.map((s) => [s, usage(daemonSets.filter((d) => canLand(d, s)))]));
    for (const s of known) {
      const o = overhead.get(s)!;
      const a = s.allocatable!;
      if (o.cpuMillicores > a.cpuMillicores || o.memoryMiB > a.memoryMiB || o.pods > a.pods) {
        problems.push(
          `${this.clusterPath}: pool "${s.pool.name}": the DaemonSets on a ${s.instanceType} node (${o.names.join(", ")}) request ${formatUsage(o)}; ` +
            `the node allocates ${formatAllocatable(a)}: they do not fit, and nothing else would`,
        );
      }
    }
    // Reported once each: a workload that fits no node is not summed into its pool again below.
    const reported = new Set<CapacityWorkload>();
    for (const w of this.workloadList) {
      if (w.kind === "DaemonSet" || w.replicas === 0 || isUnresolvedWorkload(w)) continue;
      const landing = known.filter((s) => canLand(w, s));
      if (landing.length === 0) {
        reported.add(w);
        const why = this.poolList.map((p) => `pool "${p.name}" ${whyNot(w, p)}`).join("; ");
        problems.push(`${w.declaredBy}: ${w.id} (${formatPlacement(w)}) can land on no node pool: ${why}`);
        continue;
      }
      const fits = landing.some((s) => {
        const a = s.allocatable!;
        const o = overhead.get(s)!;
        return w.cpuMillicores + o.cpuMillicores <= a.cpuMillicores && w.memoryMiB + o.memoryMiB <= a.memoryMiB && w.gpus <= a.gpus && o.pods + 1 <= a.pods;
      });
      if (!fits) {
        reported.add(w);
        const tried = landing.map((s) => {
          const o = overhead.get(s)!;
          return `pool "${s.pool.name}" ${s.instanceType} allocates ${formatAllocatable(s.allocatable!)}, of which its DaemonSets take ${formatUsage(o)}`;
        });
        problems.push(
          `${w.declaredBy}: ${w.id} requests ${formatRequests(w)} per pod; it fits no node it can land on: ${tried.join("; ")}. ` +
            "Lower the requests, or give the pool a larger instance type",
        );
      }
    }
    for (const pool of this.poolList) {
      const poolShapes = known.filter((s) => s.pool === pool);
      if (poolShapes.length === 0 || Token.isUnresolved(pool.maxNodes)) continue;
      const only = this.workloadList.filter(
        (w) =>
          w.kind !== "DaemonSet" &&
          !reported.has(w) &&
          !isUnresolvedWorkload(w) &&
          w.replicas > 0 &&
          (() => {
            const landing = known.filter((s) => canLand(w, s));
            return landing.length > 0 && landing.every((s) => s.pool === pool);
          })(),
      );
      if (only.length === 0) continue;
      const need = { cpuMillicores: 0, memoryMiB: 0, pods: 0, gpus: 0 };
      for (const w of only) {
        need.cpuMillicores += w.cpuMillicores * w.replicas;
        need.memoryMiB += w.memoryMiB * w.replicas;
        need.gpus += w.gpus * w.replicas;
        need.pods += w.replicas;
      }
      // The smallest node of the pool, per resource: the autoscaler may pick any of its types.
      const per = {
        cpuMillicores: Math.min(...poolShapes.map((s) => s.allocatable!.cpuMillicores - overhead.get(s)!.cpuMillicores)),
        memoryMiB: Math.min(...poolShapes.map((s) => s.allocatable!.memoryMiB - overhead.get(s)!.memoryMiB)),
        pods: Math.min(...poolShapes.map((s) => s.allocatable!.pods - overhead.get(s)!.pods)),
        gpus: Math.min(...poolShapes.map((s) => s.allocatable!.gpus)),
      };
      const have = { cpuMillicores: per.cpuMillicores * pool.maxNodes, memoryMiB: per.memoryMiB * pool.maxNodes, pods: per.pods * pool.maxNodes, gpus: per.gpus * pool.maxNodes };
      if (need.cpuMillicores > have.cpuMillicores || need.memoryMiB > have.memoryMiB || need.pods > have.pods || need.gpus > have.gpus) {
        const o = overhead.get(poolShapes[0])!;
        problems.push(
          `${this.clusterPath}: pool "${pool.name}" at its max size (${pool.maxNodes} x ${pool.instanceTypes.join("/")}) cannot hold the ${need.pods} pods that can land only there: ` +
            `they request ${formatMiB(need)}${need.gpus > 0 ? `, ${need.gpus} GPUs` : ""} (${only.map((w) => `${w.id} x${w.replicas}: ${formatRequests(w)}`).join("; ")}); ` +
            `${pool.maxNodes} nodes allocate ${formatMiB(have)}, ${have.pods} pods${have.gpus > 0 ? `, ${have.gpus} GPUs` : ""} after the DaemonSets on every node (${o.names.join(", ") || "none"}). ` +
            "Raise the pool's max size or instance type, or lower the requests",
        );
      }
    }
    return problems;
  }

  /** The model as plain data (also written to the synthesized JSON under `//.capacity`). */
  public toJSON(): Record<string, unknown> {
    return {
      cluster: this.clusterPath,
      ...(this.uncheckedReason !== undefined ? { unchecked: this.uncheckedReason } : {}),
      pools: this.poolList.map((p) => ({ ...p, taints: p.taints ?? [] })),
      workloads: this.workloadList.map((w) => ({
        id: w.id,
        kind: w.kind,
        namespace: w.namespace,
        name: w.name,
        declaredBy: w.declaredBy,
        cpuMillicores: w.cpuMillicores,
        memoryMiB: w.memoryMiB,
        gpus: w.gpus,
        replicas: w.replicas,
        pools: this.poolsFor(w),
        nodeSelector: w.nodeSelector ?? {},
        nodeAffinity: w.nodeAffinity ?? [],
        tolerations: w.tolerations ?? [],
        ...(w.source ? { source: w.source } : {}),
      })),
    };
  }

  private shapes(): NodeShape[] {
    return this.poolList.flatMap((pool) =>
      pool.instanceTypes.map((instanceType) => {
        const capacity = instanceCapacity(instanceType);
        return {
          pool,
          instanceType,
          labels: { ...WELL_KNOWN_LABELS, ...pool.labels, [INSTANCE_TYPE_LABEL]: instanceType },
          capacity,
          allocatable: capacity ? nodeAllocatable(capacity) : undefined,
        };
      }),
    );
  }
}

function isUnresolvedWorkload(w: CapacityWorkload): boolean {
  return Token.isUnresolved(w.replicas) || [w.requests.cpu, w.requests.memory].some((v) => v !== undefined && Token.isUnresolved(v));
}

/** Kubernetes' toleration matching (k8s.io/api core/v1 Toleration.ToleratesTaint). */
export function tolerates(tolerations: readonly PodToleration[], taint: NodeTaint): boolean {
  return tolerations.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.key === undefined || t.key === "") return t.operator === "Exists";
    if (t.key !== taint.key) return false;
    return t.operator === "Exists" || (t.value ?? "") === (taint.value ?? "");
  });
}

function affinityHolds(expressions: readonly NodeSelectorRequirement[], labels: Readonly<Record<string, string>>): boolean {
  return expressions.every((e) => {
    const v = labels[e.key];
    switch (e.operator) {
      case "In":
        return v !== undefined && (e.values ?? []).includes(v);
      case "NotIn":
        return v === undefined || !(e.values ?? []).includes(v);
      case "Exists":
        return v !== undefined;
      case "DoesNotExist":
        return v === undefined;
    }
  });
}

function canLand(w: WorkloadOptions, s: NodeShape): boolean {
  if (Object.entries(w.nodeSelector ?? {}).some(([k, v]) => s.labels[k] !== v)) return false;
  if (!affinityHolds(w.nodeAffinity ?? [], s.labels)) return false;
  return (s.pool.taints ?? []).filter((t) => t.effect !== "PreferNoSchedule").every((t) => tolerates(w.tolerations ?? [], t));
}

function whyNot(w: WorkloadOptions, pool: NodePoolCapacity): string {
  const labels = { ...WELL_KNOWN_LABELS, ...pool.labels };
  const missing = Object.entries(w.nodeSelector ?? {}).filter(([k, v]) => labels[k] !== v);
  if (missing.length > 0) return `lacks the label${missing.length > 1 ? "s" : ""} ${missing.map(([k, v]) => `${k}=${v}`).join(", ")}`;
  const untolerated = (pool.taints ?? []).filter((t) => t.effect !== "PreferNoSchedule" && !tolerates(w.tolerations ?? [], t));
  if (untolerated.length > 0) return `has the taint ${untolerated.map((t) => `${t.key}=${t.value ?? ""}:${t.effect}`).join(", ")}, not tolerated`;
  return "fails the required node affinity on every instance type";
}

function usage(workloads: readonly CapacityWorkload[]): Usage {
  return {
    cpuMillicores: workloads.reduce((a, w) => a + w.cpuMillicores, 0),
    memoryMiB: workloads.reduce((a, w) => a + w.memoryMiB, 0),
    pods: workloads.length,
    names: workloads.map((w) => w.name),
  };
}

function formatMiB(r: { cpuMillicores: number; memoryMiB: number }): string {
  return `cpu ${Math.ceil(r.cpuMillicores)}m, memory ${Math.ceil(r.memoryMiB)}Mi`;
}

function formatRequests(w: CapacityWorkload): string {
  return `${formatMiB(w)}${w.gpus > 0 ? `, ${w.gpus} GPU${w.gpus > 1 ? "s" : ""}` : ""}`;
}

function formatUsage(o: Usage): string {
  return `${formatMiB(o)}, ${o.pods} pods`;
}

function formatAllocatable(a: NodeAllocatable): string {
  return `cpu ${a.cpuMillicores}m, memory ${Math.floor(a.memoryMiB)}Mi, ${a.gpus} GPUs, ${a.pods} pods`;
}

function formatPlacement(w: WorkloadOptions): string {
  const parts = [
    `nodeSelector ${JSON.stringify(w.nodeSelector ?? {})}`,
    ...(w.nodeAffinity?.length ? [`node affinity ${JSON.stringify(w.nodeAffinity)}`] : []),
    `tolerations ${JSON.stringify(w.tolerations ?? [])}`,
  ];
  return parts.join(", ");
}
