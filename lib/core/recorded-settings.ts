import { Lazy, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";

/** Where constructs record the resolved settings that decide conditional resources, in a stack's Terraform JSON. */
export const SETTINGS_KEY = "settings";

/** A recorded setting's value. */
export type RecordedSettingValue = string | number | boolean;

const recorded = new WeakMap<TerraformStack, Record<string, RecordedSettingValue>>();

/**
 * Records the value a construct resolved for a prop that decides whether some of its
 * resources exist (NAT per zone, a Redis online store, a disruption budget), under
 * `"//"."settings"."<Construct>.<prop>"` of its stack (Terraform ignores `//` keys). The
 * plan review explains differences between environments by these values, as the
 * construct resolved them from its props and tier, without re-deriving any default.
 */
export function recordSetting(scope: IConstruct, name: string, value: RecordedSettingValue): void {
  const stack = TerraformStack.of(scope);
  let settings = recorded.get(stack);
  if (!settings) {
    const created: Record<string, RecordedSettingValue> = {};
    settings = created;
    recorded.set(stack, created);
    stack.addOverride(`//.${SETTINGS_KEY}`, Lazy.anyValue({ produce: () => ({ ...created }) }));
  }
  settings[name] = value;
}

/** The settings recorded in a synthesized stack (see recordSetting). */
export function recordedSettings(tfJson: object | undefined): Readonly<Record<string, RecordedSettingValue>> {
  const meta = (tfJson as Record<string, unknown> | undefined)?.["//"];
  const settings = meta && typeof meta === "object" ? (meta as Record<string, unknown>)[SETTINGS_KEY] : undefined;
  return settings && typeof settings === "object" && !Array.isArray(settings) ? (settings as Record<string, RecordedSettingValue>) : {};
}
