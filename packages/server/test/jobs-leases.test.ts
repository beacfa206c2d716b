import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { systemClock } from '../src/platform/clock.js';
import { JobQueue } from '../src/platform/jobs/job-queue.js';
import { JobRunner } from '../src/platform/jobs/job-runner.js';
import { LeaseLost, type JobContext, type JobHandlers } from '../src/platform/jobs/job.js';
import { LEASE_MS, deferred, outcomes, useJobsDatabase } from './jobs-fixtures.js';
import { TEMPLATE_DB, TEST_SERVER_URL, adminQuery, databaseUrl } from './support/database.js';

const t = useJobsDatabase();
const { runner, enqueue, job } = t;

describe('leases', () => {
  it('lets another runner take over and re-run a job whose lease expired; the first records nothing', async () => {
    const runs: string[] = [];
    const release = deferred();
    const started = deferred<JobContext>();
    const a = runner('server-a', {
      'vm.provision': async (ctx) => {
        runs.push('server-a');
        started.resolve(ctx);
        await release.promise;
        return 'from a';
      },
    });
    const b = runner('server-b', {
      'vm.provision': async () => {
        runs.push('server-b');
        return 'from b';
      },
    });
    const queued = await enqueue();
    const aRun = a.runOnce();
    const aCtx = await started.promise;
    expect(await job(queued.id)).toMatchObject({ status: 'running', leaseOwner: 'server-a' });

    // Server A goes quiet: its lease is not renewed, and B may not take the job before it ends.
    t.clock.advance(LEASE_MS - 1);
    expect(await b.runOnce()).toEqual([]);
    t.clock.advance(1);
    expect(outcomes(await b.runOnce())).toEqual(['succeeded']);
    expect(runs).toEqual(['server-a', 'server-b']);

    await expect(aCtx.heartbeat()).rejects.toBeInstanceOf(LeaseLost);
    expect(aCtx.signal.aborted).toBe(true);
    release.resolve();
    expect(outcomes(await aRun)).toEqual(['lease_lost']);
    expect(await job(queued.id)).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      result: 'from b',
    });
  });

  it('fails a job whose lease expired on its last attempt instead of running it again', async () => {
    const release = deferred();
    const started = deferred();
    let runs = 0;
    const handlers: JobHandlers = {
      'vm.provision': async () => {
        runs++;
        started.resolve();
        await release.promise;
      },
    };
    const a = runner('server-a', handlers);
    const b = runner('server-b', handlers);
    const queued = await enqueue({ maxAttempts: 1 });
    const aRun = a.runOnce();
    await started.promise;
    t.clock.advance(LEASE_MS);
    expect(await b.runOnce()).toEqual([]);
    expect(await job(queued.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'attempt 1 of 1 did not finish: its runner (server-a) stopped renewing its lease',
    });
    release.resolve();
    expect(outcomes(await aRun)).toEqual(['lease_lost']);
    expect(runs).toBe(1);
  });

  it('keeps the job while the handler heartbeats', async () => {
    const step = deferred();
    const checkpoint = deferred();
    const release = deferred();
    const a = runner('server-a', {
      'vm.provision': async ({ heartbeat }) => {
        await step.promise;
        await heartbeat();
        checkpoint.resolve();
        await release.promise;
      },
    });
    const b = runner('server-b', { 'vm.provision': async () => {} });
    const queued = await enqueue();
    const aRun = a.runOnce();
    t.clock.advance(LEASE_MS - 1);
    step.resolve();
    await checkpoint.promise;
    expect((await job(queued.id)).leaseExpiresAt).toEqual(
      new Date(t.clock.now().getTime() + LEASE_MS),
    );
    t.clock.advance(LEASE_MS - 1);
    expect(await b.runOnce()).toEqual([]);
    release.resolve();
    expect(outcomes(await aRun)).toEqual(['succeeded']);
  });

  it('renews the lease on its own while a handler runs', async () => {
    const release = deferred();
    const leaseMs = 90;
    const a = runner('server-a', { 'vm.provision': () => release.promise }, { leaseMs });
    const b = runner('server-b', { 'vm.provision': async () => {} }, { leaseMs });
    const queued = await enqueue();
    const aRun = a.runOnce();
    const firstEnd = t.clock.now().getTime() + leaseMs;
    await expect.poll(async () => (await job(queued.id)).status).toBe('running');
    // Time passes on the runner's clock; its renewal (every third of the lease) moves the end.
    t.clock.advance(60);
    await expect
      .poll(async () => (await job(queued.id)).leaseExpiresAt?.getTime())
      .toBe(t.clock.now().getTime() + leaseMs);
    t.clock.advance(firstEnd - t.clock.now().getTime() + 10);
    expect(await b.runOnce()).toEqual([]);
    release.resolve();
    expect(outcomes(await aRun)).toEqual(['succeeded']);
  });
});

describe('start and stop', () => {
  it('runs jobs as they are enqueued, woken by the commit rather than the next poll', async () => {
    let ran: string | undefined;
    const r = new JobRunner(
      {
        db: t.db,
        clock: t.clock,
        handlers: { 'vm.provision': async ({ job }) => void (ran = job.id) },
        owner: 'a',
        listen: t.database.listen,
      },
      { pollIntervalMs: 60_000 },
    );
    await r.start();
    try {
      // Let the first poll pass (at once, then every minute), so that only the
      // announcement can find the job in time.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const queued = await enqueue();
      await expect.poll(() => ran, { timeout: 5_000 }).toBe(queued.id);
      await expect.poll(async () => (await job(queued.id)).status).toBe('succeeded');
    } finally {
      await r.stop();
    }
  });

  it('stop() aborts the signal and waits for the running handler to finish', async () => {
    const started = deferred<JobContext>();
    const release = deferred();
    const r = runner('a', {
      'vm.provision': async (ctx) => {
        started.resolve(ctx);
        await release.promise;
        return 'finished';
      },
    });
    const queued = await enqueue();
    await r.start();
    const ctx = await started.promise;
    let stopped = false;
    const stopping = r.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ctx.signal.aborted).toBe(true);
    expect(stopped).toBe(false);
    release.resolve();
    await stopping;
    expect(await job(queued.id)).toMatchObject({ status: 'succeeded', result: 'finished' });
  });

  it('stop() puts back at once, attempt uncounted, a job whose handler gave up on the signal', async () => {
    const r = runner('a', {
      'vm.provision': ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    const queued = await enqueue();
    await r.start();
    await expect.poll(() => r.running).toBe(1);
    await r.stop();
    expect(await job(queued.id)).toMatchObject({
      status: 'queued',
      attempts: 0,
      runAt: t.clock.now(),
      leaseOwner: null,
    });
  });

  it('stop() returns after its timeout; the unfinished job is re-leased when its lease expires', async () => {
    const runs: string[] = [];
    const a = runner('server-a', {
      'vm.provision': () => {
        runs.push('server-a');
        return new Promise(() => {});
      },
    });
    const b = runner('server-b', { 'vm.provision': async () => void runs.push('server-b') });
    const queued = await enqueue();
    await a.start();
    await expect.poll(() => a.running).toBe(1);
    await a.stop(50);
    expect(await job(queued.id)).toMatchObject({ status: 'running', leaseOwner: 'server-a' });
    t.clock.advance(LEASE_MS);
    expect(outcomes(await b.runOnce())).toEqual(['succeeded']);
    expect(runs).toEqual(['server-a', 'server-b']);
  });
});

describe('several servers on one PostgreSQL database', () => {
  it.runIf(TEST_SERVER_URL)(
    'two runners on separate pools never run one of 200 jobs twice, and finish them all',
    async () => {
      const name = `swiftcloud_test_jobs_${randomBytes(6).toString('hex')}`;
      await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
      const url = databaseUrl(TEST_SERVER_URL!, name);
      const handles: DatabaseHandle[] = [];
      const runners: JobRunner[] = [];
      try {
        for (let i = 0; i < 2; i++)
          handles.push(await openDatabase({ kind: 'postgres', url, poolSize: 10 }));
        const executions = new Map<string, number>();
        const byRunner = new Map<string, number>();
        for (const [i, handle] of handles.entries()) {
          const owner = `server-${i}`;
          const runner = new JobRunner(
            {
              db: handle.db,
              clock: systemClock,
              owner,
              listen: handle.listen,
              handlers: {
                'vm.provision': async ({ job }) => {
                  executions.set(job.id, (executions.get(job.id) ?? 0) + 1);
                  byRunner.set(owner, (byRunner.get(owner) ?? 0) + 1);
                  await sleep(Math.floor(Math.random() * 4));
                  return { by: owner };
                },
              },
            },
            { concurrency: 8, pollIntervalMs: 5, leaseMs: LEASE_MS },
          );
          runners.push(runner);
          await runner.start();
        }

        const queue = new JobQueue(handles[0]!.db, systemClock);
        const ids = await handles[0]!.db.transaction().execute(async (tx) => {
          const jobs = [];
          for (let n = 0; n < 200; n++)
            jobs.push(await queue.enqueue(tx, { kind: 'vm.provision', payload: { n } }));
          return jobs.map((j) => j.id);
        });

        await expect
          .poll(
            async () =>
              (
                await handles[1]!.db
                  .selectFrom('jobs')
                  .select((eb) => eb.fn.countAll<number>().as('n'))
                  .where('status', '=', 'succeeded')
                  .executeTakeFirstOrThrow()
              ).n,
            { timeout: 20_000, interval: 50 },
          )
          .toBe(200);
        await Promise.all(runners.map((r) => r.stop()));

        expect([...executions.keys()].sort()).toEqual([...ids].sort());
        expect([...executions.values()].every((count) => count === 1)).toBe(true);
        // Both took part, so the claims did race.
        expect(byRunner.get('server-0')).toBeGreaterThan(0);
        expect(byRunner.get('server-1')).toBeGreaterThan(0);
        const rows = await handles[0]!.db
          .selectFrom('jobs')
          .select(['status', 'attempts'])
          .execute();
        expect(rows.every((r) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);
      } finally {
        await Promise.all(runners.map((r) => r.stop()));
        await Promise.all(handles.map((h) => h.close()));
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
    },
  );
});
