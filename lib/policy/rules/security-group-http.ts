import { RuleResult, TfResource, verdict } from "../rule";
import { INGRESS_TYPES, ingressOf, opensToWorld } from "../private/security-groups";

/** No security group opens plain HTTP (80) to the internet: public endpoints take HTTPS only. */
export function securityGroupHttp(r: TfResource): RuleResult {
  if (!INGRESS_TYPES.has(r.type)) return "not-applicable";
  const ingress = ingressOf(r);
  if (ingress.length === 0) return "not-applicable";
  return verdict(!ingress.some((i) => opensToWorld(i, 80)));
}
