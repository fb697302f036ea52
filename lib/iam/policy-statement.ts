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
