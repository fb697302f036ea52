import { RuleResult, TfResource, verdict } from "../rule";
import { strings } from "../private/values";

const ALL_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** Every EKS control-plane log type is sent to CloudWatch. */
export function eksControlPlaneLogging(r: TfResource): RuleResult {
  if (r.type !== "aws_eks_cluster") return "not-applicable";
  const enabled = strings(r.config.enabled_cluster_log_types);
  return verdict(ALL_LOG_TYPES.every((t) => enabled.includes(t)));
}
