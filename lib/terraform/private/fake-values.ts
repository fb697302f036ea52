import { createHash } from "crypto";

/** A cty type as Terraform's provider schema JSON writes it: "string", ["list", T], ["object", {...}]... */
export type CtyType = string | [string, CtyType | Record<string, CtyType>] | [string, Record<string, CtyType>, string[]?];

export interface FakeContext {
  readonly region: string;
  readonly accountId: string;
}

/** A short stable hex digest of a seed (the address and attribute path of the unknown). */
export function digest(seed: string, length = 17): string {
  return createHash("sha256").update(seed).digest("hex").slice(0, length);
}

/** AWS service of an ARN, from the resource type (enough for ARN-format validation at plan time). */
function serviceOf(type: string): string {
  const rest = type.replace(/^aws_/, "");
  const byPrefix: [RegExp, string][] = [
    [/^(vpc|subnet|route|internet_gateway|nat_gateway|eip|security_group|default_security_group|network|flow_log|launch_template|instance|ebs|ec2|ami|key_pair)/, "ec2"],
    [/^cloudwatch_log/, "logs"],
    [/^cloudwatch/, "cloudwatch"],
    [/^(db_|rds_)/, "rds"],
    [/^iam_/, "iam"],
    [/^s3/, "s3"],
    [/^kms/, "kms"],
    [/^eks/, "eks"],
    [/^ecr/, "ecr"],
    [/^dynamodb/, "dynamodb"],
    [/^elasticache/, "elasticache"],
    [/^secretsmanager/, "secretsmanager"],
    [/^(lb|alb)/, "elasticloadbalancing"],
    [/^sns/, "sns"],
    [/^sqs/, "sqs"],
  ];
  return byPrefix.find(([re]) => re.test(rest))?.[1] ?? rest.split("_")[0];
}

/**
 * A deterministic stand-in for a value only AWS would know (an ID, an ARN, a URL), shaped
 * enough like the real thing that the aws provider's plan-time validation accepts it.
 * The same address and attribute always get the same value, so that a converged state
 * stays converged.
 */
export function fakeValue(type: CtyType, resourceType: string, address: string, path: string, ctx: FakeContext): unknown {
  if (type === "string") return fakeString(resourceType, address, path, ctx);
  if (type === "number") return 1;
  if (type === "bool") return false;
  if (type === "dynamic") return null;
  if (Array.isArray(type)) {
    const [kind, inner] = type;
    if (kind === "list" || kind === "set") return [fakeValue(inner as CtyType, resourceType, address, `${path}[0]`, ctx)];
    if (kind === "map") return {};
    if (kind === "object") {
      return Object.fromEntries(Object.entries(inner as Record<string, CtyType>).map(([k, t]) => [k, fakeValue(t, resourceType, address, `${path}.${k}`, ctx)]));
    }
    if (kind === "tuple") return (inner as unknown as CtyType[]).map((t, i) => fakeValue(t, resourceType, address, `${path}[${i}]`, ctx));
  }
  return null;
}

function fakeString(resourceType: string, address: string, path: string, ctx: FakeContext): string {
  const attribute = path.split(/[.[]/).filter(Boolean).pop() ?? path;
  const h = digest(`${address}:${path}`);
  const service = serviceOf(resourceType);
  if (attribute === "arn" || attribute.endsWith("_arn")) {
    const region = service === "iam" || service === "s3" ? "" : ctx.region;
    const account = service === "s3" ? "" : ctx.accountId;
    return `arn:aws:${service}:${region}:${account}:${resourceType.replace(/^aws_/, "")}/fake-${h}`;
  }
  if (/(url|issuer|endpoint)$/.test(attribute)) return `https://fake-${h}.${ctx.region}.example.com`;
  if (attribute === "data" || attribute.endsWith("certificate")) return Buffer.from(`fake-${h}`).toString("base64");
  if (/(^|_)ip$|_ip$|public_ip|private_ip/.test(attribute)) return `10.${parseInt(h.slice(0, 2), 16)}.${parseInt(h.slice(2, 4), 16)}.${parseInt(h.slice(4, 6), 16)}`;
  if (attribute === "owner_id" || attribute.endsWith("account_id")) return ctx.accountId;
  if (attribute === "key_id") return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-8${digest(h, 3)}-${digest(`${h}-key`, 12)}`;
  const prefix = resourceType
    .replace(/^aws_/, "")
    .split("_")
    .map((w) => w[0])
    .join("");
  return `${prefix}-fake${h}`;
}
