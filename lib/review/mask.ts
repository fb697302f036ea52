import { ResourceChange, TerraformPlan } from "../terraform/offline";

/** What a sensitive value is replaced with, as in Terraform's own plan output. */
export const SENSITIVE = "(sensitive value)";

/**
 * Replaces every value marked in `sensitive` (the shape of `before_sensitive` /
 * `after_sensitive`: `true` for a sensitive value, objects and arrays mirroring the
 * value for nested ones) with SENSITIVE. A whole value marked `true` is masked whatever
 * its type, so that neither a secret nor its length leaks.
 */
export function maskValue(value: unknown, sensitive: unknown): unknown {
  if (sensitive === true) return value === null || value === undefined ? value : SENSITIVE;
  if (!sensitive || typeof sensitive !== "object" || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const marks = Array.isArray(sensitive) ? sensitive : [];
    return value.map((v, i) => maskValue(v, marks[i]));
  }
  const marks = sensitive as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = maskValue(v, marks[k]);
  return out;
}

/** A resource change with its sensitive before and after values masked. */
export function maskChange(rc: ResourceChange): ResourceChange {
  return {
    ...rc,
    change: {
      ...rc.change,
      before: maskValue(rc.change.before, rc.change.before_sensitive),
      after: maskValue(rc.change.after, rc.change.after_sensitive),
    },
  };
}

/**
 * The plan as the review reads it: resource changes masked. Everything the review
 * renders or writes (findings, plan text, JSON) comes from this copy. State and
 * planned values and the configuration are dropped: the review reads resource changes
 * only (lifecycle settings come from the synthesized stack), and the raw copies would
 * carry the secrets again.
 */
export function maskPlan(plan: TerraformPlan): TerraformPlan {
  return {
    format_version: plan.format_version,
    ...(plan.terraform_version ? { terraform_version: plan.terraform_version } : {}),
    resource_changes: (plan.resource_changes ?? []).map(maskChange),
  };
}
