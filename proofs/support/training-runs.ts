import type { MonteCarloEstimate } from '../../src/core/statistics.ts';
import type { Effort, Json } from '../../src/claims/types.ts';
import type { Task } from '../../src/theory/risk.ts';
import { BOUND_NAMES, type BoundName, type FamilyBound } from '../../src/training/bounds.ts';
import { pairedDifference, pairedRisk, plainRisk, testLosses, type PairedDifference, type PairedRisk, type TestLosses } from '../../src/training/evaluate.ts';
import type { TrainableGate } from '../../src/training/model.ts';
import { Random } from '../../src/data/random.ts';
import { stackIdentityLayers } from '../../src/training/model.ts';
import { trainWithRestarts, validationLoss } from '../../src/training/restarts.ts';
import { trainModel, type TrainingRun } from '../../src/training/train.ts';
import { claimTrainingConfig, testSampleCount, trainingBudget, type TrainingBudget } from './training-setup.ts';

/**
 * Paired z-score below which a trained model refutes its floor. The floor is
 * a theorem, so a refutation must be unmistakable: under the null the chance
 * of z < −4 is 3e-5 per model.
 */
export const BELOW_FLOOR_Z = -4;

/**
 * Paired z-score above which a model has not reached its floor: the
 * optimiser did not converge, which is inconclusive, never a counterexample.
 */
export const NOT_REACHED_Z = 3;

/** One model to train: its gate family and depth. */
export interface ModelRequest {
  family: TrainableGate;
  layers: number;
}

export interface TrainedModel extends ModelRequest {
  run: TrainingRun;
  /** Validation loss of each random start after its pilot steps, and the start kept (absent for a continued model). */
  pilotLosses?: number[];
  chosenStart?: number;
  /**
   * A continued model only: validation losses of the continued run and of its
   * start (the shallower model with an identity layer on top), and whether the
   * start was kept because continuing made it worse.
   */
  continuation?: { continuedLoss: number; startLoss: number; keptStart: boolean };
  budget: TrainingBudget;
  seconds: number;
}

/** A model's test risk: plain mean ± SE, and paired against every bound's WPGD predictor. */
export interface ModelEvaluation {
  plain: MonteCarloEstimate;
  /** z of the plain mean against each L*. */
  plainZ: Record<BoundName, number>;
  paired: Record<BoundName, PairedRisk>;
}

/** Relative cost of one model: depth times the prompts of all its starts. */
function cost(request: ModelRequest, budget: TrainingBudget): number {
  const steps = budget.starts > 1 ? budget.steps + (budget.starts - 1) * budget.pilotSteps : budget.steps;
  return request.layers * steps * budget.batchSize;
}

/**
 * Trains the requested models one after another with the claims' settings,
 * reporting progress in span[0]..span[1] in proportion to each model's cost.
 * A model trained from scratch is the best of the budget's random starts on
 * validation prompts (trainWithRestarts). With `stack`, model m ≥ 1 instead
 * continues the trained model m − 1 with identity layers on top (same family,
 * more layers) for the shorter budget of a continued run.
 */
export function trainModels(
  task: Task,
  requests: readonly ModelRequest[],
  effort: Effort,
  seeds: { train: number; validation: number },
  progress: (fraction: number) => void,
  span: [number, number] = [0, 1],
  stack = false,
): TrainedModel[] {
  const budgets = requests.map((_, m) => trainingBudget(effort, stack && m > 0));
  const costs = requests.map((request, m) => cost(request, budgets[m]));
  const total = costs.reduce((sum, value) => sum + value, 0);
  const trained: TrainedModel[] = [];
  let done = 0;
  requests.forEach((request, m) => {
    const started = performance.now();
    const base = done;
    const config = claimTrainingConfig(request.family, request.layers, budgets[m], seeds.train + 100 * m);
    const report = (fraction: number) => progress(span[0] + ((span[1] - span[0]) * (base + fraction * costs[m])) / total);
    if (stack && m > 0) {
      // Keep whichever of the continued run and its start does better on the
      // validation prompts: the start computes the shallower model's function
      // exactly, so a continuation that made it worse is not the best L-layer
      // model training found. The test prompts never enter this choice.
      const previous = trained[m - 1].run.model;
      const continued = trainModel(task, config, report, previous);
      const { validationSamples } = budgets[m];
      const continuedLoss = validationLoss(task, continued.model, validationSamples, seeds.validation);
      const startLoss = validationLoss(task, previous, validationSamples, seeds.validation);
      const keptStart = !(continuedLoss <= startLoss);
      const extra = request.layers - previous.shape.spec.layers;
      const run = keptStart ? { ...continued, model: stackIdentityLayers(previous, extra, new Random(config.seed)) } : continued;
      trained.push({ ...request, run, continuation: { continuedLoss, startLoss, keptStart }, budget: budgets[m], seconds: (performance.now() - started) / 1000 });
    } else {
      const { starts, pilotSteps, validationSamples } = budgets[m];
      const run = trainWithRestarts(task, config, { starts, pilotSteps, validationSamples, validationSeed: seeds.validation }, report);
      trained.push({ ...request, run, budget: budgets[m], pilotLosses: run.pilotLosses, chosenStart: run.chosen, seconds: (performance.now() - started) / 1000 });
    }
    done += costs[m];
  });
  return trained;
}

/**
 * Test prompts for judging trained models against their floors: M = 2N/p
 * (testSampleCount) with N the training prompts of a model trained from
 * scratch and p the largest parameter count among the models.
 */
export function floorTestSamples(models: readonly TrainedModel[]): number {
  const first = models[0];
  const parameters = Math.max(...models.map((model) => model.run.model.shape.size));
  return testSampleCount(first.budget.steps * first.budget.batchSize, parameters);
}

/** Evaluates trained models and the bounds' WPGD predictors on common test prompts. */
export function evaluateModels(
  task: Task,
  models: readonly TrainedModel[],
  bounds: Record<BoundName, FamilyBound>,
  testSamples: number,
  seed: number,
  progress: (fraction: number) => void,
): { losses: TestLosses; evaluations: ModelEvaluation[] } {
  const predictors = BOUND_NAMES.map((name) => bounds[name]);
  const losses = testLosses(
    task,
    models.map((model) => model.run.model),
    predictors,
    testSamples,
    seed,
    progress,
  );
  const evaluations = losses.models.map((modelLosses) => {
    const plain = plainRisk(modelLosses);
    const entries = BOUND_NAMES.map((name, b) => [name, pairedRisk(modelLosses, losses.predictors[b], bounds[name].risk)] as const);
    return {
      plain,
      plainZ: Object.fromEntries(BOUND_NAMES.map((name) => [name, (plain.mean - bounds[name].risk) / plain.standardError])) as Record<BoundName, number>,
      paired: Object.fromEntries(entries) as Record<BoundName, PairedRisk>,
    };
  });
  return { losses, evaluations };
}

/** Verdict on a model from its paired z against its floor. */
export type FloorVerdict = 'below floor' | 'reached' | 'not reached';

export function floorVerdict(z: number): FloorVerdict {
  if (z < BELOW_FLOOR_Z) return 'below floor';
  if (z > NOT_REACHED_Z) return 'not reached';
  return 'reached';
}

/** Outcome of re-evaluating a model that tested below its floor. */
export interface FloorReplay {
  /** True when the model is below the floor (z < BELOW_FLOOR_Z) on the fresh prompts too. */
  confirmed: boolean;
  z: number;
  seed: number;
}

/**
 * Re-evaluates a model found below its floor on fresh test prompts drawn
 * with `seed`: the result counts only if it repeats, as a counterexample is
 * replayed before it is reported.
 */
export function replayBelowFloor(task: Task, model: TrainedModel, bounds: Record<BoundName, FamilyBound>, floor: BoundName, testSamples: number, seed: number): FloorReplay {
  const { evaluations } = evaluateModels(task, [model], bounds, testSamples, seed, () => {});
  const z = evaluations[0].paired[floor].z;
  return { confirmed: z < BELOW_FLOOR_Z, z: round(z, 3), seed };
}

/** Paired difference of two models' losses on the common test prompts (a − b). */
export function modelDifference(losses: TestLosses, a: number, b: number): PairedDifference {
  return pairedDifference(losses.models[a], losses.models[b]);
}

/** Rounds for reports: 4 significant digits for risks, 2 decimals for z-scores. */
export function round(value: number, digits = 4): number {
  return Number(value.toPrecision(digits));
}

/** Evidence of one trained model as JSON. */
export function modelJson(model: TrainedModel, evaluation: ModelEvaluation): Json {
  return {
    family: model.family,
    layers: model.layers,
    parameters: model.run.model.shape.size,
    steps: model.budget.steps,
    batchSize: model.budget.batchSize,
    trainingPrompts: model.budget.steps * model.budget.batchSize,
    diverged: model.run.diverged,
    clippedSteps: model.run.clippedSteps,
    ...(model.continuation
      ? { continuation: { continuedValidationLoss: round(model.continuation.continuedLoss, 5), startValidationLoss: round(model.continuation.startLoss, 5), keptStart: model.continuation.keptStart } }
      : {}),
    ...(model.pilotLosses ? { startValidationLosses: model.pilotLosses.map((loss) => round(loss, 5)), chosenStart: model.chosenStart ?? 0 } : {}),
    plain: { mean: round(evaluation.plain.mean, 6), standardError: round(evaluation.plain.standardError, 3), samples: evaluation.plain.samples },
    plainZ: Object.fromEntries(BOUND_NAMES.map((name) => [name, round(evaluation.plainZ[name], 3)])),
    paired: Object.fromEntries(
      BOUND_NAMES.map((name) => {
        const paired = evaluation.paired[name];
        return [name, { estimate: round(paired.estimate, 6), standardError: round(paired.standardError, 3), z: round(paired.z, 3) }];
      }),
    ),
  };
}
