import { Lazy, TerraformStack } from "cdktf";
import { Construct, IConstruct } from "constructs";

/**
 * A list written under `"//".<key>` of a stack's Terraform JSON (Terraform ignores `//`
 * keys), held by one construct at the stack's root and found again through the construct
 * tree (`tryFindChild`), never through module state: two apps in one process each get
 * their own. Readers of the synthesized stack (the plan review, `npm run policy`, the
 * synth summary) see what the constructs recorded without running the app again.
 */
export class StackRecord<T extends object> extends Construct {
  /** The stack's record under `key`, created at the stack's root on first use. */
  public static of<T extends object>(scope: IConstruct, key: string): StackRecord<T> {
    const stack = TerraformStack.of(scope);
    const id = `${key}-record`;
    const existing = stack.node.tryFindChild(id);
    return existing instanceof StackRecord ? (existing as StackRecord<T>) : new StackRecord<T>(stack, id, key);
  }

  /** The stack's record under `key`, if anything was recorded there. */
  public static find<T extends object>(scope: IConstruct, key: string): StackRecord<T> | undefined {
    const existing = TerraformStack.of(scope).node.tryFindChild(`${key}-record`);
    return existing instanceof StackRecord ? (existing as StackRecord<T>) : undefined;
  }

  private readonly items: (() => T)[] = [];

  private constructor(
    stack: TerraformStack,
    id: string,
    public readonly key: string,
  ) {
    super(stack, id);
    stack.addOverride(`//.${key}`, Lazy.anyValue({ produce: () => this.items.map((item) => ({ ...item() })) }));
  }

  public add(item: T): T {
    this.items.push(() => item);
    return item;
  }

  /** Adds an item computed at synth (for a construct whose children can still be added). */
  public addLazy(produce: () => T): void {
    this.items.push(produce);
  }

  /** The items as they are now. */
  public get all(): readonly T[] {
    return this.items.map((item) => item());
  }
}

/** A construct's path inside its stack (without the stack's own ID): the same in every environment. */
export function pathInStack(scope: IConstruct): string {
  const stackPath = TerraformStack.of(scope).node.path;
  const full = scope.node.path;
  return full === stackPath ? "" : full.slice(stackPath.length + 1);
}

/** Where conditional-resource records are written in a stack's Terraform JSON. */
export const CONDITIONS_KEY = "conditional_resources";

/**
 * Why a construct created (or did not create) some of its children: the setting that
 * decided, its value in this environment, and the children (paths relative to the
 * deciding construct) that exist because of that value. Recorded in every environment,
 * including those where the value creates nothing, so that the plan review's parity
 * section can say "natGateways: one-per-az in staging, prod; single in dev" for a
 * resource present in some environments only, from the synthesized stacks alone.
 */
export interface ConditionRecord {
  /** Path of the deciding construct inside its stack ("" for the stack itself). */
  readonly constructPath: string;
  /** The prop or knob that decided, as the user writes it, e.g. "natGateways". */
  readonly setting: string;
  /** Its value in this environment, as text. */
  readonly value: string;
  /** Why the value creates these children. */
  readonly reason: string;
  /** Children, relative to constructPath, that exist because of the value; empty when it creates none. */
  readonly creates: readonly string[];
}

/** What a recorded setting created, and why. */
export interface ConditionOptions {
  /** Children, relative to the recording construct, that exist because of the value (empty when none). */
  readonly creates: readonly string[] | (() => readonly string[]);
  /** Why the value creates them, in a few words. */
  readonly reason: string;
}

/**
 * Records the settings that decide which children a construct creates:
 *
 *     ConditionalResources.of(this).record("natGateways", "one-per-az", {
 *       creates: natIds, reason: "one NAT gateway per zone, so a zone outage does not cut egress",
 *     });
 *
 * Call it whatever the value, with `creates` listing what the value caused (possibly
 * nothing): the review compares the same setting of the same construct across environments.
 */
export class ConditionalResources {
  public static of(scope: IConstruct): ConditionalResources {
    return new ConditionalResources(scope);
  }

  private constructor(private readonly scope: IConstruct) {}

  /**
   * Records `setting`'s value here and what it created. `value` and `creates` may be
   * functions, read at synth: for a construct whose children can still be added (GPU pools).
   */
  public record(setting: string, value: string | number | boolean | (() => string), options: ConditionOptions): ConditionRecord {
    const { creates, reason } = options;
    return StackRecord.of<ConditionRecord>(this.scope, CONDITIONS_KEY).add({
      constructPath: pathInStack(this.scope),
      setting,
      get value() {
        return typeof value === "function" ? value() : String(value);
      },
      reason,
      get creates() {
        return typeof creates === "function" ? [...creates()] : [...creates];
      },
    });
  }
}

/** The condition records of a synthesized stack. */
export function recordedConditions(tfJson: object | undefined): ConditionRecord[] {
  const meta = (tfJson as Record<string, unknown> | undefined)?.["//"] as Record<string, unknown> | undefined;
  const list = meta?.[CONDITIONS_KEY];
  return Array.isArray(list) ? (list as ConditionRecord[]) : [];
}

/** True when `record` created the construct at `path` (inside the stack) or one of its ancestors. */
export function conditionCovers(record: ConditionRecord, path: string): boolean {
  return record.creates.some((child) => {
    const created = record.constructPath ? `${record.constructPath}/${child}` : child;
    return path === created || path.startsWith(`${created}/`);
  });
}
