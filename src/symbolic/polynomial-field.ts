import type { Field } from '../algebra/field.ts';
import { Polynomial } from './polynomial.ts';

/**
 * Sparse rational polynomials as a Field, so the toolkit's own formulas (the
 * RISK closed form in theory/risk-field.ts among them) run with every input a
 * symbol and can be compared with a derived expectation term by term.
 */
export const polynomialField: Field<Polynomial> = {
  name: 'sparse rational polynomials',
  zero: Polynomial.zero(),
  one: Polynomial.constant(1),
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  neg: (a) => a.scale(-1),
  fromInteger: (value) => Polynomial.constant(value),
};
