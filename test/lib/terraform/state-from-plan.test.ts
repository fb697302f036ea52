import { ProviderSchemas, TerraformPlan, stateFromPlan } from "../../../lib/terraform";

/** stateFromPlan on a small hand-written plan and schema: no terraform needed. */
const AWS = "registry.terraform.io/hashicorp/aws";

const schemas: ProviderSchemas = {
  provider_schemas: {
    [AWS]: {
      resource_schemas: {
        aws_vpc: { block: { attributes: { id: { type: "string" }, arn: { type: "string" }, cidr_block: { type: "string" } } } },
        aws_subnet: { block: { attributes: { id: { type: "string" }, vpc_id: { type: "string" }, cidr_block: { type: "string" }, tags: { type: ["map", "string"] } } } },
        aws_eks_cluster: {
          block: {
            attributes: {
              id: { type: "string" },
              identity: { type: ["list", ["object", { oidc: ["list", ["object", { issuer: "string" }]] }]] },
              version: { type: "string" },
            },
          },
        },
        aws_iam_role_policy: { block: { attributes: { id: { type: "string" }, policy: { type: "string" }, role: { type: "string" } } } },
        aws_db_instance: { block: { attributes: { id: { type: "string" }, password: { type: "string" }, port: { type: "number" } } } },
      },
    },
  },
};

function resource(type: string, name: string, values: object, afterUnknown: object, expressions: object = {}, afterSensitive: object = {}) {
  const address = `${type}.${name}`;
  return {
    planned: { address, mode: "managed", type, name, provider_name: AWS, schema_version: 0, values },
    change: { address, mode: "managed", type, name, change: { actions: ["create"], before: null, after: values, after_unknown: afterUnknown, after_sensitive: afterSensitive } },
    config: { address, mode: "managed", type, name, expressions },
  };
}

function plan(...rs: ReturnType<typeof resource>[]): TerraformPlan {
  return {
    format_version: "1.2",
    terraform_version: "1.11.4",
    planned_values: { root_module: { resources: rs.map((r) => r.planned) } },
    resource_changes: rs.map((r) => r.change) as never,
    configuration: {
      provider_config: { aws: { expressions: { region: { constant_value: "eu-west-1" } } } },
      root_module: { resources: rs.map((r) => r.config) },
    },
  };
}

const vpc = resource("aws_vpc", "v", { cidr_block: "10.0.0.0/16" }, { id: true, arn: true });
const subnet = resource(
  "aws_subnet",
  "s",
  { cidr_block: "10.0.0.0/24", tags: { Name: "a" } },
  { id: true, vpc_id: true },
  { vpc_id: { constant_value: "${aws_vpc.v.id}", references: ["aws_vpc.v.id", "aws_vpc.v"] } },
);

function attributesOf(state: ReturnType<typeof stateFromPlan>, type: string): Record<string, any> {
  return state.resources.find((r) => r.type === type)!.instances[0].attributes;
}

describe("stateFromPlan", () => {
  test("writes a version 4 state with the planned values, one resource per address", () => {
    const state = stateFromPlan(plan(vpc, subnet), schemas, { serial: 3, accountId: "123456789012" });
    expect(state).toMatchObject({ version: 4, terraform_version: "1.11.4", serial: 3 });
    expect(state.resources.map((r) => `${r.type}.${r.name} ${r.provider}`)).toEqual([`aws_vpc.v provider["${AWS}"]`, `aws_subnet.s provider["${AWS}"]`]);
    expect(attributesOf(state, "aws_subnet")).toMatchObject({ cidr_block: "10.0.0.0/24", tags: { Name: "a" } });
  });

  test("fills unknown IDs and ARNs with deterministic fakes of the right shape", () => {
    const a = stateFromPlan(plan(vpc), schemas, { accountId: "123456789012" });
    const b = stateFromPlan(plan(vpc), schemas, { accountId: "123456789012" });
    expect(attributesOf(a, "aws_vpc").id).toEqual(attributesOf(b, "aws_vpc").id);
    expect(attributesOf(a, "aws_vpc").arn).toMatch(/^arn:aws:ec2:eu-west-1:123456789012:vpc\/fake-[0-9a-f]+$/);
    expect(a.lineage).toEqual(b.lineage);
  });

  test("an unknown that the configuration writes as a reference gets the referenced value", () => {
    const state = stateFromPlan(plan(vpc, subnet), schemas);
    expect(attributesOf(state, "aws_subnet").vpc_id).toBe(attributesOf(state, "aws_vpc").id);
  });

  test("a template around a reference is resolved; a function call is not", () => {
    const policy = resource(
      "aws_iam_role_policy",
      "p",
      {},
      { id: true, policy: true, role: true },
      {
        role: { constant_value: "role-${aws_vpc.v.id}" },
        policy: { constant_value: '${jsonencode({"Resource" = aws_vpc.v.arn})}' },
      },
    );
    const state = stateFromPlan(plan(vpc, policy), schemas);
    const attrs = attributesOf(state, "aws_iam_role_policy");
    expect(attrs.role).toBe(`role-${attributesOf(state, "aws_vpc").id}`);
    expect(attrs.policy).toMatch(/^irp-fake[0-9a-f]+$/);
  });

  test("replace() of a reference with literal arguments is resolved, as IRSA trust policies write the OIDC issuer; a regex replace is not", () => {
    const cluster = resource("aws_eks_cluster", "c", { version: "1.33" }, { id: true, identity: true });
    const trust = resource(
      "aws_iam_role_policy",
      "t",
      {},
      { id: true, policy: true, role: true },
      {
        policy: { constant_value: '{"StringEquals":{"${replace(aws_eks_cluster.c.identity[0].oidc[0].issuer, "https://", "")}:aud":"sts.amazonaws.com"}}' },
        role: { constant_value: '${replace(aws_eks_cluster.c.id, "/^fake/", "")}' },
      },
    );
    const state = stateFromPlan(plan(cluster, trust), schemas);
    const issuer: string = attributesOf(state, "aws_eks_cluster").identity[0].oidc[0].issuer;
    const attrs = attributesOf(state, "aws_iam_role_policy");
    expect(attrs.policy).toBe(`{"StringEquals":{"${issuer.slice("https://".length)}:aud":"sts.amazonaws.com"}}`);
    expect(attrs.role).not.toContain(attributesOf(state, "aws_eks_cluster").id);
  });

  test("an unknown list of objects gets one element, so that references like identity[0].oidc[0].issuer resolve", () => {
    const cluster = resource("aws_eks_cluster", "c", { version: "1.33" }, { id: true, identity: true });
    const issuer = attributesOf(stateFromPlan(plan(cluster), schemas), "aws_eks_cluster").identity[0].oidc[0].issuer;
    expect(issuer).toMatch(/^https:\/\/fake-[0-9a-f]+\.eu-west-1\.example\.com$/);
  });

  test("records sensitive paths, and sets attributes the plan omits to null", () => {
    const db = resource("aws_db_instance", "d", { port: 5432 }, { id: true }, {}, { password: true });
    const state = stateFromPlan(plan(db), schemas);
    const instance = state.resources[0].instances[0];
    expect(instance.sensitive_attributes).toEqual([[{ type: "get_attr", value: "password" }]]);
    expect(instance.attributes.password).toBeNull();
  });
});
