import { RuleResult, TfResource, verdict } from "../rule";
import { block } from "../private/values";

/** Instances and launch templates require IMDSv2 session tokens (or turn the metadata endpoint off). */
export function imdsv2Required(r: TfResource): RuleResult {
  if (r.type !== "aws_launch_template" && r.type !== "aws_instance") return "not-applicable";
  return verdict(requiresImdsv2(r));
}

export function requiresImdsv2(r: TfResource): boolean {
  const m = block(r.config.metadata_options);
  return m?.http_tokens === "required" || m?.http_endpoint === "disabled";
}
