import type { UsageDay } from '@swiftcloud/contracts';
import { parseKwacha } from './money';

export interface UsageBar {
  date: string;
  /** 1e-8 kwacha per resource name, in the order of `resources`. */
  amounts: bigint[];
  total: bigint;
}

export interface UsageChartData {
  /** Resource names (a VM, or a VM's public address), in order of first appearance. */
  resources: string[];
  /** One bar per day from `from` to `to`, days without charges included. */
  bars: UsageBar[];
  max: bigint;
  total: bigint;
}

function label(u: UsageDay): string {
  return u.resourceType === 'public_ip' ? `${u.resourceName} (public IPv4)` : u.resourceName;
}

function days(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && out.length < 366; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** Usage rows (one per day and resource) into one bar per day, stacked by resource. */
export function usageChart(usage: readonly UsageDay[], from: string, to: string): UsageChartData {
  const resources: string[] = [];
  const byDay = new Map<string, Map<string, bigint>>();
  for (const u of usage) {
    const name = label(u);
    if (!resources.includes(name)) resources.push(name);
    const day = byDay.get(u.date) ?? new Map<string, bigint>();
    day.set(name, (day.get(name) ?? 0n) + parseKwacha(u.amount));
    byDay.set(u.date, day);
  }
  let max = 0n;
  let total = 0n;
  const bars = days(from, to).map((date) => {
    const day = byDay.get(date);
    const amounts = resources.map((r) => day?.get(r) ?? 0n);
    const sum = amounts.reduce((a, b) => a + b, 0n);
    if (sum > max) max = sum;
    total += sum;
    return { date, amounts, total: sum };
  });
  return { resources, bars, max, total };
}

/** The 1st of this month and today, as UTC days: the usage API's default window. */
export function thisMonth(now: Date = new Date()): { from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  return { from: `${to.slice(0, 8)}01`, to };
}
