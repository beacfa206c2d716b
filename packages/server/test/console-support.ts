import { credit } from './support/billing-fixtures.js';
import type { Duplex } from 'node:stream';
import { WebSocket, createWebSocketStream } from 'ws';
import { expect } from 'vitest';
import type { SignedUpUser } from './support/client.js';
import type { TestApp } from './support/test-app.js';

/** What the console tests share: VM rows made directly, and websockets through the proxy. */

export interface ConsoleRefusal {
  status: number;
  body: { error?: { code: string; message: string } };
}

export interface ConsoleSocket {
  ws: WebSocket;
  /** The websocket's binary messages as one byte stream. */
  stream: Duplex;
  /** Every byte the viewer received, in order. */
  received: Buffer[];
  /** The close code and reason, once closed. */
  closed: Promise<{ code: number; reason: string }>;
}

let nextName = 0;

/** A project of the user's, with money enough for its VMs. */
export async function newProject(t: TestApp, user: SignedUpUser): Promise<string> {
  const res = await user.api.post('/v1/projects', { name: `console ${++nextName}` });
  expect(res.status).toBe(201);
  const projectId = res.body.data.id as string;
  await credit(t, projectId, 1_000_000);
  return projectId;
}

export async function addMember(
  owner: SignedUpUser,
  projectId: string,
  user: SignedUpUser,
  role: 'member' | 'viewer',
): Promise<void> {
  const res = await owner.api.post(`/v1/projects/${projectId}/members`, {
    email: user.email,
    role,
  });
  expect(res.status).toBe(201);
}

/**
 * A VM row as the VMs module would leave it (the VM API is not on this branch yet), on
 * `nodeId`, with the given status; answers its id, name and hypervisor id.
 */
export async function insertVm(
  t: TestApp,
  projectId: string,
  nodeId: string,
  status: 'running' | 'stopped' | 'provisioning' = 'running',
  hypervisorId?: number,
): Promise<{ id: string; name: string; vmid: number }> {
  const db = t.database.db;
  const template = await db.selectFrom('templates').select('id').executeTakeFirstOrThrow();
  const size = await db.selectFrom('sizes').select('id').executeTakeFirstOrThrow();
  const name = `vm-${++nextName}`;
  const now = t.clock.now();
  const row = await db
    .insertInto('vms')
    .values({
      project_id: projectId,
      name,
      status,
      power_state: status === 'running' ? 'running' : 'stopped',
      template_id: template.id,
      size_id: size.id,
      vcpus: 1,
      memory_mib: 1024,
      disk_gib: 10,
      node_id: nodeId,
      ...(hypervisorId === undefined ? {} : { hypervisor_id: hypervisorId }),
      public_ip: false,
      ip_address: null,
      ip_pool_id: null,
      ssh_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKb7 test',
      error: null,
      created_by: null,
      created_at: now,
      updated_at: now,
    })
    .returning(['id', 'hypervisor_id'])
    .executeTakeFirstOrThrow();
  return { id: row.id, name, vmid: row.hypervisor_id };
}

/** Opens a console URL (as the API gave it) against the test app; a refusal comes back as HTTP. */
export function openConsoleSocket(
  t: TestApp,
  consoleUrl: string,
  headers: Record<string, string> = {},
): Promise<ConsoleSocket | ConsoleRefusal> {
  const given = new URL(consoleUrl);
  const url = new URL(given.pathname + given.search, t.url.replace(/^http/, 'ws'));
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
      });
    });
    ws.once('error', reject);
    ws.once('open', () => {
      const received: Buffer[] = [];
      ws.on('message', (data: Buffer) => received.push(data));
      // The stream buffers until a reader (the RFB client) takes its bytes.
      const stream = createWebSocketStream(ws);
      stream.on('error', () => {});
      const closed = new Promise<{ code: number; reason: string }>((done) =>
        ws.once('close', (code, reason) => {
          stream.destroy();
          done({ code, reason: reason.toString() });
        }),
      );
      resolve({ ws, stream, received, closed });
    });
  });
}

export async function opened(socket: ConsoleSocket | ConsoleRefusal): Promise<ConsoleSocket> {
  if ('status' in socket) throw new Error(`console refused: ${JSON.stringify(socket)}`);
  return socket;
}
