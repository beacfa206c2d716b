import { z } from 'zod';
import { envelope, listEnvelope, paginationQuery, timestamp, uuid } from './common.js';

export const DOMAIN_STATUSES = ['pending', 'active', 'failed'] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

/** The record types customers manage; the SOA and the apex NS are the platform's. */
export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA'] as const;
export type CustomerRecordType = (typeof RECORD_TYPES)[number];

export const DNS_TTL = { min: 60, max: 86_400, default: 3_600 } as const;
export const DNS_PRIORITY = { min: 0, max: 65_535 } as const;
/** TXT content, in UTF-8 bytes; the server splits it into strings of 255 bytes. */
export const TXT_MAX_BYTES = 4_096;
export const MAX_RECORDS_PER_ZONE = 5_000;

export const domainSchema = z
  .object({
    id: uuid,
    projectId: uuid,
    name: z.string().meta({ description: 'Lowercase; internationalised names in punycode' }),
    status: z.enum(DOMAIN_STATUSES).meta({
      description:
        'pending: not yet delegated to our nameservers; active: delegated and verified; failed: checked and wrong, or verified in another project',
    }),
    nameservers: z
      .array(z.string())
      .meta({ description: 'The nameservers to set at the registrar' }),
    delegatedNameservers: z
      .array(z.string())
      .meta({ description: 'The nameservers the parent zone delegated to at the last check' }),
    lastCheckedAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Domain' });
export type Domain = z.infer<typeof domainSchema>;

export const recordSchema = z
  .object({
    id: uuid,
    name: z.string().meta({ description: 'Relative to the domain: @, www, *.dev' }),
    type: z.enum(RECORD_TYPES),
    content: z.string(),
    ttl: z.number().int(),
    priority: z.number().int().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'DnsRecord' });
export type DnsRecord = z.infer<typeof recordSchema>;

export const domainListQuery = paginationQuery.extend({ project_id: uuid });

export const createDomainBody = z.strictObject({
  project_id: uuid,
  name: z
    .string()
    .trim()
    .min(1, 'name must not be empty')
    .max(254, 'name must be at most 253 characters')
    .meta({ example: 'example.co.zm' }),
});

const recordName = z
  .string()
  .trim()
  .min(1, 'name must not be empty; use @ for the domain itself')
  .max(255, 'name must be at most 253 characters as a fully qualified name')
  .meta({ example: '@', description: 'Relative (@, www, *.dev) or fully qualified with a dot' });
const recordType = z.enum(RECORD_TYPES, {
  message: `type must be one of ${RECORD_TYPES.join(', ')} (the SOA and apex NS are managed by SwiftCloud)`,
});
const recordContent = z
  .string()
  .min(1, 'content must not be empty')
  .max(TXT_MAX_BYTES, `content must be at most ${TXT_MAX_BYTES} characters`)
  .meta({ example: '192.168.1.1' });
const recordTtl = z
  .number({ message: 'ttl must be a whole number of seconds' })
  .int('ttl must be a whole number of seconds')
  .min(DNS_TTL.min, `ttl must be at least ${DNS_TTL.min} seconds`)
  .max(DNS_TTL.max, `ttl must be at most ${DNS_TTL.max} seconds`)
  .meta({ description: `Seconds; default ${DNS_TTL.default}, or the TTL of its RRset` });
const recordPriority = z
  .number({ message: 'priority must be a whole number' })
  .int('priority must be a whole number')
  .min(DNS_PRIORITY.min, `priority must be at least ${DNS_PRIORITY.min}`)
  .max(DNS_PRIORITY.max, `priority must be at most ${DNS_PRIORITY.max}`)
  .nullable()
  .meta({ description: 'Required for MX and SRV, null for the other types' });

export const createRecordBody = z.strictObject({
  name: recordName,
  type: recordType,
  content: recordContent,
  ttl: recordTtl.optional(),
  priority: recordPriority.optional(),
});
export type CreateRecordBody = z.infer<typeof createRecordBody>;

export const updateRecordBody = z
  .strictObject({
    name: recordName.optional(),
    type: recordType.optional(),
    content: recordContent.optional(),
    ttl: recordTtl.optional(),
    priority: recordPriority.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'Send at least one of name, type, content, ttl, priority',
  });
export type UpdateRecordBody = z.infer<typeof updateRecordBody>;

export const recordParams = z.object({ id: uuid, record_id: uuid });

export const domainResponse = envelope(domainSchema);
export const domainListResponse = listEnvelope(domainSchema);
export const recordResponse = envelope(recordSchema);
export const recordListResponse = listEnvelope(recordSchema);
