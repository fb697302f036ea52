import { RuleResult, TfResource, verdict } from "../rule";
import { block, blocks, isTrue } from "../private/values";

/** EBS volumes, instance root volumes and launch-template block devices are encrypted. */
export function ebsEncryption(r: TfResource): RuleResult {
  switch (r.type) {
    case "aws_ebs_volume":
      return verdict(isTrue(r.config.encrypted));
    case "aws_instance":
      return verdict(isTrue(block(r.config.root_block_device)?.encrypted) && blocks(r.config.ebs_block_device).every((b) => isTrue(b.encrypted)));
    case "aws_launch_template": {
      const ebs = blocks(r.config.block_device_mappings).flatMap((m) => blocks(m.ebs));
      if (ebs.length === 0) return "not-applicable";
      return verdict(ebs.every((e) => isTrue(e.encrypted)));
    }
    default:
      return "not-applicable";
  }
}
