import { EnvironmentKey, Network } from "../../../lib";
import { infraStack } from "../../support/env";
import { errorOf, resourcesOfType, synthJson } from "../../support/synth";

function network(overrides: Parameters<typeof infraStack>[0] = {}, props: Partial<ConstructorParameters<typeof Network>[2]> = {}) {
  const stack = infraStack(overrides);
  const key = new EnvironmentKey(stack, "kms");
  const net = new Network(stack, "network", { key, ...props });
  return { stack, net, json: synthJson(stack) };
}

describe("Network", () => {
  test("private and public subnets in every zone, carved from the VPC range without overlap", () => {
    const { json } = network();
    const subnets = Object.values(resourcesOfType(json, "aws_subnet")) as any[];
    expect(subnets.map((s) => [s.availability_zone, s.cidr_block]).sort()).toEqual([
      ["us-east-1a", "10.0.0.0/19"],
      ["us-east-1a", "10.0.128.0/23"],
      ["us-east-1b", "10.0.130.0/23"],
      ["us-east-1b", "10.0.32.0/19"],
      ["us-east-1c", "10.0.132.0/23"],
      ["us-east-1c", "10.0.64.0/19"],
    ]);
    expect(subnets.every((s) => s.map_public_ip_on_launch !== true)).toBe(true);
  });

  test("subnets carry the load balancer discovery tags", () => {
    const { json } = network();
    const tags = (Object.values(resourcesOfType(json, "aws_subnet")) as any[]).map((s) => s.tags);
    expect(tags.filter((t) => t["kubernetes.io/role/internal-elb"] === "1")).toHaveLength(3);
    expect(tags.filter((t) => t["kubernetes.io/role/elb"] === "1")).toHaveLength(3);
  });

  test("development gets one NAT gateway", () => {
    expect(Object.keys(resourcesOfType(network().json, "aws_nat_gateway"))).toHaveLength(1);
  });

  test("production gets one NAT gateway per zone and each private route table uses its zone's", () => {
    const { json } = network({ tier: "production", name: "prod" });
    const nats = Object.keys(resourcesOfType(json, "aws_nat_gateway"));
    expect(nats).toHaveLength(3);
    const routes = Object.entries(resourcesOfType(json, "aws_route")).filter(([n]) => n.includes("private-default"));
    expect(new Set(routes.map(([, r]: any) => r.nat_gateway_id)).size).toBe(3);
  });

  test("a single NAT gateway in production is refused", () => {
    expect(errorOf(() => network({ tier: "production", name: "prod" }, { natGateways: "single" }))).toBe(
      'test-infra/network: natGateways is "single"; production needs "one-per-az": with a single NAT gateway, losing its zone cuts every zone off',
    );
  });

  test("an invalid flow log retention is refused", () => {
    expect(errorOf(() => network({}, { flowLogRetentionDays: 45 }))).toContain("test-infra/network: flowLogRetentionDays is 45; must be one of CloudWatch's retention values");
  });

  test("the S3 gateway endpoint is attached to every private route table", () => {
    const { json } = network();
    const endpoint = Object.values(resourcesOfType(json, "aws_vpc_endpoint")).find((e: any) => e.vpc_endpoint_type === "Gateway") as any;
    expect(endpoint.service_name).toBe("com.amazonaws.us-east-1.s3");
    expect(endpoint.vpc_endpoint_type).toBe("Gateway");
    expect(endpoint.route_table_ids).toHaveLength(3);
  });

  test("interface endpoints with private DNS for STS, Secrets Manager, ECR and CloudWatch Logs, in every private subnet, HTTPS from the VPC only", () => {
    const { json } = network();
    const endpoints = (Object.values(resourcesOfType(json, "aws_vpc_endpoint")) as any[]).filter((e) => e.vpc_endpoint_type === "Interface");
    expect(endpoints.map((e) => e.service_name).sort()).toEqual(["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts"].map((s) => `com.amazonaws.us-east-1.${s}`));
    for (const e of endpoints) {
      expect(e.private_dns_enabled).toBe(true);
      expect(e.subnet_ids).toHaveLength(3);
      expect(e.security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\.network_endpoints-sg_\w+\.id\}$/)]);
    }
    const rules = Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")) as any[];
    expect(rules.map((r) => [r.from_port, r.to_port, r.cidr_ipv4])).toEqual([[443, 443, "10.0.0.0/16"]]);
  });

  test("flow logs of all traffic go to a KMS-encrypted log group through a role scoped to it", () => {
    const { json } = network();
    const flow = Object.values(resourcesOfType(json, "aws_flow_log"))[0] as any;
    expect(flow.traffic_type).toBe("ALL");
    const group = Object.values(resourcesOfType(json, "aws_cloudwatch_log_group"))[0] as any;
    expect(group.kms_key_id).toMatch(/aws_kms_key\.kms_key_.*\.arn/);
    expect(group.retention_in_days).toBe(30);
    const policy = JSON.parse((Object.values(resourcesOfType(json, "aws_iam_role_policy"))[0] as any).policy);
    expect(policy.Statement[0].Resource).toEqual([expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..*\.arn\}:\*$/)]);
  });

  test("the default security group is closed", () => {
    const sg = Object.values(resourcesOfType(network().json, "aws_default_security_group"))[0] as any;
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });

  test("the environment key rotates yearly and lets only this environment's log groups use it", () => {
    const { json } = network();
    const key = Object.values(resourcesOfType(json, "aws_kms_key"))[0] as any;
    expect(key.enable_key_rotation).toBe(true);
    const doc = Object.values(json.data.aws_iam_policy_document)[0] as any;
    const logs = doc.statement.find((s: any) => s.sid === "CloudWatchLogsOfThisEnvironment");
    expect(logs.condition[0].values).toEqual([
      "arn:aws:logs:us-east-1:123456789012:log-group:/ml-test/*",
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/eks/ml-test-*",
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/instance/ml-test-*",
    ]);
  });

  test("too many zones for a small VPC range are refused", () => {
    const zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e"];
    expect(errorOf(() => network({ vpcCidr: "10.0.0.0/24", availabilityZones: zones }))).toBe(
      'test-infra/network: availabilityZones is ["us-east-1a","us-east-1b","us-east-1c","us-east-1d","us-east-1e"]; 5 zones do not fit in 10.0.0.0/24: private subnets would be smaller than /27 or public subnets smaller than /28; use a larger VPC range or fewer zones',
    );
  });
});
