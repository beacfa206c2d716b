import { z } from 'zod';
import { currency, envelope, listEnvelope, money, text, timestamp, uuid } from './common.js';

/** Hypervisor drivers; the server's exhaustive driver map has exactly these keys. */
export const DRIVER_NAMES = ['simulator', 'proxmox'] as const;
export type DriverNameValue = (typeof DRIVER_NAMES)[number];

export const OS_FAMILIES = [
  'ubuntu',
  'debian',
  'rocky',
  'almalinux',
  'centos',
  'fedora',
  'opensuse',
  'windows',
  'other',
] as const;
export type OsFamily = (typeof OS_FAMILIES)[number];

/** Smallest and largest IPv4 pools: /16 (65 534 hosts) to /30 (2 hosts). */
export const IP_POOL_PREFIX = { min: 16, max: 30 } as const;

/** A lowercase label: letters, digits and inner hyphens (nodes, IP pools). */
function label(field: string) {
  return z
    .string()
    .trim()
    .min(1, `${field} must not be empty`)
    .max(63, `${field} must be at most 63 characters`)
    .regex(
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
      `${field} must be lowercase letters, digits and hyphens, not starting or ending with a hyphen`,
    );
}

/** Catalog slugs such as `ubuntu-24.04` and `small`: lowercase letters, digits, dots, hyphens. */
function slug(field: string, example: string) {
  return z
    .string()
    .trim()
    .min(1, `${field} must not be empty`)
    .max(64, `${field} must be at most 64 characters`)
    .regex(
      /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/,
      `${field} must be lowercase letters, digits, dots and hyphens, such as ${example}`,
    )
    .meta({ example });
}

function wholeNumber(field: string, min: number, max: number, unit = '') {
  const u = unit ? ` ${unit}` : '';
  return z
    .number({ message: `${field} must be a whole number${u}` })
    .int(`${field} must be a whole number${u}`)
    .min(min, `${field} must be at least ${min}${u}`)
    .max(max, `${field} must be at most ${max}${u}`);
}

const ipv4 = (field: string, example: string) =>
  z
    .string()
    .trim()
    .max(15, `${field} must be an IPv4 address such as ${example}`)
    .regex(
      /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
      `${field} must be an IPv4 address such as ${example}`,
    )
    .meta({ example });

const activeFlag = z
  .boolean({ message: 'active must be true or false' })
  .meta({ description: 'Inactive entries are hidden from customers and take no new VMs' });

// ---------------------------------------------------------------------------- templates

export const templateSchema = z
  .object({
    id: uuid,
    slug: z.string().meta({ example: 'ubuntu-24.04' }),
    name: z.string().meta({ example: 'Ubuntu 24.04 LTS' }),
    osFamily: z.enum(OS_FAMILIES),
    minDiskGiB: z.number().int().meta({ description: 'The smallest disk the image fits on' }),
  })
  .meta({ id: 'Template' });
export type Template = z.infer<typeof templateSchema>;

export const templateSourceSchema = z
  .object({
    nodeId: uuid,
    nodeName: z.string(),
    source: z.string().meta({ description: "The node's own name for the template to clone" }),
  })
  .meta({ id: 'TemplateSource' });

export const adminTemplateSchema = templateSchema
  .extend({
    active: z.boolean(),
    sources: z.array(templateSourceSchema),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'AdminTemplate' });
export type AdminTemplate = z.infer<typeof adminTemplateSchema>;

const templateSource = z
  .string()
  .trim()
  .min(1, 'source must not be empty')
  .max(128, 'source must be at most 128 characters')
  .regex(/^[\x21-\x7e]+$/, 'source must be printable ASCII without spaces')
  .meta({ example: '9000', description: 'Proxmox: the template VM id or name; simulator: any' });

const sourceList = z
  .array(z.strictObject({ node_id: uuid, source: templateSource }), {
    message: 'sources must be a list of {node_id, source}',
  })
  .max(100, 'sources must have at most 100 entries')
  .refine((l) => new Set(l.map((s) => s.node_id)).size === l.length, {
    message: 'sources must name each node at most once',
  });

const templateName = text({ min: 1, max: 64, label: 'name' });
const osFamily = z.enum(OS_FAMILIES, {
  message: `os_family must be one of ${OS_FAMILIES.join(', ')}`,
});
const minDisk = wholeNumber('min_disk_gib', 1, 65_536, 'GiB');

export const createTemplateBody = z.strictObject({
  slug: slug('slug', 'ubuntu-24.04'),
  name: templateName,
  os_family: osFamily,
  min_disk_gib: minDisk,
  active: activeFlag.optional(),
  sources: sourceList.optional(),
});
export type CreateTemplateBody = z.infer<typeof createTemplateBody>;

export const updateTemplateBody = z
  .strictObject({
    name: templateName.optional(),
    os_family: osFamily.optional(),
    min_disk_gib: minDisk.optional(),
    active: activeFlag.optional(),
    sources: sourceList.optional().meta({ description: 'Replaces every source of the template' }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'Send at least one of name, os_family, min_disk_gib, active, sources',
  });
export type UpdateTemplateBody = z.infer<typeof updateTemplateBody>;

export const templateSourceParams = z.object({ id: uuid, node_id: uuid });
export const putTemplateSourceBody = z.strictObject({ source: templateSource });

export const templateResponse = envelope(templateSchema);
export const templateListResponse = listEnvelope(templateSchema);
export const adminTemplateResponse = envelope(adminTemplateSchema);
export const adminTemplateListResponse = listEnvelope(adminTemplateSchema);

// -------------------------------------------------------------------------------- sizes

const hourlyRate = z
  .string()
  .meta({ example: '0.2232', description: 'ZMW per hour, up to eight decimal places' });

export const sizeSchema = z
  .object({
    id: uuid,
    slug: z.string().meta({ example: 'small' }),
    vcpus: z.number().int(),
    memoryMiB: z.number().int(),
    diskGiB: z.number().int(),
    hourlyPrice: hourlyRate,
    monthlyCap: money.meta({
      description: 'The most a VM of this size costs in a calendar month',
      example: '150.00',
    }),
    currency,
  })
  .meta({ id: 'Size' });
export type Size = z.infer<typeof sizeSchema>;

export const adminSizeSchema = sizeSchema
  .extend({ active: z.boolean(), createdAt: timestamp, updatedAt: timestamp })
  .meta({ id: 'AdminSize' });
export type AdminSize = z.infer<typeof adminSizeSchema>;

const hourlyPrice = z
  .string({ message: 'hourly_price must be a decimal string in ZMW, such as "0.2232"' })
  .trim()
  .regex(
    /^\d{1,7}(\.\d{1,8})?$/,
    'hourly_price must be a decimal string in ZMW with at most 8 places, such as "0.2232"',
  )
  .meta({ example: '0.2232' });
const monthlyCap = z
  .string({ message: 'monthly_cap must be a decimal string in ZMW, such as "150.00"' })
  .trim()
  .regex(
    /^\d{1,9}(\.\d{1,2})?$/,
    'monthly_cap must be a decimal string in ZMW with at most 2 places, such as "150.00"',
  )
  .meta({ example: '150.00' });
const vcpus = wholeNumber('vcpus', 1, 256);
const memoryMib = wholeNumber('memory_mib', 256, 4_194_304, 'MiB');
const diskGib = wholeNumber('disk_gib', 1, 65_536, 'GiB');

export const createSizeBody = z.strictObject({
  slug: slug('slug', 'small'),
  vcpus,
  memory_mib: memoryMib,
  disk_gib: diskGib,
  hourly_price: hourlyPrice,
  monthly_cap: monthlyCap,
  active: activeFlag.optional(),
});
export type CreateSizeBody = z.infer<typeof createSizeBody>;

export const updateSizeBody = z
  .strictObject({
    vcpus: vcpus.optional(),
    memory_mib: memoryMib.optional(),
    disk_gib: diskGib.optional(),
    hourly_price: hourlyPrice.optional(),
    monthly_cap: monthlyCap.optional(),
    active: activeFlag.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'Send at least one of vcpus, memory_mib, disk_gib, hourly_price, monthly_cap, active',
  });
export type UpdateSizeBody = z.infer<typeof updateSizeBody>;

export const sizeResponse = envelope(sizeSchema);
export const sizeListResponse = listEnvelope(sizeSchema);
export const adminSizeResponse = envelope(adminSizeSchema);
export const adminSizeListResponse = listEnvelope(adminSizeSchema);

// -------------------------------------------------------------------------------- nodes

export const nodeSchema = z
  .object({
    id: uuid,
    name: z.string().meta({ example: 'pve1' }),
    driver: z.enum(DRIVER_NAMES),
    endpoint: z.string().meta({ example: 'https://pve1.example.co.zm:8006' }),
    credentialKeys: z.array(z.string()).meta({
      description: 'Which credentials are set; their values are never shown',
      example: ['tokenId', 'tokenSecret'],
    }),
    cpus: z.number().int(),
    memoryMiB: z.number().int(),
    diskGiB: z.number().int(),
    active: z.boolean(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Node' });
export type HypervisorNode = z.infer<typeof nodeSchema>;

const endpoint = z
  .string()
  .trim()
  .max(2048, 'endpoint must be at most 2048 characters')
  .refine((s) => s === '' || /^https?:\/\/[^\s/]+(\/\S*)?$/.test(s), {
    message: 'endpoint must be an http(s) URL such as https://pve1.example.co.zm:8006',
  })
  .meta({ description: 'Proxmox: https://host:8006; the simulator needs none' });

const credentials = z
  .record(
    z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9_]{0,63}$/,
        'credential names must be letters, digits and underscores, starting with a letter',
      ),
    z.string().max(16_384, 'credential values must be at most 16384 characters'),
    { message: 'credentials must be an object of names to string values' },
  )
  .refine((c) => Object.keys(c).length <= 32, { message: 'credentials must have at most 32 keys' })
  .meta({
    description:
      'Driver secrets (Proxmox: tokenId, tokenSecret, nodeName, ca or fingerprint256). Write-only',
  });

const nodeCpus = wholeNumber('cpus', 1, 65_536);
const nodeMemory = wholeNumber('memory_mib', 256, 1_073_741_824, 'MiB');
const nodeDisk = wholeNumber('disk_gib', 1, 1_073_741_824, 'GiB');

export const createNodeBody = z.strictObject({
  name: label('name'),
  driver: z.enum(DRIVER_NAMES, { message: `driver must be one of ${DRIVER_NAMES.join(', ')}` }),
  endpoint: endpoint.optional(),
  credentials: credentials.optional(),
  cpus: nodeCpus,
  memory_mib: nodeMemory,
  disk_gib: nodeDisk,
  active: activeFlag.optional(),
});
export type CreateNodeBody = z.infer<typeof createNodeBody>;

export const updateNodeBody = z
  .strictObject({
    name: label('name').optional(),
    endpoint: endpoint.optional(),
    credentials: credentials
      .optional()
      .meta({ description: 'Replaces every credential of the node. Write-only' }),
    cpus: nodeCpus.optional(),
    memory_mib: nodeMemory.optional(),
    disk_gib: nodeDisk.optional(),
    active: activeFlag.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'Send at least one of name, endpoint, credentials, cpus, memory_mib, disk_gib, active',
  });
export type UpdateNodeBody = z.infer<typeof updateNodeBody>;

export const nodeResponse = envelope(nodeSchema);
export const nodeListResponse = listEnvelope(nodeSchema);

// ----------------------------------------------------------------------------- IP pools

export const ipPoolSchema = z
  .object({
    id: uuid,
    name: z.string().meta({ example: 'public-1' }),
    cidr: z.string().meta({ example: '198.51.100.0/24' }),
    gateway: z.string().meta({ example: '198.51.100.1' }),
    rangeFirst: z.string().meta({ example: '198.51.100.10' }),
    rangeLast: z.string().meta({ example: '198.51.100.254' }),
    public: z.boolean(),
    nodeIds: z.array(uuid),
    addresses: z.number().int().meta({ description: 'How many addresses the pool hands out' }),
    allocated: z.number().int().meta({ description: 'How many of them are taken' }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'IpPool' });
export type IpPool = z.infer<typeof ipPoolSchema>;

const nodeIds = z
  .array(uuid, { message: 'node_ids must be a list of node ids' })
  .max(1000, 'node_ids must have at most 1000 entries')
  .meta({ description: 'The nodes whose VMs take addresses from this pool' });

export const createIpPoolBody = z.strictObject({
  name: label('name'),
  cidr: z
    .string()
    .trim()
    .min(1, 'cidr must not be empty')
    .max(18, 'cidr must be an IPv4 network such as 198.51.100.0/24')
    .meta({ example: '198.51.100.0/24' }),
  gateway: ipv4('gateway', '198.51.100.1'),
  range_first: ipv4('range_first', '198.51.100.10')
    .optional()
    .meta({ description: 'First address handed out; default the first host of the network' }),
  range_last: ipv4('range_last', '198.51.100.254')
    .optional()
    .meta({ description: 'Last address handed out; default the last host of the network' }),
  public: z.boolean({ message: 'public must be true or false' }),
  node_ids: nodeIds.optional(),
});
export type CreateIpPoolBody = z.infer<typeof createIpPoolBody>;

export const updateIpPoolBody = z
  .strictObject({
    name: label('name').optional(),
    gateway: ipv4('gateway', '198.51.100.1').optional(),
    range_first: ipv4('range_first', '198.51.100.10').optional(),
    range_last: ipv4('range_last', '198.51.100.254').optional(),
    node_ids: nodeIds.optional().meta({ description: 'Replaces the nodes served' }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'Send at least one of name, gateway, range_first, range_last, node_ids',
  });
export type UpdateIpPoolBody = z.infer<typeof updateIpPoolBody>;

export const ipPoolResponse = envelope(ipPoolSchema);
export const ipPoolListResponse = listEnvelope(ipPoolSchema);
