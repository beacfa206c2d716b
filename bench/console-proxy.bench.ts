/**
 * Benchmark: SwiftCloud's console proxy against websockify (Debian's package) relaying the
 * same VNC server in the same run: the simulator's RFB server for one VM, in a process of its
 * own (console-source.ts). SwiftCloud (console-bench-server.ts) is the production build with
 * that server as the VM's console. A direct TCP connection to it is the reference. For
 * each, one viewer:
 *
 * - throughput: full-screen Raw FramebufferUpdates (about 1 MB each), 4 requests in
 *   flight, until BENCH_MB megabytes have arrived;
 * - latency: BENCH_PINGS round trips of a small message (a 1×1 update request and its
 *   20-byte answer), one at a time; p50 and p99, and what the proxy adds to the direct one.
 *
 * Rounds (BENCH_ROUNDS, default 3) take the three in turn; the median round counts. Prints a
 * table and writes bench/results/console-proxy.json.
 *
 *   npm run bench:console          # needs /usr/bin/websockify (apt-get install websockify)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { freePort } from './free-port.js';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';

const MEGABYTES = Number(process.env.BENCH_MB ?? 1000);
const PINGS = Number(process.env.BENCH_PINGS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = 4;
/** Linux's USER_HZ, the unit of /proc/<pid>/stat times. */
const CLOCK_TICKS = 100;

/** A byte pipe to the VNC server: raw TCP, or binary websocket messages. */
interface Transport {
  send(bytes: Buffer): void;
  onData(listener: (chunk: Buffer) => void): void;
  onClose(listener: (why: string) => void): void;
  close(): void;
}

function tcpTransport(port: number): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.setNoDelay(true);
      resolve({
        send: (bytes) => socket.write(bytes),
        onData: (listener) => socket.on('data', listener),
        onClose: (listener) => socket.on('close', () => listener('TCP connection closed')),
        close: () => socket.destroy(),
      });
    });
    socket.once('error', reject);
  });
}

function websocketTransport(url: string): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['binary'], { perMessageDeflate: false });
    ws.binaryType = 'nodebuffer';
    // Listen from the start: a proxy may send its first frame with the 101 response, and
    // ws emits it before a listener added after 'open' could see it.
    let listener: ((chunk: Buffer) => void) | null = null;
    const early: Buffer[] = [];
    ws.on('message', (data: Buffer) => (listener ? listener(data) : early.push(data)));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('open', () =>
      resolve({
        send: (bytes) => ws.send(bytes),
        onData: (next) => {
          listener = next;
          for (const data of early.splice(0)) next(data);
        },
        onClose: (listener) =>
          ws.on('close', (code, reason) =>
            listener(`websocket closed: ${code} ${reason.toString()}`),
          ),
        close: () => ws.terminate(),
      }),
    );
  });
}

/** A minimal RFB viewer that counts bytes instead of keeping them. */
class Viewer {
  private buffered: Buffer = Buffer.alloc(0);
  private counting = false;
  private counted = 0;
  private waiter: { ready: () => boolean; done: () => void; fail: (err: Error) => void } | null =
    null;
  private closed: string | null = null;
  width = 0;
  height = 0;

  constructor(private readonly transport: Transport) {
    transport.onData((chunk) => {
      if (this.counting) this.counted += chunk.length;
      else this.buffered = Buffer.concat([this.buffered, chunk]);
      if (this.waiter?.ready()) this.waiter.done();
    });
    transport.onClose((why) => {
      this.closed = why;
      this.waiter?.fail(new Error(why));
    });
  }

  /** Resolves once `ready()` holds; it is checked now and after every chunk that arrives. */
  private until(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(this.closed));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(
          new Error(`stalled for 10 s (counted ${this.counted}, buffered ${this.buffered.length})`),
        );
      }, 10_000);
      this.waiter = {
        ready,
        done: () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        },
        fail: (err) => {
          clearTimeout(timer);
          this.waiter = null;
          reject(err);
        },
      };
    });
  }

  private async read(n: number): Promise<Buffer> {
    await this.until(() => this.buffered.length >= n);
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  /** RFB 3.8, security None, shared ClientInit, through ServerInit. */
  async handshake(): Promise<void> {
    await this.read(12);
    this.transport.send(Buffer.from('RFB 003.008\n'));
    const count = (await this.read(1))[0]!;
    const types = [...(await this.read(count))];
    if (!types.includes(1)) throw new Error(`security None not offered (${types.join(',')})`);
    this.transport.send(Buffer.from([1]));
    if ((await this.read(4)).readUInt32BE(0) !== 0) throw new Error('security refused');
    this.transport.send(Buffer.from([1]));
    const init = await this.read(24);
    this.width = init.readUInt16BE(0);
    this.height = init.readUInt16BE(2);
    await this.read(init.readUInt32BE(20));
    if (this.buffered.length > 0) throw new Error('unexpected bytes after ServerInit');
    this.counting = true;
  }

  private request(width: number, height: number): void {
    const m = Buffer.alloc(10);
    m[0] = 3; // FramebufferUpdateRequest, not incremental
    m.writeUInt16BE(width, 6);
    m.writeUInt16BE(height, 8);
    this.transport.send(m);
  }

  /** Receives full-screen updates until `bytes` have come; answers MB/s. */
  async throughput(bytes: number): Promise<number> {
    const updateBytes = 4 + 12 + this.width * this.height * 4;
    const updates = Math.ceil(bytes / updateBytes);
    this.counted = 0;
    let requested = 0;
    const started = process.hrtime.bigint();
    // Keeps IN_FLIGHT requests outstanding as updates complete.
    await this.until(() => {
      const answered = Math.floor(this.counted / updateBytes);
      while (requested < updates && requested - answered < IN_FLIGHT) {
        this.request(this.width, this.height);
        requested++;
      }
      return answered >= updates;
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return (updates * updateBytes) / 1e6 / seconds;
  }

  /** Round trips of a 1×1 update request (10 bytes) and its answer (20 bytes), in ms. */
  async pings(n: number): Promise<number[]> {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      this.counted = 0;
      const started = process.hrtime.bigint();
      this.request(1, 1);
      await this.until(() => this.counted >= 20);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return times;
  }

  close(): void {
    this.transport.close();
  }
}

/** CPU seconds (user + system) used so far by a process and every process below it. */
async function treeCpuSeconds(rootPid: number): Promise<number> {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state is field 3.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), {
        ppid: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // The process ended meanwhile.
    }
  }
  let ticks = 0;
  for (const [pid, stat] of stats) {
    for (let at: number | undefined = pid; at !== undefined && at > 1; at = stats.get(at)?.ppid) {
      if (at === rootPid) {
        ticks += stat.ticks;
        break;
      }
    }
  }
  return ticks / CLOCK_TICKS;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function idx(round: Measure[], target: Target): number {
  return round.findIndex((m) => m.target === target);
}

function median(values: number[]): number {
  return percentile(values, 50);
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`websockify exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`nothing listens on ${port}`);
}

/** Runs a benchmark script in its own process and answers the JSON line it prints when ready. */
async function startProcess<T>(
  script: string,
  env: Record<string, string>,
): Promise<T & { child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : []),
      '--import',
      'tsx',
      script,
    ],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line.startsWith('{"port"')) return { child, ...(JSON.parse(line) as T) };
  }
  throw new Error(`${script} exited before it was ready`);
}

interface Server {
  child: ChildProcess;
  port: number;
  token: string;
  vmId: string;
}

/** SwiftCloud's way in: a ticket from the API, then its websocket URL (on this server's port). */
async function swiftcloudUrl(server: Server): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${server.port}/v1/vms/${server.vmId}/console`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  if (res.status !== 200) throw new Error(`GET console: ${res.status} ${await res.text()}`);
  const { data } = (await res.json()) as { data: { url: string } };
  const url = new URL(data.url);
  return `ws://127.0.0.1:${server.port}${url.pathname}${url.search}`;
}

type Target = 'direct TCP' | 'SwiftCloud' | 'websockify';

interface Measure {
  target: Target;
  mbPerSecond: number;
  /** Megabytes relayed per CPU second of the proxy's processes (null: no proxy). */
  mbPerProxyCpuSecond: number | null;
  p50Ms: number;
  p99Ms: number;
}

async function measure(
  target: Target,
  open: () => Promise<Transport>,
  proxyPid: number | null,
): Promise<Measure> {
  const viewer = new Viewer(await open());
  try {
    await viewer.handshake().catch((err: Error) => {
      throw new Error(`${target}: handshake: ${err.message}`);
    });
    await viewer.throughput(100e6); // warm-up
    const cpuBefore = proxyPid === null ? 0 : await treeCpuSeconds(proxyPid);
    const started = process.hrtime.bigint();
    const mbPerSecond = await viewer.throughput(MEGABYTES * 1e6);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = proxyPid === null ? 0 : (await treeCpuSeconds(proxyPid)) - cpuBefore;
    const mbPerProxyCpuSecond = proxyPid === null ? null : (mbPerSecond * seconds) / cpu;
    await viewer.pings(100); // warm-up
    const rtts = await viewer.pings(PINGS);
    return {
      target,
      mbPerSecond,
      mbPerProxyCpuSecond,
      p50Ms: percentile(rtts, 50),
      p99Ms: percentile(rtts, 99),
    };
  } finally {
    viewer.close();
  }
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'swiftcloud-console-bench-'));
  const source = await startProcess<{ port: number }>('bench/console-source.ts', {});
  const server: Server = await startProcess('bench/console-bench-server.ts', {
    BENCH_DATA_DIR: dataDir,
    BENCH_RFB_PORT: String(source.port),
  });
  const websockifyPort = await freePort();
  const websockify = spawn(
    '/usr/bin/websockify',
    [`127.0.0.1:${websockifyPort}`, `127.0.0.1:${source.port}`],
    { stdio: ['ignore', 'ignore', process.env.BENCH_WEBSOCKIFY_LOG ? 'inherit' : 'ignore'] },
  );
  try {
    await waitForPort(websockifyPort, websockify);
    const targets: [Target, () => Promise<Transport>, number | null][] = [
      ['direct TCP', () => tcpTransport(source.port), null],
      [
        'SwiftCloud',
        async () => websocketTransport(await swiftcloudUrl(server)),
        server.child.pid!,
      ],
      [
        'websockify',
        () => websocketTransport(`ws://127.0.0.1:${websockifyPort}/`),
        websockify.pid!,
      ],
    ];
    const loadBefore = loadavg();
    const rounds: Measure[][] = [];
    // Round 0 warms up every process (JIT, caches) and is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      // Each round starts with another target, so that none always runs first.
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      const results: Measure[] = [];
      for (const [target, open, pid] of order) results.push(await measure(target, open, pid));
      if (round > 0) rounds.push(results);
      console.error(
        `${round === 0 ? 'warm-up' : `round ${round}`}: ` +
          results
            .map(
              (r) =>
                `${r.target} ${r.mbPerSecond.toFixed(0)} MB/s` +
                (r.mbPerProxyCpuSecond === null
                  ? ''
                  : ` (${r.mbPerProxyCpuSecond.toFixed(0)} MB per proxy CPU second)`),
            )
            .join(', '),
      );
    }
    const loadAfter = loadavg();
    const of = (target: Target) => rounds.map((r) => r.find((m) => m.target === target)!);
    const summary = targets.map(([target]) => ({
      target,
      mbPerSecond: median(of(target).map((m) => m.mbPerSecond)),
      mbPerProxyCpuSecond:
        target === 'direct TCP' ? null : median(of(target).map((m) => m.mbPerProxyCpuSecond!)),
      p50Ms: median(of(target).map((m) => m.p50Ms)),
      p99Ms: median(of(target).map((m) => m.p99Ms)),
    }));
    const direct = summary[0]!;
    // Ratios within a round compare runs made moments apart, under the same outside load.
    const ratio = median(
      rounds.map(
        (r) => r[idx(r, 'SwiftCloud')]!.mbPerSecond / r[idx(r, 'websockify')]!.mbPerSecond,
      ),
    );
    const cpuRatio = median(
      rounds.map(
        (r) =>
          r[idx(r, 'SwiftCloud')]!.mbPerProxyCpuSecond! /
          r[idx(r, 'websockify')]!.mbPerProxyCpuSecond!,
      ),
    );
    console.table(
      summary.map((s) => ({
        target: s.target,
        'MB/s': Number(s.mbPerSecond.toFixed(1)),
        'MB per proxy CPU s':
          s.mbPerProxyCpuSecond === null ? '-' : Number(s.mbPerProxyCpuSecond.toFixed(0)),
        'RTT p50 ms': Number(s.p50Ms.toFixed(3)),
        'RTT p99 ms': Number(s.p99Ms.toFixed(3)),
        'added p50 ms': Number((s.p50Ms - direct.p50Ms).toFixed(3)),
        'added p99 ms': Number((s.p99Ms - direct.p99Ms).toFixed(3)),
      })),
    );
    console.log(
      `SwiftCloud / websockify: throughput ${ratio.toFixed(2)}×, per proxy CPU second ` +
        `${cpuRatio.toFixed(2)}× (target at least 1.5×); medians of ${ROUNDS} rounds of ` +
        `${MEGABYTES} MB and ${PINGS} round trips; load average ${loadBefore[0]!.toFixed(1)} ` +
        `before, ${loadAfter[0]!.toFixed(1)} after, on ${cpus().length} cores`,
    );
    await mkdir('bench/results', { recursive: true });
    await writeFile(
      'bench/results/console-proxy.json',
      JSON.stringify(
        {
          megabytes: MEGABYTES,
          pings: PINGS,
          loadBefore,
          loadAfter,
          rounds,
          summary,
          ratio,
          cpuRatio,
        },
        null,
        2,
      ),
    );
  } finally {
    websockify.kill('SIGTERM');
    source.child.kill('SIGTERM');
    server.child.kill('SIGTERM');
    await new Promise((resolve) => server.child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
