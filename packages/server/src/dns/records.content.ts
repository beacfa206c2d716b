import { isIP } from 'node:net';
import { TXT_MAX_BYTES, type CustomerRecordType } from '@swiftcloud/contracts';
import { ValidationFailed } from '../platform/errors.js';
import { hostnameProblem, toAscii } from './domain-name.js';

/**
 * The content rules of each record type: what each holds, and its one normalised spelling
 * (so that duplicates are found, and the zone builder parses it back without doubt).
 */

/** The apex of a zone, as record names and content write it. */
export const APEX = '@';

/** A refusal of `field`, saying the rule. */
export function refuse(field: string, message: string): ValidationFailed {
  return ValidationFailed.field(field, message);
}

const CAA = /^(\d{1,3})\s+([A-Za-z0-9]+)\s+"([\x20-\x21\x23-\x5b\x5d-\x7e]*)"$/;
export const CAA_TAGS = ['issue', 'issuewild', 'iodef'] as const;
export type CaaTag = (typeof CAA_TAGS)[number];

/**
 * A host name in content (the target of CNAME, MX, NS, SRV), fully qualified: a trailing
 * dot is accepted, `@` means the domain itself. At least two labels, so that a relative
 * name typed by mistake (`mail`) is caught. CNAME targets may hold `_` (DKIM selectors).
 */
export function normaliseTarget(
  input: string,
  zone: string,
  opts: { what: string; underscores: boolean },
): string {
  const given = input.trim();
  if (given === APEX) return zone;
  if (isIP(given.replace(/\.$/, '')) !== 0) {
    throw refuse('content', `${opts.what} must be a host name, not an IP address`);
  }
  const ascii = toAscii(given);
  if (ascii === null) throw refuse('content', `${given} is not a valid internationalised name`);
  const problem = hostnameProblem(opts.underscores ? ascii.replace(/_/g, 'u') : ascii);
  if (problem) throw refuse('content', `${opts.what} ${problem}`);
  if (!ascii.includes('.')) {
    throw refuse(
      'content',
      `${opts.what} must be fully qualified, such as ${ascii}.${zone} (or @ for ${zone})`,
    );
  }
  return ascii;
}

function port16(value: string, what: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw refuse('content', `SRV ${what} must be a whole number from 0 to 65535`);
  }
  return Number(value);
}

/** SRV content `weight port target`, normalised to single spaces. */
export function parseSrvContent(content: string): { weight: number; port: number; target: string } {
  const parts = content.trim().split(/\s+/);
  if (parts.length !== 3) {
    throw refuse(
      'content',
      'SRV content must be "weight port target", such as "5 5060 sip.example.co.zm" (priority goes in priority)',
    );
  }
  return {
    weight: port16(parts[0]!, 'weight'),
    port: port16(parts[1]!, 'port'),
    target: parts[2]!,
  };
}

/** CAA content `flags tag "value"`: flags 0–255, tag issue, issuewild or iodef. */
export function parseCaaContent(content: string): { flags: number; tag: CaaTag; value: string } {
  const m = CAA.exec(content.trim());
  if (!m) {
    throw refuse(
      'content',
      'CAA content must be flags tag "value", such as 0 issue "letsencrypt.org" (printable ASCII, no quotes or backslashes inside the value)',
    );
  }
  const flags = Number(m[1]);
  if (flags > 255) throw refuse('content', 'CAA flags must be from 0 to 255');
  const tag = m[2]!.toLowerCase();
  if (!(CAA_TAGS as readonly string[]).includes(tag)) {
    throw refuse('content', `CAA tag must be issue, issuewild or iodef, not ${m[2]}`);
  }
  const value = m[3]!;
  if (tag === 'iodef' && !/^(mailto:[^\s@]+@[^\s@]+|https?:\/\/\S+)$/i.test(value)) {
    throw refuse('content', 'A CAA iodef value must be a mailto: or http(s):// URL');
  }
  return { flags, tag: tag as CaaTag, value };
}

/** A TXT value as DNS carries it: strings of at most 255 bytes, split between characters. */
export function splitTxt(content: string): string[] {
  const chunks: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of content) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > 255) {
      chunks.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += size;
  }
  chunks.push(current);
  return chunks;
}

/** The content of a record of `type`, checked and normalised. */
export function normaliseContent(type: CustomerRecordType, content: string, zone: string): string {
  const given = content.trim();
  switch (type) {
    case 'A':
      if (isIP(given) !== 4) {
        throw refuse('content', 'An A record holds an IPv4 address, such as 192.0.2.10');
      }
      return given;
    case 'AAAA':
      if (isIP(given) !== 6) {
        throw refuse('content', 'An AAAA record holds an IPv6 address, such as 2001:db8::10');
      }
      // The URL parser writes IPv6 in its canonical form (RFC 5952).
      return new URL(`http://[${given}]/`).hostname.slice(1, -1);
    case 'CNAME':
      return normaliseTarget(given, zone, { what: 'The CNAME target', underscores: true });
    case 'NS':
      return normaliseTarget(given, zone, { what: 'The nameserver', underscores: false });
    case 'MX':
      return normaliseTarget(given, zone, { what: 'The mail server', underscores: false });
    case 'SRV': {
      const srv = parseSrvContent(given);
      const target = normaliseTarget(srv.target, zone, {
        what: 'The SRV target',
        underscores: false,
      });
      return `${srv.weight} ${srv.port} ${target}`;
    }
    case 'CAA': {
      const caa = parseCaaContent(given);
      return `${caa.flags} ${caa.tag} "${caa.value}"`;
    }
    case 'TXT':
      // Spaces at either end are part of a TXT value, so it is kept exactly as sent.
      if (Buffer.byteLength(content) > TXT_MAX_BYTES) {
        throw refuse('content', `TXT content must be at most ${TXT_MAX_BYTES} bytes (UTF-8)`);
      }
      // eslint-disable-next-line no-control-regex
      if (/[\x00-\x08\x0a-\x1f\x7f]/.test(content)) {
        throw refuse('content', 'TXT content must be text, without control characters');
      }
      return content;
  }
}
