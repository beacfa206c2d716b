import { describe, expect, it } from 'vitest';
import { formatNgwee, parseNgwee } from './money.js';

describe('money', () => {
  it('formats ngwee as kwacha with two places', () => {
    expect(formatNgwee(0)).toBe('0.00');
    expect(formatNgwee(5)).toBe('0.05');
    expect(formatNgwee(10_000)).toBe('100.00');
    expect(formatNgwee(-1_234)).toBe('-12.34');
  });

  it('parses decimal strings exactly, refusing what is not two-place money', () => {
    expect(parseNgwee('100.00')).toBe(10_000);
    expect(parseNgwee('0.1')).toBe(10);
    expect(parseNgwee('-7')).toBe(-700);
    expect(parseNgwee('0.29')).toBe(29); // 0.29 * 100 is 28.999... in floating point
    for (const bad of ['1.005', '1e3', ' 1', '', '.5', '1,000', 'NaN'])
      expect(parseNgwee(bad)).toBeNull();
  });

  it('round-trips every amount it formats', () => {
    for (const n of [0, 1, 99, 100, 123_456_789, -42]) expect(parseNgwee(formatNgwee(n))).toBe(n);
  });

  it('refuses fractions of a ngwee rather than rounding them', () => {
    expect(() => formatNgwee(1.5)).toThrow(RangeError);
  });
});
