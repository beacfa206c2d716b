import { describe, expect, it } from 'vitest';
import { formatMicroNgwee, formatNgwee, parseMicroNgwee, parseNgwee } from './money.js';

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

describe('micro-ngwee rates', () => {
  it('formats with up to eight places, trailing zeros trimmed to two', () => {
    expect(formatMicroNgwee(22_320_000)).toBe('0.2232'); // 22.32 ngwee an hour
    expect(formatMicroNgwee(100_000_000)).toBe('1.00');
    expect(formatMicroNgwee(10_000_000)).toBe('0.10');
    expect(formatMicroNgwee(1)).toBe('0.00000001');
    expect(formatMicroNgwee(0)).toBe('0.00');
    expect(formatMicroNgwee(1_234_567_891)).toBe('12.34567891');
    expect(formatMicroNgwee(-500_000)).toBe('-0.005');
  });

  it('parses decimal kwacha exactly into micro-ngwee', () => {
    expect(parseMicroNgwee('0.2232')).toBe(22_320_000);
    expect(parseMicroNgwee('150')).toBe(15_000_000_000);
    expect(parseMicroNgwee('0.00000001')).toBe(1);
    expect(parseMicroNgwee('0.29')).toBe(29_000_000); // not 28_999_999.99 as floats would give
    expect(parseMicroNgwee('-1.5')).toBe(-150_000_000);
  });

  it('refuses nine places, exponents, spaces and amounts past K9 999 999', () => {
    for (const bad of ['0.000000001', '1e3', ' 1', '', '.5', '1,000', 'NaN', '10000000'])
      expect(parseMicroNgwee(bad)).toBeNull();
  });

  it('round-trips every rate it formats', () => {
    for (const n of [0, 1, 99, 22_320_000, 100_000_000, 999_999_999_999_999, -42])
      expect(parseMicroNgwee(formatMicroNgwee(n))).toBe(n);
  });

  it('refuses fractions of a micro-ngwee rather than rounding them', () => {
    expect(() => formatMicroNgwee(0.5)).toThrow(RangeError);
  });
});
