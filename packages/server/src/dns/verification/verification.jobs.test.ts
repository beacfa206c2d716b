import { describe, expect, it } from 'vitest';
import { NameserversUnreachable, type NameserverCheckResult } from './nameserver-check.js';
import {
  runDueChecks,
  type DueDomain,
  type VerificationRepo,
  type VerificationResult,
} from './verification.jobs.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = new Date('2024-01-01T00:00:00Z');
const OURS = ['ns1.swiftcloud.zm', 'ns2.swiftcloud.zm'];

class FakeRepo implements VerificationRepo {
  readonly saved = new Map<string, { result: VerificationResult; nextCheckAt: Date }>();
  listedWith: { now: Date; limit: number } | undefined;
  constructor(private readonly due: DueDomain[]) {}
  async listDue(now: Date, limit: number) {
    this.listedWith = { now, limit };
    return this.due.slice(0, limit);
  }
  async saveResult(id: string, result: VerificationResult, nextCheckAt: Date) {
    this.saved.set(id, { result, nextCheckAt });
  }
}

type Finding = Pick<NameserverCheckResult, 'status' | 'delegatedNameservers'> | Error;

function run(due: DueDomain[], findings: Record<string, Finding>, options = {}) {
  const repo = new FakeRepo(due);
  const asked: { domain: string; expected: string[] }[] = [];
  const verifier = {
    async check(domain: string, expected: string[]): Promise<NameserverCheckResult> {
      asked.push({ domain, expected });
      const finding = findings[domain]!;
      if (finding instanceof Error) throw finding;
      return { ...finding, parentZone: 'co.zm', servers: [] };
    },
  };
  const summary = runDueChecks({
    repo,
    verifier,
    clock: { now: () => NOW },
    nameservers: OURS,
    ...options,
  });
  return { repo, asked, summary };
}

const domain = (id: string, status: DueDomain['status'], checkAttempts = 1): DueDomain => ({
  id,
  name: `${id}.co.zm`,
  status,
  checkAttempts,
});
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe('runDueChecks', () => {
  it('asks the repo for due domains at the clock time and checks each against our nameservers', async () => {
    const { repo, asked, summary } = run(
      [domain('a', 'pending'), domain('b', 'pending')],
      {
        'a.co.zm': { status: 'pending', delegatedNameservers: [] },
        'b.co.zm': { status: 'pending', delegatedNameservers: [] },
      },
      { limit: 7 },
    );
    expect(await summary).toEqual({ checked: 2, changed: 0, unreachable: 0 });
    expect(repo.listedWith).toEqual({ now: NOW, limit: 7 });
    expect(asked).toEqual([
      { domain: 'a.co.zm', expected: OURS },
      { domain: 'b.co.zm', expected: OURS },
    ]);
  });

  it('activates a pending domain now delegated to us and re-checks it in a day', async () => {
    const { repo, summary } = run([domain('a', 'pending', 5)], {
      'a.co.zm': { status: 'active', delegatedNameservers: OURS },
    });
    expect(await summary).toMatchObject({ changed: 1 });
    expect(repo.saved.get('a')).toEqual({
      result: {
        reachable: true,
        status: 'active',
        delegatedNameservers: OURS,
        checkedAt: NOW,
        checkAttempts: 1,
      },
      nextCheckAt: at(24 * HOUR),
    });
  });

  it('backs off a domain that stays pending: the third check in a row waits 4 minutes', async () => {
    const { repo, summary } = run([domain('a', 'pending', 2)], {
      'a.co.zm': { status: 'pending', delegatedNameservers: [] },
    });
    await summary;
    const saved = repo.saved.get('a')!;
    expect(saved.result).toMatchObject({ reachable: true, status: 'pending', checkAttempts: 3 });
    expect(saved.nextCheckAt).toEqual(at(4 * MINUTE));
  });

  it('marks an active domain delegated elsewhere failed, with what was found', async () => {
    const found = ['ns1.other-host.net', 'ns2.other-host.net'];
    const { repo, summary } = run([domain('a', 'active', 30)], {
      'a.co.zm': { status: 'failed', delegatedNameservers: found },
    });
    expect(await summary).toMatchObject({ changed: 1 });
    expect(repo.saved.get('a')).toEqual({
      result: {
        reachable: true,
        status: 'failed',
        delegatedNameservers: found,
        checkedAt: NOW,
        checkAttempts: 1,
      },
      nextCheckAt: at(MINUTE),
    });
  });

  it('marks an active domain that is no longer delegated at all failed, not pending', async () => {
    const { repo, summary } = run([domain('a', 'active')], {
      'a.co.zm': { status: 'pending', delegatedNameservers: [] },
    });
    await summary;
    expect(repo.saved.get('a')?.result).toMatchObject({
      reachable: true,
      status: 'failed',
      delegatedNameservers: [],
    });
  });

  it('keeps a domain whose parent is unreachable as it is, and retries with backoff', async () => {
    const { repo, summary } = run([domain('a', 'active', 3)], {
      'a.co.zm': new NameserversUnreachable('a.co.zm', 'no server of co.zm answered'),
    });
    expect(await summary).toEqual({ checked: 1, changed: 0, unreachable: 1 });
    expect(repo.saved.get('a')).toEqual({
      result: { reachable: false, reason: expect.any(String), checkAttempts: 4 },
      nextCheckAt: at(8 * MINUTE),
    });
  });

  it('goes on with the other domains when one check throws something unexpected', async () => {
    const { repo, summary } = run([domain('a', 'pending'), domain('b', 'pending')], {
      'a.co.zm': new TypeError('a bug'),
      'b.co.zm': { status: 'active', delegatedNameservers: OURS },
    });
    expect(await summary).toEqual({ checked: 2, changed: 1, unreachable: 1 });
    expect(repo.saved.get('a')?.result).toMatchObject({ reachable: false, reason: 'a bug' });
    expect(repo.saved.get('b')?.result).toMatchObject({ reachable: true, status: 'active' });
  });

  it('runs no more checks at once than its concurrency', async () => {
    const due = Array.from({ length: 10 }, (_, i) => domain(`d${i}`, 'pending'));
    let inFlight = 0;
    let most = 0;
    const repo = new FakeRepo(due);
    await runDueChecks({
      repo,
      clock: { now: () => NOW },
      nameservers: OURS,
      concurrency: 3,
      verifier: {
        async check() {
          most = Math.max(most, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          return { status: 'pending', delegatedNameservers: [], parentZone: 'co.zm', servers: [] };
        },
      },
    });
    expect(most).toBe(3);
    expect(repo.saved.size).toBe(10);
  });
});
