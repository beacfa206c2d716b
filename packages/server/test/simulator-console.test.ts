import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/database.js';
import { HypervisorError, type VmSpec } from '../src/compute/hypervisor/port.js';
import { SimulatorDriver } from '../src/compute/hypervisor/simulator/simulator.driver.js';
import { ZERO_STEP_DELAYS } from '../src/compute/hypervisor/simulator/simulator.faults.js';
import { CELL_HEIGHT, CELL_WIDTH } from '../src/compute/hypervisor/simulator/console/font.js';
import { TextScreen } from '../src/compute/hypervisor/simulator/console/text-screen.js';
import { cloneTestDatabase } from './support/database.js';
import { RfbCanvas, RfbClient, type RfbPixelFormat } from './support/rfb-client.js';

let database: DatabaseHandle;
let sim: SimulatorDriver;
let nextVmid = 200;
const clients: RfbClient[] = [];

beforeAll(async () => {
  database = await cloneTestDatabase(inject('templateDump'));
  sim = new SimulatorDriver({
    db: database.db,
    nodeId: randomUUID(),
    capacity: { cpus: 16, memoryMiB: 65_536, diskGiB: 2_000 },
    delays: ZERO_STEP_DELAYS,
  });
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

afterAll(async () => {
  await sim.close();
  await database.close();
});

function spec(vmid: number, name: string): VmSpec {
  return {
    vmid,
    name,
    cores: 2,
    memoryMiB: 2048,
    diskGiB: 25,
    sourceTemplate: 'debian-12',
    sshKeys: [],
    ciUser: 'debian',
    network: { address: '198.51.100.7/24', gateway: '198.51.100.1', nameservers: [] },
  };
}

/** A running VM and its console's port. */
async function runningVm(name = `web-${nextVmid}`): Promise<{ vmid: number; port: number }> {
  const vmid = nextVmid++;
  await sim.createVm(spec(vmid, name));
  await sim.power(vmid, 'start');
  const endpoint = await sim.openConsole(vmid);
  if (endpoint.kind !== 'rfb') throw new Error('expected an RFB console');
  expect(endpoint.host).toBe('127.0.0.1');
  return { vmid, port: endpoint.port };
}

async function rfb(port: number, version?: '3.3' | '3.7' | '3.8'): Promise<RfbClient> {
  const client = await RfbClient.connect(port, version ? { version } : {});
  clients.push(client);
  return client;
}

/** The whole screen as the client sees it after a full (non-incremental) update. */
async function fullScreen(client: RfbClient): Promise<RfbCanvas> {
  const canvas = new RfbCanvas(client.width, client.height, client.format.bitsPerPixel);
  client.requestUpdate(false);
  canvas.paint(await client.readUpdate());
  return canvas;
}

function cellRow(canvas: RfbCanvas, row: number, columns = 80): Buffer {
  return canvas.region(0, row * CELL_HEIGHT, columns * CELL_WIDTH, CELL_HEIGHT);
}

function isBlank(pixels: Buffer, bytesPerPixel: number): boolean {
  const first = pixels.subarray(0, bytesPerPixel);
  for (let i = 0; i < pixels.length; i += bytesPerPixel) {
    if (!pixels.subarray(i, i + bytesPerPixel).equals(first)) return false;
  }
  return true;
}

/** The last cell row with anything drawn on it: where the login prompt and cursor are. */
function lastUsedRow(canvas: RfbCanvas): number {
  for (let row = 24; row >= 0; row--) if (!isBlank(cellRow(canvas, row), 4)) return row;
  return -1;
}

/** `text` drawn by the console's own renderer at the start of an empty row (no cursor over it). */
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

/**
 * Paints incremental updates until the row starts with `text` as the console draws it (the
 * cursor blinks, so updates keep coming while typing arrives); fails after a few.
 */
async function untilRowShows(
  client: RfbClient,
  canvas: RfbCanvas,
  row: number,
  text: string,
): Promise<void> {
  const want = rendered(text);
  for (let i = 0; i < 6; i++) {
    canvas.paint(await client.readUpdate());
    if (cellRow(canvas, row, text.length).equals(want)) return;
    client.requestUpdate(true);
  }
  expect(cellRow(canvas, row, text.length)).toEqual(want);
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

describe('simulator console (RFB)', () => {
  it('shakes hands in RFB 3.8 with security None and announces the screen', async () => {
    const { port } = await runningVm('handshake-vm');
    const client = await rfb(port);
    expect(client.handshake).toEqual({
      serverVersion: 'RFB 003.008\n',
      securityTypes: [1],
      securityResult: 0,
    });
    expect(client.width).toBe(80 * CELL_WIDTH);
    expect(client.height).toBe(25 * CELL_HEIGHT);
    expect(client.name).toBe('handshake-vm');
    expect(client.format).toMatchObject({ bitsPerPixel: 32, depth: 24, trueColour: true });
  });

  it('also speaks RFB 3.3 and 3.7', async () => {
    const { port } = await runningVm();
    const old = await rfb(port, '3.3');
    expect(old.handshake.securityTypes).toEqual([1]);
    expect(old.handshake.securityResult).toBeNull();
    const mid = await rfb(port, '3.7');
    expect(mid.handshake.securityTypes).toEqual([1]);
    for (const client of [old, mid]) {
      const canvas = await fullScreen(client);
      expect(isBlank(canvas.pixels, 4)).toBe(false);
    }
  });

  it('a full update is one Raw rectangle of the whole screen showing the boot and the login prompt', async () => {
    const { port } = await runningVm('db-1');
    const client = await rfb(port);
    client.setEncodings([0, -223]);
    client.requestUpdate(false);
    const rects = await client.readUpdate();
    expect(
      rects.map(({ x, y, width, height, encoding }) => ({ x, y, width, height, encoding })),
    ).toEqual([{ x: 0, y: 0, width: client.width, height: client.height, encoding: 0 }]);
    const canvas = new RfbCanvas(client.width, client.height, 32);
    canvas.paint(rects);
    expect(isBlank(canvas.pixels, 4)).toBe(false);

    const loginRow = lastUsedRow(canvas);
    expect(loginRow).toBeGreaterThan(5);
    const prompt = 'db-1 login: ';
    expect(cellRow(canvas, loginRow, prompt.length)).toEqual(rendered(prompt));
    expect(cellRow(canvas, loginRow)).not.toEqual(cellRow(canvas, 24));
    expect(isBlank(cellRow(canvas, 24), 4)).toBe(true);
  });

  it('what is typed appears on the login line through an incremental update', async () => {
    const { port } = await runningVm('app-7');
    const client = await rfb(port);
    const canvas = await fullScreen(client);
    const loginRow = lastUsedRow(canvas);
    client.requestUpdate(true);
    client.type('root');
    await untilRowShows(client, canvas, loginRow, 'app-7 login: root');
  });

  it('an incremental update sends only the rows that changed', async () => {
    const { port } = await runningVm('inc-1');
    const client = await rfb(port);
    await fullScreen(client);
    client.requestUpdate(true);
    client.type('x');
    const rects = await client.readUpdate();
    expect(rects.length).toBeGreaterThan(0);
    for (const rect of rects) expect(rect.height).toBeLessThan(client.height);
  });

  it('sends pixels in a 16-bit format the client asks for', async () => {
    const { port } = await runningVm('rgb-16');
    const client = await rfb(port);
    const truecolour = await fullScreen(client);
    const rgb565: RfbPixelFormat = {
      bitsPerPixel: 16,
      depth: 16,
      bigEndian: true,
      trueColour: true,
      redMax: 31,
      greenMax: 63,
      blueMax: 31,
      redShift: 11,
      greenShift: 5,
      blueShift: 0,
    };
    client.setPixelFormat(rgb565);
    const small = await fullScreen(client);
    expect(small.pixels.length).toBe(client.width * client.height * 2);
    // The rows above the prompt (the cursor's row blinks between the two updates).
    const stablePixels = lastUsedRow(truecolour) * CELL_HEIGHT * client.width;
    const colours = new Set<number>();
    for (let at = 0; at < stablePixels; at++) {
      const rgb = truecolour.pixels.readUInt32LE(at * 4);
      const expected =
        (Math.round((((rgb >> 16) & 0xff) * 31) / 255) << 11) |
        (Math.round((((rgb >> 8) & 0xff) * 63) / 255) << 5) |
        Math.round(((rgb & 0xff) * 31) / 255);
      colours.add(rgb);
      if (small.pixels.readUInt16BE(at * 2) !== expected) {
        expect(small.pixels.readUInt16BE(at * 2), `pixel ${at}`).toBe(expected);
      }
    }
    // Background, grey text, green OKs, cyan network line and white headings all converted.
    expect(colours.size).toBeGreaterThanOrEqual(4);
  });

  it('ignores pointer events and clipboard text', async () => {
    const { port } = await runningVm();
    const client = await rfb(port);
    client.pointer(1, 10, 10);
    client.cutText('x'.repeat(100_000));
    client.pointer(0, 10, 10);
    const canvas = await fullScreen(client);
    expect(isBlank(canvas.pixels, 4)).toBe(false);
  });

  it('drops a client that sends a message it does not know', async () => {
    const { port } = await runningVm();
    const client = await rfb(port);
    client.writeRaw(Buffer.from([99, 0, 0, 0]));
    await client.closed;
  });

  it('keeps clients connected through a reboot, which boots the screen again', async () => {
    const { vmid, port } = await runningVm('reboot-me');
    const client = await rfb(port);
    const canvas = await fullScreen(client);
    const loginRow = lastUsedRow(canvas);
    const prompt = 'reboot-me login: ';
    client.requestUpdate(true);
    client.type('abc');
    await untilRowShows(client, canvas, loginRow, `${prompt}abc`);

    await sim.power(vmid, 'reboot');
    const after = await fullScreen(client);
    expect(lastUsedRow(after)).toBe(loginRow);
    expect(cellRow(after, loginRow, prompt.length)).toEqual(rendered(prompt));
    // What was typed is gone (the first cell after the prompt holds the blinking cursor).
    const typedCells = after.region(
      (prompt.length + 1) * CELL_WIDTH,
      loginRow * CELL_HEIGHT,
      2 * CELL_WIDTH,
      CELL_HEIGHT,
    );
    expect(isBlank(typedCells, 4)).toBe(true);
    expect(await sim.openConsole(vmid)).toEqual({ kind: 'rfb', host: '127.0.0.1', port });
  });

  it('closes the console when the VM stops, and refuses to open one for a stopped VM', async () => {
    const { vmid, port } = await runningVm();
    const client = await rfb(port);
    await sim.power(vmid, 'stop');
    await client.closed;
    expect(await portIsClosed(port)).toBe(true);

    const error = await sim.openConsole(vmid).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HypervisorError);
    expect((error as HypervisorError).transient).toBe(false);
    expect((error as HypervisorError).message).toMatch(/not running/);
  });

  it('opens a new console on a new port when the VM starts again', async () => {
    const { vmid, port } = await runningVm();
    await sim.power(vmid, 'shutdown', { shutdownTimeoutSec: 5 });
    expect(await portIsClosed(port)).toBe(true);
    await sim.power(vmid, 'start');
    const endpoint = await sim.openConsole(vmid);
    if (endpoint.kind !== 'rfb') throw new Error('expected an RFB console');
    const client = await rfb(endpoint.port);
    expect(client.handshake.serverVersion).toBe('RFB 003.008\n');
  });

  it('closes the console when the VM is deleted', async () => {
    const { vmid, port } = await runningVm();
    const client = await rfb(port);
    await sim.deleteVm(vmid);
    await client.closed;
    expect(await portIsClosed(port)).toBe(true);
  });
});
