import type { UsageDay } from '@swiftcloud/contracts';
import { describe, expect, it } from 'vitest';
import { formatMoney } from './money';
import { thisMonth, usageChart } from './usage';

function row(date: string, name: string, amount: string, type: UsageDay['resourceType'] = 'vm') {
  return {
    date,
    resourceType: type,
    resourceId: '3f2b0c9e-8a1d-4c7e-9b1a-2d4e6f8a0b1c',
    resourceName: name,
    hours: 24,
    amount,
    currency: 'ZMW' as const,
  };
}

describe('usage by resource and day', () => {
  const usage = [
    row('2024-01-01', 'web-1', '5.36'),
    row('2024-01-01', 'web-1', '1.68', 'public_ip'),
    row('2024-01-03', 'web-1', '5.36'),
    row('2024-01-03', 'db-1', '16.07'),
  ];

  it('makes one bar per day, days without charges included', () => {
    const chart = usageChart(usage, '2024-01-01', '2024-01-04');
    expect(chart.bars.map((b) => b.date)).toEqual([
      '2024-01-01',
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
    ]);
    expect(chart.bars[1]!.total).toBe(0n);
  });

  it('stacks each resource, naming a public address apart from its VM', () => {
    const chart = usageChart(usage, '2024-01-01', '2024-01-04');
    expect(chart.resources).toEqual(['web-1', 'web-1 (public IPv4)', 'db-1']);
    expect(chart.bars[0]!.amounts.map((a) => formatMoney(a))).toEqual([
      'K 5.36',
      'K 1.68',
      'K 0.00',
    ]);
  });

  it('adds up exactly, with the tallest day as the scale', () => {
    const chart = usageChart(usage, '2024-01-01', '2024-01-04');
    expect(formatMoney(chart.total)).toBe('K 28.47');
    expect(formatMoney(chart.max)).toBe('K 21.43');
  });

  it('starts the default window on the 1st of the month', () => {
    expect(thisMonth(new Date('2024-02-17T10:00:00Z'))).toEqual({
      from: '2024-02-01',
      to: '2024-02-17',
    });
  });
});
