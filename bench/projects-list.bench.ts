/**
 * Benchmark: GET /v1/projects authenticated by session and by API key, against a bare
 * route of the same server answering the same bytes, on PGlite and (when a server is
 * named) on PostgreSQL. Prints a table and writes bench/results/projects-list.json.
 *
 *   npm run bench                                  # PGlite only
 *   scripts/with-postgres.sh npm run bench         # PGlite and PostgreSQL
 *
 * BENCH_SECONDS (default 10) and BENCH_CONNECTIONS (default 64) tune the runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const POSTGRES_URL = process.env.SWIFTCLOUD_TEST_DATABASE_URL;

interface Started {
  child: ChildProcess;
  port: number;
  token: string;
  apiKey: string;
  bodyBytes: number;
}

interface Row {
  database: string;
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  ratioToBare: number;
}

async function startServer(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bench-server.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (line.startsWith('{"port"')) return { child, ...JSON.parse(line) };
  }
  throw new Error('bench server exited before it was ready');
}

async function load(
  port: number,
  urlPath: string,
  headers: Record<string, string>,
  duration: number,
) {
  return autocannon({
    url: `http://127.0.0.1:${port}${urlPath}`,
    connections: CONNECTIONS,
    duration,
    headers,
  });
}

async function measure(database: string, env: Record<string, string>): Promise<Row[]> {
  const server = await startServer(env);
  try {
    const targets: [string, string, Record<string, string>][] = [
      ['bare route (same bytes)', '/bench/bare', {}],
      ['GET /v1/projects (session)', '/v1/projects', { authorization: `Bearer ${server.token}` }],
      ['GET /v1/projects (API key)', '/v1/projects', { authorization: `Bearer ${server.apiKey}` }],
    ];
    const rows: Row[] = [];
    for (const [target, urlPath, headers] of targets) {
      await load(server.port, urlPath, headers, 2); // warm-up: JIT, pool, caches
      const r = await load(server.port, urlPath, headers, SECONDS);
      rows.push({
        database,
        target,
        requestsPerSecond: Math.round(r.requests.average),
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        non2xx: r.non2xx,
        ratioToBare: 0,
      });
    }
    const bare = rows[0]!.requestsPerSecond;
    for (const row of rows)
      row.ratioToBare = Math.round((row.requestsPerSecond / bare) * 1000) / 1000;
    console.log(`${database}: body ${server.bodyBytes} bytes`);
    return rows;
  } finally {
    server.child.kill('SIGTERM');
  }
}

const rows: Row[] = [];
const pgliteDir = await mkdtemp(path.join(tmpdir(), 'swiftcloud-bench-'));
try {
  rows.push(...(await measure('PGlite', { BENCH_DATA_DIR: pgliteDir })));
} finally {
  await rm(pgliteDir, { recursive: true, force: true });
}
if (POSTGRES_URL) rows.push(...(await measure('PostgreSQL', { BENCH_DATABASE_URL: POSTGRES_URL })));
else console.log('PostgreSQL skipped: run under scripts/with-postgres.sh to include it');

console.log(`\n${CONNECTIONS} connections, ${SECONDS} s per target, after a 2 s warm-up\n`);
console.table(
  rows.map((r) => ({
    database: r.database,
    target: r.target,
    'req/s': r.requestsPerSecond,
    'p50 ms': r.p50Ms,
    'p99 ms': r.p99Ms,
    'non-2xx': r.non2xx,
    'vs bare': r.ratioToBare,
  })),
);
await mkdir('bench/results', { recursive: true });
const out = {
  benchmark: 'projects-list',
  at: new Date().toISOString(),
  connections: CONNECTIONS,
  seconds: SECONDS,
  node: process.version,
  rows,
};
await writeFile('bench/results/projects-list.json', JSON.stringify(out, null, 2) + '\n');
console.log('written: bench/results/projects-list.json');
