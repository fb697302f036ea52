/**
 * Kubernetes versions the library deploys: versions that EKS offered (standard support)
 * and for which AL2023 NVIDIA AMIs were published when the pinned aws provider (5.100.0,
 * June 2025) was released. Adding a version is a reviewed change: check the EKS release
 * calendar and the add-on versions first.
 */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.30", "1.31", "1.32", "1.33"] as const;

export type KubernetesVersion = (typeof SUPPORTED_KUBERNETES_VERSIONS)[number];

/** The newest supported version: new clusters start there. */
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = "1.33";

export function isSupportedKubernetesVersion(version: string): version is KubernetesVersion {
  return (SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(version);
}

/**
 * cluster-autoscaler must match the cluster's minor version (its scheduler simulation is
 * built against that Kubernetes release); the chart's default image follows the newest.
 * Each is the newest patch release of its minor: the git tags cluster-autoscaler-<version>
 * of kubernetes/autoscaler, read 2026-08-22 (1.30.7 of 2025-10-29, 1.31.5 of 2025-10-08,
 * 1.32.7 of 2026-02-13, 1.33.6 of 2026-07-22). Patch releases carry the fixes (and CVE
 * rebuilds) of their minor: bump them here.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<KubernetesVersion, string>> = {
  "1.30": "v1.30.7",
  "1.31": "v1.31.5",
  "1.32": "v1.32.7",
  "1.33": "v1.33.6",
};
