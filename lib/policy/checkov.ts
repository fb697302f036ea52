import { packRule } from "./pack";
import { recordedSuppressions, suppressionCovers } from "./suppressions";

/**
 * The policy pack's decisions in checkov's terms, so that checkov (an independent gate) and the
 * pack never disagree:
 *
 * - every suppression recorded in a stack (`PolicySuppressions`) becomes a skip of the pack rule's
 *   checkov ID(s) on each resource the suppression covers;
 * - `CHECKOV_NOT_ADOPTED` lists the checkov checks the pack deliberately does not adopt, each with
 *   its reason and the blocks it concerns.
 *
 * checkov 3.3's terraform_json runner reads no inline skip comments from `.tf.json` (its context
 * parser is not built for it), so the skips are data: `checkovSkips(tfJson)` lists them per block,
 * for a gate that filters checkov's JSON report (test/integration/checkov.test.ts) or for a checkov
 * `--baseline` file (`checkovBaseline`).
 */
export interface CheckovSkip {
  /** e.g. `CKV_AWS_157` */
  readonly checkovId: string;
  /** `type.name` of the block (`aws_db_instance.x`; `aws_iam_policy_document.x` for a data block). */
  readonly resource: string;
  readonly kind: "resource" | "data";
  readonly reason: string;
  /** `pack suppression RDS-MULTI-AZ` or `not adopted` */
  readonly source: string;
}

/** A checkov check the pack does not adopt, for some blocks, with the reason. */
export interface CheckovNotAdopted {
  readonly checkovId: string;
  /** Terraform block type (`aws_s3_bucket`), or `data.<type>` for data blocks. */
  readonly blockType: string;
  readonly reason: string;
  /** Only the blocks for which this holds. @default - every block of blockType */
  readonly only?: (name: string, tfJson: Record<string, any>) => boolean;
}

/**
 * Workload checks the pack does not adopt, with why. checkov runs them twice over the same Deployments: its kubernetes
 * framework on the objects (`CHECKOV_KUBERNETES_NOT_ADOPTED`) and its terraform framework on typed
 * `kubernetes_deployment_v1` blocks (`CHECKOV_NOT_ADOPTED`); one decision, one reason.
 */
const WORKLOAD_NOT_ADOPTED = [
  {
    checkovId: "CKV_K8S_11",
    reason: "no CPU limits by design: CFS quotas throttle latency-sensitive servers while the node has idle CPU; CPU requests " + "and memory limits are set",
  },
  {
    checkovId: "CKV_K8S_15",
    reason:
      "images are pinned to version tags (the library's own in ECR with immutable tags): IfNotPresent is correct, and " + "Always would make pod starts depend on the registry",
  },
  {
    checkovId: "CKV_K8S_43",
    reason: "images are pinned to version tags, ECR tags are immutable (ECR-IMMUTABLE-TAGS); digest pinning is left to the " + "release process that builds the images",
  },
] as const;

/** True when the data block `aws_iam_policy_document.<name>` is the policy of an aws_kms_key (a key policy). */
function isKeyPolicy(name: string, tfJson: Record<string, any>): boolean {
  const ref = `\${data.aws_iam_policy_document.${name}.json}`;
  return Object.values<any>(tfJson.resource?.aws_kms_key ?? {}).some((k) => k.policy === ref);
}

const KEY_POLICY =
  'a KMS key policy, not an identity policy: its "*" resource means "this key", and the root-account and ' +
  "administrator statements are what keeps the key manageable (the pack's KMS-WILDCARD-PRINCIPAL judges key policies)";

export const CHECKOV_NOT_ADOPTED: readonly CheckovNotAdopted[] = [
  // The typed Deployments of endpoints and drift monitors, seen by checkov's terraform framework.
  ...WORKLOAD_NOT_ADOPTED.map((w) => ({ ...w, blockType: "kubernetes_deployment_v1" })),
  { checkovId: "CKV_AWS_109", blockType: "data.aws_iam_policy_document", only: isKeyPolicy, reason: KEY_POLICY },
  { checkovId: "CKV_AWS_111", blockType: "data.aws_iam_policy_document", only: isKeyPolicy, reason: KEY_POLICY },
  { checkovId: "CKV_AWS_356", blockType: "data.aws_iam_policy_document", only: isKeyPolicy, reason: KEY_POLICY },
  {
    checkovId: "CKV2_AWS_62",
    blockType: "aws_s3_bucket",
    reason: "no consumer of S3 event notifications exists on the platform; an empty notification configuration adds nothing",
  },
  {
    checkovId: "CKV_AWS_144",
    blockType: "aws_s3_bucket",
    reason:
      "the platform is single-region by design (one environment key, one region per environment); cross-region " +
      "replication is a disaster-recovery decision per organisation; buckets are versioned with noncurrent versions kept",
  },
  {
    checkovId: "CKV2_AWS_57",
    blockType: "aws_secretsmanager_secret",
    reason:
      "checkov accepts only a rotation Lambda (aws_secretsmanager_secret_rotation); the pack's SECRETS-ROTATION also " +
      "accepts a platform job (tag ml-platform/rotation=in-cluster: MLflow's database login) and an operator runbook with a " +
      "declared max age (ml-platform/max-age-days: receiver keys, admin and client passwords; lib/observability/README.md, Rotation); " +
      "RDS's master password is RDS-managed",
    only: (name, tfJson) => ["in-cluster", "operator"].includes(tfJson.resource?.aws_secretsmanager_secret?.[name]?.tags?.["ml-platform/rotation"]),
  },
];

/** Every block of the stack as checkov names it, with its construct path when cdktf recorded one. */
function blocks(tfJson: Record<string, any>): { kind: "resource" | "data"; type: string; name: string; path?: string }[] {
  const out: { kind: "resource" | "data"; type: string; name: string; path?: string }[] = [];
  for (const kind of ["resource", "data"] as const) {
    for (const [type, byName] of Object.entries<any>(tfJson[kind] ?? {})) {
      for (const [name, config] of Object.entries<any>(byName ?? {})) {
        if (name === "//") continue;
        out.push({ kind, type, name, path: config?.["//"]?.metadata?.path });
      }
    }
  }
  return out;
}

/** checkov IDs of a pack rule (`CKV_AWS_3/CKV_AWS_8` is two). */
export function checkovIdsOf(ruleId: string): string[] {
  return (packRule(ruleId)?.checkovId ?? "").split("/").filter(Boolean);
}

/** The checkov skips of one synthesized stack (cdktf output or plain Terraform JSON). */
export function checkovSkips(tfJson: object): CheckovSkip[] {
  const json = tfJson as Record<string, any>;
  const skips: CheckovSkip[] = [];
  const all = blocks(json);
  for (const s of recordedSuppressions(json)) {
    for (const b of all) {
      if (b.kind !== "resource" || !suppressionCovers(s, b.path, `${b.type}.${b.name}`)) continue;
      for (const checkovId of checkovIdsOf(s.ruleId)) {
        skips.push({ checkovId, resource: `${b.type}.${b.name}`, kind: b.kind, reason: s.reason, source: `pack suppression ${s.ruleId}` });
      }
    }
  }
  for (const n of CHECKOV_NOT_ADOPTED) {
    for (const b of all) {
      const type = b.kind === "data" ? `data.${b.type}` : b.type;
      if (type !== n.blockType || (n.only && !n.only(b.name, json))) continue;
      skips.push({ checkovId: n.checkovId, resource: `${b.type}.${b.name}`, kind: b.kind, reason: n.reason, source: "not adopted" });
    }
  }
  return skips;
}

/**
 * True when the skip covers a failed check of checkov's JSON report (`check_id`, `resource`). checkov 3.3.30's
 * terraform_json runner names a block `type.name` in graph checks (CKV2_*) but `resource.name` / `data.name`
 * in the others; cdktf's logical names are unique within a stack, so the name alone identifies the block.
 */
export function checkovSkipCovers(skip: CheckovSkip, failed: { readonly check_id: string; readonly resource: string }): boolean {
  const name = (address: string) => address.slice(address.indexOf(".") + 1);
  return skip.checkovId === failed.check_id && name(skip.resource) === name(failed.resource);
}

/**
 * The skips as a checkov baseline (`checkov --baseline <file>`) for one stack's file. checkov matches a
 * baseline entry by resource and check ID only, so use one baseline per stack (one checkov run per stack).
 */
export function checkovBaseline(tfJson: object, file: string): { failed_checks: { file: string; findings: { resource: string; check_ids: string[] }[] }[] } {
  const byResource = new Map<string, Set<string>>();
  const add = (resource: string, id: string) => {
    if (!byResource.has(resource)) byResource.set(resource, new Set());
    byResource.get(resource)!.add(id);
  };
  for (const s of checkovSkips(tfJson)) {
    // Both spellings checkov uses for the block (see checkovSkipCovers).
    add(s.resource, s.checkovId);
    add(`${s.kind}.${s.resource.slice(s.resource.indexOf(".") + 1)}`, s.checkovId);
  }
  const findings = [...byResource.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([resource, ids]) => ({ resource, check_ids: [...ids].sort() }));
  return { failed_checks: [{ file, findings }] };
}

/**
 * The Kubernetes objects' side: checkov's `kubernetes` framework over the objects the library builds
 * (typed `kubernetes_*` resources and `kubernetes_manifest`s, converted to the objects the provider
 * applies). A check the pack does not adopt, for some objects, with the reason.
 */
export interface CheckovKubernetesNotAdopted {
  readonly checkovId: string;
  readonly reason: string;
  /** Only the objects for which this holds, given every object of the set. @default - every workload */
  readonly only?: (object: any, all: readonly any[]) => boolean;
}

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"];

/** The pod spec of a workload object. */
function podSpec(o: any): any {
  if (o?.kind === "Pod") return o.spec;
  if (o?.kind === "CronJob") return o.spec?.jobTemplate?.spec?.template?.spec;
  return o?.spec?.template?.spec;
}

/** The pod's ServiceAccount, found in the same set, disables token automounting (and the pod does not turn it back on). */
function serviceAccountDisablesToken(o: any, all: readonly any[]): boolean {
  const spec = podSpec(o);
  if (!spec || spec.automountServiceAccountToken === true) return false;
  const name = spec.serviceAccountName ?? "default";
  return all.some(
    (sa) =>
      sa?.kind === "ServiceAccount" &&
      sa.metadata?.name === name &&
      (sa.metadata?.namespace ?? "default") === (o.metadata?.namespace ?? "default") &&
      sa.automountServiceAccountToken === false,
  );
}

export const CHECKOV_KUBERNETES_NOT_ADOPTED: readonly CheckovKubernetesNotAdopted[] = [
  {
    checkovId: "CKV_K8S_38",
    only: serviceAccountDisablesToken,
    reason: "the pod's ServiceAccount sets automountServiceAccountToken: false, which the pod inherits; checkov reads only the pod spec",
  },
  ...WORKLOAD_NOT_ADOPTED,
  {
    checkovId: "CKV_K8S_35",
    reason:
      "the clients read these credentials from the environment by design (Feast expands $REDIS_PASSWORD in " +
      "feature_store.yaml; the MLflow client reads MLFLOW_TRACKING_USERNAME/PASSWORD); the values come from Secrets synced " +
      "by the External Secrets Operator and never appear in the spec",
  },
];

/** checkov's name of a Kubernetes object: `Kind.namespace.name` (cluster-scoped: `Kind.name`). */
function k8sResource(o: any): string {
  return [o?.kind, o?.metadata?.namespace, o?.metadata?.name].filter(Boolean).join(".");
}

/** The checkov skips of a set of Kubernetes objects (the library's decisions above). */
export function checkovKubernetesSkips(objects: readonly any[]): CheckovSkip[] {
  const skips: CheckovSkip[] = [];
  for (const o of objects) {
    if (!WORKLOAD_KINDS.includes(o?.kind)) continue;
    for (const n of CHECKOV_KUBERNETES_NOT_ADOPTED) {
      if (n.only && !n.only(o, objects)) continue;
      skips.push({ checkovId: n.checkovId, resource: k8sResource(o), kind: "resource", reason: n.reason, source: "not adopted" });
    }
  }
  return skips;
}

/**
 * True when a Kubernetes skip covers a failed check of checkov's report: the same object, or (graph checks such
 * as CKV2_K8S_6) the pod checkov derives from it, named `Pod.<namespace>.<workload name>.<labels>`.
 */
export function checkovKubernetesSkipCovers(skip: CheckovSkip, failed: { readonly check_id: string; readonly resource: string }): boolean {
  if (skip.checkovId !== failed.check_id) return false;
  if (failed.resource === skip.resource) return true;
  const [, namespace, name] = skip.resource.split(".");
  return name !== undefined && failed.resource.startsWith(`Pod.${namespace}.${name}.`);
}
