import { beforeAll, describe, expect, it } from 'vitest';
import { estimateRisk, monteCarloSamples, riskInstances, RISK_Z_THRESHOLD, type RiskInstance } from '../proofs/RISK.ts';
import { Random } from '../src/data/random.ts';
import { zScore, type MonteCarloEstimate } from '../src/core/statistics.ts';
import { dot, identity, matmul, trace, transpose, type Matrix } from '../src/linalg/dense.ts';
import { risk } from '../src/theory/risk.ts';

/**
 * The Monte Carlo check of the RISK closed form can fail: a copy of the
 * formula with one coefficient changed by 10% (or one structural change) is
 * rejected by the same instances, sample size and |z| threshold that the
 * claim uses at quick effort.
 */

/** Every coefficient of L = c₁ tr Σ + c₂ σ² − c₃ (ωᵀr) tr(Σ^{k₁} P Σ) + c₄ tr(Pᵀ Σ P (a Σ^{k₂} + b Σ^{k₃})). */
interface Coefficients {
  traceConstant: number;
  noiseConstant: number;
  linear: number;
  aQuadratic: number;
  aNorm: number;
  bTrace: number;
  bNoise: number;
  bNorm: number;
  quadratic: number;
  /** Power of Σ multiplying a (2 in the formula). */
  aPower: number;
  /** Power of Σ multiplying b (1 in the formula). */
  bPower: number;
  /** Power k₁ in tr(Σ^{k₁} P Σ) (1 in the formula). */
  linearPower: number;
  /** Use P Σ Pᵀ instead of Pᵀ Σ P. */
  transposed: boolean;
}

const FORMULA: Coefficients = {
  traceConstant: 1,
  noiseConstant: 1,
  linear: 2,
  aQuadratic: 1,
  aNorm: 1,
  bTrace: 1,
  bNoise: 1,
  bNorm: 1,
  quadratic: 1,
  aPower: 2,
  bPower: 1,
  linearPower: 1,
  transposed: false,
};

function power(Sigma: Matrix, k: number): Matrix {
  let result = identity(Sigma.length);
  for (let t = 0; t < k; t++) result = matmul(result, Sigma);
  return result;
}

/** Local copy of the closed form with every coefficient exposed. */
function mutableRisk(instance: RiskInstance, c: Coefficients): number {
  const { task, P, omega } = instance;
  const Sigma = task.covariance.Sigma;
  const { Rn, r } = task.correlation;
  const squaredNorm = dot(omega, omega);
  const a = c.aQuadratic * dot(omega, Rn.map((row) => dot(row, omega))) + c.aNorm * squaredNorm;
  const b = c.bNorm * squaredNorm * (c.bTrace * trace(Sigma) + c.bNoise * task.sigma2);
  const s = dot(omega, r);
  const Sa = power(Sigma, c.aPower);
  const Sb = power(Sigma, c.bPower);
  const curvature = Sa.map((row, i) => row.map((value, j) => a * value + b * Sb[i][j]));
  const middle = c.transposed ? matmul(matmul(P, Sigma), transpose(P)) : matmul(matmul(transpose(P), Sigma), P);
  const linear = trace(matmul(matmul(power(Sigma, c.linearPower), P), Sigma));
  return c.traceConstant * trace(Sigma) + c.noiseConstant * task.sigma2 - c.linear * s * linear + c.quadratic * trace(matmul(middle, curvature));
}

const TEN_PERCENT: (keyof Coefficients)[] = [
  'traceConstant',
  'noiseConstant',
  'linear',
  'aQuadratic',
  'aNorm',
  'bTrace',
  'bNoise',
  'bNorm',
  'quadratic',
];

const STRUCTURAL: { name: string; change: Partial<Coefficients> }[] = [
  { name: 'a Σ instead of a Σ²', change: { aPower: 1 } },
  { name: 'b Σ² instead of b Σ', change: { bPower: 2 } },
  { name: 'tr(P Σ) instead of tr(Σ P Σ)', change: { linearPower: 0 } },
  { name: 'P Σ Pᵀ instead of Pᵀ Σ P', change: { transposed: true } },
];

/** "Far above the threshold": a mutation must give |z| ≥ 3 × threshold on some instance. */
const REJECTION = 3 * RISK_Z_THRESHOLD;

describe('RISK Monte Carlo check rejects a changed formula', () => {
  const instances = riskInstances();
  let estimates: MonteCarloEstimate[] = [];

  beforeAll(() => {
    const samples = monteCarloSamples('features', 'quick');
    estimates = instances.map((instance, k) => estimateRisk(instance, 'features', samples, new Random(1 + 7919 * k)));
    if (process.env.RISK_SENSITIVITY_TABLE) printTable();
  });

  const largestZ = (change: Partial<Coefficients>): number =>
    Math.max(...instances.map((instance, k) => Math.abs(zScore(estimates[k], mutableRisk(instance, { ...FORMULA, ...change })))));

  function printTable(): void {
    const rows = [...TEN_PERCENT.map((key) => ({ name: key, change: { [key]: (FORMULA[key] as number) * 1.1 } })), ...STRUCTURAL];
    for (const row of rows) {
      const zs = instances.map((instance, k) => zScore(estimates[k], mutableRisk(instance, { ...FORMULA, ...row.change })).toFixed(1));
      process.stdout.write(`${row.name}: ${zs.join(' ')}\n`);
    }
  }

  it('local copy equals risk() with the original coefficients', () => {
    for (const instance of instances) {
      expect(mutableRisk(instance, FORMULA)).toBeCloseTo(risk(instance.task, instance.P, instance.omega), 12);
    }
  });

  it('original formula passes: every |z| ≤ threshold', () => {
    expect(largestZ({})).toBeLessThanOrEqual(RISK_Z_THRESHOLD);
  });

  for (const key of TEN_PERCENT) {
    it(`coefficient ${key} × 1.1 is rejected`, () => {
      expect(largestZ({ [key]: (FORMULA[key] as number) * 1.1 })).toBeGreaterThan(REJECTION);
    });
    it(`coefficient ${key} × 0.9 is rejected`, () => {
      expect(largestZ({ [key]: (FORMULA[key] as number) * 0.9 })).toBeGreaterThan(REJECTION);
    });
  }

  for (const { name, change } of STRUCTURAL) {
    it(`${name} is rejected`, () => {
      expect(largestZ(change)).toBeGreaterThan(REJECTION);
    });
  }
});
