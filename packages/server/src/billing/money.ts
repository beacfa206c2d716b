/**
 * Money is integer ngwee (1 ZMW = 100 ngwee) everywhere it flows; the API shows it as a
 * decimal string with two places beside `"currency": "ZMW"`.
 */
export const CURRENCY = 'ZMW' as const;

/** 12345 -> "123.45"; -5 -> "-0.05". */
export function formatNgwee(ngwee: number): string {
  if (!Number.isSafeInteger(ngwee)) throw new RangeError(`not a whole number of ngwee: ${ngwee}`);
  const sign = ngwee < 0 ? '-' : '';
  const abs = Math.abs(ngwee);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

const DECIMAL = /^([+-]?)(\d{1,13})(?:\.(\d{1,2}))?$/;

/** "123.45" -> 12345; "7" -> 700; anything else (three decimals, exponents, spaces) -> null. */
export function parseNgwee(text: string): number | null {
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const [, sign, whole, frac = ''] = m;
  const value = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return sign === '-' ? -value : value;
}

/**
 * Rates finer than a ngwee (an hourly price: K150 a month is 22.32 ngwee an hour) are integer
 * micro-ngwee, 1e-6 ngwee; 1 ZMW = 100 000 000 micro-ngwee. The API shows them as kwacha
 * with up to eight places, trailing zeros trimmed to at least two.
 */
export const MICRO_NGWEE_PER_NGWEE = 1_000_000;
const MICRO_NGWEE_PER_KWACHA = 100 * MICRO_NGWEE_PER_NGWEE;

/** 22_320_000 -> "0.2232"; 100_000_000 -> "1.00"; 1 -> "0.00000001". */
export function formatMicroNgwee(micro: number): string {
  if (!Number.isSafeInteger(micro))
    throw new RangeError(`not a whole number of micro-ngwee: ${micro}`);
  const sign = micro < 0 ? '-' : '';
  const abs = Math.abs(micro);
  const whole = Math.trunc(abs / MICRO_NGWEE_PER_KWACHA);
  const frac = String(abs % MICRO_NGWEE_PER_KWACHA)
    .padStart(8, '0')
    .replace(/0{1,6}$/, '');
  return `${sign}${whole}.${frac.padEnd(2, '0')}`;
}

const RATE = /^([+-]?)(\d{1,7})(?:\.(\d{1,8}))?$/;

/** "0.2232" -> 22_320_000; at most eight places and K9 999 999; anything else -> null. */
export function parseMicroNgwee(text: string): number | null {
  const m = RATE.exec(text);
  if (!m) return null;
  const [, sign, whole, frac = ''] = m;
  const value = Number(whole) * MICRO_NGWEE_PER_KWACHA + Number(frac.padEnd(8, '0'));
  return sign === '-' ? -value : value;
}
