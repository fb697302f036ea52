import { AwsAccess } from "./moto";

/**
 * The inline policies of the IAM roles in a synthesized stack, with the references Terraform would resolve
 * to literal ARNs here (buckets: `arn:aws:s3:::<bucket>`), and an evaluator good enough to answer "does this
 * role allow this action on this ARN": Allow statements with `*`/`?` wildcards in actions and resources,
 * explicit Deny, and the `StringLike`/`StringEquals` conditions the library writes (`s3:prefix`). A
 * reference it cannot resolve stays as `${...}` and matches nothing, so an unknown shape fails closed.
 */
export interface IamStatement {
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** Replaces `${aws_s3_bucket.<name>.arn}` by the bucket's ARN when the bucket's name is a literal. */
export function resolveArns(text: string, json: any): string {
  return text.replace(/\$\{aws_s3_bucket\.([^.}]+)\.arn\}/g, (ref, name) => {
    const bucket = json.resource?.aws_s3_bucket?.[name]?.bucket;
    return typeof bucket === "string" && !bucket.includes("${") ? `arn:aws:s3:::${bucket}` : ref;
  });
}

/**
 * The statements of the inline policies (aws_iam_role_policy) attached to one role, by the role's logical
 * id in the synthesized JSON (`stack.getLogicalId(role)`).
 */
export function roleStatements(json: any, roleLogicalId: string): IamStatement[] {
  if (!json.resource?.aws_iam_role?.[roleLogicalId]) throw new Error(`no aws_iam_role "${roleLogicalId}" in the stack`);
  const policies = Object.values<any>(json.resource?.aws_iam_role_policy ?? {}).filter((p) =>
    [`\${aws_iam_role.${roleLogicalId}.id}`, `\${aws_iam_role.${roleLogicalId}.name}`].includes(p.role),
  );
  if (policies.length === 0) throw new Error(`role ${roleLogicalId} has no inline policy`);
  return policies.flatMap((p) => JSON.parse(resolveArns(p.policy, json)).Statement as IamStatement[]);
}

function glob(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, caseInsensitive ? "i" : "").test(value);
}

const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

function conditionsHold(condition: IamStatement["Condition"], context: Readonly<Record<string, string>>): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const actual = context[key];
      if (actual === undefined) return false;
      if (operator === "StringLike") {
        if (!list(expected).some((p) => glob(p, actual, false))) return false;
      } else if (operator === "StringEquals") {
        if (!list(expected).includes(actual)) return false;
      } else {
        return false; // an operator this evaluator does not know: fail closed
      }
    }
  }
  return true;
}

function matches(s: IamStatement, access: AwsAccess): boolean {
  return list(s.Action).some((a) => glob(a, access.action, true)) && list(s.Resource).some((r) => glob(r, access.arn, false)) && conditionsHold(s.Condition, access.context ?? {});
}

export function allows(statements: readonly IamStatement[], access: AwsAccess): boolean {
  if (statements.some((s) => s.Effect === "Deny" && matches(s, access))) return false;
  return statements.some((s) => s.Effect === "Allow" && matches(s, access));
}

/** The accesses the statements do not allow, as readable lines (empty when all are allowed). */
export function denied(statements: readonly IamStatement[], accesses: readonly AwsAccess[]): string[] {
  const lines = accesses.filter((a) => !allows(statements, a)).map((a) => `${a.action} on ${a.arn}${a.context ? ` ${JSON.stringify(a.context)}` : ""}`);
  return [...new Set(lines)];
}
