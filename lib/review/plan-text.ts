import { ResourceChange, TerraformPlan } from "../terraform/offline";
import { SENSITIVE } from "./mask";
import { afterObject, beforeObject, changeKind, changedAttributes, countChanges, formatPaths, managedChanges } from "./plan";

export interface PlanTextOptions {
  /**
   * New resources as one line each (`+ address`), without attributes; changes to
   * existing resources keep their detail. For reviews that must fit a size limit.
   * @default false
   */
  readonly compactCreates?: boolean;
}

/** A stack's plan text in full and in the compact form (see PlanTextOptions). */
export interface PlanTexts {
  readonly full: string;
  readonly compact: string;
}

/** Both plan texts of every planned stack, by stack name. */
export function planTexts(stacks: readonly { readonly name: string; readonly plan?: TerraformPlan }[]): Map<string, PlanTexts> {
  return new Map(stacks.filter((s) => s.plan).map((s) => [s.name, { full: planText(s.plan!), compact: planText(s.plan!, { compactCreates: true }) }]));
}

const HEADERS: Readonly<Record<string, string>> = {
  create: "will be created",
  update: "will be updated in-place",
  replace: "must be replaced",
  delete: "will be destroyed",
  forget: "will no longer be managed by Terraform (forgotten: the object is kept)",
};
const MARKS: Readonly<Record<string, string>> = { create: "+", update: "~", replace: "-/+", delete: "-", forget: "." };

/**
 * The plan as text, in the shape of `terraform show` but rendered from the (masked)
 * JSON plan: it is the same whether the review planned the stack itself or read a plan
 * made elsewhere, and sensitive values never reach it. The change mark starts each
 * line, so that a Markdown `diff` block colours additions and removals.
 */
export function planText(plan: TerraformPlan, options: PlanTextOptions = {}): string {
  const lines: string[] = [];
  for (const rc of managedChanges(plan)) {
    const kind = changeKind(rc.change.actions);
    const from = (rc as ResourceChange & { previous_address?: string }).previous_address;
    if (from && (kind === "no-op" || kind === "update")) {
      if (options.compactCreates && lines.length > 0 && lines[lines.length - 1] !== "") lines.push("");
      lines.push(`# ${from} has moved to ${rc.address}`);
      if (kind === "no-op") {
        lines.push("");
        continue;
      }
    }
    if (!HEADERS[kind]) continue;
    if (kind === "create" && options.compactCreates) {
      lines.push(`+ ${rc.address}`);
      continue;
    }
    if (options.compactCreates && lines.length > 0 && lines[lines.length - 1] !== "") lines.push("");
    lines.push(`# ${rc.address} ${HEADERS[kind]}${rc.action_reason ? ` (${rc.action_reason})` : ""}`);
    lines.push(`${MARKS[kind]} resource "${rc.type}" "${rc.name}${rc.index !== undefined ? `[${JSON.stringify(rc.index)}]` : ""}" {`);
    lines.push(...attributeLines(rc, kind));
    lines.push("  }", "");
  }
  const c = countChanges(plan);
  if (lines.length > 0 && lines[lines.length - 1] !== "") lines.push("");
  lines.push(
    lines.length === 0
      ? "No changes. The infrastructure matches the configuration."
      : `Plan: ${c.add + c.replace} to add, ${c.change} to change, ${c.destroy + c.replace} to destroy.`,
  );
  return lines.join("\n");
}

function attributeLines(rc: ResourceChange, kind: string): string[] {
  const before = beforeObject(rc) ?? {};
  const after = afterObject(rc) ?? {};
  const unknown = (rc.change.after_unknown ?? {}) as Record<string, unknown>;
  const forcing = new Set(formatPaths(rc.change.replace_paths).map((p) => p.split(/[.[]/)[0]));
  if (kind === "delete" || kind === "forget") return [];
  if (kind === "create") {
    const shown = Object.keys(after)
      .filter((k) => unknown[k] !== true && after[k] !== null && !isEmpty(after[k]))
      .sort();
    const later = Object.keys(unknown)
      .filter((k) => unknown[k] === true)
      .sort();
    const width = Math.max(0, ...shown.map((k) => k.length));
    // Computed attributes on one line: a new resource has dozens, and they say little.
    return [...shown.map((k) => `+     ${k.padEnd(width)} = ${render(after[k])}`), ...(later.length > 0 ? [`      # known after apply: ${later.join(", ")}`] : [])];
  }
  const changed = changedAttributes(rc);
  const width = Math.max(0, ...changed.map((k) => k.length));
  const lines = changed.map((k) => {
    const to = unknown[k] === true ? "(known after apply)" : render(after[k]);
    const mark = before[k] === undefined || before[k] === null ? "+" : after[k] === null && unknown[k] !== true ? "-" : "~";
    return `${mark}     ${k.padEnd(width)} = ${mark === "+" ? to : `${render(before[k])} -> ${to}`}${forcing.has(k) ? " # forces replacement" : ""}`;
  });
  const hidden = Object.keys(after).length - changed.length;
  if (hidden > 0) lines.push(`      # (${hidden} unchanged attribute${hidden === 1 ? "" : "s"} hidden)`);
  return lines;
}

function isEmpty(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (typeof v === "object" && v !== null && Object.keys(v).length === 0);
}

function render(v: unknown): string {
  if (v === SENSITIVE) return SENSITIVE;
  if (v === null || v === undefined) return "null";
  // Policies and other JSON documents read better decoded, as Terraform shows them.
  if (typeof v === "string" && /^[[{]/.test(v)) {
    try {
      return `jsonencode(${JSON.stringify(JSON.parse(v))})`;
    } catch {
      // not JSON after all
    }
  }
  return JSON.stringify(v);
}
