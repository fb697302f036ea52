import { IConstruct } from "constructs";
import { Token } from "cdktf";
import { Environment } from "./environment";
import { ConfigError, formatValue } from "./errors";

/**
 * Where an AWS name must be unique: S3 bucket names are global, IAM role names are unique
 * in an account, most others in an account and region.
 */
export type NameScope = "global" | "account" | "region";

/** Names claimed in one app (keyed by the app's root construct, so separate apps never collide). */
const claimed = new WeakMap<IConstruct, Map<string, string>>();

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
  const root = scope.node.root;
  let names = claimed.get(root);
  if (!names) {
    names = new Map();
    claimed.set(root, names);
  }
  const owner = names.get(key);
  if (owner !== undefined && owner !== scope.node.path) {
    throw new ConfigError([
      `${scope.node.path}: ${field} is ${formatValue(name)}; ${owner} already uses this ${kind} name${where ? ` in ${where}` : ""}: ` +
        `${kind} names must be unique${nameScope === "global" ? " across all of AWS" : ""}; give one of them another name`,
    ]);
  }
  names.set(key, scope.node.path);
}
