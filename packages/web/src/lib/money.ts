/**
 * Money in the console: the API writes amounts as decimal strings in kwacha ("100.00") and
 * hourly rates with up to eight places ("0.2232"). Arithmetic happens on integers of 1e-8
 * kwacha (BigInt), never on floating point, so what the page shows adds up to the ledger.
 */

const SCALE = 100_000_000n; // 1e-8 kwacha units per kwacha
const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,8}))?$/;

/** Parses "12.34" into 1e-8 kwacha units; throws on anything else. */
export function parseKwacha(amount: string): bigint {
  const m = DECIMAL.exec(amount.trim());
  if (!m) throw new Error(`not a kwacha amount: ${amount}`);
  const units = BigInt(m[2]!) * SCALE + BigInt((m[3] ?? '').padEnd(8, '0'));
  return m[1] ? -units : units;
}

function groupThousands(whole: bigint): string {
  return whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Rounds half away from zero to `places` decimals, as the ledger rounds to the ngwee. */
function toFixed(units: bigint, places: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const step = 10n ** BigInt(8 - places);
  const rounded = ((abs + step / 2n) / step) * step;
  const whole = rounded / SCALE;
  const frac = (rounded % SCALE).toString().padStart(8, '0').slice(0, places);
  const sign = negative && rounded !== 0n ? '-' : '';
  return `${sign}K ${groupThousands(whole)}${places > 0 ? `.${frac}` : ''}`;
}

/** `K 1,234.50`: an amount of money, always two places. */
export function formatMoney(amount: string | bigint): string {
  return toFixed(typeof amount === 'bigint' ? amount : parseKwacha(amount), 2);
}

/**
 * A rate finer than a ngwee (`K 0.2232`): as many places as it has, at least two and at most
 * eight, trailing zeros trimmed.
 */
export function formatRate(rate: string | bigint): string {
  const units = typeof rate === 'bigint' ? rate : parseKwacha(rate);
  let places = 8;
  while (places > 2 && units % 10n ** BigInt(9 - places) === 0n) places -= 1;
  return toFixed(units, places);
}

/** Units to a plain decimal string with two places ("12.30"), for API bodies. */
export function unitsToDecimal(units: bigint): string {
  return toFixed(units, 2).replace('K ', '').replace(/,/g, '');
}

export const KWACHA_UNITS = SCALE;
