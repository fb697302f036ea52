import { Construct, IConstruct } from "constructs";
import { TerraformStack, Token } from "cdktf";
import { Environment } from "./environment";
import { ConfigError, formatValue } from "./errors";

/**
 * Where an AWS name must be unique: S3 bucket names are global, IAM role names are unique
 * in an account, most others in an account and region.
 */
export type NameScope = "global" | "account" | "region";

/**
 * The names claimed by the constructs of one stack, held by a construct at the stack's root
 * (found through the construct tree, never module state: separate apps never collide).
 */
class PhysicalNameClaims extends Construct {
  public static readonly ID = "physical-name-claims";

  /** The claims of `stack`, created on first use. */
  public static of(stack: TerraformStack): PhysicalNameClaims {
    return PhysicalNameClaims.find(stack) ?? new PhysicalNameClaims(stack, PhysicalNameClaims.ID);
  }

  public static find(scope: IConstruct): PhysicalNameClaims | undefined {
    const existing = scope.node.tryFindChild(PhysicalNameClaims.ID);
    return existing instanceof PhysicalNameClaims ? existing : undefined;
  }

  /** Claim key -> path of the construct holding the name. */
  public readonly names = new Map<string, string>();
}

/** The construct of the app (any stack) that already holds `key`, if any. */
function holderOf(root: IConstruct, key: string): string | undefined {
  for (const child of root.node.children) {
    const holder = PhysicalNameClaims.find(child)?.names.get(key);
    if (holder !== undefined) return holder;
  }
  return undefined;
}

/**
 * Claims a physical name for `scope`. Two constructs of one app that would create the same
 * bucket, repository, role, database or secret name collide at apply time (the second
 * create fails, or worse, one stack adopts the other's resource); this turns that into one
 * ConfigError at synth, naming both. The verdict does not depend on the order the
 * constructs are created in: whichever comes second is refused, naming the first.
 */
export function claimPhysicalName(scope: IConstruct, kind: string, field: string, name: string, nameScope: NameScope): void {
  if (Token.isUnresolved(name)) return;
  const env = Environment.of(scope);
  const where = nameScope === "global" ? "" : nameScope === "account" ? `account ${env.accountId}` : `account ${env.accountId}, ${env.region}`;
  const key = `${kind}|${nameScope === "global" ? "" : env.accountId}|${nameScope === "region" ? env.region : ""}|${name}`;
  const owner = holderOf(scope.node.root, key);
  if (owner !== undefined && owner !== scope.node.path) {
    throw new ConfigError([
      `${scope.node.path}: ${field} is ${formatValue(name)}; ${owner} already uses this ${kind} name${where ? ` in ${where}` : ""}: ` +
        `${kind} names must be unique${nameScope === "global" ? " across all of AWS" : ""}; give one of them another name`,
    ]);
  }
  PhysicalNameClaims.of(TerraformStack.of(scope)).names.set(key, scope.node.path);
}
