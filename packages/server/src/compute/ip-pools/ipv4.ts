/** IPv4 addresses as unsigned 32-bit integers, for range arithmetic and storage. */

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const DOTTED = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** "198.51.100.7" -> 3325256711; leading zeros, spaces and anything else -> null. */
export function parseIpv4(text: string): number | null {
  const m = DOTTED.exec(text);
  if (!m) return null;
  return ((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]);
}

export function formatIpv4(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not an IPv4: ${n}`);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  network: number;
  prefix: number;
  /** The last address (the broadcast address). */
  broadcast: number;
}

export function cidrOf(network: number, prefix: number): Cidr {
  const size = 2 ** (32 - prefix);
  return { network, prefix, broadcast: network + size - 1 };
}

/**
 * "198.51.100.0/24" -> the network; a reason when it is not one (host bits set, prefix out of
 * `allowed`), so that the caller can say what to fix.
 */
export function parseCidr(
  text: string,
  allowed: { min: number; max: number },
): { ok: true; cidr: Cidr } | { ok: false; reason: string } {
  const [addr, bits, ...rest] = text.split('/');
  const address = addr === undefined ? null : parseIpv4(addr);
  if (address === null || bits === undefined || rest.length > 0 || !/^\d{1,2}$/.test(bits))
    return { ok: false, reason: 'must be an IPv4 network such as 198.51.100.0/24' };
  const prefix = Number(bits);
  if (prefix < allowed.min || prefix > allowed.max)
    return {
      ok: false,
      reason: `prefix must be between /${allowed.min} and /${allowed.max}`,
    };
  const size = 2 ** (32 - prefix);
  const network = address - (address % size);
  if (network !== address)
    return {
      ok: false,
      reason: `has host bits set; the network is ${formatIpv4(network)}/${prefix}`,
    };
  return { ok: true, cidr: cidrOf(network, prefix) };
}

export function formatCidr(c: { network: number; prefix: number }): string {
  return `${formatIpv4(c.network)}/${c.prefix}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network <= b.broadcast && b.network <= a.broadcast;
}
