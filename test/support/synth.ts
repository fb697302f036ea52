import { Testing, TerraformStack } from "cdktf";

/** Synthesized Terraform JSON of one stack, parsed. */
export function synthJson(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

/** Every resource of a type in a synthesized stack, keyed by logical name. */
export function resourcesOfType(json: any, type: string): Record<string, any> {
  return json.resource?.[type] ?? {};
}

/** The single resource of a type, failing clearly when there are none or several. */
export function onlyResource(json: any, type: string): any {
  const all = Object.values(resourcesOfType(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** Counts of resources by type. */
export function resourceCounts(json: any): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [type, byName] of Object.entries(json.resource ?? {})) counts[type] = Object.keys(byName as object).length;
  return counts;
}

/** The error message thrown by `fn`, or fails the test if nothing is thrown. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected an error, but none was thrown");
}

/**
 * The synthesized stack without its AccessLogBucket's resources (every SecureBucket adds
 * that bucket at the stack's root, `access-logs_*`), for tests of one construct's own resources.
 */
export function withoutAccessLogs(json: any): any {
  const resource = Object.fromEntries(
    Object.entries<any>(json.resource ?? {})
      .map(([type, byName]) => [type, Object.fromEntries(Object.entries<any>(byName).filter(([address]) => !address.startsWith("access-logs_")))] as const)
      .filter(([, byName]) => Object.keys(byName).length > 0),
  );
  return { ...json, resource };
}
