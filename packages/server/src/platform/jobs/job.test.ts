import { describe, expect, it } from 'vitest';
import { HypervisorError } from '../../compute/hypervisor/port.js';
import { TransientError, describeError, isTransient } from './job.js';

describe('isTransient', () => {
  it('follows the error’s own transient flag, as the hypervisor port sets it', () => {
    expect(isTransient(new HypervisorError('connection refused', true))).toBe(true);
    expect(isTransient(new HypervisorError('template not found', false))).toBe(false);
    expect(isTransient(new TransientError('pool busy'))).toBe(true);
    expect(isTransient({ transient: 'yes' })).toBe(false);
  });

  it('treats deadlocks, serialization failures and lost database connections as transient', () => {
    for (const code of ['40001', '40P01', '57P01', '08006', '08003'])
      expect(isTransient(Object.assign(new Error('db'), { code }))).toBe(true);
    for (const code of ['23505', '42P01', '22P02'])
      expect(isTransient(Object.assign(new Error('db'), { code }))).toBe(false);
  });

  it('treats anything else, thrown values included, as permanent', () => {
    expect(isTransient(new Error('boom'))).toBe(false);
    expect(isTransient('boom')).toBe(false);
    expect(isTransient(null)).toBe(false);
    expect(isTransient(undefined)).toBe(false);
  });
});

describe('describeError', () => {
  it('keeps the message, then the system’s own detail', () => {
    expect(describeError(new HypervisorError('clone failed', false, 'TASK ERROR: no space'))).toBe(
      'clone failed\nTASK ERROR: no space',
    );
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('thrown string')).toBe('thrown string');
  });

  it('names an error that has no message, and cuts one that is too long to keep', () => {
    expect(describeError(new TypeError(''))).toBe('TypeError');
    const long = describeError(new Error('x'.repeat(20_000)));
    expect(long.length).toBe(10_001);
    expect(long.endsWith('…')).toBe(true);
  });
});
