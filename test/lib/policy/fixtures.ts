import { StackIndex, TfResource } from "../../../lib/policy";

/** A Terraform JSON stack from `{ type: { name: config } }` resource blocks (and optional data blocks). */
export function tf(resources: Record<string, Record<string, object>>, data: Record<string, Record<string, object>> = {}): Record<string, any> {
  return { resource: resources, data };
}

/** The stack index of a fixture and one of its resources. */
export function resourceIn(json: Record<string, any>, address: string): { resource: TfResource; stack: StackIndex } {
  const stack = new StackIndex(json);
  const resource = stack.resource(address);
  if (!resource) throw new Error(`fixture has no resource ${address}`);
  return { resource, stack };
}

/** An IAM policy JSON string. */
export function policy(...statements: object[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

const BUCKET = { b: { bucket: "data" } };
const ref = (address: string, attr = "id") => `\${${address}.${attr}}`;

export function bucketWith(parts: Record<string, object>): Record<string, any> {
  const resources: Record<string, Record<string, object>> = { aws_s3_bucket: BUCKET };
  for (const [type, config] of Object.entries(parts)) resources[type] = { p: { bucket: ref("aws_s3_bucket.b"), ...config } };
  return tf(resources);
}

export { ref };
