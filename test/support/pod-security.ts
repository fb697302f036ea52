/**
 * The Pod Security Standards as the API server's Pod Security admission applies them to a
 * pod in a namespace labelled `pod-security.kubernetes.io/enforce: restricted`
 * (kubernetes.io/docs/concepts/security/pod-security-standards, Kubernetes 1.33: the
 * "Baseline" controls plus the "Restricted" ones). A pod this refuses would be rejected at
 * apply: its Deployment or DaemonSet would never get a pod.
 */

const NAMESPACE_LABEL = "pod-security.kubernetes.io/enforce";

/** Volume types the restricted level allows. */
const RESTRICTED_VOLUMES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

/** The pod spec of a workload object, or undefined for kinds that carry none. */
export function podSpecOf(object: any): any | undefined {
  switch (object?.kind) {
    case "Pod":
      return object.spec;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
    case "Rollout":
      return object.spec?.template?.spec;
    case "CronJob":
      return object.spec?.jobTemplate?.spec?.template?.spec;
    default:
      return undefined;
  }
}

/** The enforced level of a Namespace object, or undefined when it has none. */
export function enforcedLevel(namespace: any): string | undefined {
  return namespace?.metadata?.labels?.[NAMESPACE_LABEL];
}

/** Why the restricted level refuses this pod spec: one message per violation, empty when it is admitted. */
export function restrictedViolations(spec: any): string[] {
  const problems: string[] = [];
  const pod = spec?.securityContext ?? {};
  for (const host of ["hostNetwork", "hostPID", "hostIPC"]) if (spec?.[host]) problems.push(`${host}: true`);
  for (const v of spec?.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== "name");
    if (type && !RESTRICTED_VOLUMES.includes(type)) problems.push(`volume "${v.name}" is ${type}`);
  }
  if (pod.seccompProfile?.type === "Unconfined") problems.push("pod seccompProfile Unconfined");
  if (pod.runAsUser === 0) problems.push("pod runAsUser 0");
  if ((pod.sysctls ?? []).length > 0) problems.push("pod sysctls");
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])];
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const at = `container "${c.name}"`;
    if (sc.privileged) problems.push(`${at}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
    const drop: string[] = sc.capabilities?.drop ?? [];
    if (!drop.includes("ALL")) problems.push(`${at}: capabilities.drop does not include ALL`);
    const added = (sc.capabilities?.add ?? []).filter((cap: string) => cap !== "NET_BIND_SERVICE");
    if (added.length > 0) problems.push(`${at}: adds capabilities ${added.join(", ")}`);
    if (!(sc.runAsNonRoot ?? pod.runAsNonRoot)) problems.push(`${at}: runAsNonRoot is not true (pod or container)`);
    if (sc.runAsUser === 0) problems.push(`${at}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push(`${at}: seccompProfile is ${seccomp ?? "unset"} (pod or container)`);
    if (sc.procMount && sc.procMount !== "Default") problems.push(`${at}: procMount ${sc.procMount}`);
    for (const p of c.ports ?? []) if (p.hostPort) problems.push(`${at}: hostPort ${p.hostPort}`);
  }
  return problems;
}
