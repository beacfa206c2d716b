import { describe, expect, it } from 'vitest';
import { formatMoney, formatRate, parseKwacha, unitsToDecimal } from './money';

describe('money in kwacha', () => {
  it('shows amounts as K with two places and thousands separated', () => {
    expect(formatMoney('100.00')).toBe('K 100.00');
    expect(formatMoney('0')).toBe('K 0.00');
    expect(formatMoney('1234567.5')).toBe('K 1,234,567.50');
    expect(formatMoney('-5.00')).toBe('-K 5.00');
  });

  it('rounds sub-ngwee amounts half away from zero', () => {
    expect(formatMoney('0.125')).toBe('K 0.13');
    expect(formatMoney('0.12499999')).toBe('K 0.12');
    expect(formatMoney('-0.125')).toBe('-K 0.13');
    expect(formatMoney('-0.001')).toBe('K 0.00');
  });

  it('shows hourly rates with their own places, two at least', () => {
    expect(formatRate('0.2232')).toBe('K 0.2232');
    expect(formatRate('1.00')).toBe('K 1.00');
    expect(formatRate('0.00000001')).toBe('K 0.00000001');
    expect(formatRate('2.5')).toBe('K 2.50');
  });

  it('parses decimal strings exactly and refuses anything else', () => {
    expect(parseKwacha('0.2232')).toBe(22_320_000n);
    expect(parseKwacha('150.00')).toBe(15_000_000_000n);
    expect(() => parseKwacha('1e3')).toThrow();
    expect(() => parseKwacha('12.123456789')).toThrow();
    expect(() => parseKwacha('')).toThrow();
  });

  it('writes units back as a two-place decimal for request bodies', () => {
    expect(unitsToDecimal(parseKwacha('1234.5'))).toBe('1234.50');
  });
});
