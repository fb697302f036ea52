import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";

/**
 * The one pod-security baseline of every workload the library creates, and of every
 * namespace it creates: the Pod Security Standards "restricted" profile
 * (kubernetes.io/docs/concepts/security/pod-security-standards, "Restricted", Kubernetes
 * 1.30 to 1.33): non-root with a fixed UID and GID, the runtime's default seccomp
 * profile, no privilege escalation, every capability dropped, and a read-only root
 * filesystem (not required by the profile; writable paths are emptyDir volumes).
 */

/**
 * Labels of every namespace the library creates: the API server's Pod Security admission
 * enforces "restricted" there (pods), warns the client and records an audit annotation for
 * workload objects whose pod template breaks it (a Deployment is admitted; only its pods are
 * refused), which the cluster's `audit` control-plane log keeps.
 */
export const RESTRICTED_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
};

/**
 * UID and GID of the library's workloads whose image does not fix its own user (model
 * servers, Feast). Above 10000, so that it never matches a user of the node.
 */
export const RESTRICTED_UID = 10001;

/**
 * UID and GID of training pods: they run the user's image, and 1000 is the first user an
 * image's `useradd` makes, so files a training image owns stay its own.
 */
export const TRAINING_UID = 1000;

/** A pod's `securityContext` in the Kubernetes API's field names (Helm values, `kubernetes_manifest`). */
export interface PodSecurityContext {
  readonly runAsNonRoot: true;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly fsGroup: number;
  readonly seccompProfile: { readonly type: "RuntimeDefault" };
}

/** A container's `securityContext` in the Kubernetes API's field names. */
export interface ContainerSecurityContext {
  readonly allowPrivilegeEscalation: false;
  readonly capabilities: { readonly drop: readonly ["ALL"] };
  readonly readOnlyRootFilesystem: true;
  readonly runAsNonRoot: true;
}

/**
 * The restricted pod `securityContext`. `uid` is the image's own user where the image
 * fixes one (MLflow's runs as 1001).
 */
export function restrictedPodSecurityContext(uid: number = RESTRICTED_UID): PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}

/** The restricted container `securityContext`. */
export function restrictedContainerSecurityContext(): ContainerSecurityContext {
  return { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true };
}

/**
 * The restricted container `securityContext` with a writable root filesystem, for
 * containers that run a user's image which writes where it likes (training: torch's
 * compile and hub caches, pip installs, checkpoints under the working directory). Everything
 * the restricted profile requires still holds; only the library's extra (read-only root) is off.
 */
export function restrictedWritableContainerSecurityContext(): Omit<ContainerSecurityContext, "readOnlyRootFilesystem"> & { readonly readOnlyRootFilesystem: false } {
  return { ...restrictedContainerSecurityContext(), readOnlyRootFilesystem: false };
}

/**
 * The same pod `securityContext` in the typed `*_v1` resources' form, whose user and
 * group IDs are strings.
 */
export function restrictedPodSecurityContextV1(uid: number = RESTRICTED_UID) {
  const c = restrictedPodSecurityContext(uid);
  return { runAsNonRoot: c.runAsNonRoot, runAsUser: String(c.runAsUser), runAsGroup: String(c.runAsGroup), fsGroup: String(c.fsGroup), seccompProfile: { ...c.seccompProfile } };
}

/** The same container `securityContext` in the typed `*_v1` resources' form. */
export function restrictedContainerSecurityContextV1() {
  const c = restrictedContainerSecurityContext();
  return { ...c, capabilities: { drop: [...c.capabilities.drop] } };
}

export interface RestrictedNamespaceProps {
  readonly name: string;
  /** Labels besides the Pod Security ones. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A namespace the library creates: a typed `kubernetes_namespace_v1` (construct ID `id`,
 * so its Terraform address is the caller's) with the restricted Pod Security labels.
 * Helm releases install into one of these, never with `createNamespace`, which makes a
 * namespace without labels.
 */
export function restrictedNamespace(scope: Construct, id: string, props: RestrictedNamespaceProps): NamespaceV1 {
  return new NamespaceV1(scope, id, {
    metadata: { name: props.name, labels: { ...(props.labels ?? {}), ...RESTRICTED_NAMESPACE_LABELS } },
    ...(props.dependsOn ? { dependsOn: props.dependsOn } : {}),
  });
}
