import type { Fraction } from 'mathjs';
import { q, showRational } from '../../src/algebra/rational-matrix.ts';
import type { Json } from '../../src/claims/types.ts';
import { rationalBlockCorrelation } from '../../src/data/instances.ts';
import { exactIsotropic } from './gating-exact.ts';
import { digitCount } from './gating-results.ts';

/**
 * Exact block-model helpers for SCALAR-CORR (Σ = I): the BLOCK-OPT weights
 * w_k = ρ_k / ((1 − ρ_k²) m_k + d + 1 + σ²) and the monotonicity tests the
 * correlation condition is stated in.
 */

export interface BlockInstance {
  d: number;
  sigma2: Fraction;
  sizes: number[];
  rho: Fraction[];
}

/** w_k = ρ_k / ((1 − ρ_k²) m_k + d + 1 + σ²). */
export function blockWeights(instance: BlockInstance): Fraction[] {
  const mu = instance.sigma2.add(instance.d + 1);
  return instance.rho.map((value, k) => value.div(q(1).sub(value.mul(value)).mul(instance.sizes[k]).add(mu)));
}

export function nondecreasing(values: readonly Fraction[]): boolean {
  return values.every((value, k) => k === 0 || !value.lt(values[k - 1]));
}

export function nonincreasing(values: readonly Fraction[]): boolean {
  return values.every((value, k) => k === 0 || !value.gt(values[k - 1]));
}

/** Tests the signed condition: w nonnegative and nondecreasing, or nonpositive and nonincreasing. */
export function signedMonotone(values: readonly Fraction[]): boolean {
  const nonnegative = values.every((value) => !value.lt(0));
  const nonpositive = values.every((value) => !value.gt(0));
  return (nonnegative && nondecreasing(values)) || (nonpositive && nonincreasing(values));
}

export interface BlockOptima {
  scalarRisk: Fraction;
  wpgdRisk: Fraction;
  linearRisk: Fraction;
  /** L*_scalar − L*_WPGD ≥ 0. */
  gap: Fraction;
  /** True when L*_scalar = L*_WPGD exactly. */
  scalarOptimal: boolean;
  certified: boolean;
}

export function blockOptima(instance: BlockInstance): BlockOptima {
  const R = rationalBlockCorrelation(instance.sizes, instance.rho);
  const { optima } = exactIsotropic({ kind: 'block model', d: instance.d, R, sigma2: instance.sigma2, sizes: instance.sizes, rho: instance.rho });
  const gap = optima.scalar.risk.sub(optima.wpgd.risk);
  return {
    scalarRisk: optima.scalar.risk,
    wpgdRisk: optima.wpgd.risk,
    linearRisk: optima.lin.risk,
    gap,
    scalarOptimal: gap.equals(0),
    certified: optima.scalar.certified,
  };
}

export function blockInstanceJson(instance: BlockInstance): Json {
  return { d: instance.d, sigma2: showRational(instance.sigma2), Sigma: 'I_d', sizes: instance.sizes, rho: instance.rho.map(showRational) };
}

/** Size key of a block instance for picking the smallest counterexample: prompt length, K, d, then digits of ρ and σ². */
export function blockInstanceSize(instance: BlockInstance): number[] {
  const total = instance.sizes.reduce((acc, size) => acc + size, 0);
  return [total, instance.sizes.length, instance.d, digitCount([...instance.rho, instance.sigma2])];
}
