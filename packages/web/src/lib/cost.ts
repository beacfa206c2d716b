import type { Size } from '@swiftcloud/contracts';
import { KWACHA_UNITS, parseKwacha } from './money';

export interface CostPreview {
  /** The VM's price per hour (its size, and its public address when it has one), in 1e-8 kwacha. */
  hourly: bigint;
  /** Of which the public IPv4 address, per hour (0 without one). */
  publicIpHourly: bigint;
  /** The most it costs in a calendar month. */
  monthlyCap: bigint;
  /** The project's burn per hour with this VM added; null when the current burn is unknown. */
  burnAfter: bigint | null;
  /** Whole hours the balance lasts with this VM added; null when it cannot be said. */
  hoursLeftAfter: number | null;
  /** The balance does not cover one hour of this VM. */
  insufficient: boolean;
}

/**
 * What a new VM will cost, shown before it is made: the size's price plus its public
 * address's (`publicIpHourlyPrice`, when it gets one), and how long the project's balance
 * lasts once the VM runs beside what already burns.
 */
export function costPreview(
  size: Pick<Size, 'hourlyPrice' | 'monthlyCap'>,
  balance: string | null,
  currentBurn: string | null,
  publicIpHourlyPrice: string | null = null,
): CostPreview {
  const publicIpHourly = publicIpHourlyPrice === null ? 0n : parseKwacha(publicIpHourlyPrice);
  const hourly = parseKwacha(size.hourlyPrice) + publicIpHourly;
  const monthlyCap = parseKwacha(size.monthlyCap);
  const burnAfter = currentBurn === null ? null : parseKwacha(currentBurn) + hourly;
  const funds = balance === null ? null : parseKwacha(balance);
  let hoursLeftAfter: number | null = null;
  if (funds !== null) {
    const burn = burnAfter ?? hourly;
    hoursLeftAfter = burn > 0n ? Number((funds > 0n ? funds : 0n) / burn) : null;
  }
  return {
    hourly,
    publicIpHourly,
    monthlyCap,
    burnAfter,
    hoursLeftAfter,
    insufficient: funds !== null && funds < hourly,
  };
}

/** `3 days 4 hours`, `12 hours`, `more than a year`. */
export function formatHours(hours: number): string {
  if (hours >= 24 * 366) return 'more than a year';
  if (hours < 24) return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  const d = `${days} ${days === 1 ? 'day' : 'days'}`;
  return rest === 0 ? d : `${d} ${rest} ${rest === 1 ? 'hour' : 'hours'}`;
}

/** Below this many hours left, the console warns that the project will stop. */
export const LOW_BALANCE_HOURS = 72;

export { KWACHA_UNITS };
