import { describe, expect, it } from 'vitest';
import { blockCorrelation } from '../src/data/correlation.ts';
import { randomCorrelation } from '../src/data/instances.ts';
import { diagonalCovariance, isotropicCovariance } from '../src/data/covariance.ts';
import { Random } from '../src/data/random.ts';
import { dot, norm2 } from '../src/linalg/dense.ts';
import { curvePhi, curvePoint, curveProblem, curveScalars, globalCurveSearch } from '../src/optim/curve.ts';
import { bracketedRoot } from '../src/optim/scalar.ts';
import { familyTask, KNOWN_REGIONS } from '../src/optim/witness.ts';
import { bigToNumber, createBig, curvePointBig, highPrecisionProblem, phiBig, reducedRiskBig } from '../src/optim/high-precision.ts';
import { landscapeProblem, landscapeRisk, riskGradient, riskHessian } from '../src/optim/landscape.ts';
import { secondOrderTest } from '../src/optim/second-order.ts';
import { minimizeOnSphere, randomStarts } from '../src/optim/sphere.ts';
import { isotropicOptimum } from '../src/theory/isotropic.ts';
import { makeTask, reducedRisk } from '../src/theory/risk.ts';

function randomTask(seed: number, d: number, n: number) {
  const random = new Random(seed);
  const lambda = Array.from({ length: d }, () => Math.exp(2 * random.normal()));
  return makeTask(diagonalCovariance(lambda), randomCorrelation(random, n, n + 2), 0.3);
}

describe('landscape derivatives', () => {
  it('gradient matches finite differences', () => {
    const task = randomTask(1, 4, 6);
    const problem = landscapeProblem(task);
    const omega = new Random(2).normalVector(6);
    const gradient = riskGradient(problem, omega);
    const step = 1e-6;
    const fd = omega.map((_, i) => {
      const plus = [...omega];
      const minus = [...omega];
      plus[i] += step;
      minus[i] -= step;
      return (landscapeRisk(problem, plus) - landscapeRisk(problem, minus)) / (2 * step);
    });
    // central differences: truncation O(step²)·|L'''| plus round-off ε·c/step ~ 1e-9
    const error = Math.max(...fd.map((value, i) => Math.abs(value - gradient[i])));
    expect(error).toBeLessThan(1e-7 * Math.max(1, norm2(gradient)));
    expect(Math.abs(dot(omega, gradient))).toBeLessThan(1e-12 * problem.c);
  });

  it('Hessian matches finite differences', () => {
    const task = randomTask(3, 5, 7);
    const problem = landscapeProblem(task);
    const omega = new Random(4).normalVector(7);
    const H = riskHessian(problem, omega);
    const step = 1e-6;
    let error = 0;
    let size = 0;
    for (let j = 0; j < 7; j++) {
      const plus = [...omega];
      const minus = [...omega];
      plus[j] += step;
      minus[j] -= step;
      const gp = riskGradient(problem, plus);
      const gm = riskGradient(problem, minus);
      for (let i = 0; i < 7; i++) {
        error = Math.max(error, Math.abs((gp[i] - gm[i]) / (2 * step) - H[i][j]));
        size = Math.max(size, Math.abs(H[i][j]));
      }
    }
    expect(error).toBeLessThan(1e-6 * size);
  });

  it('risk equals theory reducedRisk', () => {
    const task = randomTask(5, 3, 5);
    const omega = new Random(6).normalVector(5);
    expect(landscapeRisk(landscapeProblem(task), omega)).toBeCloseTo(reducedRisk(task, omega), 12);
  });
});

describe('curve search', () => {
  it('Σ = I: search equals closed form', () => {
    const random = new Random(7);
    const task = makeTask(isotropicCovariance(4), randomCorrelation(random, 8, 5), 0.5);
    const closed = isotropicOptimum(task);
    const search = globalCurveSearch(curveProblem(task));
    expect(search.peaks).toHaveLength(1);
    expect(search.best.mu).toBeCloseTo(closed.mu, 12);
    expect(Math.abs(search.best.risk - closed.risk)).toBeLessThan(1e-12 * 4.5);
    const cosine = Math.abs(dot(search.best.omega, closed.omega)) / norm2(closed.omega);
    expect(1 - cosine).toBeLessThan(1e-12);
  });

  it('peaks are fixed points of F', () => {
    const task = randomTask(8, 6, 8);
    const problem = curveProblem(task);
    const search = globalCurveSearch(problem, { gridPoints: 500 });
    for (const peak of search.peaks) expect(peak.relativeResidual).toBeLessThan(1e-10);
    const { low, high } = problem.interval;
    for (let k = 1; k < 20; k++) {
      const mu = low * Math.pow(high / low, k / 20);
      const h = 1e-6 * mu;
      const slope = curvePhi(problem, mu + h) - curvePhi(problem, mu - h);
      const G = curveScalars(problem, mu).fixedPoint - mu;
      if (Math.abs(G) > 1e-6 * mu && Math.abs(slope) > 1e-13 * problem.c) expect(Math.sign(slope)).toBe(Math.sign(G));
    }
  });
});

describe('sphere optimisation', () => {
  it('multistart converges on easy instance', () => {
    const task = randomTask(9, 3, 5);
    const problem = landscapeProblem(task);
    const best = globalCurveSearch(curveProblem(task)).best;
    for (const start of randomStarts(new Random(10), 5, 4)) {
      const result = minimizeOnSphere(problem, start);
      expect(result.converged).toBe(true);
      expect(result.risk).toBeGreaterThanOrEqual(best.risk - 1e-12 * problem.c);
    }
  });

  it('second-order test: minimum and saddle', () => {
    const task = makeTask(isotropicCovariance(2), blockCorrelation([2, 3], [0.9, 0.4]), 0.1);
    const problem = landscapeProblem(task);
    const best = globalCurveSearch(curveProblem(task)).best;
    const atMin = secondOrderTest(problem, best.omega);
    expect(atMin.gradientNorm).toBeLessThan(1e-12 * problem.c);
    // singular R_n: zero-sum directions inside a block leave s and ωᵀR_nω fixed but raise ‖ω‖²,
    // so they still curve upwards and the minimum is strict
    expect(atMin.classification).toBe('strict-local-min');
    const strict = makeTask(isotropicCovariance(2), randomCorrelation(new Random(11), 4, 6), 0.1);
    const strictBest = globalCurveSearch(curveProblem(strict)).best;
    expect(secondOrderTest(landscapeProblem(strict), strictBest.omega).classification).toBe('strict-local-min');
    // Saddle: on a two-peak instance the valley of φ between the peaks is a fixed point where
    // F(μ) − μ changes sign from − to +: stationary, a maximum of L along the curve and a
    // minimum across it.
    const family = KNOWN_REGIONS[0];
    const twoPeak = curveProblem(familyTask(family, 0.345));
    const peaks = globalCurveSearch(twoPeak).peaks;
    expect(peaks).toHaveLength(2);
    const [muA, muB] = peaks.map((peak) => peak.mu).sort((x, y) => x - y);
    const G = (mu: number) => curveScalars(twoPeak, mu).fixedPoint - mu;
    const valley = bracketedRoot(G, muA * (1 + 1e-6), muB * (1 - 1e-6), 1e-14 * muB).x;
    const saddle = secondOrderTest(twoPeak, curvePoint(twoPeak, valley));
    expect(saddle.gradientNorm).toBeLessThan(1e-10 * twoPeak.c);
    expect(saddle.classification).toBe('saddle');
    for (const peak of peaks) expect(secondOrderTest(twoPeak, peak.omega).classification).toBe('strict-local-min');
  });
});

describe('high precision', () => {
  it('BigNumber agrees with float64', () => {
    const task = randomTask(12, 4, 6);
    const problem = curveProblem(task);
    const big = createBig(64);
    const hp = highPrecisionProblem(big, task);
    const mu = Math.sqrt(problem.interval.low * problem.interval.high);
    const phi = bigToNumber(phiBig(hp, big.bignumber(mu)).phi);
    expect(Math.abs(phi - curvePhi(problem, mu))).toBeLessThan(1e-12 * problem.c);
    const omegaBig = curvePointBig(hp, big.bignumber(mu));
    const omega = omegaBig.map(bigToNumber);
    // ω(μ) itself: float64 through the eigendecomposition of R_n, BigNumber through Gaussian elimination
    const floatOmega = curvePoint(problem, mu);
    const scale = norm2(omega);
    expect(Math.max(...omega.map((value, i) => Math.abs(value / scale - floatOmega[i])))).toBeLessThan(1e-12);
    expect(Math.abs(bigToNumber(reducedRiskBig(hp, omegaBig)) - reducedRisk(task, omega))).toBeLessThan(1e-12 * problem.c);
  });
});
