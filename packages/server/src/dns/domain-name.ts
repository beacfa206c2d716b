import { domainToASCII } from 'node:url';
import { parse } from 'tldts';

/** A name fails one of these rules; `message` says which, for the `name` field. */
export class DomainNameError extends Error {
  override name = 'DomainNameError';
}

const LDH_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Octets of a name on the wire (RFC 1035 3.1: length bytes, labels, the root byte). */
export function wireLength(absoluteName: string): number {
  return absoluteName === '' ? 1 : Buffer.byteLength(absoluteName) + 2;
}

/**
 * Lowercase ASCII of a name as typed: trimmed, trailing dot removed, internationalised
 * labels in punycode (UTS 46, through node:url). Null when a label cannot be converted.
 * Plain ASCII labels are only lowercased, so that `_` and `*` reach the caller's own rules.
 */
export function toAscii(name: string): string | null {
  const labels = name.trim().replace(/\.$/, '').split('.');
  const converted = labels.map((label) =>
    // eslint-disable-next-line no-control-regex
    /^[\x00-\x7f]*$/.test(label) && !/^xn--/i.test(label)
      ? label.toLowerCase()
      : domainToASCII(label) || null,
  );
  return converted.includes(null) ? null : converted.join('.');
}

/** The label rules of a host name: LDH labels of 1–63 octets, at most 255 octets in all. */
export function hostnameProblem(name: string): string | null {
  if (name === '') return 'must not be empty';
  if (wireLength(name) > 255) return 'must be at most 253 characters (255 octets on the wire)';
  for (const label of name.split('.')) {
    if (label.length === 0) return 'must not have an empty label (..)';
    if (label.length > 63) return `label ${label.slice(0, 20)}... is longer than 63 characters`;
    if (!LDH_LABEL.test(label)) {
      return `label ${label} may hold only letters, digits and inner hyphens`;
    }
  }
  return null;
}

/**
 * The domain a customer adds, normalised (trimmed, lowercase, no trailing dot, punycode),
 * or a DomainNameError. Only registrable names: exactly one label under a public suffix
 * of the Public Suffix List (ICANN and private sections), so `co.zm`, `zm`, `com` and
 * `github.io` are refused, and so are subdomains (`shop.example.co.zm`: its records
 * belong in the zone of `example.co.zm`) and names under no known suffix.
 */
export function normaliseDomainName(input: string): string {
  const name = toAscii(input);
  if (name === null) {
    throw new DomainNameError(
      `${input.trim()} is not a valid internationalised domain name (IDNA conversion failed)`,
    );
  }
  const problem = hostnameProblem(name);
  if (problem) throw new DomainNameError(`The domain name ${problem}`);
  const psl = parse(name, { allowPrivateDomains: true });
  if (psl.isIp) throw new DomainNameError('An IP address is not a domain name');
  if (!psl.isIcann && !psl.isPrivate) {
    throw new DomainNameError(
      `${name} is not under a known public suffix (such as .co.zm or .com) of the Public Suffix List`,
    );
  }
  if (psl.domain === null || psl.publicSuffix === name) {
    throw new DomainNameError(
      `${name} is a public suffix, under which others register names; add a name registered under it, such as example.${name}`,
    );
  }
  if (psl.domain !== name) {
    throw new DomainNameError(
      `${name} is a subdomain of ${psl.domain}; add ${psl.domain} and create records for ${psl.subdomain} in it`,
    );
  }
  return name;
}
