import { RuleResult, TfResource, verdict } from "../rule";
import { INGRESS_TYPES, ingressOf } from "../private/security-groups";

/** No security group opens every port (or every protocol) to the internet. */
export function securityGroupAllPorts(r: TfResource): RuleResult {
  if (!INGRESS_TYPES.has(r.type)) return "not-applicable";
  const ingress = ingressOf(r);
  if (ingress.length === 0) return "not-applicable";
  return verdict(!ingress.some((i) => i.fromAnywhere && (i.allProtocols || (i.fromPort === 0 && i.toPort === 65535))));
}
