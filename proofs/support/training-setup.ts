import type { CheckContext, Effort, Json } from '../../src/claims/types.ts';
import { byEffort } from '../../src/claims/effort.ts';
import { blockCorrelation } from '../../src/data/correlation.ts';
import { isotropicCovariance } from '../../src/data/covariance.ts';
import { makeTask, type Task } from '../../src/theory/risk.ts';
import { DEFAULT_INIT, type TrainableGate } from '../../src/training/model.ts';
import { DEFAULT_TRAINING, type TrainingConfig } from '../../src/training/train.ts';

/** A block-model instance with Σ = I_d: K blocks of sizes m_k, query correlations ρ_k, noise variance σ². */
export interface TrainingInstance {
  d: number;
  sizes: number[];
  rho: number[];
  sigma2: number;
}

/**
 * The standard instance of the trained-model claims. ρ is non-monotone, so
 * the scalar cone optimum pools blocks 2 and 3: L*_lin = 3.0438,
 * L*_scalar = 2.8042, L*_vec = 2.5160. At standard effort a model at one
 * floor tests about 10 paired standard errors away from the other two.
 */
export const STANDARD_INSTANCE: TrainingInstance = { d: 5, sizes: [8, 8, 8], rho: [0.3, 0.9, 0.5], sigma2: 0.1 };

/**
 * The quick instance: the first block is anti-correlated with the query, so
 * the scalar optimum shuts it off (ω = 0 on block 1) while value-vector
 * gating gives it a negative weight: L*_lin = 2.0742, L*_scalar = 1.4705,
 * L*_vec = 1.2944.
 */
export const QUICK_INSTANCE: TrainingInstance = { d: 2, sizes: [3, 3], rho: [-0.6, 0.8], sigma2: 0.1 };

export function instanceFor(effort: Effort): TrainingInstance {
  return effort === 'quick' ? QUICK_INSTANCE : STANDARD_INSTANCE;
}

export function instanceTask(instance: TrainingInstance): Task {
  return makeTask(isotropicCovariance(instance.d), blockCorrelation(instance.sizes, instance.rho), instance.sigma2);
}

/** "d = 5, block sizes (8, 8, 8), ρ = (0.3, 0.9, 0.5), Σ = I, σ² = 0.1", for captions and summaries. */
export function describeInstance(instance: TrainingInstance): string {
  return `d = ${instance.d}, block sizes (${instance.sizes.join(', ')}), ρ = (${instance.rho.join(', ')}), Σ = I, σ² = ${instance.sigma2}`;
}

export function instanceJson(instance: TrainingInstance): Json {
  return { d: instance.d, sizes: instance.sizes, rho: instance.rho, sigma2: instance.sigma2, Sigma: 'I_d' };
}

/** Training prompts per model and random starts. */
export interface TrainingBudget {
  steps: number;
  batchSize: number;
  /** Random starts compared after `pilotSteps` steps (see trainWithRestarts); 1 for a model that continues a trained one. */
  starts: number;
  pilotSteps: number;
  validationSamples: number;
}

/**
 * Test prompts for models trained on N prompts with at most p parameters:
 * M = 2N/p. A model trained on N prompts keeps a statistical excess risk of
 * about p·L* / N over its floor (the excess of least squares with p
 * parameters), and the paired standard error on M test prompts is about
 * 2·sqrt(excess·L* / M), so that excess reads as z ≈ sqrt(p·M/N)/2 = 0.7
 * standard errors: a converged model is within Monte Carlo error of its
 * floor. More test prompts would resolve the finite-training excess, which
 * is a property of the training length, not of the floor. A model below its floor is still detected
 * down to a few paired standard errors (about 1e-3 at standard effort).
 */
export function testSampleCount(trainingPrompts: number, parameters: number): number {
  return Math.round((2 * trainingPrompts) / parameters);
}

/**
 * Returns steps and batch size per effort for a model trained from scratch
 * (one layer), or for a deeper model that continues the trained model one
 * layer shallower (see DEPTH). A continued model starts at a trained model,
 * so it gets a quarter of the steps, and each of its steps costs about L
 * times more.
 * Some starts from random weights settle in a poor local minimum: about
 * half on the quick instance and one in ten on the standard one in our runs.
 * The pilot is long enough for such a start to fall clearly behind (measured:
 * 1200 of 6000 steps on the quick instance, 2000 of 16000 on the standard
 * one). Five and three starts leave a chance of about 3% and 1e-3 that every
 * start is caught.
 */
export function trainingBudget(effort: Effort, stacked = false): TrainingBudget {
  const batchSize = byEffort(effort, { quick: 32, standard: 64, thorough: 64 });
  const fromScratch = byEffort(effort, { quick: 6000, standard: 16000, thorough: 32000 });
  // At quick effort a continued model gets half the steps of a fresh one, because a quarter left deep models unconverged on half the seeds.
  const continuedShare = effort === 'quick' ? 1 / 2 : 1 / 4;
  return {
    steps: stacked ? fromScratch * continuedShare : fromScratch,
    batchSize,
    starts: stacked ? 1 : byEffort(effort, { quick: 5, standard: 3, thorough: 3 }),
    pilotSteps: byEffort(effort, { quick: 1200, standard: 2000, thorough: 4000 }),
    validationSamples: byEffort(effort, { quick: 2000, standard: 5000, thorough: 10000 }),
  };
}

/**
 * Returns the training configuration of the claims, the same for every
 * family, depth, effort and seed. It was tuned once on the standard instance.
 * W_q starts near 0 and W_k, W_v at half the default scale because 3-layer
 * GLAs (polynomials of degree 27) diverged in early steps from larger weights.
 */
export function claimTrainingConfig(family: TrainableGate, layers: number, budget: TrainingBudget, seed: number): TrainingConfig {
  return {
    ...DEFAULT_TRAINING,
    family,
    layers,
    steps: budget.steps,
    batchSize: budget.batchSize,
    seed,
    peakLearningRate: 0.002,
    warmupFraction: 0.1,
    finalFraction: 0.01,
    gradientClip: 100,
    gateRateFactor: 10,
    averageFraction: 0.25,
    init: { ...DEFAULT_INIT, gateBias: 6, weightScale: 0.5, queryScale: 0.01 },
  };
}

/** The training settings in words, for the reports. */
export const TRAINING_DESCRIPTION =
  'Adam (β₁ = 0.9, β₂ = 0.999) on the mean squared error of fresh minibatches, linear warm-up over 10% of the steps to a peak learning rate of 0.002, cosine decay to 1% of it, ' +
  'gate parameters at 10× the learning rate, gradient norm clipped at 100, the iterates of the last 25% of the steps averaged. ' +
  'Initialisation: W_k and W_v entries N(0, 0.25/D), W_q entries N(0, 1e-4/D), u entries N(0, 0.01), gate logits 6 + N(0, 0.01).';

/** Independent seeds for training, validation and test prompts of one check, from the check's seed. */
export function checkSeeds(context: CheckContext, label: string): { train: number; validation: number; test: number } {
  return {
    train: mixSeed(context.seed, `${label}:train`),
    validation: mixSeed(context.seed, `${label}:validation`),
    test: mixSeed(context.seed, `${label}:test`),
  };
}

/** 31-bit FNV-1a of the seed and a label. */
function mixSeed(seed: number, label: string): number {
  const text = `${seed}:${label}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & 0x7fffffff;
}
