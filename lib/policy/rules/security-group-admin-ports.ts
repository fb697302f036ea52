import { RuleResult, TfResource, verdict } from "../rule";
import { INGRESS_TYPES, ingressOf, opensToWorld } from "../private/security-groups";

/** No security group opens SSH (22) or RDP (3389) to the internet. */
export function securityGroupAdminPorts(r: TfResource): RuleResult {
  if (!INGRESS_TYPES.has(r.type)) return "not-applicable";
  const ingress = ingressOf(r);
  if (ingress.length === 0) return "not-applicable";
  return verdict(!ingress.some((i) => opensToWorld(i, 22) || opensToWorld(i, 3389)));
}
