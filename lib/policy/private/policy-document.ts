import { TfConfig } from "../rule";
import { blocks, strings } from "./values";

/** One IAM statement, normalized from either IAM JSON or an `aws_iam_policy_document` block. */
export interface Statement {
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  /** Principal identifiers by type (`AWS`, `Service`, `Federated`, or `*` for `"Principal": "*"`). */
  readonly principals: readonly { readonly type: string; readonly identifiers: readonly string[] }[];
  readonly hasCondition: boolean;
}

export interface PolicyDocument {
  readonly statements: readonly Statement[];
}

/**
 * Parses an IAM policy JSON string. Interpolations inside string values (`"${aws_s3_bucket.b.arn}/*"`)
 * are fine; anything that is not JSON (`${jsonencode({...})}`, a variable) gives undefined.
 */
export function parsePolicyDocument(text: string): PolicyDocument | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return undefined;
  const raw = (doc as Record<string, unknown>).Statement;
  const list = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? [raw] : undefined;
  if (!list) return undefined;
  return { statements: list.filter((s) => s && typeof s === "object").map((s) => fromJson(s as Record<string, unknown>)) };
}

function fromJson(s: Record<string, unknown>): Statement {
  return {
    effect: s.Effect === "Deny" ? "Deny" : "Allow",
    actions: strings(s.Action),
    notActions: strings(s.NotAction),
    resources: strings(s.Resource),
    notResources: strings(s.NotResource),
    principals: principalsOf(s.Principal),
    hasCondition: !!s.Condition && typeof s.Condition === "object" && Object.keys(s.Condition).length > 0,
  };
}

function principalsOf(p: unknown): Statement["principals"] {
  if (p === undefined || p === null) return [];
  if (typeof p === "string") return [{ type: p === "*" ? "*" : "AWS", identifiers: [p] }];
  if (typeof p !== "object") return [];
  return Object.entries(p as Record<string, unknown>).map(([type, ids]) => ({ type, identifiers: strings(ids) }));
}

/** Reads the statements of an `aws_iam_policy_document` data source block. */
export function policyDocumentFromData(data: TfConfig): PolicyDocument {
  return {
    statements: blocks(data.statement).map((s) => ({
      effect: s.effect === "Deny" ? "Deny" : "Allow",
      actions: strings(s.actions),
      notActions: strings(s.not_actions),
      resources: strings(s.resources),
      notResources: strings(s.not_resources),
      principals: blocks(s.principals).map((p) => ({ type: String(p.type), identifiers: strings(p.identifiers) })),
      hasCondition: blocks(s.condition).length > 0,
    })),
  };
}

/** True when a principal list lets anyone in: `"*"` or `{"AWS": "*"}`. */
export function isAnyonePrincipal(s: Statement): boolean {
  return s.principals.some((p) => (p.type === "*" || p.type === "AWS") && p.identifiers.includes("*"));
}

/** The Allow statements of a document (Deny statements never grant anything). */
export function allowStatements(doc: PolicyDocument): Statement[] {
  return doc.statements.filter((s) => s.effect === "Allow");
}
