/**
 * Benchmark: creating 1,000 VMs through the API on the simulator with zero step delays.
 * The production build of SwiftCloud runs in a child process (`npm start`'s entry point,
 * with its job runner and reconciler); this process is the customer. It reports the
 * control-plane time per VM (the POST /v1/vms request: validation, placement, address,
 * the VM, its action and its job in one transaction), the time until every VM is running,
 * and `GET /healthz` on the same server in the same run as the reference.
 *
 *   npm run bench:vms                              # PGlite
 *   scripts/with-postgres.sh npm run bench:vms     # PGlite and PostgreSQL
 *
 * BENCH_VMS (default 1000) sets the sequential phase; the phase with eight requests in
 * flight makes half as many.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sshPublicKey } from '../packages/server/test/support/ssh-keys.js';
import { freePort } from './free-port.js';

const VMS = Number(process.env.BENCH_VMS ?? 1000);
/** One customer creating VMs one after another, then eight at once (half as many). */
const PHASES = [
  { vms: VMS, concurrency: 1 },
  { vms: Math.ceil(VMS / 2), concurrency: 8 },
];
const POSTGRES_URL = process.env.SWIFTCLOUD_TEST_DATABASE_URL;
const ADMIN = { email: 'bench-admin@example.co.zm', password: 'bench admin password 1' };

async function waitUntilUp(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not become ready in 60 s');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1)!),
  };
}

/** Runs `task(i)` for i in [0, n) with `concurrency` in flight; returns each one's time in ms. */
async function timed(n: number, concurrency: number, task: (i: number) => Promise<void>) {
  const times: number[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await task(i);
        times[i] = performance.now() - t0;
      }
    }),
  );
  return times;
}

async function measure(database: string, env: Record<string, string>) {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'swiftcloud-bench-vms-'));
  const inherited = { ...process.env };
  delete inherited.DATABASE_URL;
  const child = spawn(process.execPath, ['packages/server/dist/main.js'], {
    env: {
      ...inherited,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SWIFTCLOUD_DATA_DIR: dataDir,
      SWIFTCLOUD_DNS_PORT: '0',
      SWIFTCLOUD_DNS_ROOT_SERVERS: '127.0.0.1:9',
      SWIFTCLOUD_LOG_LEVEL: 'warn',
      SWIFTCLOUD_SIMULATOR_DELAYS: 'zero',
      SWIFTCLOUD_ADMIN_EMAIL: ADMIN.email,
      SWIFTCLOUD_ADMIN_PASSWORD: ADMIN.password,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(base, child);
    const call = async (method: string, p: string, token?: string, body?: unknown) => {
      const res = await fetch(base + p, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const signUp = await call('POST', '/v1/auth/register', undefined, {
      email: 'bench@example.co.zm',
      password: 'bench password 123',
      name: 'Bench',
    });
    if (signUp.status !== 201)
      throw new Error(`sign-up: ${signUp.status} ${JSON.stringify(signUp.body)}`);
    const token = signUp.body.data.token as string;
    const project = await call('POST', '/v1/projects', token, { name: 'Bench' });
    const projectId = project.body.data.id as string;
    // With billing, VMs need money: an administrator credits the project (ignored without billing).
    const admin = await call('POST', '/v1/auth/login', undefined, ADMIN);
    await call('POST', `/v1/admin/projects/${projectId}/adjustments`, admin.body.data.token, {
      amount: '1000000.00',
      reason: 'benchmark',
    });
    const key = sshPublicKey('bench');

    // Reference: the cheapest route of the same server, the same way.
    for (let i = 0; i < 200; i++) await call('GET', '/healthz');
    const reference = await timed(VMS, 1, async () => {
      const r = await fetch(`${base}/healthz`);
      await r.text();
    });

    const results = [];
    let made = 0;
    for (const phase of PHASES) {
      const started = performance.now();
      const offset = made;
      const creates = await timed(phase.vms, phase.concurrency, async (i) => {
        const r = await call('POST', '/v1/vms', token, {
          project_id: projectId,
          name: `bench-${offset + i}`,
          template: 'ubuntu-24.04',
          size: 'small',
          ssh_key: key,
          public_ip: false,
        });
        if (r.status !== 202) throw new Error(`create ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      });
      const createdMs = performance.now() - started;
      made += phase.vms;
      // Every VM must reach running: page through the project's VMs until none is left behind.
      let running = 0;
      let failed = 0;
      const deadline = Date.now() + 10 * 60_000;
      while (Date.now() < deadline) {
        running = 0;
        failed = 0;
        for (let page = 1; ; page++) {
          const r = await call(
            'GET',
            `/v1/vms?project_id=${projectId}&per_page=100&page=${page}`,
            token,
          );
          for (const vm of r.body.data) {
            if (vm.status === 'running') running++;
            if (vm.status === 'error') failed++;
          }
          if (r.body.data.length < 100) break;
        }
        if (running + failed >= made) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const allRunningMs = performance.now() - started;
      const create = summary(creates);
      const ref = summary(reference);
      results.push({
        database,
        vms: phase.vms,
        inFlight: phase.concurrency,
        createP50Ms: create.p50,
        createP99Ms: create.p99,
        healthzP50Ms: ref.p50,
        p50VsHealthz: Math.round((create.p50 / ref.p50) * 10) / 10,
        createsPerSecond: Math.round((phase.vms / createdMs) * 1000),
        allRunningSeconds: Math.round(allRunningMs / 100) / 10,
        running,
        failed,
      });
    }
    return results;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A database of its own on the PostgreSQL server, so that every run starts empty. */
async function freshPostgresDatabase(url: string): Promise<string> {
  const name = `bench_vms_${Date.now()}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return fresh.toString();
}

const rows = await measure('PGlite', {});
if (POSTGRES_URL) {
  rows.push(
    ...(await measure('PostgreSQL', { DATABASE_URL: await freshPostgresDatabase(POSTGRES_URL) })),
  );
} else console.log('PostgreSQL skipped: run under scripts/with-postgres.sh to include it');

console.log('\nSimulator with zero step delays; healthz is the same server, the same way\n');
console.table(rows);
await mkdir('bench/results', { recursive: true });
await writeFile(
  'bench/results/vms-create.json',
  JSON.stringify(
    { benchmark: 'vms-create', at: new Date().toISOString(), node: process.version, rows },
    null,
    2,
  ) + '\n',
);
console.log('written: bench/results/vms-create.json');
