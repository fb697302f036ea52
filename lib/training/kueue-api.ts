/**
 * Facts of Kueue and Kubeflow Trainer the training constructs rely on, with their source.
 */
export const KUEUE = {
  /** Storage version of the Kueue CRDs (kueue 0.19.2 chart, templates/crd/*: v1beta2 served and stored). */
  api: "kueue.x-k8s.io/v1beta2",
  /** The label that puts a job in a LocalQueue (kubernetes-sigs/kueue v0.19.2 pkg/controller/constants: QueueLabel). */
  queueLabel: "kueue.x-k8s.io/queue-name",
  /**
   * The LocalQueue a job without a queue label goes to, when one of this name exists in its
   * namespace (v0.19.2 pkg/controller/jobframework/defaults.go, constants.DefaultLocalQueueName).
   */
  defaultLocalQueue: "default",
  /** Controller ports (kueue 0.19.2 chart values.yaml managerConfig and templates/manager/manager.yaml). */
  webhookPort: 9443,
  metricsPort: 8443,
  visibilityPort: 8082,
  /** The metrics Service's port name and labels (kueue 0.19.2 templates/manager/auth_proxy_service.yaml, values metricsService). */
  metricsServicePort: "https",
  metricsServiceLabels: { "app.kubernetes.io/name": "kueue", "app.kubernetes.io/component": "metrics-service" },
  /** The ClusterRole allowed to GET /metrics (kueue 0.19.2 templates/rbac/metrics_reader_role.yaml, `<fullname>-metrics-reader`). */
  metricsReaderRole: "kueue-metrics-reader",
  /** Integrations the platform uses (names from v0.19.2 pkg/controller/jobs/*: the chart's default list has twelve). */
  frameworks: ["trainer.kubeflow.org/trainjob", "jobset.x-k8s.io/jobset", "batch/job"],
  /** Node-local devices, not team quota (EFA interfaces, huge pages). */
  excludedResourcePrefixes: ["vpc.amazonaws.com/", "hugepages-"],
} as const;

export const TRAINER = {
  /** kubeflow-trainer 2.3.0 CRDs (templates/crd/trainer.kubeflow.org_*.yaml): v1alpha1. */
  api: "trainer.kubeflow.org/v1alpha1",
  /**
   * The label the runtime's trainer step carries; the controller finds the container named `node`
   * in it (kubeflow/trainer v2.3.0 charts/kubeflow-trainer/files/runtimes/torch-distributed.yaml).
   */
  ancestorLabel: "trainer.kubeflow.org/trainjob-ancestor-step",
  trainerStep: "trainer",
  /** The replicated job and container Trainer fills with the TrainJob's trainer settings (same file). */
  nodeJob: "node",
} as const;

/** Namespace label that lets Kueue manage every job of a team namespace (the configuration's managedJobsNamespaceSelector). */
export const TEAM_NAMESPACE_LABEL = "ml-platform/kueue-managed";
/** Namespace label naming the team. */
export const TEAM_LABEL = "ml-platform/team";

/**
 * EFA settings for NCCL over libfabric in the training containers of a multi-node pool, from
 * aws-samples/awsome-distributed-training micro-benchmarks/nccl-tests/kubernetes (the p5
 * NCCL test: FI_PROVIDER=efa, FI_EFA_USE_DEVICE_RDMA=1, FI_EFA_FORK_SAFE=1) and its
 * 1.architectures/efa-cheatsheet.md (FI_EFA_USE_HUGE_PAGE=0 when nodes reserve no huge pages:
 * the library's launch template reserves none, and PyTorch data loaders fork).
 */
export const EFA_ENV: Readonly<Record<string, string>> = {
  FI_PROVIDER: "efa",
  // GPUDirect RDMA: p4d and p5 read and write GPU memory over EFA without a copy through the host.
  FI_EFA_USE_DEVICE_RDMA: "1",
  FI_EFA_FORK_SAFE: "1",
  FI_EFA_USE_HUGE_PAGE: "0",
  NCCL_DEBUG: "WARN",
};
