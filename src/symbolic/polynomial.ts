import { InputError } from '../core/errors.ts';

/**
 * Sparse multivariate polynomials with exact rational coefficients.
 *
 * A coefficient is a reduced BigInt pair `numerator / denominator` with a
 * positive denominator. A private pair is used instead of mathjs Fraction
 * because the Gaussian expectation multiplies hundreds of thousands of
 * coefficients that are almost all small integers. A plain pair with a gcd
 * only when the denominator is not 1 keeps that path allocation-light, and
 * the arithmetic stays exact with no size limit.
 *
 * A monomial is stored under a canonical key: its variables sorted by name,
 * each with its exponent, joined by `*` (for example `P_1_1^1*w_2^2`). The
 * constant monomial has the empty key. Two polynomials are equal exactly when
 * their term maps are equal, because zero coefficients are never stored.
 */

export interface Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** A monomial's variables in ascending name order, each with a positive exponent. */
export type Powers = ReadonlyArray<readonly [string, number]>;

export interface Term {
  readonly powers: Powers;
  readonly coefficient: Rational;
}

const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export const rationalZero: Rational = { numerator: 0n, denominator: 1n };
export const rationalOne: Rational = { numerator: 1n, denominator: 1n };

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** Builds the reduced rational `numerator / denominator`. */
export function rational(numerator: bigint | number, denominator: bigint | number = 1n): Rational {
  let top = BigInt(numerator);
  let bottom = BigInt(denominator);
  if (bottom === 0n) {
    throw new InputError('denominator', 'is zero', String(denominator), 'pass a nonzero denominator');
  }
  if (bottom < 0n) {
    top = -top;
    bottom = -bottom;
  }
  if (bottom === 1n) return { numerator: top, denominator: 1n };
  const divisor = gcd(top, bottom);
  return { numerator: top / divisor, denominator: bottom / divisor };
}

export function rationalAdd(a: Rational, b: Rational): Rational {
  if (a.denominator === 1n && b.denominator === 1n) {
    return { numerator: a.numerator + b.numerator, denominator: 1n };
  }
  return rational(a.numerator * b.denominator + b.numerator * a.denominator, a.denominator * b.denominator);
}

export function rationalMul(a: Rational, b: Rational): Rational {
  if (a.denominator === 1n && b.denominator === 1n) {
    return { numerator: a.numerator * b.numerator, denominator: 1n };
  }
  return rational(a.numerator * b.numerator, a.denominator * b.denominator);
}

export function rationalNeg(a: Rational): Rational {
  return { numerator: -a.numerator, denominator: a.denominator };
}

export function showRational(a: Rational): string {
  return a.denominator === 1n ? String(a.numerator) : `${a.numerator}/${a.denominator}`;
}

/** Canonical key of a monomial whose powers are already sorted by name. */
export function monomialKey(powers: Powers): string {
  return powers.map(([name, exponent]) => `${name}^${exponent}`).join('*');
}

/** Multiplies two monomials by merging their sorted variable lists. */
export function multiplyPowers(left: Powers, right: Powers): Powers {
  const merged: Array<readonly [string, number]> = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const [leftName, leftExponent] = left[i];
    const [rightName, rightExponent] = right[j];
    if (leftName === rightName) {
      merged.push([leftName, leftExponent + rightExponent]);
      i += 1;
      j += 1;
    } else if (leftName < rightName) {
      merged.push(left[i]);
      i += 1;
    } else {
      merged.push(right[j]);
      j += 1;
    }
  }
  while (i < left.length) merged.push(left[i++]);
  while (j < right.length) merged.push(right[j++]);
  return merged;
}

/** An immutable polynomial. Every operation returns a new one. */
export class Polynomial {
  /** Terms by monomial key. No stored coefficient is zero. */
  readonly terms: ReadonlyMap<string, Term>;

  private constructor(terms: ReadonlyMap<string, Term>) {
    this.terms = terms;
  }

  static zero(): Polynomial {
    return new Polynomial(new Map());
  }

  static constant(value: Rational | bigint | number): Polynomial {
    const coefficient = typeof value === 'object' ? value : rational(value);
    return Polynomial.fromTerms([{ powers: [], coefficient }]);
  }

  static variable(name: string): Polynomial {
    if (!VARIABLE_NAME.test(name)) {
      throw new InputError('variable name', 'is not an identifier', name, 'use letters, digits and underscores, starting with a letter');
    }
    return Polynomial.fromTerms([{ powers: [[name, 1]], coefficient: rationalOne }]);
  }

  /** Collects terms with equal monomials. The powers of each term must be sorted by name. */
  static fromTerms(terms: Iterable<Term>): Polynomial {
    const collected = new Map<string, Term>();
    for (const term of terms) addTermInto(collected, term.powers, term.coefficient);
    return new Polynomial(collected);
  }

  /** Adds many polynomials in one pass, where repeated add() would copy the growing sum each time. */
  static sum(items: Iterable<Polynomial>): Polynomial {
    const collected = new Map<string, Term>();
    for (const item of items) for (const term of item.terms.values()) addTermInto(collected, term.powers, term.coefficient);
    return new Polynomial(collected);
  }

  add(other: Polynomial): Polynomial {
    const sum = new Map(this.terms);
    for (const term of other.terms.values()) addTermInto(sum, term.powers, term.coefficient);
    return new Polynomial(sum);
  }

  sub(other: Polynomial): Polynomial {
    return this.add(other.scale(rational(-1)));
  }

  scale(factor: Rational | bigint | number): Polynomial {
    const multiplier = typeof factor === 'object' ? factor : rational(factor);
    if (multiplier.numerator === 0n) return Polynomial.zero();
    const scaled = new Map<string, Term>();
    for (const [key, term] of this.terms) {
      scaled.set(key, { powers: term.powers, coefficient: rationalMul(term.coefficient, multiplier) });
    }
    return new Polynomial(scaled);
  }

  mul(other: Polynomial): Polynomial {
    const product = new Map<string, Term>();
    for (const left of this.terms.values()) {
      for (const right of other.terms.values()) {
        addTermInto(product, multiplyPowers(left.powers, right.powers), rationalMul(left.coefficient, right.coefficient));
      }
    }
    return new Polynomial(product);
  }

  /** Raises to a nonnegative integer power by repeated squaring. */
  pow(exponent: number): Polynomial {
    if (!Number.isInteger(exponent) || exponent < 0) {
      throw new InputError('exponent', 'is not a nonnegative integer', exponent, 'pass 0, 1, 2, …');
    }
    let result = Polynomial.constant(1);
    let base: Polynomial = this;
    let remaining = exponent;
    while (remaining > 0) {
      if (remaining % 2 === 1) result = result.mul(base);
      remaining = Math.floor(remaining / 2);
      if (remaining > 0) base = base.mul(base);
    }
    return result;
  }

  /** ∂/∂name, term by term. */
  derivative(name: string): Polynomial {
    const terms: Term[] = [];
    for (const term of this.terms.values()) {
      const index = term.powers.findIndex(([variable]) => variable === name);
      if (index < 0) continue;
      const exponent = term.powers[index][1];
      const powers = exponent === 1 ? term.powers.filter((_, k) => k !== index) : term.powers.map((entry, k) => (k === index ? ([name, exponent - 1] as const) : entry));
      terms.push({ powers, coefficient: rationalMul(term.coefficient, rational(exponent)) });
    }
    return Polynomial.fromTerms(terms);
  }

  /**
   * Replaces each named variable by a polynomial (names not in the map stay),
   * so identities can be checked at symbolic points such as P = s·adj(aΣ + bI).
   */
  substitute(values: ReadonlyMap<string, Polynomial>): Polynomial {
    const collected: Term[] = [];
    const powerCache = new Map<string, Polynomial>();
    for (const term of this.terms.values()) {
      const unreplaced: Array<readonly [string, number]> = [];
      let value = Polynomial.constant(1);
      for (const [name, exponent] of term.powers) {
        const replacement = values.get(name);
        if (replacement === undefined) {
          unreplaced.push([name, exponent]);
          continue;
        }
        const key = `${name}^${exponent}`;
        let power = powerCache.get(key);
        if (power === undefined) {
          power = replacement.pow(exponent);
          powerCache.set(key, power);
        }
        value = value.mul(power);
      }
      for (const product of value.mul(Polynomial.fromTerms([{ powers: unreplaced, coefficient: term.coefficient }])).terms.values()) {
        collected.push(product);
      }
    }
    return Polynomial.fromTerms(collected);
  }

  /** Returns the variables that occur, in ascending name order. */
  variables(): string[] {
    const names = new Set<string>();
    for (const term of this.terms.values()) for (const [name] of term.powers) names.add(name);
    return [...names].sort();
  }

  isZero(): boolean {
    return this.terms.size === 0;
  }

  get termCount(): number {
    return this.terms.size;
  }

  /** Terms in graded lexicographic order: by total degree, then by variable names with higher powers first. */
  sortedTerms(): Term[] {
    return [...this.terms.values()].sort((a, b) => {
      const degreeOrder = totalDegree(a.powers) - totalDegree(b.powers);
      if (degreeOrder !== 0) return degreeOrder;
      return compareLexicographic(a.powers, b.powers);
    });
  }

  equals(other: Polynomial): boolean {
    return this.sub(other).isZero();
  }

  /** Renders as `3*S_1_1^2 - 2*P_1_1*w_1 + 1`, with a deterministic term order. */
  toString(): string {
    if (this.isZero()) return '0';
    const parts: string[] = [];
    for (const term of this.sortedTerms()) {
      const negative = term.coefficient.numerator < 0n;
      const magnitude = negative ? rationalNeg(term.coefficient) : term.coefficient;
      const monomial = term.powers.map(([name, exponent]) => (exponent === 1 ? name : `${name}^${exponent}`)).join('*');
      const isUnit = magnitude.numerator === 1n && magnitude.denominator === 1n;
      let body = `${showRational(magnitude)}*${monomial}`;
      if (monomial === '') body = showRational(magnitude);
      else if (isUnit) body = monomial;
      if (parts.length === 0) parts.push(negative ? `-${body}` : body);
      else parts.push(negative ? `- ${body}` : `+ ${body}`);
    }
    return parts.join(' ');
  }
}

function totalDegree(powers: Powers): number {
  let degree = 0;
  for (const [, exponent] of powers) degree += exponent;
  return degree;
}

/** Lexicographic monomial order: the first differing variable decides, and a higher power of it comes first. */
function compareLexicographic(left: Powers, right: Powers): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const [leftName, leftExponent] = left[index];
    const [rightName, rightExponent] = right[index];
    if (leftName !== rightName) return leftName < rightName ? -1 : 1;
    if (leftExponent !== rightExponent) return rightExponent - leftExponent;
  }
  return right.length - left.length;
}

/** Adds `coefficient · monomial` into a term map, dropping the entry when it cancels. */
function addTermInto(terms: Map<string, Term>, powers: Powers, coefficient: Rational): void {
  if (coefficient.numerator === 0n) return;
  const key = monomialKey(powers);
  const existing = terms.get(key);
  if (existing === undefined) {
    terms.set(key, { powers, coefficient });
    return;
  }
  const sum = rationalAdd(existing.coefficient, coefficient);
  if (sum.numerator === 0n) terms.delete(key);
  else terms.set(key, { powers, coefficient: sum });
}
