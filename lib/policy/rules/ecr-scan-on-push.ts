import { RuleResult, TfResource, verdict } from "../rule";
import { block, isTrue } from "../private/values";

/** Images are scanned for known vulnerabilities when pushed. */
export function ecrScanOnPush(r: TfResource): RuleResult {
  if (r.type !== "aws_ecr_repository") return "not-applicable";
  return verdict(isTrue(block(r.config.image_scanning_configuration)?.scan_on_push));
}
