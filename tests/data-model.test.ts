import { describe, expect, it } from 'vitest';
import { InputError } from '../src/core/errors.ts';
import { blockCorrelation, makeCorrelation, type Correlation } from '../src/data/correlation.ts';
import { diagonalCovariance, isotropicCovariance, makeCovariance } from '../src/data/covariance.ts';
import { Random } from '../src/data/random.ts';
import { randomOrthogonal } from '../src/data/instances.ts';
import { progressSlice } from '../src/core/progress.ts';
import { MeanAccumulator, zScore } from '../src/core/statistics.ts';
import { PromptSampler, samplePrompts } from '../src/data/sample.ts';
import { monteCarloRisk } from '../src/theory/monte-carlo-risk.ts';
import { identity, matmul, maxAbsDiff, transpose } from '../src/linalg/dense.ts';
import { makeTask, risk } from '../src/theory/risk.ts';

/** Bound on |z| for families of up to 200 z-scores. P(|z| > 4.5) = 6.8e-6 each, so by Bonferroni a false alarm has probability below 2e-3. */
const Z_BOUND = 4.5;

function expectInputError(action: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as Error).message).toMatch(pattern);
}

/**
 * Computes the z-scores of the sampled moments E[β_i[c] β_j[c]] against R_ij for every pair i ≤ j.
 * Each moment is averaged over the d coordinates c, and index n is the query.
 */
function taskVectorZScores(correlation: Correlation, d: number, prompts: number, seed: number): number[][] {
  const task = makeTask(isotropicCovariance(d), correlation, 0);
  const sampler = new PromptSampler(task, new Random(seed));
  const size = correlation.R.length;
  const accumulators = Array.from({ length: size }, (_, i) => Array.from({ length: i + 1 }, () => new MeanAccumulator()));
  for (let t = 0; t < prompts; t++) {
    sampler.draw();
    const vectors = [...sampler.betas, sampler.beta];
    for (let i = 0; i < size; i++)
      for (let j = 0; j <= i; j++)
        for (let c = 0; c < d; c++) accumulators[i][j].add(vectors[i][c] * vectors[j][c]);
  }
  return accumulators.map((row, i) => row.map((accumulator, j) => zScore(accumulator.estimate(), correlation.R[i][j])));
}

describe('covariance Σ', () => {
  it('accepts float64 Q diag(e^-4, 1, e^4) Qᵀ', () => {
    const Q = randomOrthogonal(new Random(11), 3);
    const lambda = [Math.exp(-4), 1, Math.exp(4)];
    const Sigma = matmul(
      Q.map((row) => row.map((value, k) => value * lambda[k])),
      transpose(Q),
    );
    const asymmetry = Math.max(...Sigma.flatMap((row, i) => row.map((value, j) => Math.abs(value - Sigma[j][i]))));
    expect(asymmetry).toBeLessThan(1e-12); // round-off only, typically ~1e-15
    const covariance = makeCovariance(Sigma);
    const sorted = [...covariance.eigenvalues].sort((x, y) => x - y);
    expect(covariance.eigenvalues).toEqual(sorted);
    covariance.eigenvalues.forEach((value, k) => expect(Math.abs(value - lambda[k]) / lambda[k]).toBeLessThan(1e-10));
    const C = covariance.cholesky;
    expect(maxAbsDiff(matmul(C, transpose(C)), covariance.Sigma)).toBeLessThan(1e-12);
  });
});

describe('block model correlation', () => {
  const sizes = [3, 5, 2, 4];
  const rho = [0.2, 0.9, 0.5, 0.7];
  const expectedNonzero = [8.8620326643, 2.8518588492, 1.7438956442, 1.4072258746, 0.1349869677];

  it('m = (3, 5, 2, 4): rank 5, known eigenvalues', () => {
    const correlation = blockCorrelation(sizes, rho);
    expect(correlation.R.length).toBe(15);
    const values = [...correlation.eigenvalues].sort((x, y) => y - x);
    values.slice(0, 5).forEach((value, k) => expect(Math.abs(value - expectedNonzero[k])).toBeLessThan(1e-9));
    values.slice(5).forEach((value) => expect(Math.abs(value)).toBeLessThan(1e-9));
    expect(values.filter((value) => value > 1e-9)).toHaveLength(5);
  });

  it('factor satisfies F Fᵀ = R', () => {
    const { R } = blockCorrelation(sizes, rho);
    const correlation = makeCorrelation(R);
    expect(maxAbsDiff(matmul(correlation.factor, transpose(correlation.factor)), R)).toBeLessThanOrEqual(1e-12);
    expect(correlation.r).toEqual([0.2, 0.2, 0.2, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.7, 0.7, 0.7, 0.7]);
  });

  it('block sampler: task covariance R', () => {
    const z = taskVectorZScores(blockCorrelation(sizes, rho), 2, 20_000, 5);
    const largest = Math.max(...z.flat().map(Math.abs));
    expect(largest).toBeLessThanOrEqual(Z_BOUND);
  });

  it('factor sampler: task covariance R', () => {
    const correlation = makeCorrelation(blockCorrelation(sizes, rho).R);
    expect(correlation.blocks).toBeUndefined();
    const z = taskVectorZScores(correlation, 2, 20_000, 6);
    expect(Math.max(...z.flat().map(Math.abs))).toBeLessThanOrEqual(Z_BOUND);
  });

  it('covariance test rejects wrong R', () => {
    const sampled = blockCorrelation(sizes, rho);
    const claimed = blockCorrelation(sizes, [0.2, 0.8, 0.5, 0.7]);
    const z = taskVectorZScores({ ...sampled, R: claimed.R }, 2, 20_000, 7);
    expect(Math.max(...z.flat().map(Math.abs))).toBeGreaterThan(2 * Z_BOUND);
  });
});

describe('sampled prompts', () => {
  const task = makeTask(makeCovariance([[2, 0.5], [0.5, 1]]), blockCorrelation([2, 3], [0.6, -0.3]), 0.25);

  it('features Σ, label variance tr Σ + σ²', () => {
    const sampler = new PromptSampler(task, new Random(3));
    const feature = [0, 1].map(() => [0, 1].map(() => new MeanAccumulator()));
    const label = new MeanAccumulator();
    for (let t = 0; t < 40_000; t++) {
      sampler.draw();
      for (const xi of [...sampler.X, sampler.x]) for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) feature[a][b].add(xi[a] * xi[b]);
      for (const value of [...sampler.y, sampler.yQuery]) label.add(value * value);
    }
    feature.forEach((row, a) => row.forEach((accumulator, b) => expect(Math.abs(zScore(accumulator.estimate(), task.covariance.Sigma[a][b]))).toBeLessThanOrEqual(Z_BOUND)));
    expect(Math.abs(zScore(label.estimate(), 3 + 0.25))).toBeLessThanOrEqual(Z_BOUND);
  });

  it('same seed, same prompts', () => {
    const first = samplePrompts(task, new Random(42), 5);
    const again = samplePrompts(task, new Random(42), 5);
    const other = samplePrompts(task, new Random(43), 5);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(other[0].X[0][0]).not.toBe(first[0].X[0][0]);
  });

  it('same seed, same estimate', () => {
    const P = identity(2, 0.1);
    const omega = [1, 1, 1, 1, 1];
    const a = monteCarloRisk(task, P, omega, 2000, new Random(9));
    const b = monteCarloRisk(task, P, omega, 2000, new Random(9));
    const c = monteCarloRisk(task, P, omega, 2000, new Random(10));
    expect(b).toEqual(a);
    expect(c.mean).not.toBe(a.mean);
  });

  it('reports progress every 1024 samples', () => {
    const P = identity(2, 0.1);
    const omega = [1, 1, 1, 1, 1];
    const fractions: number[] = [];
    const reported = monteCarloRisk(task, P, omega, 3000, new Random(9), 'sampled', (fraction) => fractions.push(fraction));
    expect(fractions).toEqual([1024 / 3000, 2048 / 3000]);
    expect(reported).toEqual(monteCarloRisk(task, P, omega, 3000, new Random(9)));
  });

  it('maps part progress onto slice', () => {
    const whole: number[] = [];
    const part = progressSlice((fraction) => whole.push(fraction), 0.5, 0.75);
    part(0);
    part(0.5);
    part(1);
    expect(whole).toEqual([0.5, 0.625, 0.75]);
  });
});

describe('input errors name the value', () => {
  it('R not PSD: smallest eigenvalue shown', () => {
    // eigenvalues of [[1, .9, -.9], [.9, 1, .9], [-.9, .9, 1]] are 1.9, 1.9 and -0.8
    expectInputError(
      () =>
        makeCorrelation([
          [1, 0.9, -0.9],
          [0.9, 1, 0.9],
          [-0.9, 0.9, 1],
        ]),
      /positive semidefinite.*smallest eigenvalue -0\.8/,
    );
  });

  it('R diagonal not 1', () => {
    expectInputError(
      () =>
        makeCorrelation([
          [1, 0.2],
          [0.2, 1.5],
        ]),
      /R\[1\]\[1\] is not 1 \(got 1\.5\)/,
    );
  });

  it('P or ω size mismatch', () => {
    const task = makeTask(diagonalCovariance([1, 2]), blockCorrelation([3], [0.5]), 0.1);
    expectInputError(() => risk(task, identity(3), [1, 1, 1]), /P has shape 3×3, expected 2×2/);
    expectInputError(() => risk(task, identity(2), [1, 1]), /ω has 2 entries but a task with n = 3 examples needs 3/);
    expectInputError(() => monteCarloRisk(task, identity(3), [1, 1, 1], 10, new Random(1)), /P has shape 3×3/);
  });

  it('σ² < 0', () => {
    expectInputError(() => makeTask(isotropicCovariance(2), blockCorrelation([2], [1]), -0.5), /σ² must be a finite number ≥ 0 \(got -0\.5\)/);
  });

  it('NaN entries in Σ, R, P, ω', () => {
    expectInputError(() => makeCovariance([[1, NaN], [NaN, 1]]), /Σ\[0\]\[1\] is not a finite number \(got NaN\)/);
    expectInputError(() => makeCorrelation([[1, NaN], [NaN, 1]]), /R\[0\]\[1\] is not a finite number \(got NaN\)/);
    const task = makeTask(isotropicCovariance(2), blockCorrelation([2], [0.5]), 0);
    expectInputError(() => risk(task, [[1, 0], [0, NaN]], [1, 1]), /P\[1\]\[1\] is not a finite number \(got NaN\)/);
    expectInputError(() => risk(task, identity(2), [1, NaN]), /ω\[1\] is not a finite number \(got NaN\)/);
  });

  it('Σ not positive definite', () => {
    expectInputError(
      () =>
        makeCovariance([
          [1, 2],
          [2, 1],
        ]),
      /Σ is not positive definite \(got smallest eigenvalue -(1|0\.99999)/,
    );
  });

  it('ρ outside [−1, 1]', () => {
    expectInputError(() => blockCorrelation([2, 2], [0.5, 1.2]), /ρ\[1\] is outside \[−1, 1\] \(got 1\.2\)/);
    expectInputError(() => blockCorrelation([2, 2], [-1.01, 0]), /ρ\[0\] is outside \[−1, 1\] \(got -1\.01\)/);
  });
});
