import type { BackendHandle } from '../backend/handle.ts';
import type { BlockModel as BackendBlockModel } from '../backend/types.ts';
import { InputError } from '../core/errors.ts';
import { MeanAccumulator, type MonteCarloEstimate } from '../core/statistics.ts';
import { requirePositiveInteger } from '../core/validate.ts';
import { Random } from '../data/random.ts';
import { matmul, transpose, type Matrix } from '../linalg/dense.ts';
import { blockRisk } from '../theory/block-risk.ts';
import { monteCarloRisk } from '../theory/monte-carlo-risk.ts';
import { risk } from '../theory/risk.ts';
import type { Instance } from './parse.ts';
import type { Predictor } from './predictor.ts';
import { instanceTask, isDiagonal } from './task.ts';

/**
 * Monte Carlo risk of a WPGD predictor on an instance, against the RISK
 * closed form L(P, ω) = tr Σ + σ² − 2 (ωᵀr) tr(ΣPΣ) + tr(PᵀΣP(aΣ² + bΣ)), as a z-score.
 */

/**
 * Bound on |z| for calling the estimate consistent with the closed form:
 * P(|z| > 4.5) = 6.8e-6 for a normal z, so a correct formula and sampler
 * exceed it about once in 150 000 runs. The same bound as the RISK claim's
 * backend check.
 */
export const Z_BOUND = 4.5;

/** Prompts per backend call: the loss buffer of one batch is 8 MiB, and the result does not depend on the batch size. */
const PROMPTS_PER_BATCH = 2 ** 20;

export interface SimulationOptions {
  prompts: number;
  seed: number;
  backend: BackendHandle;
}

export interface Simulation {
  /** 'backend': block-model prompts from the numeric backend; 'cpu-general': the float64 sampler for any R. */
  path: 'backend' | 'cpu-general';
  /** Sampling route of the prompts, in words. */
  pathDescription: string;
  backend?: { name: string; precision: string; description: string };
  prompts: number;
  seed: number;
  /** Mean squared error (y − ŷ)² over the prompts. */
  mean: number;
  standardError: number;
  /** L(P, ω) by the closed form. */
  closedForm: number;
  /** (mean − closedForm) / standardError; null when the standard error is 0. */
  z: number | null;
  zBound: number;
  /** |z| ≤ zBound. */
  consistent: boolean;
  notes: string[];
}

/** Σ = V Λ Vᵀ: Λ's diagonal and P' = Vᵀ P V, or Σ's diagonal and P itself when Σ is diagonal already. */
function diagonalFrame(instance: Instance, P: Matrix): { lambda: number[]; P: Matrix; rotated: boolean } {
  const { covariance } = instance;
  if (isDiagonal(covariance)) return { lambda: covariance.Sigma.map((row, i) => row[i]), P, rotated: false };
  const V = covariance.eigenvectors;
  return { lambda: [...covariance.eigenvalues], P: matmul(matmul(transpose(V), P), V), rotated: true };
}

/**
 * Block model: prompts from the backend's risk kernel. For a non-diagonal
 * Σ = V Λ Vᵀ the prompts are drawn in Σ's eigenbasis: x = V x' with
 * x' ~ N(0, Λ), and β' = Vᵀβ has the same law as β (E[β_i β_jᵀ] = R_ij I is
 * rotation invariant), so y_i = x'_iᵀ β'_i and ŷ = x'ᵀ (Vᵀ P V) Σ_i ω_i x'_i y_i:
 * the instance (Λ, P' = Vᵀ P V) has the same loss distribution and the same risk.
 */
async function simulateOnBackend(instance: Instance, predictor: Predictor, options: SimulationOptions): Promise<Simulation> {
  const blocks = instance.blocks!;
  const frame = diagonalFrame(instance, predictor.P);
  const model: BackendBlockModel = { d: instance.d, lambda: Float64Array.from(frame.lambda), blockSizes: blocks.sizes, rho: Float64Array.from(blocks.rho), sigma2: instance.sigma2 };
  const closedForm = blockRisk({ lambda: frame.lambda, blockSizes: blocks.sizes, rho: blocks.rho, sigma2: instance.sigma2 }, frame.P, predictor.omega);
  const backend = await options.backend.get();
  const accumulator = new MeanAccumulator();
  const P = Float64Array.from(frame.P.flat());
  const omega = Float64Array.from(predictor.omega);
  for (let first = 0; first < options.prompts; first += PROMPTS_PER_BATCH) {
    const count = Math.min(PROMPTS_PER_BATCH, options.prompts - first);
    const { losses } = await backend.risk({ model, batch: { seed: options.seed, firstPrompt: first, count }, P, omega });
    for (const loss of losses) accumulator.add(loss);
  }
  const notes: string[] = [];
  if (frame.rotated) notes.push('Σ is not diagonal: prompts drawn in its eigenbasis, Σ\' = Λ and P\' = VᵀPV, which has the same risk');
  if (backend.precision === 'float32') {
    const n = instance.n;
    notes.push(`float32 kernels: each loss carries a relative rounding error of about (n + d)·2^−24 = ${((n + instance.d) * 2 ** -24).toExponential(1)}, far below a Monte Carlo standard error of this size`);
  }
  const where = frame.rotated ? 'block model, Σ rotated to its eigenbasis' : 'block model, diagonal Σ';
  return finish(accumulator.estimate(), closedForm, options, {
    path: 'backend',
    pathDescription: `numeric backend ${backend.name} (${backend.precision}), Philox counter-based prompts, ${where}`,
    backend: { name: backend.name, precision: backend.precision, description: backend.description },
    notes,
  });
}

/** Any R: the float64 prompt sampler of the library (task vectors from a factor of R), one thread. */
function simulateOnCpu(instance: Instance, predictor: Predictor, options: SimulationOptions): Simulation {
  if (options.backend.name !== 'cpu') {
    throw new InputError('--backend', `${options.backend.name} samples block models only`, options.backend.name, 'use --backend cpu for an instance with an explicit R');
  }
  const task = instanceTask(instance, 'the Monte Carlo for an explicit R');
  const closedForm = risk(task, predictor.P, predictor.omega);
  const estimate = monteCarloRisk(task, predictor.P, predictor.omega, options.prompts, new Random(options.seed), 'sampled');
  return finish(estimate, closedForm, options, {
    path: 'cpu-general',
    pathDescription: 'float64 prompt sampler on the CPU (one thread), task vectors β_i = Σ_k F_ik ε_k with F Fᵀ = R',
    notes: [],
  });
}

function finish(estimate: MonteCarloEstimate, closedForm: number, options: SimulationOptions, path: Pick<Simulation, 'path' | 'pathDescription' | 'backend' | 'notes'>): Simulation {
  if (!Number.isFinite(closedForm) || !Number.isFinite(estimate.mean) || !Number.isFinite(estimate.standardError)) {
    throw new InputError(
      'predictor',
      'gives a risk that overflows',
      `closed form ${closedForm}, Monte Carlo mean ${estimate.mean}`,
      'rescale P and ω towards 1 (the risk is unchanged by P → cP, ω → ω/c)',
    );
  }
  const notes = [...path.notes];
  let z: number | null = (estimate.mean - closedForm) / estimate.standardError;
  if (estimate.standardError === 0) {
    z = estimate.mean === closedForm ? 0 : null;
    if (z === null) notes.push('every prompt gave the same loss, which differs from the closed form');
  }
  return {
    ...path,
    prompts: options.prompts,
    seed: options.seed,
    mean: estimate.mean,
    standardError: estimate.standardError,
    closedForm,
    z,
    zBound: Z_BOUND,
    consistent: z !== null && Math.abs(z) <= Z_BOUND,
    notes,
  };
}

/** Estimates the risk of `predictor` on `instance` from `prompts` sampled prompts; block models go to the backend. */
export async function simulateInstance(instance: Instance, predictor: Predictor, options: SimulationOptions): Promise<Simulation> {
  requirePositiveInteger('--prompts', options.prompts);
  if (options.prompts < 2) throw new InputError('--prompts', 'is below 2', options.prompts, 'pass at least 2 prompts, so that the standard error exists');
  const simulation = instance.blocks !== undefined ? await simulateOnBackend(instance, predictor, options) : simulateOnCpu(instance, predictor, options);
  if (predictor.otherInstance !== undefined) simulation.notes.push(predictor.otherInstance);
  return simulation;
}
