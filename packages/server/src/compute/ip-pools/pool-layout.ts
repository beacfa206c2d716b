import { IP_POOL_PREFIX } from '@swiftcloud/contracts';
import { ValidationFailed, type ErrorDetail } from '../../platform/errors.js';
import { cidrOf, formatCidr, formatIpv4, parseCidr, parseIpv4, type Cidr } from './ipv4.js';

/** A pool's network and the addresses it hands out: rangeFirst..rangeLast less the gateway. */
export interface PoolLayout {
  cidr: Cidr;
  gateway: number;
  rangeFirst: number;
  rangeLast: number;
}

export interface PoolLayoutInput {
  cidr: string;
  gateway: string;
  /** Default: the first host of the network. */
  rangeFirst?: string | undefined;
  /** Default: the last host of the network. */
  rangeLast?: string | undefined;
}

/** How many addresses the layout hands out. */
export function addressCount(l: PoolLayout): number {
  const inRange = l.gateway >= l.rangeFirst && l.gateway <= l.rangeLast ? 1 : 0;
  return l.rangeLast - l.rangeFirst + 1 - inRange;
}

/**
 * Checks a pool's layout: the network is a CIDR of /16../30 without host bits; the gateway
 * and both ends of the range are hosts of it (never the network or broadcast address); the
 * range runs forwards and holds at least one address besides the gateway. Every problem is
 * reported on its own field.
 */
export function poolLayout(input: PoolLayoutInput): PoolLayout {
  const details: ErrorDetail[] = [];
  const fail = (field: string, message: string) => {
    details.push({ field, message });
    return null;
  };
  const parsed = parseCidr(input.cidr, IP_POOL_PREFIX);
  if (!parsed.ok) {
    fail('cidr', `cidr ${parsed.reason}`);
    throw new ValidationFailed(details[0]!.message, details);
  }
  const cidr = parsed.cidr;
  const host = (field: string, text: string | undefined, fallback: number): number | null => {
    if (text === undefined) return fallback;
    const n = parseIpv4(text);
    if (n === null) return fail(field, `${field} must be an IPv4 address such as 198.51.100.1`);
    if (n < cidr.network || n > cidr.broadcast)
      return fail(field, `${field} must be inside ${formatCidr(cidr)}`);
    if (n === cidr.network)
      return fail(field, `${field} must not be the network address ${formatIpv4(n)}`);
    if (n === cidr.broadcast)
      return fail(field, `${field} must not be the broadcast address ${formatIpv4(n)}`);
    return n;
  };
  const gateway = host('gateway', input.gateway, NaN);
  const rangeFirst = host('range_first', input.rangeFirst, cidr.network + 1);
  const rangeLast = host('range_last', input.rangeLast, cidr.broadcast - 1);
  if (rangeFirst !== null && rangeLast !== null && rangeFirst > rangeLast)
    fail('range_last', `range_last must not come before range_first (${formatIpv4(rangeFirst)})`);
  if (details.length > 0) throw new ValidationFailed(details[0]!.message, details);
  const layout = { cidr, gateway: gateway!, rangeFirst: rangeFirst!, rangeLast: rangeLast! };
  if (addressCount(layout) === 0)
    throw ValidationFailed.field(
      'range_first',
      'The range holds no address besides the gateway; widen it',
    );
  return layout;
}

/** The layout of a stored pool, as the input it was made from. */
export function layoutInput(row: {
  network: number;
  prefix: number;
  gateway: number;
  range_first: number;
  range_last: number;
}): Required<PoolLayoutInput> {
  return {
    cidr: formatCidr(cidrOf(row.network, row.prefix)),
    gateway: formatIpv4(row.gateway),
    rangeFirst: formatIpv4(row.range_first),
    rangeLast: formatIpv4(row.range_last),
  };
}
