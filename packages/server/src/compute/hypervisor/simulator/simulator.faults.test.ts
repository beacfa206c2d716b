import { describe, expect, it } from 'vitest';
import { HypervisorError } from '../port.js';
import { FailurePlan, drawDelay } from './simulator.faults.js';

function thrown(work: () => void): HypervisorError | null {
  try {
    work();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(HypervisorError);
    return error as HypervisorError;
  }
}

describe('failure plan', () => {
  it('fails as many times as asked, then lets calls through', () => {
    const plan = new FailurePlan();
    plan.inject({ operation: 'createVm', transient: true, message: 'busy', times: 2 });
    expect(thrown(() => plan.check({ operation: 'createVm', vmid: 100 }))?.transient).toBe(true);
    expect(thrown(() => plan.check({ operation: 'createVm', vmid: 101 }))?.message).toBe('busy');
    expect(thrown(() => plan.check({ operation: 'createVm', vmid: 100 }))).toBeNull();
  });

  it('without times, fails every call until cleared', () => {
    const plan = new FailurePlan();
    plan.inject({ operation: 'deleteVm', transient: false, message: 'gone wrong', detail: 'log' });
    for (let i = 0; i < 5; i++) {
      const error = thrown(() => plan.check({ operation: 'deleteVm' }));
      expect(error).toMatchObject({ transient: false, message: 'gone wrong', detail: 'log' });
    }
    plan.clear();
    expect(thrown(() => plan.check({ operation: 'deleteVm' }))).toBeNull();
  });

  it('matches the operation, the action, the VM and the stage it names', () => {
    const plan = new FailurePlan();
    plan.inject({ operation: 'power', action: 'stop', vmid: 7, transient: true, message: 'x' });
    plan.inject({ operation: 'createVm', afterClone: true, transient: true, message: 'y' });
    expect(thrown(() => plan.check({ operation: 'power', action: 'start', vmid: 7 }))).toBeNull();
    expect(thrown(() => plan.check({ operation: 'power', action: 'stop', vmid: 8 }))).toBeNull();
    expect(thrown(() => plan.check({ operation: 'status', vmid: 7 }))).toBeNull();
    expect(thrown(() => plan.check({ operation: 'createVm', vmid: 7 }))).toBeNull();
    expect(
      thrown(() => plan.check({ operation: 'power', action: 'stop', vmid: 7 })),
    ).not.toBeNull();
    expect(
      thrown(() => plan.check({ operation: 'createVm', vmid: 7, afterClone: true })),
    ).not.toBeNull();
  });

  it('refuses a count that is not a positive integer', () => {
    const plan = new FailurePlan();
    expect(() =>
      plan.inject({ operation: 'status', transient: true, message: 'm', times: 0 }),
    ).toThrow(RangeError);
  });
});

describe('step delays', () => {
  it('takes a fixed time as given and draws a range’s time within it', () => {
    expect(drawDelay(0)).toBe(0);
    expect(drawDelay(25)).toBe(25);
    expect(drawDelay(-5)).toBe(0);
    for (let i = 0; i < 50; i++) {
      const ms = drawDelay({ minMs: 10, maxMs: 20 });
      expect(ms).toBeGreaterThanOrEqual(10);
      expect(ms).toBeLessThanOrEqual(20);
    }
    expect(drawDelay({ minMs: 30, maxMs: 10 })).toBe(30);
  });
});
