import type { Field } from '../algebra/field.ts';
import { InputError } from '../core/errors.ts';

/**
 * Exact decimal numbers: a BigInt numerator over a power of ten. Every
 * denominator is 10^scale, so products add scales and sums shift the operand
 * with the smaller scale by a power of ten. No gcd is ever taken, which keeps
 * each operation linear in the digit count when one operand is short.
 */

/** Largest number of digits, exponent magnitude and scale that parseDecimal accepts in one value. */
export const MAX_PARSED_DIGITS = 10_000;

/** Powers of ten below this exponent are cached: they are the alignments of short operands. */
const CACHED_POWERS = 64;

const smallPowers: bigint[] = Array.from({ length: CACHED_POWERS }, (_, exponent) => 10n ** BigInt(exponent));

/** 10^exponent for an integer exponent ≥ 0. */
export function powerOfTen(exponent: number): bigint {
  if (!Number.isInteger(exponent) || exponent < 0) {
    throw new InputError('exponent', 'is not an integer ≥ 0', exponent, 'pass a nonnegative integer exponent');
  }
  return exponent < CACHED_POWERS ? smallPowers[exponent] : 10n ** BigInt(exponent);
}

/** Number of decimal digits of |value| (1 for 0). */
export function digitCount(value: bigint): number {
  return (value < 0n ? -value : value).toString().length;
}

/** The exact value units · 10^(−scale), with scale ≥ 0. Zero always has scale 0. */
export class ExactDecimal {
  static readonly ZERO = new ExactDecimal(0n, 0);
  static readonly ONE = new ExactDecimal(1n, 0);

  private constructor(
    /** Numerator over 10^scale; not reduced, so it may end in zeros. */
    readonly units: bigint,
    /** Exponent of the denominator 10^scale. */
    readonly scale: number,
  ) {}

  /** Builds units · 10^(−scale); a zero numerator gives ZERO whatever the scale. */
  static of(units: bigint, scale: number): ExactDecimal {
    if (!Number.isInteger(scale) || scale < 0) {
      throw new InputError('scale', 'is not an integer ≥ 0', scale, 'pass the exponent of the denominator 10^scale');
    }
    return units === 0n ? ExactDecimal.ZERO : new ExactDecimal(units, scale);
  }

  /** An integer as an exact decimal; numbers must be safe integers, because larger ones were already rounded. */
  static fromInteger(value: number | bigint): ExactDecimal {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new InputError('value', 'is not a safe integer', value, 'pass an integer below 2^53 in magnitude, a bigint, or a decimal string to parseDecimal');
    }
    return ExactDecimal.of(BigInt(value), 0);
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  /** Sign of the value: −1, 0 or 1. */
  sign(): -1 | 0 | 1 {
    if (this.units < 0n) return -1;
    if (this.units > 0n) return 1;
    return 0;
  }

  /** Returns the numerator over 10^scale for a scale ≥ this.scale. */
  unitsAtScale(scale: number): bigint {
    if (scale < this.scale) {
      throw new InputError('scale', `is below the value's scale ${this.scale}`, scale, 'align to the larger of the two scales');
    }
    return this.units * powerOfTen(scale - this.scale);
  }

  add(other: ExactDecimal): ExactDecimal {
    if (other.isZero()) return this;
    if (this.isZero()) return other;
    const scale = Math.max(this.scale, other.scale);
    return ExactDecimal.of(this.unitsAtScale(scale) + other.unitsAtScale(scale), scale);
  }

  sub(other: ExactDecimal): ExactDecimal {
    return this.add(other.neg());
  }

  mul(other: ExactDecimal): ExactDecimal {
    if (this.isZero() || other.isZero()) return ExactDecimal.ZERO;
    return ExactDecimal.of(this.units * other.units, this.scale + other.scale);
  }

  neg(): ExactDecimal {
    return ExactDecimal.of(-this.units, this.scale);
  }

  /** this^exponent for an integer exponent ≥ 0, by BigInt exponentiation of the numerator. */
  pow(exponent: number): ExactDecimal {
    if (!Number.isInteger(exponent) || exponent < 0) {
      throw new InputError('exponent', 'is not an integer ≥ 0', exponent, 'pass a nonnegative integer exponent');
    }
    if (exponent === 0) return ExactDecimal.ONE;
    return ExactDecimal.of(this.units ** BigInt(exponent), this.scale * exponent);
  }

  /** −1, 0 or 1 as this is below, equal to or above `other`. */
  compare(other: ExactDecimal): -1 | 0 | 1 {
    return this.sub(other).sign();
  }

  /** Exact equality; representations with different scales of the same value are equal. */
  equals(other: ExactDecimal): boolean {
    const scale = Math.max(this.scale, other.scale);
    return this.unitsAtScale(scale) === other.unitsAtScale(scale);
  }

  /** Digits of the numerator over 10^scale (not reduced), the size that arithmetic on this value costs. */
  numeratorDigits(): number {
    return digitCount(this.units);
  }

  /**
   * Writes the value with exactly `places` decimals, truncated toward zero (not
   * rounded), so the result is a prefix of the exact expansion: 0.129 to two
   * places is "0.12", −0.129 is "-0.12". A value that truncates to zero prints
   * without a sign.
   */
  toFixed(places: number): string {
    if (!Number.isInteger(places) || places < 0) {
      throw new InputError('places', 'is not an integer ≥ 0', places, 'pass the number of decimals to keep');
    }
    const magnitude = this.units < 0n ? -this.units : this.units;
    // BigInt division truncates toward zero, which is what a digit prefix needs.
    const digits = places >= this.scale ? magnitude * powerOfTen(places - this.scale) : magnitude / powerOfTen(this.scale - places);
    const sign = this.units < 0n && digits !== 0n ? '-' : '';
    return sign + placeDecimalPoint(digits.toString(), places);
  }

  /** Writes the value rounded to `places` decimals, halves away from zero, as a printed decimal expansion is. */
  toRounded(places: number): string {
    if (!Number.isInteger(places) || places < 0) {
      throw new InputError('places', 'is not an integer ≥ 0', places, 'pass the number of decimals to keep');
    }
    if (places >= this.scale) return this.toFixed(places);
    const magnitude = this.units < 0n ? -this.units : this.units;
    const unit = powerOfTen(this.scale - places);
    const digits = (2n * magnitude + unit) / (2n * unit);
    const sign = this.units < 0n && digits !== 0n ? '-' : '';
    return sign + placeDecimalPoint(digits.toString(), places);
  }

  /** Writes the exact value in plain decimal notation, all of its `scale` decimals included. */
  toString(): string {
    return this.toFixed(this.scale);
  }
}

/** Puts a decimal point `places` digits from the right of a digit string, padding with leading zeros. */
function placeDecimalPoint(digits: string, places: number): string {
  if (places === 0) return digits;
  const padded = digits.padStart(places + 1, '0');
  return `${padded.slice(0, -places)}.${padded.slice(-places)}`;
}

const DECIMAL_SYNTAX = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses a decimal string exactly: an optional sign, digits, an optional
 * fraction part and an optional exponent ("0.999", "-1.25", "1e-3", "2.5E+2").
 * Anything else (empty text, spaces, ".5", "1.", "NaN", "Infinity", "0x10",
 * "1/3") is rejected. So is text with more than MAX_PARSED_DIGITS digits or
 * an exponent or scale beyond it, because such a value alone would carry
 * thousands of digits into every product.
 */
export function parseDecimal(text: string, input = 'value'): ExactDecimal {
  if (typeof text !== 'string') {
    throw new InputError(input, 'is not a decimal string', text, 'pass the value as text, e.g. "0.999", so that it is read exactly');
  }
  const match = DECIMAL_SYNTAX.exec(text);
  if (!match) {
    throw new InputError(input, 'is not a decimal number', JSON.stringify(text), 'write it as digits with an optional sign, fraction and exponent, e.g. "0.999", "-1.25" or "1e-3"');
  }
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText);
  const scale = fraction.length - exponent;
  const digits = whole.length + fraction.length;
  if (digits > MAX_PARSED_DIGITS || Math.abs(exponent) > MAX_PARSED_DIGITS || Math.abs(scale) > MAX_PARSED_DIGITS) {
    throw new InputError(
      input,
      `has more than ${MAX_PARSED_DIGITS} digits or an exponent or scale beyond ±${MAX_PARSED_DIGITS}`,
      text.length > 40 ? `${text.slice(0, 40)}… (${text.length} characters)` : text,
      `rescale the inputs so that every value has at most ${MAX_PARSED_DIGITS} digits and exponents of at most ${MAX_PARSED_DIGITS} in magnitude`,
    );
  }
  const magnitude = BigInt(whole + fraction);
  const units = sign === '-' ? -magnitude : magnitude;
  return scale >= 0 ? ExactDecimal.of(units, scale) : ExactDecimal.of(units * powerOfTen(-scale), 0);
}

/**
 * Exact decimals as a Field, so the generic model code (GLA recurrence, WPGD)
 * runs on them unchanged. Every model formula is a polynomial, so no division
 * is needed and every result stays a decimal.
 */
export const decimalField: Field<ExactDecimal> = {
  name: 'exact decimal',
  zero: ExactDecimal.ZERO,
  one: ExactDecimal.ONE,
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  neg: (a) => a.neg(),
  fromInteger: (value) => ExactDecimal.fromInteger(value),
};
