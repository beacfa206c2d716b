import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertVm, newProject, openConsoleSocket, opened } from './console-support.js';
import { signUp, type SignedUpUser } from './support/client.js';
import { FakeProxmox } from './support/fake-proxmox/fake-proxmox.js';
import { FAKE_SCREEN, fakePixel } from './support/fake-proxmox/vnc-server.js';
import { seedFreshInstall } from '../src/compute/catalog/seed.js';
import { RfbClient } from './support/rfb-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let owner: SignedUpUser;
let projectId: string;
let nextVmid = 4000;

beforeAll(async () => {
  t = await startTestApp();
  await seedFreshInstall(t.database.db, t.clock);
  owner = await signUp(t.api);
  projectId = await newProject(t, owner);
});
afterAll(() => t.close());

/** A Proxmox node (the fake, trusted by fingerprint) as an administrator would add it. */
async function proxmoxNode(
  fake: FakeProxmox,
  name: string,
  credentials: Record<string, string>,
): Promise<string> {
  const now = t.clock.now();
  const row = await t.database.db
    .insertInto('nodes')
    .values({
      name,
      driver: 'proxmox',
      endpoint: fake.url,
      credentials: JSON.stringify(credentials),
      cpus: 32,
      memory_mib: 131_072,
      disk_gib: 2_048,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A VM running on the fake node, and its row in SwiftCloud. */
async function runningVmOn(fake: FakeProxmox, nodeId: string) {
  const vmid = nextVmid++;
  const vm = await insertVm(t, projectId, nodeId, 'running', vmid);
  fake.state.vms.set(vmid, {
    vmid,
    name: vm.name,
    template: false,
    status: 'running',
    paused: false,
    config: { name: vm.name },
  });
  return vm;
}

/** Opens the console as a browser would and checks what the viewer sees of the VM's screen. */
async function viewThroughProxy(fake: FakeProxmox, vm: { id: string; name: string }) {
  const res = await owner.api.get(`/v1/vms/${vm.id}/console`);
  expect(res.status).toBe(200);
  expect(res.body.data.url).not.toContain(new URL(fake.url).host);
  const socket = await opened(await openConsoleSocket(t, res.body.data.url));
  const client = await RfbClient.over(socket.stream);
  // The proxy answered the VNC password itself: the viewer is offered None only.
  expect(client.handshake).toEqual({
    serverVersion: 'RFB 003.008\n',
    securityTypes: [1],
    securityResult: 0,
  });
  expect(client.name).toBe(vm.name);
  expect([client.width, client.height]).toEqual([FAKE_SCREEN.width, FAKE_SCREEN.height]);
  client.requestUpdate(false);
  const [rect] = await client.readUpdate();
  expect(rect?.pixels.readUInt32LE((3 * FAKE_SCREEN.width + 5) * 4)).toBe(fakePixel(5, 3));
  client.close();
  return { received: Buffer.concat(socket.received), closed: socket.closed };
}

/** The vncproxy ticket (the VM's VNC password) the proxy last sent to the node. */
function lastVncTicket(fake: FakeProxmox): string {
  const request = fake.requests.filter((r) => r.template?.endsWith('/vncwebsocket')).at(-1);
  const ticket = request?.params.vncticket;
  if (!ticket) throw new Error('no vncwebsocket request');
  return ticket;
}

describe('the console websocket (Proxmox, against the fake)', () => {
  let fake: FakeProxmox;
  let nodeId: string;
  beforeAll(async () => {
    fake = await FakeProxmox.start({ taskMs: 5 });
    nodeId = await proxmoxNode(fake, 'pve-token', fake.credentials());
  });
  afterAll(() => fake.close());

  it("opens vncwebsocket with the API token, answers the VNC password in the proxy, and never shows the viewer the node's credentials", async () => {
    const vm = await runningVmOn(fake, nodeId);
    const { received } = await viewThroughProxy(fake, vm);
    expect(fake.websockets.at(-1)).toEqual({ vmid: vm.vmid, identity: fake.tokenId });
    expect(fake.vncSessions.at(-1)?.authenticated).toBe(true);

    const sent = received.toString('latin1');
    for (const secret of [fake.tokenSecret, fake.tokenId, lastVncTicket(fake)]) {
      expect(sent).not.toContain(secret);
    }
    expect(fake.violations).toEqual([]);
  });

  it('ends the session when the node closes the console', async () => {
    const vm = await runningVmOn(fake, nodeId);
    const res = await owner.api.get(`/v1/vms/${vm.id}/console`);
    const socket = await opened(await openConsoleSocket(t, res.body.data.url));
    await RfbClient.over(socket.stream);
    fake.vncSessions.at(-1)?.close();
    expect((await socket.closed).code).toBe(1000);
  });

  it('answers 503 when the node refuses the console websocket', async () => {
    const vm = await runningVmOn(fake, nodeId);
    fake.inject({
      path: /\/vncproxy$/,
      fault: { kind: 'http', status: 500, message: 'boom' },
      times: 10,
    });
    const res = await owner.api.get(`/v1/vms/${vm.id}/console`);
    const refused = await openConsoleSocket(t, res.body.data.url);
    expect(refused).toMatchObject({
      status: 503,
      body: { error: { code: 'RESOURCE_UNAVAILABLE' } },
    });
    fake.clearFaults();
  });
});

describe("the console websocket (Proxmox whose vncwebsocket refuses API tokens, with a console-only user's ticket)", () => {
  let fake: FakeProxmox;
  let nodeId: string;
  beforeAll(async () => {
    fake = await FakeProxmox.start({ taskMs: 5, vncWebsocketRefusesTokens: true });
    nodeId = await proxmoxNode(
      fake,
      'pve-ticket',
      fake.credentials({
        consoleAuth: 'ticket',
        consoleUser: fake.consoleUser.username,
        consolePassword: fake.consoleUser.password,
      }),
    );
  });
  afterAll(() => fake.close());

  it('logs in as the console-only user, opens vncwebsocket with its ticket, and relays the screen', async () => {
    const vm = await runningVmOn(fake, nodeId);
    const { received } = await viewThroughProxy(fake, vm);
    expect(fake.websockets.at(-1)?.identity).toBe('console@pve');
    expect(fake.vncSessions.at(-1)?.authenticated).toBe(true);
    const sent = received.toString('latin1');
    expect(sent).not.toContain(fake.consoleUser.password);
    expect(sent).not.toContain('PVE:console@pve');
    expect(sent).not.toContain(lastVncTicket(fake));
    expect(fake.violations).toEqual([]);
  });
});
