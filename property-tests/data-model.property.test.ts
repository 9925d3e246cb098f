import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockCorrelation, FACTOR_TOL } from '../src/data/correlation.ts';
import { randomFloatInstance } from '../src/data/instances.ts';
import { Random } from '../src/data/random.ts';
import { matmul, maxAbsDiff, transpose } from '../src/linalg/dense.ts';
import { PSD_RTOL } from '../src/linalg/symmetric.ts';
import { suffixLogWeights } from '../src/models/gate-weights.ts';
import { nullRisk, optimalPreconditioner, reducedRisk, risk } from '../src/theory/risk.ts';

const SEED = 20251204;

/** Block models with 1–5 blocks of 1–6 examples; ρ_k includes the ends ±1 and 0. */
const blockModel = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
  rho: fc.array(fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(-1, 0, 1)), { minLength: 5, maxLength: 5 }),
}).map(({ sizes, rho }) => ({ sizes, rho: rho.slice(0, sizes.length) }));

const instanceSeed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('generator contracts', () => {
  it('same seed gives the same numbers', () => {
    fc.assert(
      fc.property(instanceSeed, (seed) => {
        const first = new Random(seed);
        const second = new Random(seed);
        const draws = Array.from({ length: 8 }, () => [first.normal(), second.normal(), first.uniform(), second.uniform()]);
        return draws.every(([a, b, c, d]) => a === b && c === d);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('uniform draws stay in [0, 1)', () => {
    fc.assert(
      fc.property(instanceSeed, (seed) => {
        const random = new Random(seed);
        return Array.from({ length: 64 }, () => random.uniform()).every((value) => value >= 0 && value < 1);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('random instances are valid tasks', () => {
    fc.assert(
      fc.property(instanceSeed, (seed) => {
        const { task, omega } = randomFloatInstance(seed);
        expect(task.covariance.eigenvalues[0]).toBeGreaterThan(0);
        expect(omega).toHaveLength(task.n);
        expect(task.correlation.R.every((row, i) => row[i] === 1)).toBe(true);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('block model', () => {
  it('R is a valid correlation matrix with a factor F Fᵀ = R', () => {
    fc.assert(
      fc.property(blockModel, ({ sizes, rho }) => {
        const correlation = blockCorrelation(sizes, rho);
        const largest = correlation.eigenvalues[correlation.eigenvalues.length - 1];
        expect(correlation.eigenvalues[0]).toBeGreaterThanOrEqual(-PSD_RTOL * Math.max(largest, 1));
        expect(maxAbsDiff(matmul(correlation.factor, transpose(correlation.factor)), correlation.R)).toBeLessThanOrEqual(FACTOR_TOL);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('r is ρ of each example’s block', () => {
    fc.assert(
      fc.property(blockModel, ({ sizes, rho }) => {
        const { r } = blockCorrelation(sizes, rho);
        const expected = sizes.flatMap((size, k) => new Array<number>(size).fill(rho[k]));
        expect(r).toEqual(expected);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe('gate weights in log space', () => {
  const gates = fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1), fc.double({ min: 0.99, max: 1, noNaN: true })), {
    minLength: 2,
    maxLength: 200,
  });

  it('weights are nondecreasing towards the query and lie in [0, 1]', () => {
    fc.assert(
      fc.property(gates, (gamma) => {
        const { omega } = suffixLogWeights(gamma);
        for (let i = 0; i < omega.length; i++) {
          expect(omega[i]).toBeGreaterThanOrEqual(0);
          expect(omega[i]).toBeLessThanOrEqual(1);
          if (i > 0) expect(omega[i]).toBeGreaterThanOrEqual(omega[i - 1]);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('a zero gate zeroes exactly the weights before it', () => {
    fc.assert(
      fc.property(gates, fc.nat(), (gamma, position) => {
        const withZero = [...gamma];
        const zeroAt = 1 + (position % (gamma.length - 1));
        withZero[zeroAt] = 0;
        const { omega, logOmega } = suffixLogWeights(withZero);
        for (let i = 0; i < omega.length; i++) {
          if (i < zeroAt) {
            expect(omega[i]).toBe(0);
            expect(logOmega[i]).toBe(-Infinity);
          } else {
            expect(Number.isNaN(omega[i])).toBe(false);
          }
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('risk formulas', () => {
  // L(P*(ω), ω) is the minimum over P, so L(P, ω) ≥ L(P*(ω), ω) = reduced risk for any P.
  it('no preconditioner beats P*', () => {
    fc.assert(
      fc.property(instanceSeed, (seed) => {
        const { task, omega, random } = randomFloatInstance(seed);
        const Pstar = optimalPreconditioner(task, omega);
        const P = Pstar.map((row) => row.map((value) => value + random.normal()));
        const floor = reducedRisk(task, omega);
        // 1e-9 (tr Σ + σ²) absorbs float64 rounding of both closed forms, even with κ(Σ) = 1e8
        return risk(task, P, omega) >= floor - 1e-9 * nullRisk(task);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  // 0 ≤ (ωᵀr)² tr(Σ²(aΣ + bI)⁻¹) ≤ tr Σ + σ²: the best WPGD predictor never does worse than predicting 0.
  it('reduced risk lies in [0, tr Σ + σ²]', () => {
    fc.assert(
      fc.property(instanceSeed, (seed) => {
        const { task, omega } = randomFloatInstance(seed);
        const value = reducedRisk(task, omega);
        return value >= -1e-12 * nullRisk(task) && value <= nullRisk(task) * (1 + 1e-12);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
