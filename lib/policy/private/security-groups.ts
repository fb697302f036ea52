import { TfResource } from "../rule";
import { blocks, numberOf, strings } from "./values";

/** One ingress permission, from any of the three ways Terraform writes them. */
export interface Ingress {
  /** Lowest and highest port; 0..65535 for "all traffic". */
  readonly fromPort: number;
  readonly toPort: number;
  readonly allProtocols: boolean;
  /** Open to 0.0.0.0/0 or ::/0. */
  readonly fromAnywhere: boolean;
}

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

/**
 * Ingress permissions of an `aws_security_group` (inline blocks), an `aws_security_group_rule`
 * of type ingress, or an `aws_vpc_security_group_ingress_rule`; empty for anything else.
 */
export function ingressOf(resource: TfResource): Ingress[] {
  const c = resource.config;
  switch (resource.type) {
    case "aws_security_group":
      return blocks(c.ingress).map((b) => ingress(b.protocol, b.from_port, b.to_port, [...strings(b.cidr_blocks), ...strings(b.ipv6_cidr_blocks)]));
    case "aws_security_group_rule":
      return c.type === "ingress" ? [ingress(c.protocol, c.from_port, c.to_port, [...strings(c.cidr_blocks), ...strings(c.ipv6_cidr_blocks)])] : [];
    case "aws_vpc_security_group_ingress_rule":
      return [ingress(c.ip_protocol, c.from_port, c.to_port, [...strings(c.cidr_ipv4), ...strings(c.cidr_ipv6)])];
    default:
      return [];
  }
}

export const INGRESS_TYPES = new Set(["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"]);

function ingress(protocol: unknown, from: unknown, to: unknown, cidrs: string[]): Ingress {
  const allProtocols = protocol === "-1" || protocol === -1 || protocol === "all";
  const fromPort = allProtocols ? 0 : (numberOf(from) ?? 0);
  const toPort = allProtocols ? 65535 : (numberOf(to) ?? 65535);
  return { fromPort: fromPort < 0 ? 0 : fromPort, toPort: toPort < 0 ? 65535 : toPort, allProtocols, fromAnywhere: cidrs.some((c) => WORLD.has(c)) };
}

/** True when the permission opens `port` to the internet. */
export function opensToWorld(i: Ingress, port: number): boolean {
  return i.fromAnywhere && i.fromPort <= port && port <= i.toPort;
}
