import { Construct } from "constructs";
import { ConditionalResources } from "../core/stack-records";
import { Lazy, TerraformResource } from "cdktf";
import { KubernetesManifest } from "../kubernetes/private/manifest";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { IRSA_ROLE_ANNOTATION } from "../iam/service-account-role";
import { ConfigError, Validator, addConfigValidation, formatValue } from "../core/errors";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { imageReferenceProblem, namespaceProblem, objectNameProblem } from "../core/validators";
import { GpuPoolInfo, ITrainingCluster } from "../gpu-cluster/cluster-interface";
import { gpuInstanceSpec } from "../gpu-cluster/gpu-instances";
import { teamQuotaProblems } from "../gpu-cluster/gpu-budget";
import { GPU_TAINT, GPU_TOLERATION, PRIORITY_CLASSES } from "../kubernetes/kubernetes";
import { PrometheusRule, ServiceMonitor } from "../kubernetes/monitoring";
import { GrafanaDashboard } from "../observability/dashboard";
import { ALLOW, NamespaceNetworkPolicies } from "../kubernetes/network-policy";
import { TRAINING_UID, restrictedNamespace, restrictedPodSecurityContext, restrictedWritableContainerSecurityContext } from "../kubernetes/pod-security";
import { EFA_ENV, KUEUE, TEAM_LABEL, TEAM_NAMESPACE_LABEL, TRAINER } from "./kueue-api";
import { TrainingAlertOptions, ResolvedTrainingAlerts, resolveTrainingAlerts, trainingRuleGroups } from "./training-alerts";
import { TrainingOperator } from "./training-operator";

/** A team's share of the GPU pools: `training.addTeam("vision", { gpuQuota: { general: 8 } })`. */
export interface TrainingTeamOptions {
  /** The team's namespace (created with the restricted Pod Security level and default-deny NetworkPolicies). @default - the team's name */
  readonly namespace?: string;
  /**
   * GPUs the team is guaranteed per GPU pool, by pool name (the pool's Kueue ResourceFlavor).
   * CPU and memory quotas follow, in the proportion of the pool's smallest node. Pools not
   * listed get a quota of 0: the team may still borrow idle GPUs there from its cohort.
   */
  readonly gpuQuota: Readonly<Record<string, number>>;
  /** Most GPUs per pool the team may borrow from other teams' unused quota. @default - no limit beyond the cohort's idle quota */
  readonly gpuBorrowingLimit?: Readonly<Record<string, number>>;
  /**
   * The IRSA role the team's jobs run as, made in the infra stack for the team's namespace
   * (`cluster.addServiceAccountRole("vision-training", { namespace: "vision", serviceAccount: "training" })`)
   * and granted what the jobs read and write (`cluster.datasets.grantReadWrite(role)`). Its
   * ServiceAccount is created in the team's namespace, annotated with the role; jobs name it
   * in their pod template (`serviceAccountName`).
   * @default - no ServiceAccount: the team's jobs have no AWS access
   */
  readonly serviceAccountRole?: TeamServiceAccountRole;
}

/** What a team needs of its IRSA role (a ServiceAccountRole is one). */
export interface TeamServiceAccountRole {
  readonly roleArn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** A team as declared. */
export interface TrainingTeam {
  readonly name: string;
  readonly namespace: string;
  readonly gpuQuota: Readonly<Record<string, number>>;
  readonly gpuBorrowingLimit: Readonly<Record<string, number>>;
  /** The team's ClusterQueue (cluster-scoped, named after the team). */
  readonly clusterQueue: string;
  /** The LocalQueue in the team's namespace: `default`, so jobs without a queue label land in it. */
  readonly localQueue: string;
  /** The ServiceAccount of the team's IRSA role (`serviceAccountRole`), if any. */
  readonly serviceAccount?: string;
}

export interface DistributedTrainingProps {
  readonly cluster: ITrainingCluster;
  /** The controllers (addons stack): their CRDs must exist before this construct's objects are planned. */
  readonly operator: TrainingOperator;
  /** Kueue cohort of every team's ClusterQueue: teams borrow each other's idle GPUs inside it. @default "ml-platform" */
  readonly cohort?: string;
  /**
   * Image of the ClusterTrainingRuntimes' `node` container (a TrainJob's `trainer.image` replaces it).
   * @default "pytorch/pytorch:2.13.0-cuda13.0-cudnn9-runtime" (kubeflow-trainer 2.3.0's own torch-distributed runtime)
   */
  readonly runtimeImage?: string;
  /** Alert thresholds. @default - see TrainingAlertOptions */
  readonly alerts?: TrainingAlertOptions;
}

/** Families whose GPUs take GPUDirect RDMA over EFA (p4d, p5); on g5/g6 EFA carries host memory only. */
const GPUDIRECT_RDMA_FAMILIES = new Set(["p4d", "p5", "p5e", "p5en"]);
const DEFAULT_RUNTIME_IMAGE = "pytorch/pytorch:2.13.0-cuda13.0-cudnn9-runtime";

/** The ClusterTrainingRuntime name of a pool. */
export function runtimeNameOf(pool: string): string {
  return `torch-distributed-${pool}`;
}

/**
 * Distributed training for teams, in a platform stack: per GPU pool a Kueue ResourceFlavor (its
 * node labels and GPU taint) and a PyTorch ClusterTrainingRuntime (its node selector, toleration,
 * GPUs per node and, on multi-node pools, EFA interfaces and NCCL/libfabric settings); per team
 * (`addTeam`) a namespace (restricted Pod Security, default-deny NetworkPolicies), a ClusterQueue
 * with nominal GPU, CPU and memory quotas in a shared cohort, and its `default` LocalQueue; the
 * Kueue ServiceMonitor and the training alerts.
 *
 * A team's quota can never exceed what its pools hold (maxNodes x GPUs per node), and the teams'
 * quotas on a pool together cannot either: Kueue would admit jobs the pool has no nodes for.
 */
export class DistributedTraining extends Construct {
  public readonly cluster: ITrainingCluster;
  public readonly cohort: string;
  public readonly runtimeImage: string;
  public readonly alerts: ResolvedTrainingAlerts;
  public readonly kueueNamespace: string;
  /** ResourceFlavor manifests by pool name. */
  public readonly flavors = new Map<string, TerraformResource>();
  /** ClusterTrainingRuntime manifests by pool name. */
  public readonly runtimes = new Map<string, TerraformResource>();
  public readonly teams: TrainingTeam[] = [];
  public readonly kueueMonitor: ServiceMonitor;
  public readonly rules: PrometheusRule;
  /** Grafana's "Training queues" dashboard (uid `ml-platform-training`). */
  public readonly dashboard: GrafanaDashboard;
  /** The exact custom resources this construct applies (flavors, runtimes, queues, the ServiceMonitor), for schema checks in tests. */
  public readonly objects: Record<string, unknown>[] = [];
  private readonly pools: readonly GpuPoolInfo[];

  /** Namespaces whose GPU pods the idle-GPU alert watches: the cluster's shared training namespace and every team's. */
  public get trainingNamespaces(): string[] {
    return [...(this.cluster.trainingNamespace ? [this.cluster.trainingNamespace] : []), ...this.teams.map((t) => t.namespace)];
  }

  constructor(scope: Construct, id: string, props: DistributedTrainingProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      cluster: LibraryShapes.cluster,
      operator: Shape.instanceOf(TrainingOperator, "a TrainingOperator"),
      cohort: Shape.optional(Shape.string()),
      runtimeImage: Shape.optional(Shape.string()),
      alerts: Shape.optional(
        Shape.object(
          {
            pendingMinutes: Shape.optional(Shape.number()),
            idleGpuUtilisationPercent: Shape.optional(Shape.number()),
            idleGpuMinutes: Shape.optional(Shape.number()),
            atQuotaMinutes: Shape.optional(Shape.number()),
          },
          "alert thresholds",
        ),
      ),
    });
    this.cluster = props.cluster;
    this.cohort = props.cohort ?? "ml-platform";
    this.runtimeImage = props.runtimeImage ?? DEFAULT_RUNTIME_IMAGE;
    this.alerts = resolveTrainingAlerts(props.alerts);
    this.kueueNamespace = props.operator.kueueNamespace;
    const v = new Validator(this.node.path);
    v.checkProblem("cohort", this.cohort, objectNameProblem(this.cohort));
    v.checkProblem("runtimeImage", this.runtimeImage, imageReferenceProblem(this.runtimeImage));
    for (const [field, value] of Object.entries(this.alerts)) {
      const ok = field === "idleGpuUtilisationPercent" ? value > 0 && value < 100 : Number.isInteger(value) && value >= 1 && value <= 1440;
      v.check(
        ok,
        `alerts.${field}`,
        value,
        field === "idleGpuUtilisationPercent" ? "must be a percentage above 0 and below 100" : "must be a whole number of minutes from 1 to 1440",
      );
    }
    v.throwIfAny();
    // The pools as declared when this construct is built; addTeam's checks run again at synth
    // against the cluster's pools then, so a pool added later is judged too.
    this.pools = [...props.cluster.gpuPools];
    if (this.pools.length === 0) {
      throw new ConfigError([`${this.node.path}: cluster has no GPU pools; distributed training needs at least one (cluster.addGpuPool)`]);
    }

    for (const pool of this.pools) {
      // One construct per pool, named like the cluster's own pool constructs (recorded below).
      const poolScope = new Construct(this, `gpu-pool-${pool.name}`);
      this.flavors.set(
        pool.name,
        this.manifest(poolScope, "flavor", {
          apiVersion: KUEUE.api,
          kind: "ResourceFlavor",
          metadata: { name: pool.name },
          spec: {
            nodeLabels: { ...pool.nodeSelector },
            // Kueue assigns this flavor only to workloads that tolerate the pool's taint (the runtimes do).
            nodeTaints: [{ ...GPU_TAINT }],
          },
        }),
      );
      this.runtimes.set(pool.name, this.manifest(poolScope, "runtime", this.runtimeObject(pool)));
    }
    ConditionalResources.of(this).record("gpuPools", this.pools.map((p) => p.name).join(", "), {
      creates: this.pools.map((p) => `gpu-pool-${p.name}`),
      reason: "a Kueue ResourceFlavor and a PyTorch runtime per GPU pool of the cluster",
    });

    // Prometheus scrapes Kueue with its service account token (Kueue authorises GET /metrics through a
    // SubjectAccessReview; the kube-prometheus-stack Prometheus ClusterRole grants nonResourceURLs /metrics).
    // The certificate is Kueue's self-signed internal one: no CA to verify it against.
    this.kueueMonitor = new ServiceMonitor(this, "kueue-monitor", {
      name: "kueue",
      namespace: this.kueueNamespace,
      selector: { ...KUEUE.metricsServiceLabels },
      port: KUEUE.metricsServicePort,
      scheme: "https",
      tlsInsecureSkipVerify: true,
      bearerTokenFromServiceAccount: true,
    });
    this.objects.push(this.kueueMonitor.object);
    this.rules = new PrometheusRule(this, "alerts", {
      name: "ml-platform-training",
      namespace: this.kueueNamespace,
      // The idle-GPU alert watches the shared training namespace and every team's, including
      // teams added after this construct: the namespace list is resolved at synth.
      groups: trainingRuleGroups(this.alerts, Lazy.stringValue({ produce: () => this.trainingNamespaces.join("|") })),
    });

    const namespaces = Lazy.stringValue({ produce: () => this.trainingNamespaces.join("|") });
    this.dashboard = new GrafanaDashboard(this, "dashboard", {
      name: "ml-platform-training",
      namespace: this.kueueNamespace,
      uid: "ml-platform-training",
      title: "Training queues (Kueue) and training GPUs",
      tags: ["ml-platform", "training", "kueue"],
      panels: [
        { title: "Workloads pending admission, per team queue", queries: [{ expr: "sum by (cluster_queue) (kueue_pending_workloads)", legend: "{{cluster_queue}}" }] },
        {
          title: "GPUs in use and nominal quota, per team queue and pool",
          queries: [
            { expr: 'sum by (cluster_queue, flavor) (kueue_cluster_queue_resource_usage{resource="nvidia.com/gpu"})', legend: "{{cluster_queue}} {{flavor}} in use" },
            { expr: 'sum by (cluster_queue, flavor) (kueue_cluster_queue_nominal_quota{resource="nvidia.com/gpu"})', legend: "{{cluster_queue}} {{flavor}} quota" },
          ],
        },
        {
          title: "Admission wait (p90), per team queue",
          unit: "s",
          queries: [{ expr: "histogram_quantile(0.9, sum by (cluster_queue, le) (rate(kueue_admission_wait_time_seconds_bucket[30m])))", legend: "{{cluster_queue}}" }],
        },
        {
          title: "GPU utilisation per training pod",
          unit: "percent",
          description: "dcgm-exporter's per-GPU utilisation, averaged over each pod's GPUs (its pod labels arrive as exported_namespace / exported_pod)",
          queries: [
            { expr: `avg by (exported_namespace, exported_pod) (DCGM_FI_DEV_GPU_UTIL{exported_namespace=~"${namespaces}"})`, legend: "{{exported_namespace}}/{{exported_pod}}" },
          ],
        },
      ],
    });

    addConfigValidation(this, () => {
      const pools = this.cluster.gpuPools;
      return [...this.teams.flatMap((t) => this.teamProblems(t, pools)), ...teamQuotaProblems(this.node.path, pools, this.teams)];
    });
  }

  /**
   * Adds a team: its namespace, ClusterQueue and `default` LocalQueue. Throws a ConfigError for a
   * quota on a pool the cluster does not have, or above what the pool holds.
   */
  public addTeam(name: string, options: TrainingTeamOptions): TrainingTeam {
    const where = `${this.node.path}/team "${name}"`;
    checkShape(
      where,
      { name, options },
      {
        name: Shape.string(),
        options: Shape.object(
          {
            namespace: Shape.optional(Shape.string()),
            gpuQuota: Shape.record(Shape.number()),
            gpuBorrowingLimit: Shape.optional(Shape.record(Shape.number())),
            serviceAccountRole: Shape.optional(LibraryShapes.serviceAccountRole),
          },
          "team options { gpuQuota, namespace?, gpuBorrowingLimit?, serviceAccountRole? }",
        ),
      },
    );
    const team: TrainingTeam = {
      name,
      namespace: options.namespace ?? name,
      gpuQuota: { ...options.gpuQuota },
      gpuBorrowingLimit: { ...(options.gpuBorrowingLimit ?? {}) },
      clusterQueue: name,
      localQueue: KUEUE.defaultLocalQueue,
      ...(options.serviceAccountRole ? { serviceAccount: options.serviceAccountRole.serviceAccount } : {}),
    };
    const v = new Validator(where);
    v.check(
      objectNameProblem(name) === undefined && !name.includes("."),
      "name",
      name,
      "must be a DNS label (lowercase letters, digits, '-'): it names the team's ClusterQueue and, by default, its namespace",
    );
    v.checkProblem("namespace", team.namespace, namespaceProblem(team.namespace));
    v.check(!this.teams.some((t) => t.name === name), "name", name, "a team of that name already exists: every team needs its own name");
    v.check(!this.teams.some((t) => t.namespace === team.namespace), "namespace", team.namespace, "another team already uses this namespace: each team has its own");
    v.check(
      team.namespace !== this.cluster.trainingNamespace,
      "namespace",
      team.namespace,
      "is the cluster's shared training namespace (GpuClusterAddons owns it): choose a namespace of the team's own",
    );
    const role = options.serviceAccountRole;
    if (role) {
      v.check(
        role.namespace === team.namespace,
        "serviceAccountRole",
        `${role.namespace}/${role.serviceAccount}`,
        `must be a role of a service account in the team's namespace "${team.namespace}": IRSA trusts that namespace and account only`,
      );
      v.checkProblem("serviceAccountRole.serviceAccount", role.serviceAccount, objectNameProblem(role.serviceAccount));
    }
    v.addProblems(this.teamProblems(team, this.cluster.gpuPools));
    v.throwIfAny();
    const quotaProblems = teamQuotaProblems(this.node.path, this.cluster.gpuPools, [...this.teams, team]);
    if (quotaProblems.length > 0) throw new ConfigError(quotaProblems);
    this.teams.push(team);
    this.createTeam(team, role);
    return team;
  }

  /** Unknown pools, negative or fractional quotas, quotas above the pool's capacity. */
  private teamProblems(team: TrainingTeam, pools: readonly GpuPoolInfo[]): string[] {
    const where = `${this.node.path}/team "${team.name}"`;
    const byName = new Map(pools.map((p) => [p.name, p]));
    const problems: string[] = [];
    const known = pools.map((p) => `"${p.name}"`).join(", ");
    for (const field of ["gpuQuota", "gpuBorrowingLimit"] as const) {
      for (const [pool, gpus] of Object.entries(team[field])) {
        const info = byName.get(pool);
        if (!info) {
          problems.push(
            `${where}: ${field}.${pool} is ${formatValue(gpus)}; "${pool}" is not a GPU pool of the cluster (pools: ${known}): a quota needs the pool's ResourceFlavor`,
          );
          continue;
        }
        if (!Number.isInteger(gpus) || gpus < 0) {
          problems.push(`${where}: ${field}.${pool} is ${formatValue(gpus)}; must be a whole number of GPUs >= 0`);
          continue;
        }
        const capacity = info.maxNodes * info.gpusPerNode;
        if (field === "gpuQuota" && gpus > capacity) {
          problems.push(
            `${where}: gpuQuota.${pool} is ${gpus}; pool "${pool}" holds at most ${capacity} GPUs (maxNodes ${info.maxNodes} x ${info.gpusPerNode} ${info.gpuModel} per node): ` +
              `Kueue would admit jobs no node can run; lower the quota or raise the pool's maxNodes`,
          );
        }
      }
    }
    if (Object.values(team.gpuQuota).every((g) => g === 0) && Object.keys(team.gpuQuota).length > 0) {
      problems.push(`${where}: gpuQuota is ${formatValue(team.gpuQuota)}; give the team at least one GPU on one pool (a team without quota only ever borrows)`);
    }
    return problems;
  }

  private createTeam(team: TrainingTeam, role: TeamServiceAccountRole | undefined): void {
    const id = `team-${team.name}`;
    // Restricted like every namespace of the library: training pods need no privilege (EFA devices
    // come from the device plugin, NCCL runs as a user).
    const ns = restrictedNamespace(this, `${id}-namespace`, {
      name: team.namespace,
      labels: { [TEAM_LABEL]: team.name, [TEAM_NAMESPACE_LABEL]: "true", "ml-platform/purpose": "training" },
    });
    // Workers of a job talk to each other (NCCL, the torchrun rendezvous: any port); jobs read
    // datasets (S3), pull from ECR and log to MLflow.
    new NamespaceNetworkPolicies(this, `${id}-network-policies`, {
      namespace: team.namespace,
      dependsOn: [ns],
      allows: [ALLOW.https(), ...ALLOW.withinNamespace(), ALLOW.platformServices()],
    });
    if (role) {
      // The team's jobs run as this account: IRSA's webhook projects the web identity token for the role.
      // No Kubernetes API token: torchrun's rendezvous and NCCL do not call the API server.
      new ServiceAccountV1(this, `${id}-service-account`, {
        metadata: {
          name: role.serviceAccount,
          namespace: team.namespace,
          labels: { [TEAM_LABEL]: team.name },
          annotations: { [IRSA_ROLE_ANNOTATION]: role.roleArn },
        },
        automountServiceAccountToken: false,
        dependsOn: [ns],
      });
    }
    const clusterQueue = this.manifest(this, `${id}-cluster-queue`, {
      apiVersion: KUEUE.api,
      kind: "ClusterQueue",
      metadata: { name: team.clusterQueue, labels: { [TEAM_LABEL]: team.name } },
      spec: {
        cohortName: this.cohort,
        // Only the team's namespace may submit to its queue.
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": team.namespace } },
        queueingStrategy: "BestEffortFIFO",
        preemption: {
          // A team takes back its lent quota from borrowers; inside the queue, priority decides.
          reclaimWithinCohort: "Any",
          withinClusterQueue: "LowerPriority",
        },
        resourceGroups: [
          {
            coveredResources: ["cpu", "memory", "nvidia.com/gpu"],
            // Pools with the team's quota first: Kueue tries flavors in order.
            flavors: [...this.pools]
              .sort((a, b) => Number((team.gpuQuota[b.name] ?? 0) > 0) - Number((team.gpuQuota[a.name] ?? 0) > 0))
              .map((pool) => {
                const gpus = team.gpuQuota[pool.name] ?? 0;
                const share = nodeShare(pool);
                const borrow = team.gpuBorrowingLimit[pool.name];
                return {
                  name: pool.name,
                  resources: [
                    { name: "cpu", nominalQuota: String(gpus * share.cpu) },
                    { name: "memory", nominalQuota: `${gpus * share.memoryGiB}Gi` },
                    { name: "nvidia.com/gpu", nominalQuota: String(gpus), ...(borrow !== undefined ? { borrowingLimit: String(borrow) } : {}) },
                  ],
                };
              }),
          },
        ],
      },
    });
    for (const flavor of this.flavors.values()) clusterQueue.node.addDependency(flavor);
    const localQueue = this.manifest(this, `${id}-local-queue`, {
      apiVersion: KUEUE.api,
      kind: "LocalQueue",
      metadata: { name: team.localQueue, namespace: team.namespace },
      spec: { clusterQueue: team.clusterQueue },
    });
    localQueue.node.addDependency(ns, clusterQueue);
  }

  /** The PyTorch runtime of one pool. */
  private runtimeObject(pool: GpuPoolInfo): Record<string, unknown> {
    const efa = pool.efaInterfacesPerNode > 0;
    const rdma = efa && pool.instanceTypes.every((t) => GPUDIRECT_RDMA_FAMILIES.has(t.split(".")[0]));
    const env = efa ? Object.entries({ ...EFA_ENV, ...(rdma ? {} : { FI_EFA_USE_DEVICE_RDMA: "0" }) }).map(([name, value]) => ({ name, value })) : [];
    const limits: Record<string, string> = { "nvidia.com/gpu": String(pool.gpusPerNode), ...(efa ? { "vpc.amazonaws.com/efa": String(pool.efaInterfacesPerNode) } : {}) };
    return {
      apiVersion: TRAINER.api,
      kind: "ClusterTrainingRuntime",
      metadata: { name: runtimeNameOf(pool.name), labels: { "trainer.kubeflow.org/framework": "torch", "ml-platform/pool": pool.name } },
      spec: {
        mlPolicy: { numNodes: 1, torch: {} },
        template: {
          spec: {
            replicatedJobs: [
              {
                name: TRAINER.nodeJob,
                template: {
                  metadata: { labels: { [TRAINER.ancestorLabel]: TRAINER.trainerStep } },
                  spec: {
                    template: {
                      // On a Karpenter pool, karpenter.sh/do-not-disrupt: consolidation never evicts a running job.
                      ...(Object.keys(pool.podAnnotations ?? {}).length > 0 ? { metadata: { annotations: { ...pool.podAnnotations } } } : {}),
                      spec: {
                        nodeSelector: { ...pool.nodeSelector },
                        tolerations: [{ ...GPU_TOLERATION }],
                        priorityClassName: PRIORITY_CLASSES.training,
                        securityContext: restrictedPodSecurityContext(TRAINING_UID),
                        containers: [
                          {
                            name: TRAINER.nodeJob,
                            image: this.runtimeImage,
                            env,
                            resources: { limits },
                            // The user's image writes where it likes (caches, checkpoints): a writable root, otherwise restricted.
                            securityContext: restrictedWritableContainerSecurityContext(),
                            // NCCL moves data between the processes of a node through /dev/shm: the runtime's 64Mi default breaks it.
                            volumeMounts: [{ name: "dshm", mountPath: "/dev/shm" }],
                          },
                        ],
                        volumes: [{ name: "dshm", emptyDir: { medium: "Memory" } }],
                      },
                    },
                  },
                },
              },
            ],
          },
        },
      },
    };
  }

  private manifest(scope: Construct, id: string, object: Record<string, unknown>): TerraformResource {
    this.objects.push(object);
    return new KubernetesManifest(scope, id, { manifest: object });
  }
}

/** CPU and memory that come with one GPU of a pool: its smallest node type divided by its GPUs. */
export function nodeShare(pool: GpuPoolInfo): { cpu: number; memoryGiB: number } {
  const specs = pool.instanceTypes.map((t) => gpuInstanceSpec(t)).filter((s): s is NonNullable<typeof s> => s !== undefined);
  if (specs.length === 0) return { cpu: 0, memoryGiB: 0 };
  return {
    cpu: Math.min(...specs.map((s) => Math.floor(s.vcpu / s.gpuCount))),
    memoryGiB: Math.min(...specs.map((s) => Math.floor(s.memoryGiB / s.gpuCount))),
  };
}
