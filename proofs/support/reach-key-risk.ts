import type { Fraction } from 'mathjs';
import { q } from '../../src/algebra/rational-matrix.ts';
import type { Json } from '../../src/claims/types.ts';
import { blockCorrelation } from '../../src/data/correlation.ts';
import { diagonalCovariance } from '../../src/data/covariance.ts';
import { randomCorrelation, randomMatrix, randomRational, randomRationalCorrelation, randomRationalCovariance, rationalBlockCorrelation, rotatedCovariance, spreadEigenvalues } from '../../src/data/instances.ts';
import { Random } from '../../src/data/random.ts';
import type { Matrix } from '../../src/linalg/dense.ts';
import { matrixWeightedOptimalPreconditioner } from '../../src/gating/key-vector-risk.ts';
import { makeTask, riskInputs, type Task } from '../../src/theory/risk.ts';

/**
 * Instances for the matrix-weighted risk formula: fixed float64 instances
 * for the Monte Carlo comparison and random exact ones for the rational checks.
 */

/** A fixed instance of L(P, {Ω_i}). */
export interface MatrixRiskInstance {
  name: string;
  /** The parts of the formula this instance makes visible. */
  purpose: string;
  task: Task;
  P: Matrix;
  Omegas: number[][][];
}

/** P = P* + scale · ‖P*‖_max · G with P* = Nᵀ M⁻¹ and G Gaussian: near the optimum the linear and quadratic terms are both large and the variance is small. */
function perturbedOptimum(random: Random, task: Task, Omegas: number[][][], scale: number): Matrix {
  const Pstar = matrixWeightedOptimalPreconditioner(riskInputs(task), Omegas);
  const size = Math.max(...Pstar.flat().map(Math.abs));
  const G = randomMatrix(random, task.d, task.d, scale * size);
  return Pstar.map((row, i) => row.map((value, j) => value + G[i][j]));
}

function diagonalOmegas(random: Random, n: number, d: number): number[][][] {
  return Array.from({ length: n }, () => {
    const diagonal = random.normalVector(d);
    return Array.from({ length: d }, (_, a) => Array.from({ length: d }, (__, b) => (a === b ? diagonal[a] : 0)));
  });
}

/**
 * Builds the fixed instances. Σ, R, P and Ω_i come from fixed seeds, not the
 * run seed, so the sensitivity of the comparison does not depend on the run.
 * Only the sampled prompts do.
 */
export function matrixRiskInstances(): MatrixRiskInstance[] {
  const block = new Random(7101);
  const blockTask = makeTask(diagonalCovariance([3, 0.5]), blockCorrelation([2, 3], [0.8, -0.4]), 0.5);
  const blockOmegas = diagonalOmegas(block, 5, 2);

  const general = new Random(7202);
  const generalTask = makeTask(diagonalCovariance([2, 1, 0.25]), randomCorrelation(general, 4), 1);
  const generalOmegas = diagonalOmegas(general, 4, 3);

  const full = new Random(7303);
  const fullTask = makeTask(rotatedCovariance(full, spreadEigenvalues(2, 0.7)), randomCorrelation(full, 3), 0.25);
  const fullOmegas = Array.from({ length: 3 }, () => randomMatrix(full, 2, 2, 1));

  return [
    {
      name: 'diagonal Σ = diag(3, 1/2), block model, diagonal D_i',
      purpose: 'per-coordinate weights as key-vector gating makes them; R_ij Σ² across a block and the diagonal term Σ² + cΣ',
      task: blockTask,
      P: perturbedOptimum(block, blockTask, blockOmegas, 0.3),
      Omegas: blockOmegas,
    },
    {
      name: 'diagonal Σ = diag(2, 1, 1/4), general R, diagonal D_i',
      purpose: 'three coordinates with different weights, general R_ij and σ² in c',
      task: generalTask,
      P: perturbedOptimum(general, generalTask, generalOmegas, 0.3),
      Omegas: generalOmegas,
    },
    {
      name: 'rotated Σ, general R, full Ω_i, non-symmetric P',
      purpose: 'the transposes: Ω_jᵀ in M, N against Nᵀ, Ω_i Σ against Σ Ω_i, P M Pᵀ against Pᵀ M P, for matrices that do not commute',
      task: fullTask,
      P: perturbedOptimum(full, fullTask, fullOmegas, 0.3),
      Omegas: fullOmegas,
    },
  ];
}

export function describeMatrixRiskInstance(instance: MatrixRiskInstance): { [key: string]: Json } {
  return {
    name: instance.name,
    purpose: instance.purpose,
    d: instance.task.d,
    n: instance.task.n,
    sigma2: instance.task.sigma2,
    Sigma: instance.task.covariance.Sigma,
    R: instance.task.correlation.R,
    P: instance.P,
    Omegas: instance.Omegas,
  };
}

/** A random exact instance: rational Σ ≻ 0 (d ≤ 3), rational R (general or block model), σ² ≥ 0. */
export interface RationalMatrixRiskInstance {
  d: number;
  n: number;
  Sigma: Fraction[][];
  R: Fraction[][];
  sigma2: Fraction;
}

export function randomRationalMatrixRiskInstance(random: Random, index: number, isotropic: boolean): RationalMatrixRiskInstance {
  const d = random.integer(1, isotropic ? 4 : 3);
  const n = random.integer(1, 5);
  const Sigma = isotropic
    ? Array.from({ length: d }, (_, a) => Array.from({ length: d }, (__, b) => q(a === b ? 1 : 0)))
    : randomRationalCovariance(random, d);
  const sizes: number[] = [];
  for (let left = n; left > 0; ) {
    const size = Math.min(left, random.integer(1, 3));
    sizes.push(size);
    left -= size;
  }
  const R =
    index % 2 === 0
      ? randomRationalCorrelation(random, n, random.integer(1, n + 1))
      : rationalBlockCorrelation(
          sizes,
          sizes.map(() => q(random.integer(-4, 4), 4)),
        );
  return { d, n, Sigma, R, sigma2: q(random.integer(0, 6), random.integer(1, 3)) };
}

/** Draws a rational d×d matrix with entries p/q, |p| ≤ 4, q ≤ 3 (off-diagonal entries 0 when `diagonal`). */
export function randomRationalMatrix(random: Random, d: number, diagonal: boolean): Fraction[][] {
  return Array.from({ length: d }, (_, a) => Array.from({ length: d }, (__, b) => (diagonal && a !== b ? q(0) : randomRational(random, 4, 3))));
}
