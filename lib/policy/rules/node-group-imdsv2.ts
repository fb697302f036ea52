import { RuleResult, TfResource, verdict } from "../rule";
import { StackIndex } from "../stack-index";
import { block } from "../private/values";
import { requiresImdsv2 } from "./imdsv2-required";

/**
 * An EKS managed node group uses a launch template that requires IMDSv2: without one,
 * EKS's default template leaves IMDSv1 on, and any pod can read the node role's credentials.
 */
export function nodeGroupImdsv2(r: TfResource, stack: StackIndex): RuleResult {
  if (r.type !== "aws_eks_node_group") return "not-applicable";
  const spec = block(r.config.launch_template);
  if (!spec) return "non-compliant";
  const template =
    stack.referenced(spec.id) ?? stack.referenced(spec.name) ?? stack.ofType("aws_launch_template").find((t) => typeof spec.name === "string" && t.config.name === spec.name);
  if (!template) return "not-applicable"; // a template outside this stack cannot be judged here
  return verdict(requiresImdsv2(template));
}
