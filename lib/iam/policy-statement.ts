import { isUnresolved } from "../core/errors";
/**
 * An IAM policy statement in the library's own small shape, so that users never need
 * provider structs. Resources should be exact ARNs: the policy pack flags `"*"`.
 */
export interface PolicyStatement {
  readonly sid?: string;
  /** @default "Allow" */
  readonly effect?: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** IAM conditions, e.g. `{ StringEquals: { "aws:ResourceTag/team": "ml" } }`. @default - none */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** Something that can be given permissions: an IAM role of the library. */
export interface IGrantable {
  /** Adds a statement to the principal's policy. */
  addToPolicy(statement: PolicyStatement): void;
}

/** Renders statements as an IAM policy document (JSON string; tokens resolve at synth). */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? "Allow",
      Action: [...s.actions],
      Resource: [...s.resources],
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  });
}

/** IAM actions: `service:Action` with * wildcards, or "*" (IAM JSON policy reference, "Action"). */
const ACTION = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;
/** IAM resources: an ARN (possibly with wildcards) or "*". */
const RESOURCE = /^(\*|arn:[^:\s]+:[^:\s]*:[^:\s]*:[^:\s]*:.+)$/;

/**
 * The problems of a policy statement, as [field, value, allowed]: Effect "Allow" or "Deny"
 * (IAM is case-sensitive and refuses "allow"), at least one action, at least one resource,
 * actions and resources of IAM's form. Token values (ARNs of resources not yet created) are not judged.
 */
export function policyStatementProblems(s: PolicyStatement, field = "statement"): [string, unknown, string][] {
  const out: [string, unknown, string][] = [];
  if (s === null || typeof s !== "object") return [[field, s, "must be a policy statement { effect?, actions, resources, conditions? }"]];
  if (s.effect !== undefined && s.effect !== "Allow" && s.effect !== "Deny") out.push([`${field}.effect`, s.effect, 'must be "Allow" or "Deny" (case-sensitive)']);
  if (!Array.isArray(s.actions) || s.actions.length === 0) {
    out.push([`${field}.actions`, s.actions, 'must list at least one IAM action such as "s3:GetObject"']);
  } else {
    s.actions.forEach((a, i) => {
      if (!isUnresolved(a) && (typeof a !== "string" || !ACTION.test(a)))
        out.push([`${field}.actions[${i}]`, a, 'must be an IAM action such as "s3:GetObject" (service prefix, colon, action; * wildcards allowed)']);
    });
  }
  if (!Array.isArray(s.resources) || s.resources.length === 0) {
    out.push([`${field}.resources`, s.resources, 'must list at least one resource ARN (or "*")']);
  } else {
    s.resources.forEach((r, i) => {
      if (!isUnresolved(r) && (typeof r !== "string" || !RESOURCE.test(r))) out.push([`${field}.resources[${i}]`, r, 'must be an ARN such as "arn:aws:s3:::bucket/*", or "*"']);
    });
  }
  return out;
}
