import type { Fraction } from 'mathjs';
import { q, rationalMatmul, rationalSolve, rationalTranspose, showRational, type RationalMatrix } from '../../src/algebra/rational-matrix.ts';
import type { Json } from '../../src/claims/types.ts';
import { blockCorrelation, makeCorrelation, type Correlation } from '../../src/data/correlation.ts';
import { isotropicCovariance } from '../../src/data/covariance.ts';
import { randomBlockSizes, randomCorrelation, randomRationalCorrelation, randomRationalUnitVector, rationalBlockCorrelation, rotatedCovariance } from '../../src/data/instances.ts';
import fc from 'fast-check';
import { Random as RandomSource, type Random } from '../../src/data/random.ts';
import { firstNonPositivePivot } from '../../src/gating/rational-definiteness.ts';
import { makeTask, type Task } from '../../src/theory/risk.ts';
import { digitCount } from './gating-results.ts';

/**
 * Random instances for the gating claims: exact rational ones with Σ = I_d
 * (general R, singular block models, single task, and R built so that the
 * WPGD optimum lies in the scalar cone), and float64 ones with general Σ.
 */

export interface RationalIsotropicInstance {
  kind: string;
  d: number;
  /** (n+1)×(n+1) correlation matrix, query last. */
  R: RationalMatrix;
  sigma2: Fraction;
  /** Block structure, when R is a block model. */
  sizes?: number[];
  rho?: Fraction[];
}

/** ρ from {−1, −1/2, 0, 1/2, 1} or a random p/q in [−1, 1] (q ≤ 9), so that 0 and ±1 occur often. */
export function rationalRho(random: Random): Fraction {
  const draw = random.integer(0, 5);
  if (draw < 5) return q(draw - 2, 2);
  const denominator = random.integer(2, 9);
  return q(random.integer(-denominator, denominator), denominator);
}

/** ρ in [0, 1] from {0, 1/2, 1} or a random p/q (q ≤ 9). */
export function rationalUnitRho(random: Random): Fraction {
  const draw = random.integer(0, 3);
  if (draw < 3) return q(draw, 2);
  const denominator = random.integer(2, 9);
  return q(random.integer(0, denominator), denominator);
}

/** Sorts rationals ascending. */
export function sortedRationals(values: readonly Fraction[]): Fraction[] {
  return [...values].sort((a, b) => a.compare(b));
}

/** μ = d + 1 + σ², the shift of the isotropic cone program. */
export function isotropicMu(d: number, sigma2: Fraction): Fraction {
  return sigma2.add(d + 1);
}

function randomSigma2(random: Random, index: number): Fraction {
  return index % 3 === 0 ? q(0) : q(random.integer(1, 8), random.integer(1, 4));
}

/**
 * Draws one exact instance; `index` cycles through five kinds: general rational R
 * (random rank, so R_n may be singular), block model with random sizes and
 * ρ ∈ [−1, 1], equal-size block model with nondecreasing ρ ∈ [0, 1], R built
 * so that ±ω* lies in the cone, and the single-task R = 1 1ᵀ.
 */
export function randomRationalIsotropicInstance(random: Random, index: number): RationalIsotropicInstance {
  const d = random.integer(1, 4);
  const sigma2 = randomSigma2(random, index);
  switch (index % 5) {
    case 0: {
      const n = random.integer(1, 5);
      return { kind: 'general R', d, R: randomRationalCorrelation(random, n, random.integer(1, n + 1)), sigma2 };
    }
    case 1: {
      const K = random.integer(1, 4);
      const sizes = randomBlockSizes(random, random.integer(K, 2 * K), 3).slice(0, K);
      const rho = sizes.map(() => rationalRho(random));
      return { kind: 'block model', d, R: rationalBlockCorrelation(sizes, rho), sigma2, sizes, rho };
    }
    case 2: {
      const K = random.integer(2, 4);
      const m = random.integer(1, 2);
      const sizes = new Array<number>(K).fill(m);
      const rho = sortedRationals(sizes.map(() => rationalUnitRho(random)));
      return { kind: 'equal blocks, ρ nondecreasing', d, R: rationalBlockCorrelation(sizes, rho), sigma2, sizes, rho };
    }
    case 3:
      return { kind: 'ω* in the signed cone by construction', d, R: coneTargetCorrelation(random, d, sigma2, random.integer(1, 2) === 1 ? 1 : -1), sigma2 };
    default: {
      const n = random.integer(1, 5);
      return { kind: 'single task', d, R: rationalBlockCorrelation([n], [q(1)]), sigma2, sizes: [n], rho: [q(1)] };
    }
  }
}

/**
 * A correlation matrix whose WPGD optimum ω* = Q^{-1} r (Q = R_n + (d+1+σ²)I) is
 * sign·t·ω for a random cone point ω: r = sign·t·Q ω with R_n = F Fᵀ positive
 * definite and t = 2^{-k} the first power with t² (Qω)ᵀ R_n^{-1} (Qω) ≤ 1, which
 * makes R = [[R_n, r], [rᵀ, 1]] positive semidefinite (Schur complement ≥ 0).
 */
export function coneTargetCorrelation(random: Random, d: number, sigma2: Fraction, sign: 1 | -1): RationalMatrix {
  const n = random.integer(2, 5);
  let Rn: RationalMatrix;
  do {
    const F = Array.from({ length: n }, () => randomRationalUnitVector(random, n));
    Rn = rationalMatmul(F, rationalTranspose(F));
  } while (firstNonPositivePivot(Rn) !== undefined);
  let total = q(0);
  const omega = Array.from({ length: n }, () => {
    total = total.add(random.integer(0, 2) === 0 ? q(0) : q(random.integer(1, 4), random.integer(1, 3)));
    return total;
  });
  if (omega[n - 1].equals(0)) omega[n - 1] = q(1);
  const mu = isotropicMu(d, sigma2);
  const Qomega = Rn.map((row, i) => row.reduce((acc, value, j) => acc.add(value.mul(omega[j])), q(0)).add(mu.mul(omega[i])));
  const quadratic = rationalSolve(Rn, Qomega).reduce((acc, value, i) => acc.add(value.mul(Qomega[i])), q(0));
  let t = q(sign);
  while (t.mul(t).mul(quadratic).gt(1)) t = t.div(2);
  const r = Qomega.map((value) => value.mul(t));
  return [...Rn.map((row, i) => [...row, r[i]]), [...r, q(1)]];
}

/** Converts an instance to JSON, rationals as exact strings. */
export function rationalInstanceJson(instance: RationalIsotropicInstance): Json {
  const base: { [key: string]: Json } = {
    kind: instance.kind,
    d: instance.d,
    sigma2: showRational(instance.sigma2),
    Sigma: 'I_d',
  };
  if (instance.sizes && instance.rho) {
    base.sizes = instance.sizes;
    base.rho = instance.rho.map(showRational);
  } else {
    base.R = instance.R.map((row) => row.map(showRational));
  }
  return base;
}

/** Size key of an exact instance for picking the smallest counterexample: n, d, then digits of R and σ². */
export function rationalInstanceSize(instance: RationalIsotropicInstance): number[] {
  return [instance.R.length - 1, instance.d, digitCount([...instance.R.flat(), instance.sigma2])];
}

/** Size key of a float64 instance: n, d, then log₁₀ κ(Σ). */
export function generalInstanceSize(instance: GeneralInstance): number[] {
  const eigenvalues = instance.task.covariance.eigenvalues;
  return [instance.task.n, instance.task.d, Math.log10(Math.max(...eigenvalues) / Math.min(...eigenvalues))];
}

/** Builds the float64 task of an exact instance (Σ = I_d). */
export function isotropicTaskOf(instance: RationalIsotropicInstance): Task {
  const correlation: Correlation =
    instance.sizes && instance.rho
      ? blockCorrelation(
          instance.sizes,
          instance.rho.map((value) => value.valueOf()),
        )
      : makeCorrelation(instance.R.map((row) => row.map((value) => value.valueOf())));
  return makeTask(isotropicCovariance(instance.d), correlation, instance.sigma2.valueOf());
}

/** Condition numbers of Σ in the float64 instances reach MAX_GATING_CONDITION. */
export const MAX_GATING_CONDITION = 1e5;

export interface GeneralInstance {
  kind: string;
  task: Task;
  /** Block structure, when R is a block model. */
  sizes?: number[];
  rho?: number[];
}

/** The numbers that fix one float64 instance; fast-check shrinks d, n and the condition number. */
export interface GeneralInstanceSpec {
  /**
   * 0: random R, 1: low-rank random R, 2: block model with ρ ∈ [−1, 1],
   * 3: equal blocks with nondecreasing ρ ∈ [0, 1], 4: equal blocks with
   * nonincreasing ρ ∈ [0, 1], 5: single task R = 1 1ᵀ, 6: equal blocks with
   * nondecreasing ρ ∈ [0, 1] except one descent of 10^{log10Descent}.
   */
  kind: number;
  d: number;
  n: number;
  /** log₁₀ κ(Σ) ∈ [0, log₁₀ MAX_GATING_CONDITION]. */
  log10Condition: number;
  sigma2: number;
  /** Seed of the eigenvectors, the inner eigenvalues and R. */
  seed: number;
  /** Kind 6 only: log₁₀ of the one descent ρ_k − ρ_{k+1} > 0. */
  log10Descent?: number;
}

export const generalInstanceArbitrary: fc.Arbitrary<GeneralInstanceSpec> = fc.record({
  kind: fc.integer({ min: 0, max: 5 }),
  // d ≥ 2 and κ ≥ 10: Σ = sI is covered by the exact checks, and fast-check's bias
  // towards boundary values would otherwise make many runs isotropic.
  d: fc.integer({ min: 2, max: 5 }),
  n: fc.integer({ min: 1, max: 7 }),
  log10Condition: fc.integer({ min: 1, max: Math.round(Math.log10(MAX_GATING_CONDITION)) }),
  sigma2: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/**
 * Kind 6 instances: equal blocks whose ρ has one small descent of 10^{-1} down
 * to 10^{-7}, so that ω* lies just outside the cone and the gap
 * L*_scalar − L*_WPGD is small.
 */
export const smallDescentInstanceArbitrary: fc.Arbitrary<GeneralInstanceSpec> = fc.record({
  kind: fc.constant(6),
  d: fc.integer({ min: 2, max: 5 }),
  n: fc.integer({ min: 2, max: 7 }),
  log10Condition: fc.integer({ min: 1, max: Math.round(Math.log10(MAX_GATING_CONDITION)) }),
  sigma2: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  log10Descent: fc.double({ min: -7, max: -1, noNaN: true }),
});

/** Draws the numbers of one float64 instance from `random`. */
export function randomGeneralSpec(random: Random, index: number): GeneralInstanceSpec {
  return {
    kind: index % 6,
    d: random.integer(2, 5),
    n: random.integer(1, 7),
    log10Condition: Math.log10(MAX_GATING_CONDITION) * random.uniform(),
    sigma2: random.uniform() < 0.2 ? 0 : random.uniform(),
    seed: random.integer(0, 2 ** 31 - 1),
  };
}

/**
 * Builds a float64 instance with general Σ: random eigenvectors, eigenvalues 1
 * and κ = 10^{log10Condition} plus log-uniform ones between, and R by `kind`.
 * Block kinds use at least two examples.
 */
export function generalInstance(spec: GeneralInstanceSpec): GeneralInstance {
  const random = new RandomSource(spec.seed);
  const { d, sigma2 } = spec;
  const logCondition = spec.log10Condition * Math.LN10;
  // λ_1 = 1 and λ_2 = κ fix the condition number; the others fall between.
  const exponents = Array.from({ length: d }, (_, k) => (k < 2 ? k : random.uniform()));
  const eigenvalues = exponents.map((exponent) => Math.exp(logCondition * exponent));
  const covariance = rotatedCovariance(random, eigenvalues);
  const n = Math.max(spec.n, spec.kind === 0 ? 1 : 2);
  switch (spec.kind) {
    case 0:
      return { kind: 'random R', task: makeTask(covariance, randomCorrelation(random, n), sigma2) };
    case 1:
      return { kind: 'random low-rank R', task: makeTask(covariance, randomCorrelation(random, n, random.integer(1, n)), sigma2) };
    case 2: {
      const sizes = randomBlockSizes(random, n, 3);
      const rho = sizes.map(() => 2 * random.uniform() - 1);
      return { kind: 'block model', task: makeTask(covariance, blockCorrelation(sizes, rho), sigma2), sizes, rho };
    }
    case 3:
    case 4: {
      const m = n % 2 === 0 ? 2 : 1;
      const sizes = new Array<number>(Math.max(2, Math.floor(n / m))).fill(m);
      const increasing = spec.kind === 3;
      const rho = sizes.map(() => random.uniform()).sort((a, b) => (increasing ? a - b : b - a));
      const kind = increasing ? 'equal blocks, ρ nondecreasing' : 'equal blocks, ρ nonincreasing';
      return { kind, task: makeTask(covariance, blockCorrelation(sizes, rho), sigma2), sizes, rho };
    }
    case 6: {
      const m = n % 2 === 0 ? 2 : 1;
      const sizes = new Array<number>(Math.max(2, Math.floor(n / m))).fill(m);
      const descent = 10 ** (spec.log10Descent ?? -1);
      // Sorted ρ in [descent, 1], then one adjacent pair is made to fall by exactly `descent`.
      const rho = sizes.map(() => descent + (1 - descent) * random.uniform()).sort((a, b) => a - b);
      const k = random.integer(0, sizes.length - 2);
      rho[k + 1] = rho[k] - descent;
      return { kind: 'equal blocks, ρ nondecreasing but one small descent', task: makeTask(covariance, blockCorrelation(sizes, rho), sigma2), sizes, rho };
    }
    default:
      return { kind: 'single task', task: makeTask(covariance, blockCorrelation([n], [1]), sigma2), sizes: [n], rho: [1] };
  }
}

/** Converts a float64 instance to JSON. */
export function generalInstanceJson(instance: GeneralInstance): Json {
  const { task } = instance;
  const base: { [key: string]: Json } = {
    kind: instance.kind,
    d: task.d,
    n: task.n,
    sigma2: task.sigma2,
    SigmaEigenvalues: task.covariance.eigenvalues,
    Sigma: task.covariance.Sigma,
  };
  if (instance.sizes && instance.rho) {
    base.sizes = instance.sizes;
    base.rho = instance.rho;
  } else {
    base.R = task.correlation.R;
  }
  return base;
}
