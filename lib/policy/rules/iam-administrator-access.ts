import { RuleResult, TfResource, verdict } from "../rule";
import { strings } from "../private/values";

const ATTACHMENTS = new Set(["aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment", "aws_iam_policy_attachment"]);
const ADMIN = /^arn:aws[\w-]*:iam::aws:policy\/AdministratorAccess$/;

/** No role, user or group gets the AWS-managed AdministratorAccess policy (also through managed_policy_arns). */
export function iamAdministratorAccess(r: TfResource): RuleResult {
  if (ATTACHMENTS.has(r.type)) return verdict(!ADMIN.test(String(r.config.policy_arn ?? "")));
  if (r.type === "aws_iam_role" && r.config.managed_policy_arns !== undefined) {
    return verdict(!strings(r.config.managed_policy_arns).some((arn) => ADMIN.test(arn)));
  }
  return "not-applicable";
}
