import { Construct, IConstruct } from "constructs";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { ConditionalResources } from "../core/stack-records";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Environment } from "../core/environment";
import { IEnvironmentKey } from "../core/environment-key";
import { ConfigError, Validator, formatValue } from "../core/errors";
import { formatCidr, parseCidr, subnet } from "../core/private/cidr";
import { LibraryShapes, Shape, checkShape } from "../core/shape";
import { claimPhysicalName } from "../core/physical-names";
import { ImportedNetwork } from "./private/imported-network";

/**
 * A VPC as the other constructs use it: the cluster, the registry database and the Redis
 * online store are placed in its private subnets. `Network` implements it (a VPC it
 * creates); `Network.fromAttributes` imports an existing one.
 */
export interface INetwork extends IConstruct {
  readonly vpcId: string;
  /** The VPC's IPv4 range: the environment's `vpcCidr` (NetworkPolicies allow the VPC by it). */
  readonly vpcCidr: string;
  /** One private subnet per zone of the environment, in the order of its `availabilityZones`. */
  readonly privateSubnetIds: readonly string[];
  /**
   * Adds tags to every private subnet (for example Karpenter's `karpenter.sh/discovery`, by
   * which a node provisioner finds the subnets of its cluster). `by` names the construct
   * that asks, for error messages.
   */
  tagPrivateSubnets(tags: Readonly<Record<string, string>>, by: string): void;
}

/** What `Network.fromAttributes` needs to know about an existing VPC. */
export interface NetworkAttributes {
  /** The VPC's ID, `vpc-...`. */
  readonly vpcId: string;
  /** The VPC's IPv4 range; must be the environment's `vpcCidr`, which NetworkPolicies allow as "the VPC". */
  readonly vpcCidr: string;
  /**
   * The private subnets workloads run in, `subnet-...`: one per zone of the environment, in
   * the order of its `availabilityZones` (with outbound internet access through NAT, and the
   * AWS interface endpoints the platform's pods call, or NAT to reach them).
   */
  readonly privateSubnetIds: readonly string[];
}

export interface NetworkProps {
  /** The environment's KMS key; flow logs are encrypted with it. */
  readonly key: IEnvironmentKey;
  /** @default - "single" in development, "one-per-az" in staging and production */
  readonly natGateways?: "single" | "one-per-az";
  /** @default - 30 in development, 365 in staging and production */
  readonly flowLogRetentionDays?: number;
  /**
   * Prefix of the network's AWS names (Name tags, the flow-log group and its IAM role). Set it
   * for a second VPC in the same environment, whose names would otherwise collide.
   * @default - the environment's prefix (`<project>-<env>`)
   */
  readonly namePrefix?: string;
}

/**
 * AWS APIs the platform's pods and nodes call, reached through interface endpoints inside the
 * VPC (private DNS), so that NetworkPolicies can allow them as the VPC range on 443 rather than
 * the internet: STS (IRSA), Secrets Manager (External Secrets, the MLflow database bootstrap),
 * ECR's API and registry (image pulls), CloudWatch Logs. S3 (and DynamoDB) stay on gateway
 * endpoints or NAT: their addresses are public, so no ipBlock short of the internet covers them.
 */
export const INTERFACE_ENDPOINT_SERVICES = ["sts", "secretsmanager", "ecr.api", "ecr.dkr", "logs"] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

/** Retention values CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * The environment's VPC: private subnets for workloads and public subnets for load
 * balancers and NAT in every configured zone, NAT (one gateway, or one per zone so
 * that losing a zone does not cut the others off), an S3 gateway endpoint so that
 * dataset and artifact traffic stays off NAT, a closed default security group, and
 * flow logs of all traffic into an encrypted log group.
 *
 * Subnet ranges are computed here from the VPC range: private subnets share the first
 * half of the VPC, public subnets a sixteenth of the second half; the rest is left for
 * later use.
 */
export class Network extends Construct implements INetwork {
  /**
   * A VPC created elsewhere (another app, another team's Terraform), for a cluster, a registry
   * database or a Redis online store of this app. Nothing of the VPC is created or changed but
   * subnet tags asked for by `tagPrivateSubnets` (Karpenter's discovery tag), which become
   * `aws_ec2_tag` resources on the existing subnets. Each attribute is checked: a malformed ID,
   * a range other than the environment's `vpcCidr`, or a subnet count other than its zones'
   * is a ConfigError naming it.
   */
  public static fromAttributes(scope: Construct, id: string, attrs: NetworkAttributes): INetwork {
    return new ImportedNetwork(scope, id, attrs);
  }

  public readonly vpc: Vpc;
  public readonly privateSubnets: Subnet[] = [];
  public readonly publicSubnets: Subnet[] = [];
  public readonly privateRouteTables: RouteTable[] = [];
  public readonly natGateways: NatGateway[] = [];
  public readonly flowLogGroup: CloudwatchLogGroup;
  public readonly key: IEnvironmentKey;
  public readonly natGatewayMode: "single" | "one-per-az";
  public readonly flowLogRetentionDays: number;
  /** Tags of each private subnet as created, and those added since (discovery tags). */
  private readonly privateSubnetTags: Record<string, string>[] = [];
  /** Interface endpoints by service (`sts`, `secretsmanager`, ...), in the private subnets, with private DNS. */
  public readonly interfaceEndpoints: Readonly<Record<InterfaceEndpointService, VpcEndpoint>>;
  /** The interface endpoints' security group: HTTPS from the VPC range only. */
  public readonly endpointSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    checkShape(this.node.path, props, {
      key: LibraryShapes.key,
      natGateways: Shape.optional(Shape.oneOf(["single", "one-per-az"])),
      flowLogRetentionDays: Shape.optional(Shape.number()),
      namePrefix: Shape.optional(Shape.string()),
    });
    const env = Environment.of(this);
    this.key = props.key;
    this.natGatewayMode = props.natGateways ?? env.byTier<"single" | "one-per-az">({ development: "single", staging: "one-per-az", production: "one-per-az" });
    this.flowLogRetentionDays = props.flowLogRetentionDays ?? env.byTier({ development: 30, staging: 365, production: 365 });

    const v = new Validator(this.node.path);
    v.check(["single", "one-per-az"].includes(this.natGatewayMode), "natGateways", this.natGatewayMode, 'must be "single" or "one-per-az"');
    v.check(
      !(env.isProduction && this.natGatewayMode === "single"),
      "natGateways",
      this.natGatewayMode,
      'production needs "one-per-az": with a single NAT gateway, losing its zone cuts every zone off',
    );
    v.check(
      LOG_RETENTION_DAYS.includes(this.flowLogRetentionDays),
      "flowLogRetentionDays",
      this.flowLogRetentionDays,
      `must be one of CloudWatch's retention values: ${LOG_RETENTION_DAYS.join(", ")}`,
    );
    const block = parseCidr(env.vpcCidr)!;
    const zoneBits = Math.ceil(Math.log2(Math.max(2, env.availabilityZones.length)));
    // Layout: the first half of the range holds one private subnet per zone slot; the second
    // half holds the public subnets, /(prefix + zoneBits + 5) each, or /28 (the smallest AWS
    // subnet) in small ranges such as a /24, as long as every zone still gets one.
    // Private subnets below /27 (27 usable addresses) cannot hold a node group's nodes and pods.
    const publicBits = Math.min(zoneBits + 5, 28 - block.prefix);
    v.check(
      publicBits - 1 >= zoneBits && block.prefix + zoneBits + 1 <= 27,
      "availabilityZones",
      env.availabilityZones,
      `${env.availabilityZones.length} zones do not fit in ${env.vpcCidr}: private subnets would be smaller than /27 or public subnets smaller than /28; use a larger VPC range or fewer zones`,
    );
    v.throwIfAny();

    const prefix = props.namePrefix ?? env.prefix;
    const name = (suffix: string) => ({ Name: `${prefix}-${suffix}` });
    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: env.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: name("vpc"),
    });
    new DefaultSecurityGroup(this, "default-sg", { vpcId: this.vpc.id, tags: name("default-closed") });
    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: name("igw") });

    const publicRoutes = new RouteTable(this, "public-rt", { vpcId: this.vpc.id, tags: name("public") });
    new Route(this, "public-default", { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });

    env.availabilityZones.forEach((az, i) => {
      const priv = new Subnet(this, `private-${az}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: formatCidr(subnet(block, zoneBits + 1, i)),
        tags: { ...name(`private-${az}`), "kubernetes.io/role/internal-elb": "1" },
      });
      this.privateSubnetTags.push({ ...name(`private-${az}`), "kubernetes.io/role/internal-elb": "1" });
      const pub = new Subnet(this, `public-${az}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: formatCidr(subnet(block, publicBits, 2 ** (publicBits - 1) + i)),
        mapPublicIpOnLaunch: false,
        tags: { ...name(`public-${az}`), "kubernetes.io/role/elb": "1" },
      });
      this.privateSubnets.push(priv);
      this.publicSubnets.push(pub);
      new RouteTableAssociation(this, `public-rta-${az}`, { subnetId: pub.id, routeTableId: publicRoutes.id });

      if (i === 0 || this.natGatewayMode === "one-per-az") {
        const eip = new Eip(this, `nat-eip-${az}`, { domain: "vpc", tags: name(`nat-${az}`), dependsOn: [igw] });
        this.natGateways.push(new NatGateway(this, `nat-${az}`, { allocationId: eip.id, subnetId: pub.id, tags: name(`nat-${az}`) }));
      }
      const nat = this.natGateways[this.natGateways.length - 1];
      const routes = new RouteTable(this, `private-rt-${az}`, { vpcId: this.vpc.id, tags: name(`private-${az}`) });
      new Route(this, `private-default-${az}`, { routeTableId: routes.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id });
      new RouteTableAssociation(this, `private-rta-${az}`, { subnetId: priv.id, routeTableId: routes.id });
      this.privateRouteTables.push(routes);
    });
    ConditionalResources.of(this).record("natGateways", this.natGatewayMode, {
      creates: this.natGateways.map((n) => n.node.id).flatMap((id) => [id, id.replace(/^nat-/, "nat-eip-")]),
      reason: this.natGatewayMode === "one-per-az" ? "a NAT gateway per zone, so that a zone outage does not cut the others' egress" : "one NAT gateway for every zone",
    });

    new VpcEndpoint(this, "s3-endpoint", {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${env.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: this.privateRouteTables.map((t) => t.id),
      tags: name("s3"),
    });

    this.endpointSecurityGroup = new SecurityGroup(this, "endpoints-sg", {
      name: `${prefix}-vpc-endpoints`,
      description: "Interface VPC endpoints: HTTPS from the VPC only",
      vpcId: this.vpc.id,
      tags: name("vpc-endpoints"),
    });
    new VpcSecurityGroupIngressRule(this, "endpoints-https", {
      securityGroupId: this.endpointSecurityGroup.id,
      description: "HTTPS from the VPC (pods and nodes)",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: env.vpcCidr,
    });
    const endpoints = {} as Record<InterfaceEndpointService, VpcEndpoint>;
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      endpoints[service] = new VpcEndpoint(this, `${service.replace(".", "-")}-endpoint`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${env.region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: this.privateSubnetIds,
        securityGroupIds: [this.endpointSecurityGroup.id],
        tags: name(service),
      });
    }
    this.interfaceEndpoints = endpoints;

    this.flowLogGroup = new CloudwatchLogGroup(this, "flow-logs", {
      name: `/${prefix}/vpc-flow-logs`,
      retentionInDays: this.flowLogRetentionDays,
      kmsKeyId: props.key.keyArn,
    });
    claimPhysicalName(this, "IAM role", "namePrefix", `${prefix}-vpc-flow-logs`, "account");
    const flowLogRole = new IamRole(this, "flow-logs-role", {
      name: `${prefix}-vpc-flow-logs`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": env.accountId } },
          },
        ],
      }),
    });
    new IamRolePolicy(this, "flow-logs-policy", {
      role: flowLogRole.id,
      name: "write-flow-logs",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [`${this.flowLogGroup.arn}:*`],
          },
        ],
      }),
    });
    new FlowLog(this, "flow-log", {
      vpcId: this.vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: this.flowLogGroup.arn,
      iamRoleArn: flowLogRole.arn,
      maxAggregationInterval: 60,
      tags: name("flow-log"),
    });
  }

  public get vpcId(): string {
    return this.vpc.id;
  }

  public get vpcCidr(): string {
    return Environment.of(this).vpcCidr;
  }

  // One id token per subnet, made on first read: every read of an attribute is a new token with its own stack trace (README.md, Performance).
  private readonly subnetIdTokens = new Map<Subnet, string>();

  public get privateSubnetIds(): string[] {
    return this.privateSubnets.map((s) => {
      let id = this.subnetIdTokens.get(s);
      if (id === undefined) this.subnetIdTokens.set(s, (id = s.id));
      return id;
    });
  }

  /**
   * Adds tags to every private subnet (for example Karpenter's `karpenter.sh/discovery`, by
   * which a node provisioner finds the subnets of its cluster). A key already set to another
   * value is a ConfigError: two clusters cannot both own one discovery tag.
   */
  public tagPrivateSubnets(tags: Readonly<Record<string, string>>, by: string): void {
    for (const [key, value] of Object.entries(tags)) {
      const current = this.privateSubnetTags[0]?.[key];
      if (current !== undefined && current !== value) {
        throw new ConfigError([
          `${by}: private subnet tag ${key} is already ${formatValue(current)} (set for another cluster); ` +
            `it cannot also be ${formatValue(value)}: a subnet discovery tag names one cluster, so give each Karpenter cluster its own Network`,
        ]);
      }
    }
    this.privateSubnets.forEach((subnet, i) => {
      Object.assign(this.privateSubnetTags[i], tags);
      subnet.tags = { ...this.privateSubnetTags[i] };
    });
  }

  public get publicSubnetIds(): string[] {
    return this.publicSubnets.map((s) => s.id);
  }
}
