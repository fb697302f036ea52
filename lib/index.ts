/**
 * The package root (`import { ... } from "cdktf-ml-platform"`): the constructs, their props and
 * options, the enum-like classes and the catalogs a user picks values from. Tools are subpath
 * exports (package.json `exports`): `cdktf-ml-platform/policy` (the policy pack),
 * `cdktf-ml-platform/review` (plan reviews) and `cdktf-ml-platform/testing` (offline Terraform
 * and the upgrade harness). Everything else is internal and may change in any release.
 * test/api/exports.test.ts pins every entry point's names (test/api/exports/*.txt): adding or
 * removing one is a change of the public API and goes into CHANGELOG.md.
 */

// Environment, stacks, errors (lib/core)
export { ConfigError, exitOnConfigError } from "./core/errors";
export { Environment } from "./core/environment";
export type { EnvironmentConfig, EnvironmentTier, IEnvironmentScope, LocalStateBackend, S3StateBackend, StateBackendConfig } from "./core";
export { EnvironmentKey } from "./core/environment-key";
export type { EnvironmentKeyAttributes, EnvironmentKeyProps, IEnvironmentKey, KeyServiceUse } from "./core/environment-key";
export { ConditionalResources, DataProtection, InfraStack, PlatformStack } from "./core";
export type { ConditionOptions, ConditionRecord } from "./core";
export type { EnvironmentStackProps, InfraStackProps, PlatformStackProps } from "./core";

// Network (lib/network)
export { INTERFACE_ENDPOINT_SERVICES, Network } from "./network";
export type { INetwork, InterfaceEndpointService, NetworkAttributes, NetworkProps } from "./network";

// IAM (lib/iam)
export { ServiceAccountRole } from "./iam";
export type { IGrantable, OidcIdentity, PolicyStatement, ServiceAccountRoleOptions, ServiceAccountRoleProps } from "./iam";

// Storage (lib/storage)
export { AccessLogBucket, BootstrapStack, SecureBucket } from "./storage";
export type { BootstrapStackProps, SecureBucketProps } from "./storage";

// Kubernetes objects (lib/kubernetes)
export {
  ArgoRollouts,
  ClusterBaseline,
  Cpu,
  ExternalSecretsOperator,
  Memory,
  HelmChart,
  Keda,
  NamespaceNetworkPolicies,
  PrometheusQueryingController,
  PrometheusRule,
  Reloader,
  ServiceMonitor,
  SyncedSecret,
  GPU_MODEL_LABEL,
  GPU_NODE_LABEL,
  GPU_TAINT,
  GPU_TOLERATION,
  KARPENTER_DO_NOT_DISRUPT,
  POOL_LABEL,
} from "./kubernetes";
export type {
  AlertRule,
  AlertSeverity,
  ChartRef,
  ClusterBaselineProps,
  ControllerPrometheus,
  ControllerProps,
  ControllerRelease,
  ExternalSecretObjectProps,
  HelmChartProps,
  NamespaceNetworkPoliciesProps,
  NetworkAllow,
  NetworkPeer,
  NetworkPort,
  ExternalSecretsOperatorProps,
  PrometheusRuleProps,
  Protocol,
  ReloaderProps,
  ResolvedResources,
  ResourceRequests,
  RuleGroup,
  ServiceMonitorProps,
} from "./kubernetes";

// GPU training cluster (lib/gpu-cluster)
export {
  Capacity,
  ClusterAccessPolicy,
  ClusterCapacity,
  GpuClusterAddons,
  GpuInstance,
  GpuPool,
  GpuTrainingCluster,
  ImageRepository,
  KarpenterController,
  KarpenterResources,
  DEFAULT_KUBERNETES_VERSION,
  GPU_INSTANCES,
  INSTANCE_NETWORK_SOURCE,
  KUBELET_RESERVATIONS,
  SUPPORTED_KUBERNETES_VERSIONS,
  SYSTEM_INSTANCES,
} from "./gpu-cluster";
export type {
  CapacityType,
  ClusterAccessEntry,
  GpuClusterAddonsProps,
  GpuInstanceSpec,
  GpuWorstCase,
  PoolWorstCase,
  GpuPoolHost,
  GpuPoolInfo,
  GpuPoolOptions,
  GpuPoolProps,
  GpuTrainingClusterProps,
  ITrainingCluster,
  SystemNodePoolAttributes,
  TrainingClusterAttributes,
  ImageRepositoryProps,
  KubernetesVersion,
  SystemInstanceSpec,
  GpuProvisioner,
  KarpenterControllerProps,
  KarpenterResourcesHost,
  CapacityWorkload,
  InstanceCapacity,
  NodeAllocatable,
  NodePoolCapacity,
  NodeSelectorRequirement,
  NodeTaint,
  PodRequests,
  PodToleration,
  WorkloadKind,
  WorkloadOptions,
} from "./gpu-cluster";
export type { PoolSpec as GpuPoolSpec } from "./gpu-cluster/private/pool-spec";

// Distributed training (lib/training)
export { DistributedTraining, TrainingOperator, ncclAllReduceTrainJob, EFA_ENV, KUEUE, TEAM_LABEL, TEAM_NAMESPACE_LABEL, TRAINER } from "./training";
export type {
  DistributedTrainingProps,
  NcclAllReduceTestOptions,
  ResolvedTrainingAlerts,
  TrainingAlertOptions,
  TrainingOperatorProps,
  TeamServiceAccountRole,
  TrainingTeam,
  TrainingTeamOptions,
} from "./training";

// Observability (lib/observability)
export { AlertReceiver, GrafanaDashboard, Observability, ObservabilitySecrets, IN_CLUSTER_PROMETHEUS_URL } from "./observability";
export type {
  DashboardOptions,
  DashboardPanel,
  GrafanaDashboardProps,
  HeartbeatReceiverOptions,
  IObservabilitySecrets,
  ObservabilityProps,
  ObservabilitySecretsAttributes,
  ObservabilitySecretsProps,
  PagerDutyReceiverOptions,
  SecretSyncSource,
  PanelQuery,
  SlackReceiverOptions,
  SyncedSecretSource,
} from "./observability";

// Model endpoints (lib/endpoint)
export { DriftMonitor, InferenceLogBucket, MonitoredEndpoint, RolloutStrategy } from "./endpoint";
export type { DriftMonitoredEndpoint, DriftMonitorProps, DriftMonitorResources, IInferenceLogs, InferenceLogBucketProps } from "./endpoint";
export type {
  CanaryStep,
  EndpointDemandScaling,
  EndpointGaugeTrigger,
  EndpointRolloutOptions,
  QualityCheck,
  RolloutAnalysisOptions,
  BlueGreenOptions,
  Colour,
  EndpointAutoscaling,
  EndpointFeatures,
  EndpointGpu,
  EndpointMetricNames,
  EndpointMetricsOptions,
  EndpointSecretEnv,
  EndpointSloOptions,
  EndpointWorkload,
  ModelImage,
  ModelSource,
  ModelUri,
  MonitoredEndpointProps,
  ResolvedSlo,
  SloTarget,
  TrackingCredentials,
} from "./endpoint";

// Model registry (lib/model-registry)
export {
  MlflowDatabaseBootstrap,
  MlflowServer,
  ModelReference,
  ModelRegistry,
  RegistryAuth,
  RegistryDatabase,
  POSTGRES_VERSIONS,
  DEFAULT_POSTGRES_VERSION,
} from "./model-registry";
export type { MlflowClientKind } from "./model-registry/private/names";
export type {
  BasicAuthOptions,
  DbInstanceClassInfo,
  IModelRegistry,
  MlflowDatabaseBootstrapProps,
  MlflowLogLevel,
  MlflowPermission,
  MlflowServerProps,
  ModelRegistryProps,
  ModelSelector,
  ModelStage,
  OidcAuthOptions,
  ModelRegistryAttributes,
  PostgresMajorVersion,
  PostgresVersionInfo,
  RegistryAuthKind,
  RegistryDatabaseProps,
  RegistrySafetyOverrides,
  SafetyOverride,
} from "./model-registry";

// Feature store (lib/feature-store)
export { FeastImage, FeatureServer, FeatureStore } from "./feature-store";
export type {
  FeatureServerOptions,
  FeatureServerProps,
  FeatureStoreAttributes,
  FeatureStoreProps,
  IFeatureStore,
  MaterializationOptions,
  OfflineStoreOptions,
  OnlineStoreSecret,
  OnlineStoreType,
  RedisOnlineStoreAttributes,
  RedisOnlineStoreOptions,
} from "./feature-store";
