import { randomBytes } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  HypervisorError,
  type ConsoleEndpoint,
  type HypervisorDriver,
  type VmSpec,
} from '../src/compute/hypervisor/port.js';
import { ProxmoxClient } from '../src/compute/hypervisor/proxmox/proxmox.client.js';
import { encodeSshKeys } from '../src/compute/hypervisor/proxmox/proxmox.api.js';
import { createProxmoxDriver } from '../src/compute/hypervisor/proxmox/proxmox.driver.js';
import type { ProxmoxTimings } from '../src/compute/hypervisor/proxmox/proxmox.settings.js';
import { selfSignedCertificate } from './support/fake-proxmox/certificate.js';
import { FakeProxmox, TEMPLATE_NAME, TEMPLATE_VMID } from './support/fake-proxmox/fake-proxmox.js';

const timings: Partial<ProxmoxTimings> = {
  requestTimeoutMs: 1_000,
  retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
  taskPollIntervalMs: 5,
  taskTimeoutMs: 3_000,
  longTaskTimeoutMs: 3_000,
};

const KEYS = [
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz0lRRvV7sXr7Hqf1v4bM2cQ7WvIY6vUo5h5c4YzqkQ ada@lusaka',
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7+/x= bwalya mwansa',
];

let fake: FakeProxmox;
let vmid = 2000;

function driverFor(
  target: { endpoint?: string; credentials?: Record<string, string> } = {},
  overrides: Partial<ProxmoxTimings> = {},
): HypervisorDriver {
  return createProxmoxDriver(
    {
      id: '2b0c7d3e-7a4f-4b8e-9a61-0c7b8f1d2e33',
      name: 'pve1',
      driver: 'proxmox',
      size: { cpus: 16, memoryMiB: 65536, diskGiB: 1000 },
      endpoint: target.endpoint ?? fake.url,
      credentials: target.credentials ?? fake.credentials(),
    },
    { ...timings, ...overrides },
  );
}

function spec(overrides: Partial<VmSpec> = {}): VmSpec {
  vmid += 1;
  return {
    vmid,
    name: `web-${vmid}`,
    cores: 2,
    memoryMiB: 2048,
    diskGiB: 20,
    sourceTemplate: TEMPLATE_NAME,
    sshKeys: KEYS,
    ciUser: 'ubuntu',
    network: {
      address: '192.0.2.10/24',
      gateway: '192.0.2.1',
      nameservers: ['1.1.1.1', '8.8.8.8'],
    },
    ...overrides,
  };
}

function requestsTo(pattern: RegExp, method?: string) {
  return fake.requests.filter(
    (r) => pattern.test(r.path) && (method === undefined || r.method === method),
  );
}

async function failure(work: Promise<unknown>): Promise<HypervisorError> {
  const err = await work.then(
    () => expect.fail('expected a HypervisorError'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HypervisorError);
  return err as HypervisorError;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Opens the console endpoint the way the proxy will: a websocket upgrade with its headers. */
function openWebsocket(endpoint: ConsoleEndpoint): Promise<{ status: number; greeting?: string }> {
  if (endpoint.kind !== 'websocket') throw new Error('expected a websocket endpoint');
  const url = new URL(endpoint.url);
  url.protocol = 'https:';
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      ca: fake.certificate.cert,
      headers: {
        ...endpoint.headers,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': 'binary',
      },
    });
    req.on('upgrade', (res, socket, head) => {
      // The first frame: the VNC server's ProtocolVersion (2 bytes of header, 12 of payload).
      let frame = head;
      const take = (chunk: Buffer) => {
        frame = Buffer.concat([frame, chunk]);
        if (frame.length < 14) return;
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, greeting: frame.subarray(2, 14).toString('utf8') });
      };
      socket.on('data', take);
      take(Buffer.alloc(0));
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  fake = await FakeProxmox.start({ taskMs: 5 });
});
afterEach(() => {
  fake.clearFaults();
});
afterAll(async () => {
  await fake.close();
});

describe('the fake Proxmox schema check', () => {
  it('answers 400 and records a violation for each way a request breaks the schema', async () => {
    const client = new ProxmoxClient(
      {
        endpoint: fake.url,
        tls: { fingerprint256: fake.certificate.fingerprint256 },
        requestTimeoutMs: 1_000,
        retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      },
      { kind: 'token', tokenId: fake.tokenId, secret: fake.tokenSecret },
    );
    const config = `/nodes/pve1/qemu/${TEMPLATE_VMID}/config`;
    const breaches: [string, Promise<unknown>, RegExp][] = [
      ['unknown path', client.call('GET', '/nodes/pve1/qemu/100/nothing'), /no path/],
      ['unknown method', client.call('PUT', '/cluster/resources'), /has no PUT/],
      [
        'unknown parameter',
        client.call('POST', config, { colour: 'blue' }),
        /colour: property is not defined/,
      ],
      [
        'missing required',
        client.call('POST', `/nodes/pve1/qemu/${TEMPLATE_VMID}/clone`, {}),
        /newid: property is missing/,
      ],
      [
        'integer type',
        client.call('POST', config, { cores: 'two' }),
        /cores: type check \('integer'\)/,
      ],
      [
        'boolean type',
        client.call('POST', config, { ciupgrade: 'maybe' }),
        /ciupgrade: type check \('boolean'\)/,
      ],
      ['minimum', client.call('POST', config, { cores: 0 }), /cores: value must have a minimum/],
      [
        'vmid range',
        client.call('GET', '/nodes/pve1/qemu/99/status/current'),
        /vmid: value must have a minimum/,
      ],
      [
        'enum',
        client.call('GET', '/cluster/resources', { type: 'disk' }),
        /type: value 'disk' does not have a value in the enumeration/,
      ],
      [
        'pattern',
        client.call('PUT', `/nodes/pve1/qemu/${TEMPLATE_VMID}/resize`, {
          disk: 'scsi0',
          size: 'big',
        }),
        /size: value does not match the regex/,
      ],
      [
        'node format',
        client.call('GET', '/nodes/pve_1/qemu/100/status/current'),
        /node: value does not match the format 'pve-node'/,
      ],
      [
        'urlencoded with +',
        client.call('POST', config, { sshkeys: 'ssh-ed25519+AAAA' }),
        /sshkeys: value does not match the format 'urlencoded'/,
      ],
      [
        'urlencoded with a raw space',
        client.call('POST', config, { sshkeys: 'ssh-ed25519 AAAA' }),
        /sshkeys: value does not match the format 'urlencoded'/,
      ],
      [
        'ipconfig',
        client.call('POST', config, { ipconfig0: 'ip=192.0.2.10,gw=192.0.2.1' }),
        /ipconfig0: value does not match the format 'pve-qm-ipconfig'/,
      ],
      [
        'address list',
        client.call('POST', config, { nameserver: 'dns.example' }),
        /nameserver: value does not match the format 'address-list'/,
      ],
      [
        'property string',
        client.call('POST', config, { memory: 'lots' }),
        /memory.current: type check \('integer'\)/,
      ],
      [
        'dns-name',
        client.call('POST', `/nodes/pve1/qemu/${TEMPLATE_VMID}/clone`, {
          newid: 300,
          name: 'web_1',
        }),
        /name: value does not match the format 'dns-name'/,
      ],
    ];
    for (const [what, call, expected] of breaches) {
      const before = fake.violations.length;
      const err = await failure(call);
      expect(err.message, what).toMatch(/: 400 Parameter verification failed/);
      expect(fake.violations.length, what).toBe(before + 1);
      expect(fake.violations.at(-1), what).toMatch(expected);
    }
    fake.violations.length = 0;
  });

  it('refuses a request without the API token', async () => {
    const client = new ProxmoxClient(
      {
        endpoint: fake.url,
        tls: { ca: fake.certificate.cert },
        requestTimeoutMs: 1_000,
        retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      },
      { kind: 'token', tokenId: fake.tokenId, secret: 'wrong' },
    );
    const err = await failure(client.call('GET', '/cluster/resources'));
    expect(err.message).toMatch(/401 authentication failure/);
    expect(err.transient).toBe(false);
  });
});

describe('the proxmox driver', () => {
  afterEach(() => {
    expect(fake.violations.splice(0)).toEqual([]);
  });

  it('clones, configures and resizes with the exact parameters, sshkeys percent-encoded with %20', async () => {
    const vm = spec();
    await driverFor().createVm(vm);

    const [clone] = requestsTo(new RegExp(`/qemu/${TEMPLATE_VMID}/clone$`), 'POST').slice(-1);
    expect(clone?.params).toMatchObject({ newid: String(vm.vmid), name: vm.name, full: '1' });

    const [config] = requestsTo(new RegExp(`/qemu/${vm.vmid}/config$`), 'POST');
    expect(config?.params).toEqual({
      node: 'pve1',
      vmid: String(vm.vmid),
      cores: '2',
      memory: '2048',
      ciuser: 'ubuntu',
      sshkeys: encodeSshKeys(KEYS),
      ipconfig0: 'ip=192.0.2.10/24,gw=192.0.2.1',
      nameserver: '1.1.1.1 8.8.8.8',
      ciupgrade: '0',
    });
    // On the wire: the keys percent-encoded once (space %20, newline %0A, + %2B, / %2F,
    // = %3D, @ %40), then the % itself form-encoded: never a `+` or a raw space.
    const once =
      'ssh-ed25519%20AAAAC3NzaC1lZDI1NTE5AAAAIGz0lRRvV7sXr7Hqf1v4bM2cQ7WvIY6vUo5h5c4YzqkQ%20ada%40lusaka' +
      '%0Assh-rsa%20AAAAB3NzaC1yc2EAAAADAQABAAABAQC7%2B%2Fx%3D%20bwalya%20mwansa';
    expect(encodeSshKeys(KEYS)).toBe(once);
    expect(config?.rawBody).toContain(`sshkeys=${once.replace(/%/g, '%25')}&`);
    expect(config?.rawBody).not.toMatch(/\+/);
    expect(decodeURIComponent(fake.state.vms.get(vm.vmid)?.config.sshkeys ?? '')).toBe(
      KEYS.join('\n'),
    );

    const [resize] = requestsTo(new RegExp(`/qemu/${vm.vmid}/resize$`), 'PUT');
    expect(resize?.params).toEqual({
      node: 'pve1',
      vmid: String(vm.vmid),
      disk: 'scsi0',
      size: '20G',
    });
    expect(fake.state.vms.get(vm.vmid)?.config.scsi0).toMatch(/size=20G/);
    expect(requestsTo(/\/status\/start$/).filter((r) => r.path.includes(`/${vm.vmid}/`))).toEqual(
      [],
    );
  });

  it('finishes a VM whose clone was done already instead of cloning again, and resizes once', async () => {
    const vm = spec();
    const driver = driverFor();
    await driver.createVm(vm);
    const clones = requestsTo(/\/clone$/).length;
    await driver.createVm(vm);
    expect(requestsTo(/\/clone$/).length).toBe(clones);
    expect(requestsTo(new RegExp(`/qemu/${vm.vmid}/config$`), 'POST')).toHaveLength(2);
    expect(requestsTo(new RegExp(`/qemu/${vm.vmid}/resize$`))).toHaveLength(1);
  });

  it('refuses to take over a vmid that holds another VM', async () => {
    const vm = spec();
    await driverFor().createVm(vm);
    const err = await failure(driverFor().createVm({ ...vm, name: 'someone-else' }));
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(/exists .* as "web-\d+"/);
  });

  it('clones a template named by vmid', async () => {
    const vm = spec({ sourceTemplate: String(TEMPLATE_VMID) });
    await driverFor().createVm(vm);
    expect((await driverFor().status(vm.vmid))?.name).toBe(vm.name);
  });

  it('polls a slow task until it ends', async () => {
    const vm = spec();
    const driver = driverFor();
    await driver.createVm(vm);
    fake.inject({
      method: 'POST',
      path: /\/status\/start$/,
      fault: { kind: 'slow-task', ms: 150 },
    });
    const polls = requestsTo(/\/tasks\/.*\/status$/).length;
    const started = Date.now();
    await driver.power(vm.vmid, 'start');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(requestsTo(/\/tasks\/.*\/status$/).length - polls).toBeGreaterThan(3);
    expect((await driver.status(vm.vmid))?.powerState).toBe('running');
  });

  it('gives up on a task still running at its timeout, as a transient failure', async () => {
    const vm = spec();
    const driver = driverFor({}, { taskTimeoutMs: 50 });
    await driver.createVm(vm);
    fake.inject({
      method: 'POST',
      path: /\/status\/start$/,
      fault: { kind: 'slow-task', ms: 400 },
    });
    const err = await failure(driver.power(vm.vmid, 'start'));
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/still running after 50 ms/);
  });

  it('counts a task ending with WARNINGS as done', async () => {
    const vm = spec();
    const driver = driverFor();
    await driver.createVm(vm);
    fake.inject({
      method: 'POST',
      path: /\/status\/start$/,
      fault: { kind: 'task-warnings', count: 2 },
    });
    await driver.power(vm.vmid, 'start');
    expect((await driver.status(vm.vmid))?.powerState).toBe('running');
  });

  it('throws a failed task as permanent with its log as the detail', async () => {
    const vm = spec();
    fake.inject({
      method: 'POST',
      path: /\/clone$/,
      fault: {
        kind: 'task-fails',
        exitstatus: "storage 'local-lvm' does not exist",
        log: ['create full clone of drive scsi0', "TASK ERROR: storage 'local-lvm' does not exist"],
      },
    });
    const err = await failure(driverFor().createVm(vm));
    expect(err.transient).toBe(false);
    expect(err.message).toMatch(/task UPID:pve1:.*failed: storage 'local-lvm' does not exist/);
    expect(err.detail).toBe(
      "create full clone of drive scsi0\nTASK ERROR: storage 'local-lvm' does not exist",
    );
    expect(requestsTo(/\/tasks\/.*\/log$/).at(-1)?.params).toMatchObject({ start: '0' });
    expect(await driverFor().status(vm.vmid)).toBeNull();
  });

  it('starts a task again after it failed on a lock timeout', async () => {
    const vm = spec();
    const driver = driverFor();
    await driver.createVm(vm);
    fake.inject({
      method: 'POST',
      path: /\/status\/start$/,
      times: 2,
      fault: { kind: 'task-lock-timeout' },
    });
    await driver.power(vm.vmid, 'start');
    expect(requestsTo(new RegExp(`/${vm.vmid}/status/start$`))).toHaveLength(3);
    expect((await driver.status(vm.vmid))?.powerState).toBe('running');
  });

  it('retries an HTTP 500 lock timeout and a plain 500, then passes', async () => {
    const vm = spec();
    const driver = driverFor();
    await driver.createVm(vm);
    fake.inject({ method: 'POST', path: /\/status\/start$/, fault: { kind: 'lock-timeout' } });
    fake.inject({
      method: 'POST',
      path: /\/status\/start$/,
      fault: { kind: 'http', status: 500, message: 'proxy loop' },
    });
    await driver.power(vm.vmid, 'start');
    expect(requestsTo(new RegExp(`/${vm.vmid}/status/start$`))).toHaveLength(3);
    expect((await driver.status(vm.vmid))?.powerState).toBe('running');
  });

  it('stops retrying a 500 after the bounded attempts, as a transient failure', async () => {
    fake.inject({
      path: /\/cluster\/resources$/,
      times: 5,
      fault: { kind: 'http', status: 503, message: 'service unavailable' },
    });
    const before = requestsTo(/\/cluster\/resources$/).length;
    const err = await failure(driverFor().capacity());
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/503 service unavailable/);
    expect(requestsTo(/\/cluster\/resources$/).length - before).toBe(3);
  });

  it('retries a connection reset', async () => {
    fake.inject({ path: /\/cluster\/resources$/, fault: { kind: 'reset' } });
    const capacity = await driverFor().capacity();
    expect(capacity.cpus).toBe(32);
  });

  it('times out a call with no answer, as a transient failure', async () => {
    fake.inject({ path: /\/cluster\/resources$/, times: 1, fault: { kind: 'hang', ms: 300 } });
    const err = await failure(
      driverFor(
        {},
        { requestTimeoutMs: 50, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
      ).listVms(),
    );
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/no answer within 50 ms/);
  });

  it('reports a refused connection as transient', async () => {
    const endpoint = `https://127.0.0.1:${await closedPort()}`;
    const err = await failure(driverFor({ endpoint }).status(100));
    expect(err.transient).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('trusts the node by its pinned fingerprint or CA, and refuses another certificate without sending the token', async () => {
    await expect(driverFor().capacity()).resolves.toMatchObject({ cpus: 32 });
    const byCa = fake.credentials({ fingerprint256: '', ca: fake.certificate.cert });
    await expect(driverFor({ credentials: byCa }).capacity()).resolves.toMatchObject({ cpus: 32 });

    const seen = fake.requests.length;
    const other = selfSignedCertificate('impostor');
    const wrongPin = fake.credentials({ fingerprint256: other.fingerprint256 });
    const pinned = await failure(driverFor({ credentials: wrongPin }).capacity());
    expect(pinned.transient).toBe(false);
    expect(pinned.message).toMatch(/is not the pinned/);
    const wrongCa = fake.credentials({ fingerprint256: '', ca: other.cert });
    const byWrongCa = await failure(driverFor({ credentials: wrongCa }).capacity());
    expect(byWrongCa.transient).toBe(false);
    const noTrust = fake.credentials({ fingerprint256: '' });
    expect((await failure(driverFor({ credentials: noTrust }).capacity())).transient).toBe(false);
    expect(fake.requests.length).toBe(seen);
  });

  it('reads paused from qmpstatus, and resumes a paused VM on start', async () => {
    const vm = spec();
    const driver = driverFor();
    await driver.createVm(vm);
    await driver.power(vm.vmid, 'start');
    const fakeVm = fake.state.vms.get(vm.vmid);
    if (fakeVm) fakeVm.paused = true;
    expect((await driver.status(vm.vmid))?.powerState).toBe('paused');
    await driver.power(vm.vmid, 'start');
    expect(requestsTo(new RegExp(`/${vm.vmid}/status/resume$`))).toHaveLength(1);
    expect((await driver.status(vm.vmid))?.powerState).toBe('running');
  });

  it('shuts down with the timeout and a forced stop after it', async () => {
    const vm = spec();
    const driver = driverFor();
    await driver.createVm(vm);
    await driver.power(vm.vmid, 'start');
    await driver.power(vm.vmid, 'shutdown', { shutdownTimeoutSec: 30 });
    const [shutdown] = requestsTo(new RegExp(`/${vm.vmid}/status/shutdown$`));
    expect(shutdown?.params).toMatchObject({ timeout: '30', forceStop: '1' });
  });

  it('refuses to reboot a stopped VM, permanently', async () => {
    const vm = spec();
    const driver = driverFor();
    await driver.createVm(vm);
    const err = await failure(driver.power(vm.vmid, 'reboot'));
    expect(err.transient).toBe(false);
  });

  it('deletes with purge and destroy-unreferenced-disks, stopping a running VM first', async () => {
    const vm = spec();
    const driver = driverFor();
    await driver.createVm(vm);
    await driver.power(vm.vmid, 'start');
    await driver.deleteVm(vm.vmid);
    const [destroy] = requestsTo(new RegExp(`/qemu/${vm.vmid}$`), 'DELETE');
    expect(destroy?.params).toEqual({
      node: 'pve1',
      vmid: String(vm.vmid),
      purge: '1',
      'destroy-unreferenced-disks': '1',
    });
    expect(requestsTo(new RegExp(`/${vm.vmid}/status/stop$`))).toHaveLength(1);
    expect(fake.state.vms.has(vm.vmid)).toBe(false);
  });

  it('lists VMs and capacity from /cluster/resources, leaving templates out', async () => {
    const vm = spec();
    const driver = driverFor();
    await driver.createVm(vm);
    const vms = await driver.listVms();
    expect(vms.map((v) => v.vmid)).toContain(vm.vmid);
    expect(vms.map((v) => v.vmid)).not.toContain(TEMPLATE_VMID);
    const capacity = await driver.capacity();
    expect(capacity).toMatchObject({ cpus: 32, memoryMiB: 128 * 1024 });
    const onStorage = await driverFor({
      credentials: fake.credentials({ storage: 'local-lvm' }),
    }).capacity();
    expect(onStorage.diskGiB).toBe(2048);
    expect(onStorage.usedDiskGiB).toBeGreaterThanOrEqual(20);
  });
});

describe('the proxmox console', () => {
  afterEach(() => {
    expect(fake.violations.splice(0)).toEqual([]);
  });

  it('opens vncwebsocket with the API token and the vncproxy ticket', async () => {
    const vm = spec();
    const driver = driverFor();
    await driver.createVm(vm);
    await driver.power(vm.vmid, 'start');
    const endpoint = await driver.openConsole(vm.vmid);
    if (endpoint.kind !== 'websocket') throw new Error('expected a websocket');
    const url = new URL(endpoint.url);
    expect(url.protocol).toBe('wss:');
    expect(url.host).toBe(new URL(fake.url).host);
    expect(url.pathname).toBe(`/api2/json/nodes/pve1/qemu/${vm.vmid}/vncwebsocket`);
    expect(url.searchParams.get('vncticket')).toBe(endpoint.password);
    expect(endpoint.url).not.toMatch(/vncticket=[^&]*[+/=]/);
    expect(endpoint.headers).toEqual({
      Authorization: `PVEAPIToken=${fake.tokenId}=${fake.tokenSecret}`,
    });
    expect(endpoint.tls).toEqual({ fingerprint256: fake.certificate.fingerprint256 });
    expect(requestsTo(/\/vncproxy$/).at(-1)?.params).toMatchObject({ websocket: '1' });

    const opened = await openWebsocket(endpoint);
    expect(opened).toEqual({ status: 101, greeting: 'RFB 003.008\n' });
    expect(fake.websockets.at(-1)).toEqual({ vmid: vm.vmid, identity: fake.tokenId });
  });

  it('refuses a console for a VM that is not running', async () => {
    const vm = spec();
    const driver = driverFor();
    await driver.createVm(vm);
    expect((await failure(driver.openConsole(vm.vmid))).transient).toBe(false);
  });

  describe('on a Proxmox whose vncwebsocket refuses API tokens', () => {
    let strict: FakeProxmox;
    let saved: FakeProxmox;
    beforeAll(async () => {
      strict = await FakeProxmox.start({ taskMs: 5, vncWebsocketRefusesTokens: true });
      saved = fake;
      fake = strict;
    });
    afterAll(async () => {
      fake = saved;
      await strict.close();
    });

    it("is refused with the token, and opens with the console-only user's ticket as a cookie", async () => {
      const vm = spec();
      await driverFor().createVm(vm);
      await driverFor().power(vm.vmid, 'start');

      const byToken = await driverFor().openConsole(vm.vmid);
      expect(await openWebsocket(byToken)).toEqual({ status: 401 });

      const ticketed = driverFor({
        credentials: fake.credentials({
          consoleAuth: 'ticket',
          consoleUser: fake.consoleUser.username,
          consolePassword: fake.consoleUser.password,
        }),
      });
      const endpoint = await ticketed.openConsole(vm.vmid);
      if (endpoint.kind !== 'websocket') throw new Error('expected a websocket');
      expect(Object.keys(endpoint.headers)).toEqual(['Cookie']);
      expect(endpoint.headers.Cookie).toMatch(/^PVEAuthCookie=PVE%3Aconsole%40pve%3A/);
      const login = requestsTo(/^\/access\/ticket$/, 'POST').at(-1);
      expect(login?.params).toEqual({ username: 'console@pve', password: 'console-only-secret' });
      expect(login?.headers.authorization).toBeUndefined();
      const proxy = requestsTo(/\/vncproxy$/).at(-1);
      expect(proxy?.headers.authorization).toBeUndefined();
      expect(proxy?.headers.csrfpreventiontoken).toBeTruthy();

      expect(await openWebsocket(endpoint)).toEqual({ status: 101, greeting: 'RFB 003.008\n' });
      expect(fake.websockets.at(-1)).toEqual({ vmid: vm.vmid, identity: 'console@pve' });
    });

    it('refuses a wrong console password, permanently', async () => {
      const ticketed = driverFor({
        credentials: fake.credentials({
          consoleAuth: 'ticket',
          consoleUser: 'console@pve',
          consolePassword: 'wrong',
        }),
      });
      const vm = spec();
      await driverFor().createVm(vm);
      await driverFor().power(vm.vmid, 'start');
      const err = await failure(ticketed.openConsole(vm.vmid));
      expect(err.transient).toBe(false);
      expect(err.message).toMatch(/401 authentication failure/);
    });
  });
});

describe('proxmox credentials', () => {
  it('names the missing setting', () => {
    expect(() => driverFor({ credentials: { tokenId: 'a@pve!b', nodeName: 'pve1' } })).toThrow(
      /credentials need "tokenSecret"/,
    );
    expect(() => driverFor({ credentials: fake.credentials({ consoleAuth: 'ticket' }) })).toThrow(
      /credentials need "consoleUser"/,
    );
  });
});
