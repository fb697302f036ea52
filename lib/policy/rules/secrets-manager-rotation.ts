import { MAX_AGE_LIMIT_DAYS, MAX_AGE_TAG, ROTATION_TAG } from "../../core/secret-rotation";
import { RuleResult, TfResource } from "../rule";
import { StackIndex } from "../stack-index";

/**
 * The secret's rotation is declared: an `aws_secretsmanager_secret_rotation` (Secrets Manager rotates it),
 * or the tag `ml-platform/rotation` = `in-cluster` (a platform job generates and rotates it), or
 * `operator` with `ml-platform/max-age-days` from 1 to 365 (a third-party key an operator replaces
 * within that age). The pack cannot see whether the operator did; the declared age is what a
 * freshness check (lib/observability/README.md, "Rotation") compares the secret's last change with.
 */
export function secretsManagerRotation(r: TfResource, stack: StackIndex): RuleResult {
  if (r.type !== "aws_secretsmanager_secret") return "not-applicable";
  const rotated = stack.ofType("aws_secretsmanager_secret_rotation").some((rot) => StackIndex.references(rot.config.secret_id).includes(r.address));
  if (rotated) return "compliant";
  const tags = { ...(r.config.tags ?? {}) } as Record<string, unknown>;
  if (tags[ROTATION_TAG] === "in-cluster") return "compliant";
  const maxAge = Number(tags[MAX_AGE_TAG]);
  if (tags[ROTATION_TAG] === "operator" && Number.isInteger(maxAge) && maxAge >= 1 && maxAge <= MAX_AGE_LIMIT_DAYS) return "compliant";
  return "non-compliant";
}
