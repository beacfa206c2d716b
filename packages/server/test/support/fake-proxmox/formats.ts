import { isIP } from 'node:net';

/**
 * Proxmox's named string formats (PVE::JSONSchema and qemu-server), for those the driver
 * sends and a few neighbours. A format the fake does not know is itself a violation, so a
 * new parameter cannot slip through unchecked.
 */
const LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const DNS_NAME = new RegExp(`^(?:${LABEL}\\.)*${LABEL}$`);
const CONFIG_ID = /^[a-z][a-z0-9_]{1,40}$/i;

function cidr(value: string, family: 4 | 6): boolean {
  const [address, prefix, extra] = value.split('/');
  if (extra !== undefined || !address || !prefix || !/^\d{1,3}$/.test(prefix)) return false;
  return isIP(address) === family && Number(prefix) <= (family === 4 ? 32 : 128);
}

function splitList(value: string): string[] {
  return value.split(/[\0;,\s]+/).filter(Boolean);
}

const IPCONFIG_KEYS: Record<string, (v: string) => boolean> = {
  ip: (v) => v === 'dhcp' || cidr(v, 4),
  gw: (v) => isIP(v) === 4,
  ip6: (v) => v === 'dhcp' || v === 'auto' || cidr(v, 6),
  gw6: (v) => isIP(v) === 6,
};

const FORMATS: Record<string, (value: string) => string | null> = {
  'pve-vmid': (v) => (/^\d+$/.test(v) ? null : 'not a vmid'),
  'pve-node': (v) => ((DNS_NAME.test(v) && !v.includes('.')) || isIP(v) ? null : 'not a node name'),
  'dns-name': (v) => (DNS_NAME.test(v) ? null : 'not a DNS name'),
  'pve-storage-id': (v) => (/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(v) ? null : 'not a storage id'),
  'pve-configid': (v) => (CONFIG_ID.test(v) ? null : 'not a configuration id'),
  'pve-poolid': (v) => (/^[A-Za-z0-9_\-/]+$/.test(v) ? null : 'not a pool id'),
  'pve-realm': (v) => (/^[A-Za-z][A-Za-z0-9.\-_]+$/.test(v) ? null : 'not a realm'),
  'pve-userid': (v) => (/^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+$/.test(v) ? null : 'not a user id'),
  'pve-priv-list': (v) =>
    splitList(v).every((p) => /^[A-Z][A-Za-z.]+$/.test(p)) ? null : 'not a privilege list',
  // PVE::JSONSchema::pve_verify_urlencoded: spaces, `+` and other raw characters are refused.
  urlencoded: (v) => (/^[-%a-zA-Z0-9_.!~*'()]*$/.test(v) ? null : 'invalid urlencoded string'),
  ip: (v) => (isIP(v) ? null : 'not an IP address'),
  ipv4: (v) => (isIP(v) === 4 ? null : 'not an IPv4 address'),
  ipv6: (v) => (isIP(v) === 6 ? null : 'not an IPv6 address'),
  address: (v) => (isIP(v) || DNS_NAME.test(v) ? null : 'not an address'),
  CIDR: (v) => (cidr(v, 4) || cidr(v, 6) ? null : 'not a CIDR'),
  'address-list': (v) => {
    const list = splitList(v);
    return list.length > 0 && list.every((a) => isIP(a)) ? null : 'not a list of IP addresses';
  },
  // qemu-server's ipconfig: ip=<IPv4/CIDR|dhcp>, gw=<IPv4>, ip6=…, gw6=…; a gateway needs its address.
  'pve-qm-ipconfig': (v) => {
    const seen: Record<string, string> = {};
    for (const part of v.split(',')) {
      const [key, value, extra] = part.split('=');
      const check = key === undefined ? undefined : IPCONFIG_KEYS[key];
      if (!key || !check || value === undefined || extra !== undefined) return `bad part '${part}'`;
      if (!check(value)) return `bad ${key} '${value}'`;
      if (key in seen) return `duplicate ${key}`;
      seen[key] = value;
    }
    if (seen.gw && (!seen.ip || seen.ip === 'dhcp')) return 'gw needs a static ip';
    if (seen.gw6 && (!seen.ip6 || seen.ip6 === 'dhcp' || seen.ip6 === 'auto')) {
      return 'gw6 needs a static ip6';
    }
    return null;
  },
};

/** Names of the formats the fake checks. */
export const CHECKED_FORMATS = Object.keys(FORMATS);

export function checkFormat(name: string, format: string, value: string): string[] {
  const check = FORMATS[format];
  if (!check) return [`${name}: format '${format}' is not checked by the fake proxmox; add it`];
  const problem = check(value);
  return problem ? [`${name}: value does not match the format '${format}': ${problem}`] : [];
}
