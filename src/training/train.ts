import { InputError } from '../core/errors.ts';
import { requirePositiveInteger } from '../core/validate.ts';
import { Random } from '../data/random.ts';
import type { Task } from '../theory/risk.ts';
import { Adam } from './adam.ts';
import { backward } from './backward.ts';
import { forward } from './forward.ts';
import type { DelimitedLayout } from './layout.ts';
import { DEFAULT_INIT, initialModel, modelSpec, stackIdentityLayers, type GlaModel, type InitOptions, type TrainableGate } from './model.ts';
import { DelimitedSampler } from './sampler.ts';
import { learningRate, validateSchedule, type LearningRateSchedule } from './schedule.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

/** Everything that fixes a training run; the same config and task give the same model bit for bit. */
export interface TrainingConfig {
  family: TrainableGate;
  layers: number;
  steps: number;
  batchSize: number;
  /** Peak learning rate, warm-up as a fraction of the steps, final learning rate as a fraction of the peak. */
  peakLearningRate: number;
  warmupFraction: number;
  finalFraction: number;
  /**
   * Largest Euclidean norm of a minibatch gradient; larger ones are scaled
   * down to it. An L-layer GLA is a polynomial of degree 3^L in its weights,
   * so one unlucky minibatch early on can produce a gradient large enough to
   * throw Adam's second-moment estimate off for thousands of steps.
   */
  gradientClip: number;
  init: InitOptions;
  /**
   * Learning rate of the gate parameters relative to the others. Sigmoid
   * gates that should pass example tokens need a large bias, and Adam moves
   * each parameter by about one learning rate per step, so a larger rate
   * gets the bias there in fewer steps.
   */
  gateRateFactor: number;
  /**
   * Fraction of the last steps whose iterates are averaged into the returned
   * parameters (Polyak–Ruppert tail averaging); 0 returns the last iterate.
   * Averaging cancels most of the minibatch noise left at the end.
   */
  averageFraction: number;
  /** Seed of the initial parameters and of the minibatches (two independent streams). */
  seed: number;
  /** Number of points of the recorded training curve. */
  curvePoints: number;
}

/** Mean minibatch loss over the window of steps that ends at `step` (1-based). */
export interface CurvePoint {
  step: number;
  loss: number;
  learningRate: number;
}

export interface TrainingRun {
  model: GlaModel;
  curve: CurvePoint[];
  /** True when a minibatch loss or gradient stopped being finite; the parameters are those before that step. */
  diverged: boolean;
  /** Steps actually taken. */
  steps: number;
  /** Minibatch gradients that were clipped. */
  clippedSteps: number;
}

export const DEFAULT_TRAINING: Omit<TrainingConfig, 'family' | 'layers' | 'steps' | 'batchSize' | 'seed'> = {
  peakLearningRate: 0.01,
  warmupFraction: 0.05,
  finalFraction: 0.01,
  gradientClip: 100,
  init: DEFAULT_INIT,
  gateRateFactor: 1,
  averageFraction: 0,
  curvePoints: 100,
};

/**
 * Trains an L-layer GLA on fresh block-model prompts of `task` by Adam on the
 * mean squared error (ŷ − y)² of the query. Each step draws a new minibatch,
 * so there is no training set to overfit. `progress` receives the fraction
 * of steps done. With `start`, training
 * begins from a copy of that model, with identity layers stacked on top when
 * config.layers is larger (see stackIdentityLayers).
 */
export function trainModel(task: Task, config: TrainingConfig, progress: (fraction: number) => void = () => {}, start?: GlaModel): TrainingRun {
  const trainer = new Trainer(task, config, start);
  trainer.advance(config.steps, progress);
  return trainer.finish();
}

/**
 * A training run that can stop and resume: `advance` takes steps of the one
 * schedule laid out over config.steps, and `finish` returns the model (the
 * tail average when the run reached the averaging window). Running the steps
 * in several calls gives the same model as one call.
 */
export class Trainer {
  readonly model: GlaModel;
  private readonly schedule: LearningRateSchedule;
  private readonly sampler: DelimitedSampler;
  private readonly workspace: Workspace;
  private readonly optimiser: Adam;
  private readonly gradient: Float64Array;
  private readonly rateScale: Float64Array;
  private readonly averageFrom: number;
  private readonly average: Float64Array;
  private averaged = 0;
  private readonly curve: CurvePoint[] = [];
  private readonly window: number;
  private windowLoss = 0;
  private windowSteps = 0;
  private clippedSteps = 0;
  private step = 0;
  private diverged = false;

  constructor(
    task: Task,
    readonly config: TrainingConfig,
    start?: GlaModel,
  ) {
    requirePositiveInteger('steps', config.steps);
    requirePositiveInteger('batchSize', config.batchSize);
    requirePositiveInteger('curvePoints', config.curvePoints);
    this.schedule = {
      peak: config.peakLearningRate,
      warmupSteps: Math.floor(config.warmupFraction * config.steps),
      totalSteps: config.steps,
      finalFraction: config.finalFraction,
    };
    validateSchedule(this.schedule);
    const initRandom = new Random(config.seed);
    this.sampler = new DelimitedSampler(task, new Random(mixSeed(config.seed)));
    this.model = start
      ? startingModel(start, this.sampler.layout, config, initRandom)
      : initialModel(modelSpec(this.sampler.layout, config.family, config.layers), initRandom, config.init);
    this.workspace = createWorkspace(this.sampler.layout, this.model.shape);
    this.optimiser = new Adam(this.model.shape.size);
    this.gradient = new Float64Array(this.model.shape.size);
    this.rateScale = gateRateScale(this.model, config.gateRateFactor);
    this.averageFrom = config.steps - Math.floor(config.averageFraction * config.steps);
    this.average = new Float64Array(this.model.shape.size);
    this.window = Math.max(1, Math.floor(config.steps / config.curvePoints));
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.step;
  }

  /** True when a minibatch loss or gradient stopped being finite; no further steps are taken. */
  get finishedEarly(): boolean {
    return this.diverged;
  }

  /** Takes up to `count` more steps (never past config.steps); stops early if the loss or gradient stops being finite. */
  advance(count: number, progress: (fraction: number) => void = () => {}): void {
    const { config, model, gradient } = this;
    const end = Math.min(config.steps, this.step + count);
    const first = this.step;
    const progressEvery = Math.max(1, Math.floor((end - first) / 200));
    while (this.step < end && !this.diverged) {
      const loss = minibatchGradient(model, this.sampler, this.workspace, config.batchSize, gradient);
      const norm = euclideanNorm(gradient);
      if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
        this.diverged = true;
        return;
      }
      if (norm > config.gradientClip) {
        this.clippedSteps++;
        const factor = config.gradientClip / norm;
        for (let p = 0; p < gradient.length; p++) gradient[p] *= factor;
      }
      const rate = learningRate(this.schedule, this.step);
      this.optimiser.step(model.parameters, gradient, rate, this.rateScale);
      if (this.step >= this.averageFrom) {
        this.averaged++;
        for (let p = 0; p < this.average.length; p++) this.average[p] += (model.parameters[p] - this.average[p]) / this.averaged;
      }
      this.record(loss, rate);
      this.step++;
      if ((this.step - first) % progressEvery === 0) progress((this.step - first) / (end - first));
    }
  }

  /** Ends the run: the model then contains the tail average if averaging started, else the last iterate. */
  finish(): TrainingRun {
    if (this.averaged > 0) this.model.parameters.set(this.average);
    if (this.windowSteps > 0) this.flushWindow(learningRate(this.schedule, Math.max(0, this.step - 1)), this.step);
    return { model: this.model, curve: [...this.curve], diverged: this.diverged, steps: this.step, clippedSteps: this.clippedSteps };
  }

  private record(loss: number, rate: number): void {
    this.windowLoss += loss;
    this.windowSteps++;
    if (this.windowSteps === this.window) this.flushWindow(rate, this.step + 1);
  }

  /** Appends the mean loss of the current window, which ends at 1-based step `last`. */
  private flushWindow(rate: number, last: number): void {
    this.curve.push({ step: last, loss: this.windowLoss / this.windowSteps, learningRate: rate });
    this.windowLoss = 0;
    this.windowSteps = 0;
  }
}

/** Draws a minibatch, writes the gradient of the mean loss (1/B) Σ (ŷ − y)² into `gradient` and returns that mean loss. */
export function minibatchGradient(model: GlaModel, sampler: DelimitedSampler, workspace: Workspace, batchSize: number, gradient: Float64Array): number {
  gradient.fill(0);
  let total = 0;
  for (let b = 0; b < batchSize; b++) {
    const target = sampler.draw();
    const residual = forward(model, sampler.tokens, workspace) - target;
    total += residual * residual;
    backward(model, workspace, (2 * residual) / batchSize, gradient);
  }
  return total / batchSize;
}

function euclideanNorm(values: Float64Array): number {
  let total = 0;
  for (let p = 0; p < values.length; p++) total += values[p] * values[p];
  return Math.sqrt(total);
}

/** Derives a second seed for the minibatch stream, so the initial parameters and the data never share random numbers. */
function mixSeed(seed: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x01000193) >>> 0) & 0x7fffffff;
}

/** A copy of `start` with identity layers stacked up to config.layers; start must have the same family and at most that depth. */
function startingModel(start: GlaModel, layout: DelimitedLayout, config: TrainingConfig, random: Random): GlaModel {
  const spec = start.shape.spec;
  const expected = modelSpec(layout, config.family, spec.layers);
  if (spec.family !== config.family || spec.D !== expected.D || spec.layers > config.layers) {
    throw new InputError(
      'start model',
      `does not fit the configuration (${config.family}, ${config.layers} layers, D = ${expected.D})`,
      `${spec.family}, ${spec.layers} layers, D = ${spec.D}`,
      'pass a model of the same family and embedding with at most config.layers layers',
    );
  }
  const copy: GlaModel = { shape: start.shape, parameters: Float64Array.from(start.parameters) };
  return spec.layers === config.layers ? copy : stackIdentityLayers(copy, config.layers - spec.layers, random, config.init);
}

/** Per-parameter step factors: `factor` on gate parameters, 1 elsewhere. */
function gateRateScale(model: GlaModel, factor: number): Float64Array {
  const scale = new Float64Array(model.shape.size).fill(1);
  for (const layer of model.shape.layers) scale.fill(factor, layer.gate, layer.gate + layer.gateSize);
  return scale;
}
