/**
 * Benchmark: SwiftCloud's authoritative DNS server against Knot DNS serving the same 1,000
 * zones of 20 records, one server process each, loaded by dnsperf over UDP on loopback in
 * the same run, with the same query file and settings.
 *
 * The SwiftCloud side is the production build of the app (dns-bench-server.ts) on a fresh
 * PGlite database, seeded through its services; Knot's zone files are what the app's
 * GET /v1/domains/{id}/zone returns. Reports queries per second, lost queries and latency,
 * and the time from a record change sent to the HTTP API to the new answer being served.
 * Prints a table and writes bench/results/dns.json.
 *
 *   npm run bench:dns
 *
 * Needs Debian's `dnsperf` and `knot`. BENCH_SECONDS (default 10), BENCH_ZONES (1000),
 * BENCH_CLIENTS (dnsperf -c, default 4) and BENCH_OUTSTANDING (dnsperf -q, default 100)
 * tune the runs.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { query, udpQuery } from '../packages/server/test/dns-server-client.js';
import { compareAnswers, firstData, waitServing } from './dns-bench-answers.js';
import { ApiClient, startApp, type StartedApp } from './dns-bench-app.js';
import { ChildProcesses, dnsperf, type DnsperfRow } from './dns-bench-processes.js';
import { freePort } from './free-port.js';
import { benchZoneName, comparedQueries, mailAddress, queryFile } from './dns-zones.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ZONES = Number(process.env.BENCH_ZONES ?? 1000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const OUTSTANDING = Number(process.env.BENCH_OUTSTANDING ?? 100);
const WARM_UP_SECONDS = 2;
const CHANGES = 20;

const children = new ChildProcesses();
const load = { seconds: SECONDS, clients: CLIENTS, outstanding: OUTSTANDING };

/** Writes every domain's zone file, as GET /v1/domains/{id}/zone returns it, into `dir`. */
async function exportZones(api: ApiClient, projectId: string, dir: string): Promise<string[]> {
  const domains = await api.allDomains(projectId);
  const names: string[] = [];
  const queue = [...domains];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        await writeFile(path.join(dir, `${d.name}.zone`), await api.zoneFile(d.id));
        names.push(d.name);
      }
    }),
  );
  return names.sort();
}

async function startKnot(
  dir: string,
  zoneDir: string,
  zones: string[],
  udpWorkers: number | undefined,
): Promise<{ port: number; stop: () => Promise<void>; log: () => string }> {
  const port = await freePort();
  const run = path.join(dir, `knot-${udpWorkers ?? 'default'}`);
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
    storage: "${zoneDir}"
    file: "%s.zone"
    journal-content: none
    zonefile-sync: -1
zone:
${zones.map((name) => `  - domain: ${name}`).join('\n')}
`,
  );
  const knot = children.spawn('knotd', ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  knot.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  return { port, stop: () => children.stop(knot), log: () => log };
}

interface ChangeSample {
  /** From sending the PATCH to the first query answered with the new address. */
  fromRequestMs: number;
  /** From the PATCH's response to that answer; negative when it was served first. */
  fromResponseMs: number;
}

/**
 * Changes the `mail` A record of CHANGES zones through PATCH /v1/domains/{id}/records/{id},
 * asking our server for it in a tight loop from the moment the request is sent.
 */
async function measureChanges(app: StartedApp, api: ApiClient): Promise<ChangeSample[]> {
  const domains = new Map((await api.allDomains(app.projectId)).map((d) => [d.name, d.id]));
  const samples: ChangeSample[] = [];
  for (let k = 1; k <= CHANGES; k++) {
    const i = ((k * 37) % ZONES) + 1;
    const zone = benchZoneName(i);
    const domainId = domains.get(zone)!;
    const record = await api.findRecord(domainId, 'mail', 'A');
    const question = query(`mail.${zone}`, 'A');
    const before = await udpQuery(app.dnsPort, question);
    if (firstData(before) !== record.content) throw new Error(`${zone}: stale before`);

    const expected = mailAddress(i, k);
    let respondedAt = 0;
    const sentAt = performance.now();
    const patched = api
      .updateRecord(domainId, record.id, { content: expected })
      .then(() => (respondedAt = performance.now()));
    let servedAt = 0;
    while (!servedAt) {
      const r = await udpQuery(app.dnsPort, question);
      if (firstData(r) === expected) servedAt = performance.now();
      else if (performance.now() - sentAt > 5_000) throw new Error(`${zone}: change not served`);
    }
    await patched;
    samples.push({ fromRequestMs: servedAt - sentAt, fromResponseMs: servedAt - respondedAt });
  }
  return samples;
}

function summary(values: number[]): { medianMs: number; maxMs: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return { medianMs: round(sorted[Math.floor(sorted.length / 2)]!), maxMs: round(sorted.at(-1)!) };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'swiftcloud-dns-bench-'));
  const cleanUp = async () => {
    await children.stopAll();
    await rm(dir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }
  try {
    const zoneDir = path.join(dir, 'zones');
    await mkdir(zoneDir);
    const queries = path.join(dir, 'queries.txt');
    await writeFile(queries, queryFile(ZONES));

    console.log(`seeding ${ZONES} domains of 20 records through the services...`);
    const app = await startApp(children, { dataDir: path.join(dir, 'app'), zones: ZONES });
    console.log(`seeded in ${(app.seedMs / 1000).toFixed(1)} s`);
    const api = new ApiClient(app.httpPort, app.token);

    const exportStarted = performance.now();
    const zones = await exportZones(api, app.projectId, zoneDir);
    const exportMs = Math.round(performance.now() - exportStarted);
    if (zones.length !== ZONES) throw new Error(`exported ${zones.length} zones, not ${ZONES}`);
    await waitServing(app.dnsPort, ZONES, 'SwiftCloud');

    // Knot loads the exported files first: a file it refuses stops the run here.
    const knot = await startKnot(dir, zoneDir, zones, undefined);
    try {
      await waitServing(knot.port, ZONES, 'Knot');
    } catch (err) {
      console.error(knot.log());
      throw err;
    }
    const { asked, differ } = await compareAnswers(comparedQueries(ZONES), app.dnsPort, knot.port);
    await knot.stop();
    if (knot.log()) console.log(`Knot said:\n${knot.log()}`);
    for (const line of differ.slice(0, 10)) console.log(`answers differ: ${line}`);

    await dnsperf(children, app.dnsPort, queries, { ...load, seconds: WARM_UP_SECONDS }, '');
    const ours = await dnsperf(children, app.dnsPort, queries, load, 'SwiftCloud');
    const changes = await measureChanges(app, api);
    await app.stop();

    const knotRows: DnsperfRow[] = [];
    for (const workers of [undefined, 1]) {
      const server = await startKnot(dir, zoneDir, zones, workers);
      try {
        await waitServing(server.port, ZONES, 'Knot');
        await dnsperf(children, server.port, queries, { ...load, seconds: WARM_UP_SECONDS }, '');
        const label = workers ? `Knot (${workers} UDP worker)` : 'Knot';
        knotRows.push(await dnsperf(children, server.port, queries, load, label));
      } finally {
        await server.stop();
      }
    }
    const rows = [ours, ...knotRows];
    const knotQps = knotRows[0]!.queriesPerSecond;
    const change = {
      samples: changes.length,
      fromRequest: summary(changes.map((c) => c.fromRequestMs)),
      fromResponse: summary(changes.map((c) => c.fromResponseMs)),
    };

    console.log(
      `\n${ZONES} zones x 20 records (seeded in ${(app.seedMs / 1000).toFixed(1)} s, ` +
        `exported in ${(exportMs / 1000).toFixed(1)} s); dnsperf -c ${CLIENTS} -q ${OUTSTANDING}, ` +
        `${SECONDS} s after a ${WARM_UP_SECONDS} s warm-up, UDP on loopback\n`,
    );
    console.table(
      rows.map((r) => ({
        server: r.server,
        qps: r.queriesPerSecond,
        'vs Knot': (r.queriesPerSecond / knotQps).toFixed(2),
        sent: r.sent,
        lost: r.lost,
        'avg ms': r.averageLatencyMs.toFixed(3),
        'max ms': r.maxLatencyMs.toFixed(3),
      })),
    );
    for (const r of rows) console.log(`${r.server} response codes: ${r.responseCodes}`);
    console.log(
      `answers compared with Knot: ${differ.length} of ${asked} queries differ\n` +
        `API change -> new answer served (${change.samples} PATCHes): ` +
        `from the request median ${change.fromRequest.medianMs} ms, max ${change.fromRequest.maxMs} ms; ` +
        `from the response median ${change.fromResponse.medianMs} ms, max ${change.fromResponse.maxMs} ms`,
    );
    await mkdir('bench/results', { recursive: true });
    const out = {
      benchmark: 'dns',
      at: new Date().toISOString(),
      node: process.version,
      zones: ZONES,
      recordsPerZone: 20,
      seedMs: app.seedMs,
      exportMs,
      dnsperf: {
        seconds: SECONDS,
        warmUpSeconds: WARM_UP_SECONDS,
        clients: CLIENTS,
        outstanding: OUTSTANDING,
      },
      rows: rows.map((r) => ({
        ...r,
        ratioToKnot: Math.round((r.queriesPerSecond / knotQps) * 1000) / 1000,
      })),
      answersCompared: asked,
      answersDiffering: differ.length,
      change,
    };
    await writeFile('bench/results/dns.json', JSON.stringify(out, null, 2) + '\n');
    console.log('written: bench/results/dns.json');
  } finally {
    await cleanUp();
  }
}

await main();
