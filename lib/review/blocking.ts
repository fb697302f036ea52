import { statefulResourceType } from "../core/stateful-resources";
import { changeKind, formatPaths, managedChanges } from "./plan";
import { ReviewStack, constructPath } from "./stack";

/** A change that would lose state: merging it must wait for a deliberate decision. */
export interface BlockingFinding {
  readonly stack: string;
  readonly environment: string;
  readonly address: string;
  readonly type: string;
  readonly action: "replace" | "delete";
  /** Attributes whose change forces the replacement (Terraform's `replace_paths`). */
  readonly replacePaths: readonly string[];
  /** Terraform's `action_reason`, e.g. `replace_because_cannot_update`. */
  readonly actionReason?: string;
  /** What is lost, from the stateful catalog. */
  readonly loses: string;
  readonly constructPath?: string;
  /** Set when Terraform itself refused the plan because of `prevent_destroy`. */
  readonly stoppedByPreventDestroy?: boolean;
}

/**
 * Replacements and deletions of resources whose type is in the stateful catalog. A
 * replacement is as final as a deletion: the old database, bucket or key is destroyed.
 */
export function blockingFindings(stack: ReviewStack): BlockingFinding[] {
  const findings: BlockingFinding[] = [];
  for (const rc of stack.plan ? managedChanges(stack.plan) : []) {
    const kind = changeKind(rc.change.actions);
    if (kind !== "replace" && kind !== "delete") continue;
    const stateful = statefulResourceType(rc.type);
    if (!stateful) continue;
    const path = constructPath(stack.config, rc.address);
    findings.push({
      stack: stack.name,
      environment: stack.environment.name,
      address: rc.address,
      type: rc.type,
      action: kind,
      replacePaths: formatPaths(rc.change.replace_paths),
      ...(rc.action_reason ? { actionReason: rc.action_reason } : {}),
      loses: stateful.loses,
      ...(path ? { constructPath: path } : {}),
    });
  }
  return [...findings, ...preventDestroyRefusals(stack)];
}

// Terraform's error when a plan would destroy a resource with prevent_destroy; the
// address is on the "Resource ... has lifecycle.prevent_destroy set" line.
// Terraform wraps the message at any space.
const PREVENT_DESTROY = /Resource\s+(\S+)\s+has\s+lifecycle\.prevent_destroy\s+set,\s+but\s+the\s+plan\s+calls\s+for\s+this\s+resource\s+to\s+be\s+destroyed/g;

/**
 * A plan that Terraform refused because it would destroy a protected resource is the
 * same risk, caught one step earlier: it is reported as blocking, not as a failure.
 */
export function preventDestroyRefusals(stack: ReviewStack): BlockingFinding[] {
  if (stack.status !== "failed" || !stack.reason) return [];
  const found: BlockingFinding[] = [];
  for (const m of stack.reason.matchAll(PREVENT_DESTROY)) {
    const address = m[1];
    const type = address.replace(/\[[^\]]*\]$/, "").split(".").slice(-2)[0];
    const path = constructPath(stack.config, address);
    found.push({
      stack: stack.name,
      environment: stack.environment.name,
      address,
      type,
      action: "delete",
      replacePaths: [],
      loses: statefulResourceType(type)?.loses ?? "a resource protected with prevent_destroy",
      ...(path ? { constructPath: path } : {}),
      stoppedByPreventDestroy: true,
    });
  }
  return found;
}

