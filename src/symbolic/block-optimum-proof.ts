import { adjugate, cofactorDeterminant } from '../algebra/cofactors.ts';
import { InputError } from '../core/errors.ts';
import type { ProvedIdentity } from './identity.ts';
import { Polynomial } from './polynomial.ts';
import { polynomialField as F } from './polynomial-field.ts';

/**
 * BLOCK-OPT and SINGLE-TASK as rational functions of d, σ² and ρ_k, for Σ = I
 * and fixed block sizes m_1..m_K. With μ = d + 1 + σ², the block model's
 * correlations are R_n = r rᵀ + Σ_k (1 − ρ_k²) 1_k 1_kᵀ with r_i = ρ_k(i), so
 * Sherman–Morrison gives
 *   (R_n + μI) ω̂ = (D + rᵀω̂) r,  ω̂ block-constant with ŵ_k = ρ_k Π_{l≠k} δ_l,
 *   δ_k = (1 − ρ_k²) m_k + μ,  D = Π_k δ_k,
 * that is ω* ∝ (R_n + μI)⁻¹ r has block weights w_k = ρ_k / δ_k. With Σ = I the
 * P-STAR reduced risk is L(ω) = d + σ² − d (ωᵀr)² / ωᵀ(R_n + μI)ω, so
 *   L* = d + σ² − d T / (1 + T),  T = Σ_k m_k ρ_k² / δ_k.
 * Every identity is cross-multiplied to a polynomial in d, σ², ρ_k that must be
 * zero; Cramer's rule, A⁻¹r = adj(A) r / det A, derives the solution a second
 * way and must agree with the Sherman–Morrison form.
 */

export interface BlockOptimumProof {
  readonly sizes: readonly number[];
  /** True when ρ_1 = 1 for one block: the single-task case R = 1 1ᵀ. */
  readonly singleTask: boolean;
  readonly identities: readonly ProvedIdentity[];
  /** LaTeX of L* as a rational function of d, σ², ρ_k. */
  readonly riskLatex: string;
  /** Terms of det(R_n + μI), a measure of the size of the rational functions. */
  readonly determinantTerms: number;
  readonly milliseconds: number;
}

const d = Polynomial.variable('d');
const sigma2 = Polynomial.variable('sigma2');
const mu = d.add(Polynomial.constant(1)).add(sigma2);

/** ρ_k as a symbol, or 1 for the single-task case. */
function blockCorrelations(K: number, singleTask: boolean): Polynomial[] {
  return Array.from({ length: K }, (_, k) => (singleTask ? Polynomial.constant(1) : Polynomial.variable(`rho_${k + 1}`)));
}

/** Returns entry (i, j) of R_n + μI: 1 + μ on the diagonal, 1 inside a block, ρ_k ρ_l across blocks. */
function correlationPlusShift(k: number, l: number, diagonal: boolean, rho: readonly Polynomial[]): Polynomial {
  if (diagonal) return Polynomial.constant(1).add(mu);
  if (k === l) return Polynomial.constant(1);
  return rho[k].mul(rho[l]);
}

function dot(u: readonly Polynomial[], v: readonly Polynomial[]): Polynomial {
  return u.reduce((sum, value, i) => sum.add(value.mul(v[i])), Polynomial.zero());
}

/** δ_k = (1 − ρ_k²) m_k + μ, the denominator of the theorem's block weight. */
export function theoremDenominator(m: number, rho: Polynomial, mu: Polynomial): Polynomial {
  return Polynomial.constant(1).sub(rho.pow(2)).scale(m).add(mu);
}

/**
 * Proves the block optimum for the given block sizes; `singleTask` fixes
 * K = 1, ρ = 1. `denominator` is the claimed δ_k, the theorem's by default;
 * another gives a wrong claim, which the proof must reject.
 */
export function proveBlockOptimum(sizes: readonly number[], singleTask = false, denominator = theoremDenominator): BlockOptimumProof {
  if (sizes.length === 0 || sizes.some((m) => !Number.isInteger(m) || m < 1)) {
    throw new InputError('block sizes', 'are not positive integers', JSON.stringify(sizes), 'pass sizes such as [2, 1]');
  }
  if (singleTask && sizes.length !== 1) throw new InputError('block sizes', 'have more than one block for the single-task case', JSON.stringify(sizes), 'pass one block [n]');
  const n = sizes.reduce((sum, m) => sum + m, 0);
  if (n > 6) throw new InputError('n', 'is above the cofactor limit 6', n, 'pass block sizes summing to at most 6');
  const started = performance.now();
  const rho = blockCorrelations(sizes.length, singleTask);
  const blockOf = sizes.flatMap((m, k) => new Array<number>(m).fill(k));
  const r = blockOf.map((k) => rho[k]);
  const A = blockOf.map((k, i) => blockOf.map((l, j) => correlationPlusShift(k, l, i === j, rho)));

  const delta = sizes.map((m, k) => denominator(m, rho[k], mu));
  const D = delta.reduce((product, value) => product.mul(value), Polynomial.constant(1));
  const blockWeight = rho.map((value, k) => delta.reduce((product, other, l) => (l === k ? product : product.mul(other)), value));
  const omegaHat = blockOf.map((k) => blockWeight[k]);
  const rOmega = dot(r, omegaHat);
  const scale = D.add(rOmega);
  const identities: ProvedIdentity[] = [];

  const Aomega = A.map((row) => dot(row, omegaHat));
  Aomega.forEach((value, i) => identities.push({ identity: `row ${i + 1} of (R_n + μI) ω̂ − (D + rᵀω̂) r`, remainder: value.sub(scale.mul(r[i])) }));

  const determinant = cofactorDeterminant(F, A);
  const cramer = adjugate(F, A).map((row) => dot(row, r));
  cramer.forEach((value, i) => identities.push({ identity: `entry ${i + 1} of (D + rᵀω̂) adj(A) r − det(A) ω̂`, remainder: value.mul(scale).sub(determinant.mul(omegaHat[i])) }));

  // T = Σ_k m_k ρ_k² / δ_k = (Σ_k m_k ρ_k ŵ_k) / D; L* = d + σ² − d T/(1 + T)
  const quadratic = dot(omegaHat, Aomega);
  const tNumerator = sizes.reduce((sum, m, k) => sum.add(rho[k].mul(blockWeight[k]).scale(m)), Polynomial.zero());
  // d (rᵀω̂)² / ω̂ᵀAω̂ = d T/(1 + T), cross-multiplied
  identities.push({ identity: '(rᵀω̂)² (D + Σ m_k ρ_k ŵ_k) − (Σ m_k ρ_k ŵ_k) ω̂ᵀ(R_n + μI)ω̂', remainder: rOmega.pow(2).mul(D.add(tNumerator)).sub(tNumerator.mul(quadratic)) });
  if (singleTask) {
    // d (rᵀω̂)² / ω̂ᵀAω̂ = n d / (n + d + 1 + σ²), and at σ² = 0 L* = d(d + 1)/(n + d + 1)
    const nPlusMu = mu.add(Polynomial.constant(n));
    identities.push({ identity: 'd (rᵀω̂)² (n + μ) − n d ω̂ᵀ(R_n + μI)ω̂', remainder: d.mul(rOmega.pow(2)).mul(nPlusMu).sub(d.scale(n).mul(quadratic)) });
    const noiseless = new Map([['sigma2', Polynomial.zero()]]);
    const Lstar = d.mul(nPlusMu).sub(d.scale(n)).substitute(noiseless);
    identities.push({ identity: '(d (n + d + 1) − n d) − d (d + 1) at σ² = 0', remainder: Lstar.sub(d.mul(d.add(Polynomial.constant(1)))) });
  }
  return { sizes, singleTask, identities, riskLatex: riskLatex(sizes, singleTask), determinantTerms: determinant.termCount, milliseconds: performance.now() - started };
}

/** L* = d + σ² − d T/(1 + T) with T written out per block. */
function riskLatex(sizes: readonly number[], singleTask: boolean): string {
  const mu = 'd + 1 + \\sigma^2';
  if (singleTask) return `L^* = d + \\sigma^2 - \\frac{${sizes[0] === 1 ? "" : sizes[0]} d}{${sizes[0]} + ${mu}}`;
  const terms = sizes.map((m, k) => {
    const rho = `\\rho_{${k + 1}}`;
    const factor = m === 1 ? '' : `${m}`;
    const slack = m === 1 ? `(1 - ${rho}^2)` : `${m}(1 - ${rho}^2)`;
    return `\\frac{${factor}${rho}^2}{${slack} + ${mu}}`;
  });
  return `L^* = d + \\sigma^2 - \\frac{d\\,T}{1 + T},\\quad T = ${terms.join(' + ')}`;
}

/** Lists every ordered choice of positive block sizes summing to n (2^{n−1} of them). */
export function compositions(n: number): number[][] {
  if (n === 0) return [[]];
  const result: number[][] = [];
  for (let first = 1; first <= n; first++) for (const rest of compositions(n - first)) result.push([first, ...rest]);
  return result;
}
