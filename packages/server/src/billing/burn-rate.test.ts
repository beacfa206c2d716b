import { describe, expect, it } from 'vitest';
import { hoursRemaining } from './burn-rate.js';

describe('hoursRemaining', () => {
  it('is null when nothing burns, whatever the balance', () => {
    expect(hoursRemaining(10_000, 0)).toBeNull();
    expect(hoursRemaining(0, 0)).toBeNull();
    expect(hoursRemaining(-500, 0)).toBeNull();
  });

  it('is 0 at zero or below', () => {
    expect(hoursRemaining(0, 22_320_000)).toBe(0);
    expect(hoursRemaining(-1, 22_320_000)).toBe(0);
  });

  it('is the whole hours the balance pays, exactly', () => {
    // K100 at K0.50 an hour: 200, as the reference shows.
    expect(hoursRemaining(10_000, 50_000_000)).toBe(200);
    // K100 at K0.5164: 193.6… hours.
    expect(hoursRemaining(10_000, 51_640_000)).toBe(193);
    // One micro-ngwee short of an hour is no hour.
    expect(hoursRemaining(22, 22_000_001)).toBe(0);
    expect(hoursRemaining(22, 22_000_000)).toBe(1);
  });

  it('stays exact past the safe-integer range of balance × 10⁶', () => {
    // K90 billion at K10 an hour: balance × 10⁶ (9e18) is past 2^53, the answer is not.
    expect(hoursRemaining(9_000_000_000_000, 1_000_000_000)).toBe(9_000_000_000);
  });
});
