import { describe, expect, it } from 'vitest';
import { costPreview, formatHours } from './cost';
import { formatMoney, formatRate } from './money';

const small = { hourlyPrice: '0.2232', monthlyCap: '150.00' };

describe('the cost shown before a VM is made', () => {
  it("shows the size's hourly price and monthly cap in kwacha", () => {
    const preview = costPreview(small, '100.00', '0.00');
    expect(formatRate(preview.hourly)).toBe('K 0.2232');
    expect(formatMoney(preview.monthlyCap)).toBe('K 150.00');
  });

  it('counts how long the balance lasts with the VM beside what already burns', () => {
    // K 100 at 0.2232 + 0.2768 = K 0.50 an hour lasts 200 hours
    const preview = costPreview(small, '100.00', '0.2768');
    expect(formatRate(preview.burnAfter!)).toBe('K 0.50');
    expect(preview.hoursLeftAfter).toBe(200);
    expect(preview.insufficient).toBe(false);
  });

  it("adds the public IPv4 address's hourly price when the VM gets one", () => {
    // K 100 at 0.2232 + 0.0700 = K 0.2932 an hour lasts 341 hours
    const preview = costPreview(small, '100.00', '0.00', '0.07');
    expect(formatRate(preview.hourly)).toBe('K 0.2932');
    expect(formatRate(preview.publicIpHourly)).toBe('K 0.07');
    expect(preview.hoursLeftAfter).toBe(341);
    expect(costPreview(small, '0.25', '0.00', '0.07').insufficient).toBe(true);
    expect(costPreview(small, '0.25', '0.00').insufficient).toBe(false);
  });

  it('uses the VM alone when the current burn is unknown', () => {
    expect(costPreview(small, '10.00', null).hoursLeftAfter).toBe(44);
  });

  it('warns when the balance does not cover one hour', () => {
    const preview = costPreview(small, '0.10', '0.00');
    expect(preview.insufficient).toBe(true);
    expect(preview.hoursLeftAfter).toBe(0);
  });

  it('says nothing about hours when the balance is unknown', () => {
    const preview = costPreview(small, null, null);
    expect(preview.hoursLeftAfter).toBeNull();
    expect(preview.insufficient).toBe(false);
  });

  it('writes hours as days and hours', () => {
    expect(formatHours(1)).toBe('1 hour');
    expect(formatHours(23)).toBe('23 hours');
    expect(formatHours(24)).toBe('1 day');
    expect(formatHours(50)).toBe('2 days 2 hours');
    expect(formatHours(24 * 400)).toBe('more than a year');
  });
});
