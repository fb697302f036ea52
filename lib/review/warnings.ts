import { ResourceChange } from "../terraform/offline";
import { isStatefulType } from "../core/stateful-resources";
import { afterObject, beforeObject, changeKind, changedAttributes, isChange, managedChanges } from "./plan";
import { ReviewStack, StackConfig, compareText, constructPath } from "./stack";

export type WarningCategory = "iam" | "open-ingress" | "public-endpoint" | "kms" | "data-protection";

/** A change a reviewer should look at on purpose; it does not block the merge. */
export interface Warning {
  readonly stack: string;
  readonly environment: string;
  readonly category: WarningCategory;
  readonly address: string;
  /** `create`, `update`, `replace`, `delete`, or `config` for a lifecycle setting (not in the plan). */
  readonly action: string;
  readonly message: string;
  readonly constructPath?: string;
}

export const WARNING_TITLES: Readonly<Record<WarningCategory, string>> = {
  iam: "IAM roles and policies",
  "open-ingress": "Security groups open to the internet",
  "public-endpoint": "Public endpoints",
  kms: "KMS keys",
  "data-protection": "Deletion protection and prevent_destroy",
};

const IAM_TYPES = new Set([
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_iam_policy",
  "aws_iam_role_policy_attachment",
  "aws_iam_policy_attachment",
  "aws_iam_user",
  "aws_iam_user_policy",
  "aws_iam_user_policy_attachment",
  "aws_iam_group_policy",
  "aws_iam_group_policy_attachment",
  "aws_iam_openid_connect_provider",
  "aws_iam_instance_profile",
  "aws_eks_access_entry",
  "aws_eks_access_policy_association",
  "aws_eks_pod_identity_association",
  "aws_s3_bucket_policy",
  "aws_ecr_repository_policy",
  "aws_sqs_queue_policy",
  "aws_sns_topic_policy",
]);
const KMS_TYPES = new Set(["aws_kms_key", "aws_kms_alias", "aws_kms_grant", "aws_kms_key_policy", "aws_kms_replica_key"]);

/** Attributes that stop a resource from being deleted, by resource type. */
const DELETION_GUARDS: Readonly<Record<string, readonly { attr: string; protectedWhen: unknown }[]>> = {
  aws_db_instance: [
    { attr: "deletion_protection", protectedWhen: true },
    { attr: "skip_final_snapshot", protectedWhen: false },
  ],
  aws_rds_cluster: [
    { attr: "deletion_protection", protectedWhen: true },
    { attr: "skip_final_snapshot", protectedWhen: false },
  ],
  aws_dynamodb_table: [{ attr: "deletion_protection_enabled", protectedWhen: true }],
  aws_lb: [{ attr: "enable_deletion_protection", protectedWhen: true }],
  aws_s3_bucket: [{ attr: "force_destroy", protectedWhen: false }],
  aws_ecr_repository: [{ attr: "force_delete", protectedWhen: false }],
  aws_cloudwatch_log_group: [{ attr: "skip_destroy", protectedWhen: true }],
  aws_elasticache_replication_group: [{ attr: "final_snapshot_identifier", protectedWhen: "set" }],
};

const WORLD = ["0.0.0.0/0", "::/0"];

/**
 * Every warning of one stack: its planned changes and its synthesized lifecycle
 * settings (compared with the base branch's synthesized stack when it is known).
 */
export function warnings(stack: ReviewStack, baseConfig?: StackConfig): Warning[] {
  const found: Warning[] = [];
  const add = (rc: ResourceChange | { address: string }, category: WarningCategory, action: string, message: string) => {
    const path = constructPath(stack.config, rc.address);
    found.push({ stack: stack.name, environment: stack.environment.name, category, address: rc.address, action, message, ...(path ? { constructPath: path } : {}) });
  };
  for (const rc of stack.plan ? managedChanges(stack.plan) : []) {
    if (!isChange(rc)) continue;
    const kind = changeKind(rc.change.actions);
    if (IAM_TYPES.has(rc.type)) add(rc, "iam", kind, describeChange(rc, kind));
    if (KMS_TYPES.has(rc.type)) add(rc, "kms", kind, describeChange(rc, kind));
    const open = openIngress(rc);
    if (open) add(rc, "open-ingress", kind, open);
    const endpoint = publicEndpoint(rc);
    if (endpoint) add(rc, "public-endpoint", kind, endpoint);
    for (const message of deletionGuardChanges(rc, kind)) add(rc, "data-protection", kind, message);
  }
  const lifecycle = [...preventDestroyChanges(baseConfig, stack.config), ...preventDestroyGaps(stack.config, stack.environment.metadata?.protectsData ?? false)];
  const seen = new Set<string>();
  for (const { address, message } of lifecycle) {
    if (seen.has(address)) continue;
    seen.add(address);
    add({ address }, "data-protection", "config", message);
  }
  return found;
}

function describeChange(rc: ResourceChange, kind: string): string {
  if (kind === "update") return `changes ${changedAttributes(rc).join(", ") || "attributes"}`;
  if (kind === "create") return "new";
  if (kind === "delete") return "removed";
  return "replaced";
}

/** Ingress rules that admit 0.0.0.0/0 or ::/0 after the change and did not before. */
export function openIngress(rc: ResourceChange): string | undefined {
  const after = afterObject(rc);
  if (!after) return undefined;
  const worldIn = (obj: Record<string, unknown> | undefined): string[] => {
    if (!obj) return [];
    switch (rc.type) {
      case "aws_security_group":
        return ((obj.ingress as Record<string, unknown>[] | null) ?? []).flatMap((r) => cidrs(r)).filter((c) => WORLD.includes(c));
      case "aws_security_group_rule":
        return obj.type === "ingress" ? cidrs(obj).filter((c) => WORLD.includes(c)) : [];
      case "aws_vpc_security_group_ingress_rule":
        return [obj.cidr_ipv4, obj.cidr_ipv6].filter((c): c is string => typeof c === "string" && WORLD.includes(c));
      default:
        return [];
    }
  };
  const now = worldIn(after);
  const was = new Set(worldIn(beforeObject(rc)));
  const opened = [...new Set(now.filter((c) => !was.has(c)))];
  if (opened.length === 0) return undefined;
  const ports = after.from_port !== undefined && after.from_port !== null ? ` (ports ${after.from_port}-${after.to_port})` : "";
  return `admits ${opened.join(" and ")}${ports}: reachable from the whole internet`;
}

function cidrs(rule: Record<string, unknown>): string[] {
  return [...((rule.cidr_blocks as string[] | null) ?? []), ...((rule.ipv6_cidr_blocks as string[] | null) ?? [])];
}

/** Endpoints reachable from the internet after the change, that were not before. */
export function publicEndpoint(rc: ResourceChange): string | undefined {
  const after = afterObject(rc);
  if (!after) return undefined;
  const before = beforeObject(rc);
  const becomes = (read: (o: Record<string, unknown>) => boolean) => read(after) && !(before && read(before));
  switch (rc.type) {
    case "aws_eks_cluster": {
      const vpc = (o: Record<string, unknown>) => ((o.vpc_config as Record<string, unknown>[] | null) ?? [])[0] ?? {};
      if (becomes((o) => vpc(o).endpoint_public_access === true)) {
        const open = ((vpc(after).public_access_cidrs as string[] | null) ?? []).filter((c) => WORLD.includes(c));
        return `EKS API endpoint is public${open.length > 0 ? ` to ${open.join(", ")}` : ""} (endpoint_public_access)`;
      }
      return undefined;
    }
    case "aws_db_instance":
    case "aws_rds_cluster_instance":
      return becomes((o) => o.publicly_accessible === true) ? "database is publicly accessible (publicly_accessible)" : undefined;
    case "aws_lb":
    case "aws_alb":
      return becomes((o) => o.internal === false) ? "load balancer is internet-facing (internal = false)" : undefined;
    case "aws_instance":
      return becomes((o) => o.associate_public_ip_address === true) ? "instance gets a public IP (associate_public_ip_address)" : undefined;
    case "aws_subnet":
      return becomes((o) => o.map_public_ip_on_launch === true) ? "subnet gives instances public IPs (map_public_ip_on_launch)" : undefined;
    case "aws_s3_bucket_public_access_block": {
      const flags = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
      const off = flags.filter((f) => after[f] === false && !(before && before[f] === false));
      return off.length > 0 ? `bucket public access block turned off: ${off.join(", ")}` : undefined;
    }
    default:
      return undefined;
  }
}

/** A deletion guard (deletion_protection, force_destroy...) that is weakened or changes. */
export function deletionGuardChanges(rc: ResourceChange, kind: string): string[] {
  const guards = DELETION_GUARDS[rc.type] ?? [];
  const after = afterObject(rc);
  const before = beforeObject(rc);
  const messages: string[] = [];
  for (const { attr, protectedWhen } of guards) {
    const isProtected = (o: Record<string, unknown>) => (protectedWhen === "set" ? o[attr] !== null && o[attr] !== undefined && o[attr] !== "" : o[attr] === protectedWhen);
    if (kind === "update" && before && after && JSON.stringify(before[attr]) !== JSON.stringify(after[attr])) {
      const weaker = isProtected(before) && !isProtected(after);
      messages.push(`${attr}: ${fmt(before[attr])} -> ${fmt(after[attr])}${weaker ? " (the resource loses its deletion protection)" : ""}`);
    }
  }
  return messages;
}

/**
 * Stateful resources without `prevent_destroy` in an environment that protects its
 * data. Terraform's plan JSON does not carry lifecycle settings; the synthesized stack
 * does. The library's DataProtection aspect sets it, so a gap means someone lifted it.
 */
export function preventDestroyGaps(config: StackConfig | undefined, protectsData: boolean): { address: string; message: string }[] {
  if (!config || !protectsData) return [];
  const gaps: { address: string; message: string }[] = [];
  for (const [type, byName] of Object.entries((config.resource ?? {}) as Record<string, Record<string, any>>)) {
    if (!isStatefulType(type)) continue;
    for (const [name, block] of Object.entries(byName)) {
      if (block?.lifecycle?.prevent_destroy !== true) {
        gaps.push({ address: `${type}.${name}`, message: "prevent_destroy is not set, in an environment that protects its data" });
      }
    }
  }
  return gaps.sort((a, b) => compareText(a.address, b.address));
}

/**
 * prevent_destroy settings that differ between the base and the head synthesized
 * stacks (when both are known).
 */
export function preventDestroyChanges(base: StackConfig | undefined, head: StackConfig | undefined): { address: string; message: string }[] {
  if (!base || !head) return [];
  const flags = (config: StackConfig) => {
    const out = new Map<string, boolean>();
    for (const [type, byName] of Object.entries((config.resource ?? {}) as Record<string, Record<string, any>>)) {
      for (const [name, block] of Object.entries(byName)) out.set(`${type}.${name}`, block?.lifecycle?.prevent_destroy === true);
    }
    return out;
  };
  const was = flags(base);
  const now = flags(head);
  const changes: { address: string; message: string }[] = [];
  for (const [address, on] of now) {
    if (was.has(address) && was.get(address) !== on) {
      changes.push({ address, message: on ? "prevent_destroy added" : "prevent_destroy removed: Terraform will no longer refuse to destroy it" });
    }
  }
  return changes.sort((a, b) => compareText(a.address, b.address));
}

function fmt(v: unknown): string {
  return v === undefined ? "unset" : JSON.stringify(v);
}
