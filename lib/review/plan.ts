import { ResourceChange, TerraformPlan } from "../terraform/offline";

/** What a plan does to one resource, in the words a reviewer uses. */
export type ChangeKind = "create" | "update" | "replace" | "delete" | "forget" | "read" | "no-op";

/**
 * Terraform's action list as one kind. `["delete","create"]` and `["create","delete"]`
 * (create_before_destroy) are both replacements: the old object is destroyed either way.
 * `forget` (a `removed` block with `destroy = false`) keeps the object but Terraform
 * stops managing it.
 */
export function changeKind(actions: readonly string[]): ChangeKind {
  // A `removed` block without destroy (Terraform 1.7+): the object stays, unmanaged.
  if (actions.includes("forget")) return "forget";
  if (actions.includes("delete") && actions.includes("create")) return "replace";
  if (actions.includes("delete")) return "delete";
  if (actions.includes("create")) return "create";
  if (actions.includes("update")) return "update";
  if (actions.includes("read")) return "read";
  return "no-op";
}

/** The headline of one stack: what Terraform would add, change, replace and destroy. */
export interface ChangeCounts {
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
}

export const NO_CHANGES: ChangeCounts = { add: 0, change: 0, replace: 0, destroy: 0 };

/** Managed resources only: data sources are read, never changed. */
export function managedChanges(plan: TerraformPlan): ResourceChange[] {
  return (plan.resource_changes ?? []).filter((rc) => rc.mode === "managed");
}

export function countChanges(plan: TerraformPlan): ChangeCounts {
  const counts = { add: 0, change: 0, replace: 0, destroy: 0 };
  for (const rc of managedChanges(plan)) {
    const kind = changeKind(rc.change.actions);
    if (kind === "create") counts.add++;
    else if (kind === "update") counts.change++;
    else if (kind === "replace") counts.replace++;
    else if (kind === "delete") counts.destroy++;
  }
  return counts;
}

export function hasChanges(counts: ChangeCounts): boolean {
  return counts.add + counts.change + counts.replace + counts.destroy > 0;
}

/** True for a change that touches the resource (not no-op, not a read). */
export function isChange(rc: ResourceChange): boolean {
  return !["no-op", "read"].includes(changeKind(rc.change.actions));
}

/** Resource addresses that exist after the plan is applied (everything but deletions). */
export function addressesAfter(plan: TerraformPlan): string[] {
  return managedChanges(plan)
    .filter((rc) => changeKind(rc.change.actions) !== "delete")
    .map((rc) => rc.address);
}

/** The planned object of a resource after apply, or undefined for a deletion. */
export function afterObject(rc: ResourceChange): Record<string, unknown> | undefined {
  const after = rc.change.after;
  return after && typeof after === "object" ? (after as Record<string, unknown>) : undefined;
}

export function beforeObject(rc: ResourceChange): Record<string, unknown> | undefined {
  const before = rc.change.before;
  return before && typeof before === "object" ? (before as Record<string, unknown>) : undefined;
}

/** Top-level attributes whose value differs between before and after (for updates). */
export function changedAttributes(rc: ResourceChange): string[] {
  const before = beforeObject(rc) ?? {};
  const after = afterObject(rc) ?? {};
  const unknown = (rc.change.after_unknown ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => unknown[k] === true || JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

/** `replace_paths` as dotted attribute paths: `[["vpc_config", 0, "subnet_ids"]]` -> `vpc_config[0].subnet_ids`. */
export function formatPaths(paths: readonly (readonly unknown[])[] | undefined): string[] {
  return (paths ?? []).map((p) => p.map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? String(step) : `.${String(step)}`)).join(""));
}

/** A resource whose address changes by a `moved` block (cdktf `moveTo` / `moveFromId`): Terraform keeps the object. */
export interface Move {
  readonly from: string;
  readonly to: string;
  readonly type: string;
  /** What else happens to the moved resource (`no-op` for a pure move). */
  readonly kind: ChangeKind;
}

/** Address changes of a plan (Terraform's `previous_address`). */
export function moves(plan: TerraformPlan): Move[] {
  return managedChanges(plan)
    .filter((rc) => typeof (rc as ResourceChange & { previous_address?: string }).previous_address === "string")
    .map((rc) => ({ from: (rc as ResourceChange & { previous_address: string }).previous_address, to: rc.address, type: rc.type, kind: changeKind(rc.change.actions) }));
}

/** Resources a plan stops managing without destroying them (`forget`). */
export function forgotten(plan: TerraformPlan): ResourceChange[] {
  return managedChanges(plan).filter((rc) => changeKind(rc.change.actions) === "forget");
}
