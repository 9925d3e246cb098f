import type { Correlation } from '../../src/data/correlation.ts';
import { diagonalCovariance } from '../../src/data/covariance.ts';
import { randomCorrelation } from '../../src/data/instances.ts';
import type { Random } from '../../src/data/random.ts';
import type { Vector } from '../../src/linalg/dense.ts';
import { curvePoint, curveProblem, globalCurveSearch } from '../../src/optim/curve.ts';
import { logUniformSpectrum } from '../../src/optim/instances.ts';
import { makeTask, reducedRisk, type Task } from '../../src/theory/risk.ts';

/**
 * Shared pieces of the probes that drop "Σ = I" from a landscape claim: an
 * anisotropic Σ with the same trace as I_d, so that only the shape of the
 * spectrum changes, and the global optimum over ω from the CURVE search.
 */

/** Eigenvalues log-uniform over four decades, rescaled to sum to d (the trace of I_d). */
export function anisotropicSpectrum(random: Random, d: number): Vector {
  const raw = logUniformSpectrum(random, d, 1e-2, 1e2);
  const total = raw.reduce((acc, value) => acc + value, 0);
  return raw.map((value) => (value * d) / total);
}

/** Builds a task with diagonal anisotropic Σ (trace d), the given R and σ². */
export function anisotropicTask(random: Random, d: number, correlation: Correlation, sigma2: number): Task {
  return makeTask(diagonalCovariance(anisotropicSpectrum(random, d)), correlation, sigma2);
}

/** Draws a random full-rank correlation with r ≠ 0 for n examples. */
export function correlatedQuery(random: Random, n: number): Correlation {
  return randomCorrelation(random, n);
}

/** Global minimum of the reduced risk over ω ≠ 0, by the CURVE μ-search. */
export function globalOptimum(task: Task): { omega: Vector; risk: number } {
  const problem = curveProblem(task);
  const best = globalCurveSearch(problem).best;
  const omega = curvePoint(problem, best.mu);
  return { omega, risk: reducedRisk(task, omega) };
}
