import { RuleResult, TfResource, verdict } from "../rule";
import { blocks, isSet, strings } from "../private/values";

/** EKS envelope-encrypts Kubernetes secrets with a KMS key. */
export function eksSecretsEncryption(r: TfResource): RuleResult {
  if (r.type !== "aws_eks_cluster") return "not-applicable";
  return verdict(blocks(r.config.encryption_config).some((e) => strings(e.resources).includes("secrets") && blocks(e.provider).some((p) => isSet(p.key_arn))));
}
