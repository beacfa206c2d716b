/**
 * Benchmark: SwiftCloud's authoritative DNS server against Knot DNS serving the same 1,000
 * zones of 20 records, each in its own process, loaded by dnsperf over UDP on loopback in
 * the same run. Reports queries per second, lost queries and latency, and the time from a
 * zone change to its new answer being served. Writes bench/results/dns.json.
 *
 *   node --import tsx bench/dns.bench.ts
 *
 * Needs Debian's `dnsperf` and `knot`. BENCH_SECONDS (default 10), BENCH_ZONES (1000) and
 * BENCH_CLIENTS (dnsperf -c, default 4) tune the runs.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { query, udpQuery } from '../packages/server/test/dns-server-client.js';
import { benchZone, benchZoneName, queryFile, zoneFile } from './dns-zones.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ZONES = Number(process.env.BENCH_ZONES ?? 1000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const CHANGES = 20;
const OUTSTANDING = Number(process.env.BENCH_OUTSTANDING ?? 100);

interface Row {
  server: string;
  queriesPerSecond: number;
  sent: number;
  lost: number;
  averageLatencyMs: number;
  maxLatencyMs: number;
  responseCodes: string;
}

const run = promisify(execFile);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function dnsperf(
  port: number,
  queries: string,
  seconds: number,
  label: string,
): Promise<Row> {
  const { stdout } = await run(
    'dnsperf',
    [
      '-s',
      '127.0.0.1',
      '-p',
      String(port),
      '-d',
      queries,
      '-l',
      String(seconds),
      '-c',
      String(CLIENTS),
      '-q',
      '200',
      '-t',
      '2',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const num = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? NaN);
  return {
    server: label,
    queriesPerSecond: Math.round(num(/Queries per second:\s+([\d.]+)/)),
    sent: num(/Queries sent:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    averageLatencyMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    maxLatencyMs: num(/Average Latency \(s\):.*max ([\d.]+)/) * 1000,
    responseCodes: /Response codes:\s+(.*)/.exec(stdout)?.[1] ?? '',
  };
}

/** Waits until the server at `port` answers the last zone's SOA (every zone loaded). */
async function waitServing(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = await udpQuery(port, query(benchZoneName(ZONES - 1), 'SOA')).catch(() => undefined);
    if (r?.rcode === 'NOERROR' && r.answers?.length) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server on port ${port} never served the zones`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function benchSwiftCloud(queries: string): Promise<{ row: Row; changeMs: number[] }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/dns-bench-server.ts', String(ZONES)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => String((await lines.next()).value ?? '');
  const port = Number((await next()).split(' ')[1]);
  try {
    await waitServing(port);
    await dnsperf(port, queries, 2, 'warm-up');
    const row = await dnsperf(port, queries, SECONDS, 'SwiftCloud');
    const changeMs: number[] = [];
    for (let k = 0; k < CHANGES; k++) {
      const i = (k * 37) % ZONES;
      const variant = k + 1;
      const expected = `10.${(i >> 8) & 255}.${i & 255}.${25 + variant}`;
      const started = performance.now();
      child.stdin!.write(`change ${i} ${variant}\n`);
      for (;;) {
        const r = await udpQuery(port, query(`mail.${benchZoneName(i)}`, 'A'));
        if (r.answers?.[0]?.type === 'A' && r.answers[0].data === expected) break;
        if (performance.now() - started > 5_000) throw new Error('change never served');
      }
      changeMs.push(performance.now() - started);
      await next();
    }
    return { row, changeMs };
  } finally {
    child.stdin!.end();
    await stopProcess(child);
  }
}

async function benchKnot(
  dir: string,
  queries: string,
  udpWorkers: number | undefined,
): Promise<Row> {
  const port = await freePort();
  const run = path.join(dir, `run-${udpWorkers ?? 'default'}`);
  await mkdir(run, { recursive: true });
  const config = path.join(run, 'knot.conf');
  await writeFile(
    config,
    `server:
    rundir: "${run}"
    listen: 127.0.0.1@${port}
${udpWorkers ? `    udp-workers: ${udpWorkers}\n` : ''}log:
  - target: stderr
    any: warning
database:
    storage: "${run}"
template:
  - id: default
    storage: "${path.join(dir, 'zones')}"
    file: "%s.zone"
    journal-content: none
    zonefile-sync: -1
zone:
${Array.from({ length: ZONES }, (_, i) => `  - domain: ${benchZoneName(i)}`).join('\n')}
`,
  );
  const knot = spawn('knotd', ['-c', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitServing(port);
    await dnsperf(port, queries, 2, 'warm-up');
    return await dnsperf(
      port,
      queries,
      SECONDS,
      udpWorkers ? `Knot (${udpWorkers} UDP worker)` : 'Knot',
    );
  } finally {
    await stopProcess(knot);
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'swiftcloud-dns-bench-'));
  try {
    await mkdir(path.join(dir, 'zones'));
    for (let i = 0; i < ZONES; i++) {
      await writeFile(path.join(dir, 'zones', `${benchZoneName(i)}.zone`), zoneFile(benchZone(i)));
    }
    const queries = path.join(dir, 'queries.txt');
    await writeFile(queries, queryFile(ZONES));

    const ours = await benchSwiftCloud(queries);
    const knot = await benchKnot(dir, queries, undefined);
    const knotOne = await benchKnot(dir, queries, 1);
    const rows = [ours.row, knot, knotOne];

    const sorted = [...ours.changeMs].sort((a, b) => a - b);
    const change = {
      samples: sorted.length,
      medianMs: Number(sorted[Math.floor(sorted.length / 2)]!.toFixed(2)),
      maxMs: Number(sorted.at(-1)!.toFixed(2)),
    };
    console.log(
      `\n${ZONES} zones x 20 records, dnsperf -c ${CLIENTS} -q ${OUTSTANDING}, ${SECONDS} s, UDP on loopback\n`,
    );
    console.table(
      rows.map((r) => ({
        server: r.server,
        qps: r.queriesPerSecond,
        'vs Knot': (r.queriesPerSecond / knot.queriesPerSecond).toFixed(2),
        sent: r.sent,
        lost: r.lost,
        'avg ms': r.averageLatencyMs.toFixed(3),
        'max ms': r.maxLatencyMs.toFixed(3),
      })),
    );
    for (const r of rows) console.log(`${r.server} response codes: ${r.responseCodes}`);
    console.log(
      `change announced -> new answer served: median ${change.medianMs} ms, max ${change.maxMs} ms (${change.samples} changes)`,
    );
    await mkdir('bench/results', { recursive: true });
    await writeFile(
      'bench/results/dns.json',
      JSON.stringify({ zones: ZONES, seconds: SECONDS, clients: CLIENTS, rows, change }, null, 2),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
