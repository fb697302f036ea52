/** IPv4 CIDR arithmetic, enough for VPC planning. Pure and synchronous. */
export interface Ipv4Block {
  readonly network: number; // unsigned 32-bit
  readonly prefix: number;
}

/** Dotted quad and prefix without leading zeros ("0.0.0.0/00" and "010.0.0.0/8" are refused: tools read them differently). */
const CIDR = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\/(0|[1-9]\d?)$/;

/** Parses `a.b.c.d/p`; undefined when malformed or when host bits are set. */
export function parseCidr(cidr: string): Ipv4Block | undefined {
  const m = CIDR.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const network = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if ((network & mask) >>> 0 !== network) return undefined;
  return { network, prefix };
}

export function formatCidr(block: Ipv4Block): string {
  const n = block.network;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${block.prefix}`;
}

export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (a.network & mask) >>> 0 === (b.network & mask) >>> 0;
}

/** Like Terraform's cidrsubnet(): the `index`-th block of `newBits` more prefix bits. */
export function subnet(block: Ipv4Block, newBits: number, index: number): Ipv4Block {
  const prefix = block.prefix + newBits;
  const size = 2 ** (32 - prefix);
  return { network: (block.network + index * size) >>> 0, prefix };
}

/** True for blocks inside the RFC 1918 private ranges. */
export function isPrivate(block: Ipv4Block): boolean {
  return ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].some((r) => {
    const range = parseCidr(r)!;
    return block.prefix >= range.prefix && overlaps(block, range);
  });
}
