import { Construct } from "constructs";
import { Ec2Tag } from "@cdktf/provider-aws/lib/ec2-tag";
import { Environment } from "../../core/environment";
import { ConfigError, Validator, formatValue, isUnresolved } from "../../core/errors";
import { Shape, checkShape } from "../../core/shape";
import { subnetIdProblem, vpcIdProblem } from "../../core/validators";
import type { INetwork, NetworkAttributes } from "../network";

/** A VPC created elsewhere, known by its IDs (Network.fromAttributes). */
export class ImportedNetwork extends Construct implements INetwork {
  public readonly vpcId: string;
  public readonly vpcCidr: string;
  public readonly privateSubnetIds: readonly string[];
  /** Tags added by tagPrivateSubnets, by key. */
  private readonly addedTags = new Map<string, string>();
  private readonly zones: readonly string[];

  constructor(scope: Construct, id: string, attrs: NetworkAttributes) {
    super(scope, id);
    checkShape(this.node.path, attrs, {
      vpcId: Shape.string({ nonEmpty: true }),
      vpcCidr: Shape.string({ nonEmpty: true }),
      privateSubnetIds: Shape.array(Shape.string({ nonEmpty: true })),
    });
    const env = Environment.of(this);
    const v = new Validator(this.node.path);
    v.checkProblem("vpcId", attrs.vpcId, vpcIdProblem(attrs.vpcId));
    // NetworkPolicies (database, Redis, webhooks, AWS APIs) allow "the VPC" as the environment's range.
    v.check(
      attrs.vpcCidr === env.vpcCidr,
      "vpcCidr",
      attrs.vpcCidr,
      `must be the environment's vpcCidr (${env.vpcCidr}): the NetworkPolicies of the platform allow the VPC by that range; set the environment's vpcCidr to the VPC's range`,
    );
    attrs.privateSubnetIds.forEach((subnet, i) => {
      v.checkProblem(`privateSubnetIds[${i}]`, subnet, subnetIdProblem(subnet));
    });
    if (!isUnresolved(attrs.privateSubnetIds)) {
      v.check(
        attrs.privateSubnetIds.length === env.availabilityZones.length,
        "privateSubnetIds",
        attrs.privateSubnetIds,
        `must list one private subnet per zone of the environment (${env.availabilityZones.join(", ")}), in that order`,
      );
      const repeated = attrs.privateSubnetIds.filter((s, i) => attrs.privateSubnetIds.indexOf(s) !== i);
      v.check(repeated.length === 0, "privateSubnetIds", attrs.privateSubnetIds, `lists ${repeated.map((s) => formatValue(s)).join(", ")} more than once`);
    }
    v.throwIfAny();
    this.vpcId = attrs.vpcId;
    this.vpcCidr = attrs.vpcCidr;
    this.privateSubnetIds = [...attrs.privateSubnetIds];
    this.zones = env.availabilityZones;
  }

  /**
   * The subnets are not this app's: each tag becomes an `aws_ec2_tag` on each subnet, which
   * Terraform manages alone, leaving the subnets' other tags to their owner.
   */
  public tagPrivateSubnets(tags: Readonly<Record<string, string>>, by: string): void {
    for (const [key, value] of Object.entries(tags)) {
      const current = this.addedTags.get(key);
      if (current !== undefined && current !== value) {
        throw new ConfigError([
          `${by}: private subnet tag ${key} is already ${formatValue(current)} (set for another cluster); ` +
            `it cannot also be ${formatValue(value)}: a subnet discovery tag names one cluster, so give each Karpenter cluster its own Network`,
        ]);
      }
    }
    for (const [key, value] of Object.entries(tags)) {
      if (this.addedTags.has(key)) continue;
      this.addedTags.set(key, value);
      const slug = key.replace(/[^A-Za-z0-9]+/g, "-");
      this.privateSubnetIds.forEach((subnetId, i) => {
        new Ec2Tag(this, `tag-${this.zones[i]}-${slug}`, { resourceId: subnetId, key, value });
      });
    }
  }
}
