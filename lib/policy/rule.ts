import { StackIndex } from "./stack-index";

/** What a rule says about one resource. */
export type RuleResult = "compliant" | "non-compliant" | "not-applicable";

/** The configuration of one Terraform JSON resource block (attributes in snake_case). */
export type TfConfig = Readonly<Record<string, any>>;

/** One resource of a synthesized (or hand-written) Terraform JSON stack. */
export interface TfResource {
  /** Terraform resource type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** Logical name inside the type. */
  readonly name: string;
  /** Terraform address, `type.name`. */
  readonly address: string;
  readonly config: TfConfig;
  /** Construct path cdktf writes into `//.metadata.path`; absent in plain Terraform JSON. */
  readonly constructPath?: string;
}

/**
 * A policy rule: a pure function from one resource (and, for rules that need related
 * resources such as a bucket's separate versioning resource, the whole stack) to a
 * verdict. Rules know nothing about IDs, severities or suppressions: the pack does.
 */
export type PolicyRule = (resource: TfResource, stack: StackIndex) => RuleResult;

/** `compliant` when ok, else `non-compliant`. */
export function verdict(ok: boolean): RuleResult {
  return ok ? "compliant" : "non-compliant";
}
