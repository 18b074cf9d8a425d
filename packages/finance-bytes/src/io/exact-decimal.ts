/** A decimal number held exactly: value = units / 10^scale. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** Parses a plain decimal ("34200.004241176", "-1", "101.25") exactly, or returns undefined. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL.exec(text.trim());
  if (!match) return undefined;
  const [, sign, whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return undefined;
  const units = BigInt(`${whole || '0'}${fraction}`) * (sign === '-' ? -1n : 1n);
  return { units, scale: fraction.length };
}

/**
 * value / step as an exact integer, or undefined when the quotient is not whole (e.g. a price off the tick grid, a
 * time with sub-nanosecond digits).
 */
export function exactQuotient(value: Decimal, step: Decimal): bigint | undefined {
  // value/step = (v.units·10^s.scale) / (s.units·10^v.scale)
  const numerator = value.units * 10n ** BigInt(step.scale);
  const denominator = step.units * 10n ** BigInt(value.scale);
  if (denominator === 0n || numerator % denominator !== 0n) return undefined;
  return numerator / denominator;
}

/** An exact integer as a JavaScript number, or undefined beyond ±(2⁵³ − 1). */
export function toExactNumber(value: bigint): number | undefined {
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  return value > max || value < -max ? undefined : Number(value);
}

/** n · step written as a decimal with step's number of fraction digits (ticks → price text, ns → seconds). */
export function formatScaled(n: number, step: Decimal): string {
  const units = BigInt(n) * step.units;
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(step.scale + 1, '0');
  const whole = digits.slice(0, digits.length - step.scale);
  const fraction = step.scale > 0 ? `.${digits.slice(digits.length - step.scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}
