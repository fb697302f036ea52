import { RuleGroup } from "../kubernetes/monitoring";

/** Thresholds of the training alerts. */
export interface TrainingAlertOptions {
  /** Minutes a ClusterQueue may hold pending workloads while admitting none before `TrainingQueueStuck`. @default 30 */
  readonly pendingMinutes?: number;
  /** GPU utilisation (percent) below which an allocated GPU counts as idle. @default 5 */
  readonly idleGpuUtilisationPercent?: number;
  /** Minutes a training pod's GPUs must stay idle before `TrainingGpusIdle`. @default 60 */
  readonly idleGpuMinutes?: number;
  /** Minutes a ClusterQueue must stay at its GPU quota with workloads waiting before `TrainingQueueAtQuota`. @default 60 */
  readonly atQuotaMinutes?: number;
}

export interface ResolvedTrainingAlerts {
  readonly pendingMinutes: number;
  readonly idleGpuUtilisationPercent: number;
  readonly idleGpuMinutes: number;
  readonly atQuotaMinutes: number;
}

export function resolveTrainingAlerts(o: TrainingAlertOptions = {}): ResolvedTrainingAlerts {
  return {
    pendingMinutes: o.pendingMinutes ?? 30,
    idleGpuUtilisationPercent: o.idleGpuUtilisationPercent ?? 5,
    idleGpuMinutes: o.idleGpuMinutes ?? 60,
    atQuotaMinutes: o.atQuotaMinutes ?? 60,
  };
}

const GPU = 'resource="nvidia.com/gpu"';

/**
 * The training alert rules. Kueue metric names and labels: kubernetes-sigs/kueue v0.19.2
 * pkg/metrics/metrics.go (kueue_pending_workloads{cluster_queue,status},
 * kueue_admitted_workloads_total{cluster_queue}, kueue_cluster_queue_resource_usage and
 * kueue_cluster_queue_nominal_quota{cohort,cluster_queue,flavor,resource}; the last two only with
 * the configuration's metrics.enableClusterQueueResources, which TrainingOperator sets). DCGM:
 * DCGM_FI_DEV_GPU_UTIL (dcgm-exporter default-counters.csv), whose pod and namespace labels reach
 * Prometheus as exported_pod / exported_namespace (the chart's ServiceMonitor has honorLabels: false).
 * `namespaces`: the training namespaces as a regex alternation (`a|b`; DNS labels need no escaping).
 */
export function trainingRuleGroups(alerts: ResolvedTrainingAlerts, namespaces: string): RuleGroup[] {
  return [
    {
      name: "ml-platform-training",
      rules: [
        {
          alert: "TrainingQueueStuck",
          // Pending for the whole period while nothing was admitted: the queue's jobs wait on quota or on
          // a flavor that fits them none, not on their turn.
          expr: `sum by (cluster_queue) (kueue_pending_workloads) > 0 unless on (cluster_queue) (sum by (cluster_queue) (increase(kueue_admitted_workloads_total[${alerts.pendingMinutes}m])) > 0)`,
          for: `${alerts.pendingMinutes}m`,
          severity: "warning",
          summary: `ClusterQueue {{ $labels.cluster_queue }} has had workloads pending admission for more than ${alerts.pendingMinutes}m and admitted none`,
          description:
            "{{ $value }} workloads wait. `kubectl get workloads -A -l kueue.x-k8s.io/queue-name` and `kubectl describe workload` show why (quota, no flavor fits, inadmissible).",
        },
        {
          alert: "TrainingGpusIdle",
          expr: `avg by (namespace, pod) (label_replace(label_replace(DCGM_FI_DEV_GPU_UTIL{exported_namespace=~"${namespaces}"}, "namespace", "$1", "exported_namespace", "(.+)"), "pod", "$1", "exported_pod", "(.+)")) < ${alerts.idleGpuUtilisationPercent}`,
          for: `${alerts.idleGpuMinutes}m`,
          severity: "warning",
          summary: `Pod {{ $labels.namespace }}/{{ $labels.pod }} holds GPUs that have been below ${alerts.idleGpuUtilisationPercent}% utilisation for ${alerts.idleGpuMinutes}m`,
          description: "Average utilisation {{ $value }}%. A hung job, a data loader bottleneck or a notebook left running keeps paid GPUs (and team quota) from other jobs.",
        },
        {
          alert: "TrainingQueueAtQuota",
          expr: `(sum by (cluster_queue, flavor) (kueue_cluster_queue_resource_usage{${GPU}}) >= (sum by (cluster_queue, flavor) (kueue_cluster_queue_nominal_quota{${GPU}}) > 0)) and on (cluster_queue) (sum by (cluster_queue) (kueue_pending_workloads) > 0)`,
          for: `${alerts.atQuotaMinutes}m`,
          severity: "warning",
          summary: `ClusterQueue {{ $labels.cluster_queue }} has used its whole GPU quota on flavor {{ $labels.flavor }} for ${alerts.atQuotaMinutes}m while workloads wait`,
          description: "{{ $value }} GPUs in use. Raise the team's gpuQuota (within the pool's maxNodes), or let it borrow more from its cohort.",
        },
      ],
    },
  ];
}
