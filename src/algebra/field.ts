import { fraction, type Fraction } from 'mathjs';
import nerdamer from 'nerdamer';
import 'nerdamer/Algebra.js';

/**
 * The arithmetic a model needs, so one implementation of each formula runs in
 * float64, in exact rationals and on symbolic expressions alike. Every model
 * formula is a polynomial in its inputs, so ring operations are enough.
 */
export interface Field<T> {
  readonly name: string;
  readonly zero: T;
  readonly one: T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  neg(a: T): T;
  fromInteger(value: number): T;
}

export const floatField: Field<number> = {
  name: 'float64',
  zero: 0,
  one: 1,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  neg: (a) => -a,
  fromInteger: (value) => value,
};

/** Exact rationals (mathjs Fraction, BigInt numerator and denominator). */
export const rationalField: Field<Fraction> = {
  name: 'rational',
  zero: fraction(0),
  one: fraction(1),
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  neg: (a) => a.neg(),
  fromInteger: (value) => fraction(value),
};

export type Symbolic = nerdamer.Expression;

/**
 * Symbolic expressions in nerdamer. Operations build unexpanded expression
 * trees; `expandSymbolic` normalises a result to a sum of monomials.
 */
export const symbolicField: Field<Symbolic> = {
  name: 'symbolic',
  zero: nerdamer('0'),
  one: nerdamer('1'),
  add: (a, b) => a.add(b),
  sub: (a, b) => a.subtract(b),
  mul: (a, b) => a.multiply(b),
  neg: (a) => a.multiply(nerdamer('-1')),
  fromInteger: (value) => nerdamer(String(value)),
};

export function symbol(name: string): Symbolic {
  return nerdamer(name);
}

export function expandSymbolic(expression: Symbolic): Symbolic {
  return nerdamer(`expand(${expression.toString()})`);
}

/** Sum of a list in any field. */
export function sum<T>(F: Field<T>, terms: readonly T[]): T {
  return terms.reduce((acc, term) => F.add(acc, term), F.zero);
}

/** Product of a list in any field; the empty product is 1. */
export function product<T>(F: Field<T>, factors: readonly T[]): T {
  return factors.reduce((acc, factor) => F.mul(acc, factor), F.one);
}
