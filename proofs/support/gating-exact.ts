import type { Fraction } from 'mathjs';
import { q, rationalIdentity, showRational, type RationalMatrix } from '../../src/algebra/rational-matrix.ts';
import { gradient, rationalArithmetic } from '../../src/gating/active-set.ts';
import { incrementProgram, type RationalConeSolution } from '../../src/gating/cone-qp.ts';
import { rationalIsotropicOptima, type RationalIsotropicOptima } from '../../src/gating/optima.ts';
import { rationalRiskInputs } from '../../src/data/instances.ts';
import { rationalReducedRisk } from '../../src/theory/risk-rational.ts';
import type { RiskInputs } from '../../src/theory/risk-field.ts';
import type { RationalIsotropicInstance } from './gating-instances.ts';

/** Exact pieces the gating claims share for Σ = I_d. */

export interface ExactIsotropic {
  optima: RationalIsotropicOptima;
  /** R_n and r. */
  Rn: RationalMatrix;
  r: Fraction[];
  /** Q = R_n + (d + 1 + σ²) I. */
  Q: RationalMatrix;
  /** Inputs of the exact risk formula with Σ = I_d, for independent re-evaluation. */
  inputs: RiskInputs<Fraction>;
}

export function exactIsotropic(instance: RationalIsotropicInstance): ExactIsotropic {
  const { d, R, sigma2 } = instance;
  const n = R.length - 1;
  const Rn = R.slice(0, n).map((row) => row.slice(0, n));
  const r = R.slice(0, n).map((row) => row[n]);
  const optima = rationalIsotropicOptima(d, R, sigma2);
  const Q = Rn.map((row, i) => row.map((value, j) => (i === j ? value.add(optima.mu) : value)));
  return { optima, Rn, r, Q, inputs: rationalRiskInputs(rationalIdentity(d), R, sigma2) };
}

/** L(ω) by the exact RISK formula (independent of the ratio form used by the optimisers); tr Σ + σ² for ω = 0. */
export function exactRisk(inputs: RiskInputs<Fraction>, omega: readonly Fraction[]): Fraction {
  if (omega.every((value) => value.equals(0))) return q(inputs.Sigma.length).add(inputs.sigma2);
  return rationalReducedRisk(inputs, omega);
}

export interface OneKkt {
  /** True when ω = 1 minimises L over W_scalar. */
  minimiser: boolean;
  /** Why, in words. */
  reason: string;
  /** (1ᵀr)² / 1ᵀQ1. */
  ratioAtOne: Fraction;
}

/**
 * Decides whether ω = 1 minimises L over the scalar cone, from the exact KKT
 * conditions at 1. With c = Tᵀr and H = TᵀQT, ω = 1 is δ = e_1 in increment
 * coordinates. On its own sign side σ = sign(1ᵀr) it is optimal iff
 * g = H δ̂ − σc ≥ 0 at δ̂ = (σc_1/H_11) e_1 (g_1 = 0 by construction).
 * The other side's maximum comes from the exact cone solution (itself KKT
 * certified); 1 is a global minimiser iff its ratio is at least that maximum.
 */
export function oneIsConeMinimiser(Q: RationalMatrix, r: readonly Fraction[], solution: RationalConeSolution): OneKkt {
  const n = r.length;
  const ones = r.map(() => q(1));
  const s = r.reduce((acc, value) => acc.add(value), q(0));
  const quadratic = Q.reduce((acc, row) => acc.add(row.reduce((inner, value) => inner.add(value), q(0))), q(0));
  const ratioAtOne = s.mul(s).div(quadratic);
  if (r.every((value) => value.equals(0))) return { minimiser: true, reason: 'r = 0: every ω has the same risk', ratioAtOne };
  if (s.equals(0)) return { minimiser: false, reason: '1ᵀr = 0 while r ≠ 0: ω = 1 predicts nothing and some cone point has ωᵀr ≠ 0', ratioAtOne };
  const { H, c } = incrementProgram(rationalArithmetic, Q, r);
  const sign = s.gt(0) ? 1 : -1;
  const signed = c.map((value) => (sign === 1 ? value : value.neg()));
  const deltaHat = ones.map((_, i) => (i === 0 ? signed[0].div(H[0][0]) : q(0)));
  const g = gradient(rationalArithmetic, H, signed, deltaHat);
  const violated = g.findIndex((value) => value.lt(0));
  if (violated >= 0) {
    return { minimiser: false, reason: `KKT fails at ω = 1 on its side: multiplier ${violated} is ${showRational(g[violated])} < 0`, ratioAtOne };
  }
  const other = sign === 1 ? solution.sides.minus : solution.sides.plus;
  if (other.ratio.gt(ratioAtOne)) {
    return { minimiser: false, reason: `ω = 1 is optimal on its side, but the other side reaches ratio ${showRational(other.ratio)} > ${showRational(ratioAtOne)}`, ratioAtOne };
  }
  return { minimiser: true, reason: `KKT holds at ω = 1 (all ${n} multipliers ≥ 0) and the other side reaches at most ${showRational(other.ratio)}`, ratioAtOne };
}

/** Exact strings of a rational vector. */
export function showVector(values: readonly Fraction[]): string[] {
  return values.map(showRational);
}
