import { statefulResourceType } from "../core/stateful-resources";
import { addressesAfter, changeKind, formatPaths, managedChanges } from "./plan";
import { ReviewStack, StackConfig, compareText, configuredResource, constructPath } from "./stack";

/** A change that would lose state: merging it must wait for a deliberate decision. */
export interface BlockingFinding {
  readonly stack: string;
  readonly environment: string;
  readonly address: string;
  readonly type: string;
  /**
   * `forget`: a `removed` block without destroy, the object is kept but no longer managed;
   * `remove-stack`: a stack of the base is no longer synthesized (`address` is the stack).
   */
  readonly action: "replace" | "delete" | "forget" | "remove-stack";
  /** Attributes whose change forces the replacement (Terraform's `replace_paths`). */
  readonly replacePaths: readonly string[];
  /** Terraform's `action_reason`, e.g. `replace_because_cannot_update`. */
  readonly actionReason?: string;
  /** What is lost, from the stateful catalog. */
  readonly loses: string;
  readonly constructPath?: string;
  /** Set when Terraform itself refused the plan because of `prevent_destroy`. */
  readonly stoppedByPreventDestroy?: boolean;
  /**
   * A deletion of a resource that has `prevent_destroy` in the base: the protection went
   * with its block (a renamed construct, a removed one), so Terraform does not refuse.
   */
  readonly protectedInBase?: boolean;
  /** For `remove-stack`: the new stack that holds most of its resource addresses (a rename). */
  readonly renamedTo?: string;
  /** Found by the in-cluster configuration diff (not a plan): what changes, for the reviewer. */
  readonly configurationDiff?: boolean;
  readonly detail?: string;
}

/**
 * Replacements and deletions of resources whose type is in the stateful catalog. A
 * replacement is as final as a deletion: the old database, bucket or key is destroyed.
 */
export function blockingFindings(stack: ReviewStack, baseConfig?: StackConfig): BlockingFinding[] {
  const findings: BlockingFinding[] = [];
  const refused = new Set(stack.refusal ? refusedAddresses(stack.refusal) : []);
  for (const rc of stack.plan ? managedChanges(stack.plan) : []) {
    const kind = changeKind(rc.change.actions);
    if (kind !== "replace" && kind !== "delete" && kind !== "forget") continue;
    const stateful = statefulResourceType(rc.type);
    if (!stateful) continue;
    // A deleted resource is gone from the head's configuration: its construct is the base's.
    const path = constructPath(stack.config, rc.address) ?? constructPath(baseConfig, rc.address);
    const protectedInBase = kind === "delete" && !refused.has(rc.address) && configuredResource(baseConfig, rc.address)?.lifecycle?.prevent_destroy === true;
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
      ...(refused.has(rc.address) ? { stoppedByPreventDestroy: true } : {}),
      ...(protectedInBase ? { protectedInBase: true } : {}),
    });
  }
  const found = new Set(findings.map((f) => f.address));
  return [...findings, ...preventDestroyRefusals(stack).filter((f) => !found.has(f.address))];
}

/** Addresses named in Terraform's prevent_destroy refusal. */
function refusedAddresses(message: string): string[] {
  return [...new Set([...message.matchAll(PREVENT_DESTROY)].map((m) => m[1]))];
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
  const message = stack.status === "failed" ? stack.reason : stack.refusal;
  if (!message) return [];
  const found: BlockingFinding[] = [];
  for (const address of refusedAddresses(message)) {
    const type = address
      .replace(/\[[^\]]*\]$/, "")
      .split(".")
      .slice(-2)[0];
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

/**
 * Stacks of the base that the change no longer synthesizes. Terraform never plans them
 * again: their resources stay, unmanaged, in the old state until someone destroys the
 * stack; a renamed stack gets a new state and creates everything again beside them.
 * Only base stacks whose synthesized JSON is known count (a plan directory without
 * `<stack>.tf.json` says nothing about which stacks exist).
 */
export function removedStackFindings(head: readonly ReviewStack[], base: readonly ReviewStack[]): BlockingFinding[] {
  const names = new Set(head.map((s) => s.name));
  const baseNames = new Set(base.map((s) => s.name));
  const added = head.filter((s) => !baseNames.has(s.name));
  return base
    .filter((s) => s.config && !names.has(s.name))
    .sort((a, b) => compareText(a.name, b.name))
    .map((s) => {
      const resources = configAddresses(s.config!);
      const stateful = resources.filter((a) => statefulResourceType(a.split(".")[0]));
      const renamedTo = renameTarget(
        resources,
        added.filter((h) => h.environment.name === s.environment.name),
      );
      const loses =
        `its ${resources.length} resource${resources.length === 1 ? "" : "s"}` +
        (stateful.length > 0 ? `, ${stateful.length} of them stateful (${stateful.map((a) => `\`${a}\``).join(", ")})` : "");
      return {
        stack: s.name,
        environment: s.environment.name,
        address: s.name,
        type: "stack",
        action: "remove-stack" as const,
        replacePaths: [],
        loses,
        ...(renamedTo ? { renamedTo } : {}),
      };
    });
}

/** Managed resource addresses of a synthesized stack. */
export function configAddresses(config: StackConfig): string[] {
  return Object.entries(config.resource ?? {})
    .flatMap(([type, byName]) => Object.keys(byName as object).map((name) => `${type}.${name}`))
    .sort(compareText);
}

/** The new stack holding at least half of the removed stack's resource types and names (ignoring the construct hash). */
function renameTarget(resources: readonly string[], candidates: readonly ReviewStack[]): string | undefined {
  const shape = (a: string) => a.replace(/_[0-9A-F]{8}$/, "");
  const mine = new Set(resources.map(shape));
  let best: { name: string; overlap: number } | undefined;
  for (const c of candidates) {
    const theirs = new Set((c.config ? configAddresses(c.config) : c.plan ? addressesAfter(c.plan) : []).map(shape));
    const overlap = [...mine].filter((a) => theirs.has(a)).length;
    if (overlap * 2 >= mine.size && overlap > 0 && (!best || overlap > best.overlap)) best = { name: c.name, overlap };
  }
  return best?.name;
}
