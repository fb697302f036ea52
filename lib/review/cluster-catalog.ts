/**
 * Facts the in-cluster configuration diff needs, with their sources.
 */

/**
 * Helm charts that install CustomResourceDefinitions. Removing such a release removes
 * the operator that reconciles its custom resources, and CRDs the chart templates (not
 * those in `crds/`, which Helm never deletes) go with it, together with every custom
 * resource of those kinds (ExternalSecrets, and the Secrets they own, are garbage
 * collected). Source: the chart's `crds/` directory in the project's pinned chart
 * reference data (shared/charts/<chart>-<version>/crds/, README there), checked against
 * it by test/lib/review/cluster-catalog.test.ts.
 */
export const CHARTS_WITH_CRDS: Readonly<Record<string, string>> = {
  "argo-rollouts": "shared/charts/argo-rollouts-2.41.0/crds/ (Rollout, AnalysisTemplate, ...)",
  "external-secrets": "shared/charts/external-secrets-0.19.2/crds/ (ExternalSecret, SecretStore, ...; installCRDs=true templates them)",
  jobset: "shared/charts/jobset-0.12.0/crds/ (JobSet)",
  karpenter: "shared/charts/karpenter-1.14.1/crds/ (NodePool, EC2NodeClass, NodeClaim)",
  "karpenter-crd": "shared/charts/karpenter-crd-1.14.1/crds/ (NodePool, EC2NodeClass, NodeClaim)",
  keda: "shared/charts/keda-2.20.2/crds/ (ScaledObject, ScaledJob, ...)",
  "kube-prometheus-stack": "shared/charts/kube-prometheus-stack-88.5.3/crds/ (prometheus-operator v0.93.1: Prometheus, ServiceMonitor, PrometheusRule, ...)",
  "kubeflow-trainer": "shared/charts/kubeflow-trainer-2.3.0/crds/ (TrainJob, TrainingRuntime, ...)",
  kueue: "shared/charts/kueue-0.19.2/crds/ (ClusterQueue, LocalQueue, Workload, ...)",
  lws: "shared/charts/lws-v0.8.0/crds/ (LeaderWorkerSet)",
  "node-feature-discovery": "shared/charts/node-feature-discovery-0.19.0/crds/ (NodeFeature, NodeFeatureRule, ...)",
};

/**
 * Fields the Kubernetes API server refuses to change on an existing object ("field is
 * immutable"): the kubernetes provider must delete and create the object again (typed
 * resources plan a replacement; `kubernetes_manifest` fails the apply). Paths are in the
 * object's API shape; typed resources use the provider's snake_case names (second entry).
 * Sources (kubernetes/kubernetes v1.33): pkg/apis/apps/validation/validation.go
 * (ValidateDeploymentUpdate, ValidateDaemonSetUpdate: spec.selector; ValidateStatefulSetUpdate:
 * only replicas, template, updateStrategy, persistentVolumeClaimRetentionPolicy,
 * minReadySeconds and ordinals may change) and pkg/apis/core/validation/validation.go
 * (ValidateServiceUpdate: spec.clusterIP / clusterIPs).
 */
export const IMMUTABLE_FIELDS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  Deployment: [["spec.selector", "spec.selector"]],
  DaemonSet: [["spec.selector", "spec.selector"]],
  ReplicaSet: [["spec.selector", "spec.selector"]],
  StatefulSet: [
    ["spec.selector", "spec.selector"],
    ["spec.volumeClaimTemplates", "spec.volume_claim_template"],
    ["spec.serviceName", "spec.service_name"],
    ["spec.podManagementPolicy", "spec.pod_management_policy"],
  ],
  Service: [
    ["spec.clusterIP", "spec.cluster_ip"],
    ["spec.clusterIPs", "spec.cluster_ips"],
  ],
  Job: [
    ["spec.selector", "spec.selector"],
    ["spec.template", "spec.template"],
  ],
};

/** Helm values paths that mean the release keeps data on persistent volumes. */
export const PERSISTENT_VALUES = [/(^|\.)persistence\.enabled$/, /(^|\.)storageSpec(\.|$)/, /(^|\.)volumeClaimTemplate(s)?(\.|\[|$)/, /(^|\.)persistentVolume\.enabled$/];
