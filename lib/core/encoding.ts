import { Fn, TerraformLocal, Token } from "cdktf";
import { Construct } from "constructs";

/**
 * Base64 of a text that may contain Terraform references. A plain string is encoded here;
 * one with tokens goes through a local, because `base64encode("...")` written inline
 * refuses (or breaks) on any double quote in the text, which YAML quoting of a
 * digits-only value or a user's string brings in.
 */
export function base64Of(scope: Construct, id: string, text: string): string {
  if (!Token.isUnresolved(text)) return Buffer.from(text, "utf8").toString("base64");
  return Fn.base64encode(new TerraformLocal(scope, id, text).asString);
}
