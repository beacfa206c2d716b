import { describe, expect, it } from 'vitest';
import { HypervisorError } from '../src/compute/hypervisor/port.js';
import type { JobContext } from '../src/platform/jobs/job.js';
import { BACKOFF, outcomes, useJobsDatabase } from './jobs-fixtures.js';

const t = useJobsDatabase();
const { runner, enqueue, job } = t;

describe('enqueueing', () => {
  it('stores a queued job, due now, with its payload and resource, when the transaction commits', async () => {
    const vmId = '3f6c1b7e-8f43-4a0e-9d55-0b8f7f1d2a11';
    const queued = await enqueue({ payload: { vmId }, resource: { type: 'vm', id: vmId } });
    expect(await job(queued.id)).toMatchObject({
      kind: 'vm.provision',
      payload: { vmId },
      status: 'queued',
      attempts: 0,
      maxAttempts: 5,
      runAt: t.clock.now(),
      resource: { type: 'vm', id: vmId },
      leaseOwner: null,
      lastError: null,
      result: null,
      finishedAt: null,
    });
  });

  it('leaves no job when the transaction that enqueued it rolls back', async () => {
    const failure = new Error('the state change failed');
    await expect(
      t.db.transaction().execute(async (tx) => {
        await t.queue.enqueue(tx, { kind: 'vm.provision', payload: {} });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await t.db.selectFrom('jobs').select('id').execute()).toEqual([]);
  });

  it("lists a resource's jobs, newest first, and no one else's", async () => {
    const vm = { type: 'vm', id: '0b1c2d3e-4f50-4617-8899-aabbccddeeff' };
    const first = await enqueue({ kind: 'vm.provision', resource: vm });
    t.clock.advance(1_000);
    const second = await enqueue({ kind: 'vm.power', resource: vm });
    await enqueue({ resource: { type: 'vm', id: 'ffffffff-4f50-4617-8899-aabbccddeeff' } });
    await enqueue();
    const listed = await t.queue.listForResource(vm);
    expect(listed.map((j) => j.id)).toEqual([second.id, first.id]);
  });
});

describe('running a job', () => {
  it('runs a due job once, with its payload, and records its result', async () => {
    const seen: JobContext[] = [];
    const r = runner('a', {
      'vm.provision': async (ctx) => {
        seen.push(ctx);
        return { vmid: 101 };
      },
    });
    const queued = await enqueue({ payload: { vmId: 'x' } });
    t.clock.advance(5);
    expect(outcomes(await r.runOnce())).toEqual(['succeeded']);
    expect(seen.map((c) => c.job.payload)).toEqual([{ vmId: 'x' }]);
    expect(seen[0]!.signal.aborted).toBe(false);
    expect(await job(queued.id)).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      result: { vmid: 101 },
      leaseOwner: null,
      leaseExpiresAt: null,
      finishedAt: t.clock.now(),
    });
    expect(await r.runOnce()).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it('does not run a job before its time, nor a kind it has no handler for', async () => {
    let runs = 0;
    const r = runner('a', { 'vm.provision': async () => void runs++ });
    const later = await enqueue({ runAt: new Date(t.clock.now().getTime() + 60_000) });
    const foreign = await enqueue({ kind: 'billing.invoice' });
    expect(await r.runOnce()).toEqual([]);
    t.clock.advance(60_000);
    expect(outcomes(await r.runOnce())).toEqual(['succeeded']);
    expect(runs).toBe(1);
    expect((await job(later.id)).status).toBe('succeeded');
    expect((await job(foreign.id)).status).toBe('queued');
  });

  it('takes no more jobs at once than its concurrency, oldest due first', async () => {
    const ran: number[] = [];
    const r = runner(
      'a',
      { 'vm.provision': async ({ job }) => void ran.push((job.payload as { n: number }).n) },
      { concurrency: 2 },
    );
    for (const n of [1, 2, 3, 4, 5]) {
      await enqueue({ payload: { n } });
      t.clock.advance(1);
    }
    expect(await r.runOnce()).toHaveLength(2);
    expect(ran.sort()).toEqual([1, 2]);
    expect(await r.runOnce()).toHaveLength(2);
    expect(await r.runOnce()).toHaveLength(1);
    expect(ran.sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('failures', () => {
  it('retries a transient failure with growing backoff, then records the success', async () => {
    let runs = 0;
    const r = runner('a', {
      'vm.provision': async () => {
        runs++;
        if (runs < 3) throw new HypervisorError(`node busy (${runs})`, true);
        return 'done';
      },
    });
    const queued = await enqueue();

    expect(outcomes(await r.runOnce())).toEqual(['retrying']);
    let state = await job(queued.id);
    const wait1 = state.runAt.getTime() - t.clock.now().getTime();
    expect(state).toMatchObject({ status: 'queued', attempts: 1, lastError: 'node busy (1)' });
    expect(wait1).toBeGreaterThanOrEqual(BACKOFF.baseMs / 2);
    expect(wait1).toBeLessThanOrEqual(BACKOFF.baseMs);

    // Not due again until the backoff has passed.
    t.clock.advance(wait1 - 1);
    expect(await r.runOnce()).toEqual([]);
    t.clock.advance(1);
    expect(outcomes(await r.runOnce())).toEqual(['retrying']);
    state = await job(queued.id);
    const wait2 = state.runAt.getTime() - t.clock.now().getTime();
    expect(state).toMatchObject({ status: 'queued', attempts: 2, lastError: 'node busy (2)' });
    expect(wait2).toBeGreaterThanOrEqual(BACKOFF.baseMs);
    expect(wait2).toBeLessThanOrEqual(2 * BACKOFF.baseMs);

    t.clock.advance(wait2);
    expect(outcomes(await r.runOnce())).toEqual(['succeeded']);
    expect(await job(queued.id)).toMatchObject({
      status: 'succeeded',
      attempts: 3,
      result: 'done',
    });
    expect(runs).toBe(3);
  });

  it('fails a job at once on a permanent error, keeping the message and the detail', async () => {
    const r = runner('a', {
      'vm.provision': async () => {
        throw new HypervisorError('clone failed', false, 'TASK ERROR: storage local-lvm is full');
      },
      'vm.delete': async () => {
        throw new Error('the VM is locked by SwiftCloud');
      },
    });
    const provision = await enqueue();
    const deletion = await enqueue({ kind: 'vm.delete' });
    expect(outcomes(await r.runOnce())).toEqual(['failed', 'failed']);
    expect(await job(provision.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'clone failed\nTASK ERROR: storage local-lvm is full',
      finishedAt: t.clock.now(),
      leaseOwner: null,
    });
    expect(await job(deletion.id)).toMatchObject({
      status: 'failed',
      lastError: 'the VM is locked by SwiftCloud',
    });
    t.clock.advance(BACKOFF.maxMs);
    expect(await r.runOnce()).toEqual([]);
  });

  it('fails a job whose transient failures reach max_attempts', async () => {
    let runs = 0;
    const r = runner('a', {
      'vm.provision': async () => {
        runs++;
        throw new HypervisorError('connection refused', true);
      },
    });
    const queued = await enqueue({ maxAttempts: 3 });
    expect(outcomes(await r.runOnce())).toEqual(['retrying']);
    t.clock.advance(BACKOFF.maxMs);
    expect(outcomes(await r.runOnce())).toEqual(['retrying']);
    t.clock.advance(BACKOFF.maxMs);
    expect(outcomes(await r.runOnce())).toEqual(['failed']);
    expect(await job(queued.id)).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: 'connection refused',
    });
    t.clock.advance(BACKOFF.maxMs);
    expect(await r.runOnce()).toEqual([]);
    expect(runs).toBe(3);
  });
});
