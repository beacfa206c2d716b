import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELL_HEIGHT, CELL_WIDTH } from '../src/compute/hypervisor/simulator/console/font.js';
import { TextScreen } from '../src/compute/hypervisor/simulator/console/text-screen.js';
import {
  addMember,
  insertVm,
  newProject,
  openConsoleSocket,
  opened,
  type ConsoleRefusal,
} from './console-support.js';
import { signUp, type SignedUpUser } from './support/client.js';
import { seedCatalog, sshPublicKey, vmStatus, waitFor } from './support/vms.js';
import { RfbCanvas, RfbClient } from './support/rfb-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let owner: SignedUpUser;
let projectId: string;
let nodeId: string;

const sshKey = sshPublicKey();
let nextVm = 0;

beforeAll(async () => {
  t = await startTestApp({ SWIFTCLOUD_SIMULATOR_DELAYS: 'zero' });
  owner = await signUp(t.api);
  projectId = await newProject(t, owner);
  ({ nodeId } = await seedCatalog(t));
});
afterAll(() => t.close());

/** A VM made through the API on the seeded simulator node, once it runs (its console up). */
async function runningVm(): Promise<{ id: string; name: string; vmid: number }> {
  const name = `console-${++nextVm}`;
  const res = await owner.api.post('/v1/vms', {
    project_id: projectId,
    name,
    template: 'debian-12',
    size: 'small',
    ssh_key: sshKey,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await vmStatus(owner.api, res.body.data.id, 'running');
  const row = await t.database.db
    .selectFrom('vms')
    .select('hypervisor_id')
    .where('id', '=', res.body.data.id)
    .executeTakeFirstOrThrow();
  return { id: res.body.data.id, name, vmid: row.hypervisor_id };
}

async function ticketFor(vmId: string, user = owner): Promise<{ ticket: string; url: string }> {
  const res = await user.api.get(`/v1/vms/${vmId}/console`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

function expectRefused(result: unknown, status: number, code: string): ConsoleRefusal {
  expect(result).toMatchObject({ status, body: { error: { code } } });
  return result as ConsoleRefusal;
}

/** `text` drawn by the simulator's console renderer at the start of an empty row. */
function rendered(text: string): Buffer {
  const screen = new TextScreen();
  screen.write(text);
  const width = text.length * CELL_WIDTH;
  const out = Buffer.alloc(width * CELL_HEIGHT * 4);
  for (let y = 0; y < CELL_HEIGHT; y++) {
    screen.framebuffer.copy(
      out,
      y * width * 4,
      y * screen.width * 4,
      (y * screen.width + width) * 4,
    );
  }
  return out;
}

describe('GET /v1/vms/{id}/console', () => {
  it("answers a single-use ticket and SwiftCloud's own websocket URL, storing only the ticket's hash", async () => {
    const vm = await runningVm();
    const res = await owner.api.get(`/v1/vms/${vm.id}/console`);
    expect(res.status).toBe(200);
    const { ticket, url, port, nodeId: nodeName, expiresAt } = res.body.data;
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    expect(url).toBe(`ws://localhost:8080/v1/vms/${vm.id}/console/ws?ticket=${ticket}`);
    expect(port).toBe(8080);
    expect(nodeName).toBe('sim-1');
    expect(expiresAt).toBe(
      new Date(t.clock.now().getTime() + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    );

    const rows = await t.database.db
      .selectFrom('vm_console_tickets')
      .selectAll()
      .where('vm_id', '=', vm.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ticket_hash).toBe(createHash('sha256').update(ticket).digest('hex'));
    expect(rows[0]!.user_id).toBe(owner.id);
    expect(JSON.stringify(rows)).not.toContain(ticket);
  });

  it('gives wss:// and port 443 when the public URL is https', async () => {
    const secure = await startTestApp({
      SWIFTCLOUD_PUBLIC_URL: 'https://cloud.example.co.zm',
      SWIFTCLOUD_SIMULATOR_DELAYS: 'zero',
    });
    try {
      const ada = await signUp(secure.api);
      const project = await newProject(secure, ada);
      await seedCatalog(secure);
      const created = await ada.api.post('/v1/vms', {
        project_id: project,
        name: 'secure-1',
        template: 'debian-12',
        size: 'small',
        ssh_key: sshKey,
      });
      await vmStatus(ada.api, created.body.data.id, 'running');
      const res = await ada.api.get(`/v1/vms/${created.body.data.id}/console`);
      expect(res.status).toBe(200);
      expect(res.body.data.url).toBe(
        `wss://cloud.example.co.zm/v1/vms/${created.body.data.id}/console/ws?ticket=${res.body.data.ticket}`,
      );
      expect(res.body.data.port).toBe(443);
    } finally {
      await secure.close();
    }
  });

  it('refuses viewers with 403, lets members in, and hides the VM from non-members with 404', async () => {
    const vm = await runningVm();
    const viewer = await signUp(t.api);
    const member = await signUp(t.api);
    const stranger = await signUp(t.api);
    await addMember(owner, projectId, viewer, 'viewer');
    await addMember(owner, projectId, member, 'member');

    const refused = await viewer.api.get(`/v1/vms/${vm.id}/console`);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'FORBIDDEN',
      message: 'Viewers may not open consoles',
    });
    expect((await member.api.get(`/v1/vms/${vm.id}/console`)).status).toBe(200);
    expect((await stranger.api.get(`/v1/vms/${vm.id}/console`)).body.error.code).toBe('NOT_FOUND');
    expect((await t.api.get(`/v1/vms/${vm.id}/console`)).status).toBe(401);
  });

  it('refuses a read-only API key with 403 although the request is a GET, and serves a read_write key', async () => {
    const vm = await runningVm();
    const readKey = await owner.api.post('/v1/api-keys', { name: 'reader', scope: 'read' });
    const writeKey = await owner.api.post('/v1/api-keys', { name: 'writer' });
    const refused = await t.api.as(readKey.body.data.key).get(`/v1/vms/${vm.id}/console`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/read-only/);
    expect((await t.api.as(writeKey.body.data.key).get(`/v1/vms/${vm.id}/console`)).status).toBe(
      200,
    );
  });

  it('answers 409 naming the status for a VM that is not running, and 404 for a deleted or unknown VM', async () => {
    const stopped = await runningVm();
    const stop = await owner.api.post(`/v1/vms/${stopped.id}/power`, { action: 'stop' });
    expect(stop.status).toBe(202);
    await vmStatus(owner.api, stopped.id, 'stopped');
    const res = await owner.api.get(`/v1/vms/${stopped.id}/console`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'CONFLICT' });
    expect(res.body.error.message).toMatch(/stopped/);

    // A row in provisioning (the node is never asked: the status alone refuses).
    const provisioning = await insertVm(t, projectId, nodeId, 'provisioning');
    expect((await owner.api.get(`/v1/vms/${provisioning.id}/console`)).body.error.message).toMatch(
      /provisioning/,
    );

    const deleted = await runningVm();
    expect((await owner.api.delete(`/v1/vms/${deleted.id}`)).status).toBe(202);
    await waitFor(
      () => owner.api.get(`/v1/vms/${deleted.id}/console`),
      (r) => r.status === 404,
      { what: 'the deleted VM to be gone' },
    );
    expect(
      (await owner.api.get(`/v1/vms/00000000-0000-4000-8000-000000000000/console`)).status,
    ).toBe(404);
  });

  it('is in the OpenAPI document, with the websocket and its ticket query', async () => {
    const doc = (await t.api.get('/v1/openapi.json')).body;
    expect(doc.paths['/v1/vms/{id}/console'].get.summary).toBeTruthy();
    const ws = doc.paths['/v1/vms/{id}/console/ws'].get;
    expect(ws.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining(['query:ticket', 'path:id']),
    );
  });
});

describe('the console websocket (simulator)', () => {
  it("carries an RFB handshake and a framebuffer update showing the VM's console text", async () => {
    const vm = await runningVm();
    const { url } = await ticketFor(vm.id);
    const socket = await opened(await openConsoleSocket(t, url));
    const client = await RfbClient.over(socket.stream);
    expect(client.handshake).toEqual({
      serverVersion: 'RFB 003.008\n',
      securityTypes: [1],
      securityResult: 0,
    });
    expect(client.name).toBe(vm.name);

    client.requestUpdate(false);
    const canvas = new RfbCanvas(client.width, client.height, client.format.bitsPerPixel);
    canvas.paint(await client.readUpdate());
    // The login prompt is drawn on some row, pixel for pixel as the console renders it.
    const prompt = rendered(`${vm.name} login: `);
    const promptWidth = `${vm.name} login: `.length * CELL_WIDTH;
    const rows = Array.from({ length: 25 }, (_, row) =>
      canvas.region(0, row * CELL_HEIGHT, promptWidth, CELL_HEIGHT),
    );
    expect(rows.some((row) => row.equals(prompt))).toBe(true);
    client.close();
  });

  it('serves one session after another on the same VM, each after the last was dropped', async () => {
    const vm = await runningVm();
    for (let session = 0; session < 3; session++) {
      const { url } = await ticketFor(vm.id);
      const socket = await opened(await openConsoleSocket(t, url));
      const client = await RfbClient.over(socket.stream);
      client.requestUpdate(false);
      expect((await client.readUpdate()).length).toBe(1);
      socket.ws.terminate();
      await socket.closed;
    }
  });

  it('refuses a ticket used a second time with 401, before any upgrade', async () => {
    const vm = await runningVm();
    const { url } = await ticketFor(vm.id);
    const first = await opened(await openConsoleSocket(t, url));
    first.ws.close();
    const again = expectRefused(await openConsoleSocket(t, url), 401, 'UNAUTHORIZED');
    expect(again.body.error?.message).toMatch(/unknown, used or expired/);
  });

  it('refuses a ticket once its 60 seconds have passed', async () => {
    const vm = await runningVm();
    const { url } = await ticketFor(vm.id);
    t.clock.advance(61_000);
    expectRefused(await openConsoleSocket(t, url), 401, 'UNAUTHORIZED');
  });

  it("refuses VM A's ticket on VM B's websocket, which leaves the ticket good for A", async () => {
    const a = await runningVm();
    const b = await runningVm();
    const { ticket, url } = await ticketFor(a.id);
    const onB = `ws://localhost:8080/v1/vms/${b.id}/console/ws?ticket=${ticket}`;
    expectRefused(await openConsoleSocket(t, onB), 401, 'UNAUTHORIZED');
    const onA = await opened(await openConsoleSocket(t, url));
    onA.ws.close();
  });

  it("refuses a ticket presented with another user's session cookie with 403", async () => {
    const vm = await runningVm();
    const { url } = await ticketFor(vm.id);
    const other = await signUp(t.api);
    const res = await openConsoleSocket(t, url, { cookie: `swiftcloud_session=${other.token}` });
    expectRefused(res, 403, 'FORBIDDEN');
  });

  it('refuses a ticket whose VM stopped after it was issued with 409', async () => {
    const vm = await runningVm();
    const { url } = await ticketFor(vm.id);
    await t.database.db
      .updateTable('vms')
      .set({ status: 'stopped' })
      .where('id', '=', vm.id)
      .execute();
    expectRefused(await openConsoleSocket(t, url), 409, 'CONFLICT');
  });

  it('answers a plain GET of the websocket URL with 400 and leaves its ticket unused', async () => {
    const vm = await runningVm();
    const { url } = await ticketFor(vm.id);
    const path = new URL(url);
    const plain = await owner.api.get(path.pathname + path.search);
    expect(plain.status).toBe(400);
    expect(plain.body.error.message).toMatch(/websocket/);
    const socket = await opened(await openConsoleSocket(t, url));
    socket.ws.close();
  });

  it('ends the session with close code 1000 when the VM stops', async () => {
    const vm = await runningVm();
    const { url } = await ticketFor(vm.id);
    const socket = await opened(await openConsoleSocket(t, url));
    await RfbClient.over(socket.stream);
    expect((await owner.api.post(`/v1/vms/${vm.id}/power`, { action: 'stop' })).status).toBe(202);
    const closed = await socket.closed;
    expect(closed.code).toBe(1000);
    expect(closed.reason).toMatch(/console closed/);
  });

  it('ends the session with close code 1000 when the VM is deleted', async () => {
    const vm = await runningVm();
    const { url } = await ticketFor(vm.id);
    const socket = await opened(await openConsoleSocket(t, url));
    await RfbClient.over(socket.stream);
    expect((await owner.api.delete(`/v1/vms/${vm.id}`)).status).toBe(202);
    expect((await socket.closed).code).toBe(1000);
  });
});
