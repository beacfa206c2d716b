import { z } from 'zod';
import { envelope, listEnvelope, paginationQuery, timestamp, uuid } from './common.js';

export const VM_STATUSES = [
  'provisioning',
  'running',
  'stopped',
  'suspended',
  'error',
  'deleting',
] as const;
export type VmStatusName = (typeof VM_STATUSES)[number];

export const POWER_STATES = ['running', 'stopped', 'paused', 'unknown'] as const;
export type PowerStateName = (typeof POWER_STATES)[number];

/** What `POST /v1/vms/{id}/power` takes. */
export const POWER_ACTIONS = ['start', 'stop', 'shutdown', 'reboot', 'reset'] as const;
export type PowerActionName = (typeof POWER_ACTIONS)[number];

/**
 * Every action a VM's history shows: the power actions, its provisioning (`create`), its
 * deletion (`delete`) and a power-off by the platform when the project ran out of money
 * (`suspend`).
 */
export const ACTION_TYPES = ['create', ...POWER_ACTIONS, 'delete', 'suspend'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const ACTION_STATUSES = ['pending', 'running', 'succeeded', 'failed'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** A VM's name is its hostname: one DNS label, lowercase. */
export const VM_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const vmSchema = z
  .object({
    id: uuid,
    name: z.string().meta({ example: 'my-vm' }),
    status: z.enum(VM_STATUSES).meta({
      description:
        "SwiftCloud's view: provisioning, running, stopped, suspended (powered off for lack of funds), error, deleting",
    }),
    powerState: z.enum(POWER_STATES).meta({ description: 'What the hypervisor reported last' }),
    ipAddress: z.string().nullable().meta({ example: '192.168.1.100' }),
    size: z.string().meta({ example: 'medium' }),
    template: z.string().meta({ example: 'ubuntu-24.04' }),
    createdAt: timestamp,
    projectId: uuid,
    publicIp: z.boolean(),
    nodeId: uuid,
    error: z
      .string()
      .nullable()
      .meta({ description: "Why the VM is in status error (the hypervisor's own message)" }),
  })
  .meta({ id: 'Vm' });
export type Vm = z.infer<typeof vmSchema>;

export const vmName = z
  .string({ message: 'name must be a string' })
  .min(1, 'name must not be empty')
  .max(63, 'name must be at most 63 characters (it is the hostname)')
  .regex(
    VM_NAME_PATTERN,
    'name must be a hostname: lowercase letters, digits and hyphens, not starting or ending with a hyphen',
  )
  .meta({ example: 'my-vm' });

export const createVmBody = z.strictObject({
  project_id: uuid,
  name: vmName,
  template: z
    .string({ message: 'template must be a template slug such as ubuntu-24.04' })
    .trim()
    .min(1, 'template must be a template slug such as ubuntu-24.04')
    .max(64, 'template must be at most 64 characters')
    .meta({ example: 'ubuntu-24.04' }),
  size: z
    .string({ message: 'size must be a size slug such as medium' })
    .trim()
    .min(1, 'size must be a size slug such as medium')
    .max(64, 'size must be at most 64 characters')
    .meta({ example: 'medium' }),
  ssh_key: z
    .string({ message: 'ssh_key must be an OpenSSH public key such as "ssh-ed25519 AAAA..."' })
    .max(16_384, 'ssh_key must be at most 16384 characters')
    .meta({ example: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... ada@laptop' }),
  public_ip: z
    .boolean({ message: 'public_ip must be true or false' })
    .default(false)
    .meta({ description: 'A public IPv4 address (billed by the hour) rather than a private one' }),
});
export type CreateVmBody = z.infer<typeof createVmBody>;

export const vmListQuery = paginationQuery.extend({ project_id: uuid });

export const powerBody = z.strictObject({
  action: z.enum(POWER_ACTIONS, {
    message: `action must be one of ${POWER_ACTIONS.join(', ')}`,
  }),
});
export type PowerBody = z.infer<typeof powerBody>;

export const actionSchema = z
  .object({
    id: uuid,
    type: z.enum(ACTION_TYPES),
    status: z.enum(ACTION_STATUSES),
    vmId: uuid,
    error: z.string().nullable(),
    startedAt: timestamp.nullable(),
    completedAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Action' });
export type Action = z.infer<typeof actionSchema>;

export const consoleSchema = z
  .object({
    ticket: z.string().meta({ description: 'Single use, for this user and VM, valid 60 seconds' }),
    port: z.number().int().meta({ description: 'The port of `url`' }),
    url: z.string().meta({
      description: "SwiftCloud's websocket for the VM's screen (RFB), the ticket included",
      example:
        'wss://cloud.example.co.zm/v1/vms/3f2b0c9e-8a1d-4c7e-9b1a-2d4e6f8a0b1c/console/ws?ticket=...',
    }),
    nodeId: z.string().meta({ description: 'The name of the hypervisor node the VM runs on' }),
    expiresAt: timestamp,
  })
  .meta({ id: 'Console' });
export type Console = z.infer<typeof consoleSchema>;

export const consoleWsQuery = z.object({ ticket: z.string().max(200) });

export const vmResponse = envelope(vmSchema);
export const vmListResponse = listEnvelope(vmSchema);
export const actionResponse = envelope(actionSchema);
export const actionListResponse = listEnvelope(actionSchema);
export const consoleResponse = envelope(consoleSchema);
