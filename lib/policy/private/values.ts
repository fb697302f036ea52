/** Reading Terraform JSON values defensively: blocks may be objects or lists, values may be interpolations. */

/** A nested block as a list: Terraform JSON allows one object or a list of objects. */
export function blocks(value: unknown): Record<string, any>[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((b): b is Record<string, any> => typeof b === "object" && b !== null && !Array.isArray(b));
}

/** The first block, or undefined. */
export function block(value: unknown): Record<string, any> | undefined {
  return blocks(value)[0];
}

/** A list attribute as strings (a single string counts as a one-element list). */
export function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string => typeof v === "string");
}

/** True only for a literal true (Terraform JSON accepts the string "true" as well). */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** True only for a literal false. */
export function isFalse(value: unknown): boolean {
  return value === false || value === "false";
}

/** A literal number, or undefined when absent or an interpolation. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** A non-empty string (literal or reference). */
export function isSet(value: unknown): boolean {
  return typeof value === "string" ? value.trim() !== "" : value !== undefined && value !== null;
}
