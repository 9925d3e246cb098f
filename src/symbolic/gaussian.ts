import { InputError } from '../core/errors.ts';
import { Polynomial, monomialKey, type Powers, type Term } from './polynomial.ts';

/**
 * Expectations of polynomials in jointly Gaussian zero-mean variables of the
 * multitask regression model, computed exactly by Isserlis' (Wick's) theorem.
 *
 * Random variables, by name (indices start at 1, the query has index n+1):
 * - `x_i_a` feature a of example i and `xq_a` feature a of the query, with
 *   cov(x_i_a, x_j_b) = [i = j] Σ_ab, and the query is independent of every example.
 * - `beta_i_a` coordinate a of task vector i and `betaq_a` of the query task,
 *   with cov(beta_i_a, beta_j_b) = [a = b] R_ij.
 * - `xi_i` example noise and `xiq` query noise, with cov(xi_i, xi_j) = [i = j] σ².
 * The feature, task and noise families are independent of each other.
 *
 * Every other variable is a symbol and passes through the expectation:
 * `S_a_b` (a ≤ b) for Σ_ab, `R_i_j` (i < j) for R_ij, `sigma2` for σ², and
 * any parameter such as `P_a_b` or `w_i`.
 */

type Family = 'x' | 'beta' | 'xi';

/** A random variable's family, its independence group and the indices its covariance reads. */
interface RandomVariable {
  readonly family: Family;
  /** Variables in different groups are independent, so a moment factors over groups. */
  readonly group: string;
  /** Example index (query: n+1) for `x`, `beta` and `xi`. */
  readonly sample: number;
  /** Feature or task coordinate for `x` and `beta`, and 0 for `xi`. */
  readonly coordinate: number;
}

export interface ExpectationOptions {
  /** Index of the query in R, that is n+1 for n examples. */
  readonly queryIndex: number;
}

export interface ExpectationResult {
  /** E[polynomial], a polynomial in the symbols only. */
  readonly expectation: Polynomial;
  /** Terms of the input polynomial. */
  readonly monomials: number;
  /**
   * Perfect matchings that Isserlis' sums range over, summed over the input
   * terms: Π over independence groups of (2k−1)!! for a group of degree 2k.
   * Matchings across independent groups are left out because their
   * covariance is zero.
   */
  readonly matchings: number;
  /** Distinct group moments evaluated (the memo size after this call). */
  readonly groupMoments: number;
  /** Pairings expanded by the memoised recursion, a measure of the work done. */
  readonly pairingSteps: number;
}

/** Canonical symbol of Σ_ab, using Σ = Σᵀ. */
export function sigmaEntry(a: number, b: number): Polynomial {
  return Polynomial.variable(`S_${Math.min(a, b)}_${Math.max(a, b)}`);
}

/** Canonical symbol of R_ij, using R = Rᵀ and the unit diagonal R_ii = 1. */
export function correlationEntry(i: number, j: number): Polynomial {
  if (i === j) return Polynomial.constant(1);
  return Polynomial.variable(`R_${Math.min(i, j)}_${Math.max(i, j)}`);
}

export const noiseVariance: Polynomial = Polynomial.variable('sigma2');

const EXAMPLE_FEATURE = /^x_(\d+)_(\d+)$/;
const QUERY_FEATURE = /^xq_(\d+)$/;
const EXAMPLE_TASK = /^beta_(\d+)_(\d+)$/;
const QUERY_TASK = /^betaq_(\d+)$/;
const EXAMPLE_NOISE = /^xi_(\d+)$/;

/**
 * Computes E[·] over the model's Gaussian variables. One engine keeps its memo
 * of group moments across calls, so repeated expectations share work.
 */
export class GaussianExpectation {
  readonly queryIndex: number;
  private readonly moments = new Map<string, Polynomial>();
  private readonly parsed = new Map<string, RandomVariable | null>();
  private pairingSteps = 0;

  constructor(options: ExpectationOptions) {
    if (!Number.isInteger(options.queryIndex) || options.queryIndex < 1) {
      throw new InputError('queryIndex', 'is not a positive integer', options.queryIndex, 'pass n + 1 for a prompt with n examples');
    }
    this.queryIndex = options.queryIndex;
  }

  expect(polynomial: Polynomial): ExpectationResult {
    const stepsBefore = this.pairingSteps;
    const collected: Term[] = [];
    let matchings = 0;

    for (const term of polynomial.terms.values()) {
      const { symbols, groups } = this.splitMonomial(term.powers);

      let value = Polynomial.fromTerms([{ powers: symbols, coefficient: term.coefficient }]);
      let termMatchings = 1;
      for (const groupPowers of groups.values()) {
        const degree = totalDegree(groupPowers);
        if (degree % 2 === 1) {
          value = Polynomial.zero();
          termMatchings = 0;
          break;
        }
        termMatchings *= doubleFactorial(degree - 1);
        value = value.mul(this.groupMoment(groupPowers));
        if (value.isZero()) break;
      }

      matchings += termMatchings;
      for (const resultTerm of value.terms.values()) collected.push(resultTerm);
    }

    return {
      expectation: Polynomial.fromTerms(collected),
      monomials: polynomial.termCount,
      matchings,
      groupMoments: this.moments.size,
      pairingSteps: this.pairingSteps - stepsBefore,
    };
  }

  /** Splits a monomial into its symbol part and its random part, grouped by independence. */
  private splitMonomial(powers: Powers): { symbols: Powers; groups: Map<string, Powers> } {
    const symbols: Array<readonly [string, number]> = [];
    const groups = new Map<string, Array<readonly [string, number]>>();
    for (const entry of powers) {
      const variable = this.parse(entry[0]);
      if (variable === null) {
        symbols.push(entry);
        continue;
      }
      const members = groups.get(variable.group);
      if (members === undefined) groups.set(variable.group, [entry]);
      else members.push(entry);
    }
    return { symbols, groups };
  }

  /**
   * E[Π v^k] for variables of one group, by Isserlis' recursion: pair one copy
   * of the first variable with each remaining copy, so
   * E[v · rest] = Σ_u count(u) · cov(v, u) · E[rest without u].
   * Counting equal variables once with their multiplicity keeps the sum
   * short, and every sub-multiset is memoised.
   */
  private groupMoment(powers: Powers): Polynomial {
    const degree = totalDegree(powers);
    if (degree === 0) return Polynomial.constant(1);
    if (degree % 2 === 1) return Polynomial.zero();

    const key = monomialKey(powers);
    const cached = this.moments.get(key);
    if (cached !== undefined) return cached;

    const [firstName] = powers[0];
    const rest = removeOne(powers, 0);
    const collected: Term[] = [];
    for (let index = 0; index < rest.length; index += 1) {
      const [partnerName, multiplicity] = rest[index];
      const covariance = this.covariance(firstName, partnerName);
      if (covariance.isZero()) continue;
      this.pairingSteps += 1;
      const remainder = this.groupMoment(removeOne(rest, index));
      const contribution = covariance.mul(remainder).scale(multiplicity);
      for (const term of contribution.terms.values()) collected.push(term);
    }

    const moment = Polynomial.fromTerms(collected);
    this.moments.set(key, moment);
    return moment;
  }

  /** cov(u, v) for two variables of the same independence group. */
  private covariance(left: string, right: string): Polynomial {
    const u = this.parse(left);
    const v = this.parse(right);
    if (u === null || v === null || u.group !== v.group) return Polynomial.zero();
    switch (u.family) {
      case 'x':
        return sigmaEntry(u.coordinate, v.coordinate);
      case 'beta':
        return correlationEntry(u.sample, v.sample);
      case 'xi':
        return noiseVariance;
    }
  }

  /** Classifies a variable name, returning null for a symbol. */
  private parse(name: string): RandomVariable | null {
    const known = this.parsed.get(name);
    if (known !== undefined) return known;
    const variable = this.classify(name);
    this.parsed.set(name, variable);
    return variable;
  }

  private classify(name: string): RandomVariable | null {
    const query = this.queryIndex;
    let match = EXAMPLE_FEATURE.exec(name);
    if (match !== null) {
      const sample = this.exampleIndex(name, match[1]);
      return { family: 'x', group: `x_${sample}`, sample, coordinate: positiveIndex(name, match[2]) };
    }
    match = QUERY_FEATURE.exec(name);
    if (match !== null) {
      return { family: 'x', group: 'xq', sample: query, coordinate: positiveIndex(name, match[1]) };
    }
    match = EXAMPLE_TASK.exec(name);
    if (match !== null) {
      const coordinate = positiveIndex(name, match[2]);
      return { family: 'beta', group: `beta_${coordinate}`, sample: this.exampleIndex(name, match[1]), coordinate };
    }
    match = QUERY_TASK.exec(name);
    if (match !== null) {
      const coordinate = positiveIndex(name, match[1]);
      return { family: 'beta', group: `beta_${coordinate}`, sample: query, coordinate };
    }
    match = EXAMPLE_NOISE.exec(name);
    if (match !== null) {
      const sample = this.exampleIndex(name, match[1]);
      return { family: 'xi', group: `xi_${sample}`, sample, coordinate: 0 };
    }
    if (name === 'xiq') return { family: 'xi', group: 'xiq', sample: query, coordinate: 0 };
    return null;
  }

  /** An example index must lie in 1..n, because n+1 is reserved for the query. */
  private exampleIndex(name: string, digits: string): number {
    const index = positiveIndex(name, digits);
    if (index >= this.queryIndex) {
      throw new InputError(
        `random variable ${name}`,
        `has example index ${index}, which is not below the query index ${this.queryIndex}`,
        name,
        'use indices 1..n for examples and the q-suffixed names for the query',
      );
    }
    return index;
  }
}

function positiveIndex(name: string, digits: string): number {
  const index = Number(digits);
  if (index < 1) {
    throw new InputError(`random variable ${name}`, 'has index 0', name, 'number examples and coordinates from 1');
  }
  return index;
}

function totalDegree(powers: Powers): number {
  let degree = 0;
  for (const [, exponent] of powers) degree += exponent;
  return degree;
}

/** Lowers the exponent at `index` by one, dropping the variable at zero. */
function removeOne(powers: Powers, index: number): Powers {
  const result: Array<readonly [string, number]> = [];
  for (let position = 0; position < powers.length; position += 1) {
    const [name, exponent] = powers[position];
    if (position !== index) result.push(powers[position]);
    else if (exponent > 1) result.push([name, exponent - 1]);
  }
  return result;
}

/** (m)!! for odd m ≥ −1, with (−1)!! = 1. */
function doubleFactorial(m: number): number {
  let product = 1;
  for (let k = m; k > 1; k -= 2) product *= k;
  return product;
}
