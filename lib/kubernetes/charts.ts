/**
 * Every Helm chart the library installs, pinned. Bumping a version here is a reviewed
 * change: the chart-values tests check the library's values against that version's
 * defaults (test/fixtures/charts/).
 */
export interface ChartRef {
  /** Chart name in its repository. */
  readonly chart: string;
  readonly repository: string;
  readonly version: string;
}

export const CHARTS = {
  kubePrometheusStack: { chart: "kube-prometheus-stack", repository: "https://prometheus-community.github.io/helm-charts", version: "88.5.3" },
  mlflow: { chart: "mlflow", repository: "https://community-charts.github.io/helm-charts", version: "1.11.5" },
  nvidiaDevicePlugin: { chart: "nvidia-device-plugin", repository: "https://nvidia.github.io/k8s-device-plugin", version: "0.20.0" },
  dcgmExporter: { chart: "dcgm-exporter", repository: "https://nvidia.github.io/dcgm-exporter/helm-charts", version: "4.8.2" },
  clusterAutoscaler: { chart: "cluster-autoscaler", repository: "https://kubernetes.github.io/autoscaler", version: "9.59.0" },
  feastFeatureServer: { chart: "feast-feature-server", repository: "https://feast-helm-charts.storage.googleapis.com", version: "0.66.0" },
  // Restarts workloads whose Secrets change (rotated database passwords): stakater/Reloader v1.4.21.
  reloader: { chart: "reloader", repository: "https://stakater.github.io/stakater-charts", version: "2.2.16" },
  // Not in the pinned reference data (test/fixtures/charts): its values keys cannot be checked there.
  // AWS's EFA device plugin: the chart version keeps its leading "v".
  awsEfaDevicePlugin: { chart: "aws-efa-k8s-device-plugin", repository: "https://aws.github.io/eks-charts", version: "v0.5.30" },
  externalSecrets: { chart: "external-secrets", repository: "https://charts.external-secrets.io", version: "0.19.2" },
  // Karpenter 1.14.1 (aws/karpenter-provider-aws charts/karpenter and charts/karpenter-crd @ v1.14.1):
  // the CRDs as their own release (upgraded with it, which the karpenter chart's crds/ folder never is),
  // then the controller without its crds/.
  karpenterCrd: { chart: "karpenter-crd", repository: "oci://public.ecr.aws/karpenter", version: "1.14.1" },
  karpenter: { chart: "karpenter", repository: "oci://public.ecr.aws/karpenter", version: "1.14.1" },
  // Demand-based autoscaling of endpoints (ScaledObjects with Prometheus triggers): KEDA 2.20.2.
  keda: { chart: "keda", repository: "https://kedacore.github.io/charts", version: "2.20.2" },
  // Progressive delivery of endpoints (Rollouts, AnalysisTemplates): Argo Rollouts v1.9.0.
  argoRollouts: { chart: "argo-rollouts", repository: "https://argoproj.github.io/argo-helm", version: "2.41.0" },
  // Kubeflow Trainer v2 (TrainJob, ClusterTrainingRuntime). It vendors JobSet (JOBSET_SUBCHART) and installs
  // it with itself (values jobset.install: true, kubeflow/trainer v2.3.0 charts/kubeflow-trainer/Chart.yaml):
  // a second, separate jobset release would fight it over the JobSet CRD and webhooks.
  kubeflowTrainer: { chart: "kubeflow-trainer", repository: "oci://ghcr.io/kubeflow/charts", version: "2.3.0" },
  // Kueue: team queues, quotas, gang admission (kubernetes-sigs/kueue v0.19.2 charts/kueue).
  kueue: { chart: "kueue", repository: "oci://registry.k8s.io/kueue/charts", version: "0.19.2" },
} as const satisfies Record<string, ChartRef>;

/** The Grafana chart that kube-prometheus-stack 88.5.3 pulls in as its `grafana` subchart. */
export const GRAFANA_SUBCHART: ChartRef = { chart: "grafana", repository: "https://grafana-community.github.io/helm-charts", version: "12.11.1" };

/** The JobSet chart that kubeflow-trainer 2.3.0 pulls in as its `jobset` subchart (on by default). */
export const JOBSET_SUBCHART: ChartRef = { chart: "jobset", repository: "oci://registry.k8s.io/jobset/charts", version: "0.12.0" };
