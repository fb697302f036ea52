import { preventDestroyChanges, warnings } from "../../../lib/review/warnings";
import { change, config, metadata, plan, stack } from "./fixtures";

const dev = metadata("dev", "development");
const prod = metadata("prod", "production");
const only = (p: ReturnType<typeof plan>, env = dev, resources = {}) => warnings(stack(`ml-${env.name}-infra`, env, p, resources));

describe("warnings", () => {
  test("an IAM role policy update names the changed attributes", () => {
    const p = plan(change("aws_iam_role_policy.p", ["update"], { policy: "{}", name: "x" }, { policy: '{"a":1}', name: "x" }));
    expect(only(p)).toMatchObject([{ category: "iam", action: "update", message: "changes policy" }]);
  });

  test("a security group rule opened to 0.0.0.0/0 is flagged with its ports", () => {
    const p = plan(change("aws_security_group_rule.r", ["create"], null, { type: "ingress", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"] }));
    expect(only(p)).toMatchObject([{ category: "open-ingress", message: "admits 0.0.0.0/0 (ports 443-443): reachable from the whole internet" }]);
  });

  test("egress to 0.0.0.0/0 is not a warning", () => {
    const p = plan(change("aws_security_group_rule.r", ["create"], null, { type: "egress", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"] }));
    expect(only(p)).toEqual([]);
  });

  test("an IPv6 ingress rule open to ::/0 is flagged", () => {
    const p = plan(change("aws_vpc_security_group_ingress_rule.r", ["create"], null, { cidr_ipv6: "::/0", from_port: 22, to_port: 22 }));
    expect(only(p)).toMatchObject([{ category: "open-ingress" }]);
  });

  test("an EKS endpoint that becomes public is flagged, with the open range", () => {
    const vpc = (pub: boolean) => ({ vpc_config: [{ endpoint_public_access: pub, public_access_cidrs: ["0.0.0.0/0"] }] });
    const p = plan(change("aws_eks_cluster.c", ["update"], vpc(false), vpc(true)));
    expect(only(p).filter((w) => w.category === "public-endpoint")).toMatchObject([{ message: "EKS API endpoint is public to 0.0.0.0/0 (endpoint_public_access)" }]);
  });

  test("a publicly accessible database is flagged", () => {
    const p = plan(change("aws_db_instance.db", ["create"], null, { publicly_accessible: true }));
    expect(only(p)).toMatchObject([{ category: "public-endpoint", message: "database is publicly accessible (publicly_accessible)" }]);
  });

  test("a KMS key policy change is flagged", () => {
    const p = plan(change("aws_kms_key.k", ["update"], { policy: "{}" }, { policy: "{ }" }));
    expect(only(p)).toMatchObject([{ category: "kms", message: "changes policy" }]);
  });

  test("turning deletion protection off says the resource loses it", () => {
    const p = plan(change("aws_db_instance.db", ["update"], { deletion_protection: true }, { deletion_protection: false }));
    expect(only(p)).toMatchObject([{ category: "data-protection", message: "deletion_protection: true -> false (the resource loses its deletion protection)" }]);
  });

  test("a stateful resource without prevent_destroy in an environment that protects data is flagged", () => {
    // GIVEN a production stack whose bucket has no lifecycle (someone lifted the DataProtection aspect)
    const p = plan(change("aws_s3_bucket.b", ["no-op"], { bucket: "x" }, { bucket: "x" }));
    const found = only(p, prod, { "aws_s3_bucket.b": { bucket: "x" } });
    expect(found).toMatchObject([{ category: "data-protection", action: "config", address: "aws_s3_bucket.b" }]);
  });

  test("the same bucket in development, which does not protect data, is not flagged", () => {
    const p = plan(change("aws_s3_bucket.b", ["no-op"], { bucket: "x" }, { bucket: "x" }));
    expect(only(p, dev, { "aws_s3_bucket.b": { bucket: "x" } })).toEqual([]);
  });

  test("prevent_destroy removed since the base branch is reported as a change", () => {
    const base = config(prod, { "aws_db_instance.db": { lifecycle: { prevent_destroy: true } } });
    const head = config(prod, { "aws_db_instance.db": {} });
    expect(preventDestroyChanges(base, head)).toEqual([{ address: "aws_db_instance.db", message: "prevent_destroy removed: Terraform will no longer refuse to destroy it" }]);
  });
});
