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
