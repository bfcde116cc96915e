/**
 * Money is an integer number of minor units (cents, fen) of a currency. Decimal amounts exist only
 * at the edges (the orders file, the API's `amount`) and are converted here, exactly once.
 */
export type Minor = number;

const fractionDigitsCache = new Map<string, number>();

/** Number of minor-unit digits of an ISO 4217 currency (2 for CNY/USD, 0 for JPY). */
export function fractionDigits(currency: string): number {
  let digits = fractionDigitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    fractionDigitsCache.set(currency, digits);
  }
  return digits;
}

/**
 * Converts a decimal amount to minor units. Rejects amounts with more precision than the
 * currency has (299.001 CNY) instead of silently rounding money.
 */
export function toMinor(decimal: number, currency: string): Minor {
  const scale = 10 ** fractionDigits(currency);
  const scaled = decimal * scale;
  const minor = Math.round(scaled);
  if (!Number.isFinite(decimal) || Math.abs(scaled - minor) > 1e-6 * Math.max(1, Math.abs(scaled))) {
    throw new RangeError(`${decimal} is not a valid ${currency} amount`);
  }
  return minor;
}

/** Converts minor units back to a decimal number (for JSON output). */
export function fromMinor(minor: Minor, currency: string): number {
  const digits = fractionDigits(currency);
  return Number((minor / 10 ** digits).toFixed(digits));
}

/**
 * Formats an amount for a customer, e.g. `¥309.00`, `$12.50`. The narrow symbol reads naturally
 * in each language (English would otherwise write `CN¥309.00`).
 */
export function formatMoney(minor: Minor, currency: string, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'narrowSymbol' }).format(fromMinor(minor, currency));
}

/**
 * Writes minor units as an exact decimal string with the currency's digits (`30900` CNY →
 * `"309.00"`, `500` JPY → `"500"`), by integer arithmetic: for machines (the refund webhook),
 * where a float could round.
 */
export function toDecimalString(minor: Minor, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`${minor} is not a whole number of minor units`);
  const digits = fractionDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const units = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${units}` : `${sign}${units.slice(0, -digits)}.${units.slice(-digits)}`;
}
