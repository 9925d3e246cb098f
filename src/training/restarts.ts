import { requirePositiveInteger } from '../core/validate.ts';
import { Random } from '../data/random.ts';
import type { Task } from '../theory/risk.ts';
import { forward } from './forward.ts';
import type { GlaModel } from './model.ts';
import { DelimitedSampler } from './sampler.ts';
import { Trainer, type TrainingConfig, type TrainingRun } from './train.ts';
import { createWorkspace } from './workspace.ts';

/** How many short starts to try, how long each runs, and how they are compared. */
export interface RestartOptions {
  /** Number of starts, each from its own random initialisation. */
  starts: number;
  /** Steps of each start (its own warm-up and decay over these steps). */
  pilotSteps: number;
  /** Common validation prompts on which the starts are compared. */
  validationSamples: number;
  /** Seed of the validation prompts; keep it apart from every test seed. */
  validationSeed: number;
}

/** The chosen run, with the validation loss of every start. */
export interface RestartRun extends TrainingRun {
  /** Mean validation loss of each start after its pilot steps. */
  pilotLosses: number[];
  /** Index of the start that was continued. */
  chosen: number;
}

/**
 * Starts `starts` training runs (seeds config.seed, config.seed + 1, …), takes
 * the first `pilotSteps` steps of each on the run's own schedule, and
 * continues only the start with the lowest mean loss on common validation
 * prompts to config.steps. The continued run is exactly the run that start
 * would have made alone. From random weights, some starts settle in a local
 * minimum far above the best risk (on d = 2 one such minimum had the value
 * path read x and the key path read y, which makes the label-odd bilinear form
 * rank one); once the first phase of training is over such a start is
 * already far behind the others, so the selection drops it at a fraction of
 * the cost of full runs.
 */
export function trainWithRestarts(task: Task, config: TrainingConfig, options: RestartOptions, progress: (fraction: number) => void = () => {}): RestartRun {
  requirePositiveInteger('starts', options.starts);
  requirePositiveInteger('pilotSteps', options.pilotSteps);
  const rest = config.steps - options.pilotSteps;
  requirePositiveInteger('steps after the pilot (config.steps − pilotSteps)', rest);
  const total = options.starts * options.pilotSteps + rest;
  const trainers: Trainer[] = [];
  for (let s = 0; s < options.starts; s++) {
    const trainer = new Trainer(task, { ...config, seed: config.seed + s });
    const done = s * options.pilotSteps;
    trainer.advance(options.pilotSteps, (fraction) => progress((done + fraction * options.pilotSteps) / total));
    trainers.push(trainer);
  }
  // A pilot that diverged never wins; its parameters may not even be finite.
  const pilotLosses = trainers.map((trainer) => (trainer.finishedEarly ? Infinity : validationLoss(task, trainer.model, options.validationSamples, options.validationSeed)));
  const chosen = pilotLosses.reduce((best, loss, s) => (loss < pilotLosses[best] ? s : best), 0);
  const done = options.starts * options.pilotSteps;
  trainers[chosen].advance(rest, (fraction) => progress((done + fraction * rest) / total));
  return { ...trainers[chosen].finish(), pilotLosses, chosen };
}

/** Mean squared error of a model on `samples` prompts drawn with `seed`. */
export function validationLoss(task: Task, model: GlaModel, samples: number, seed: number): number {
  requirePositiveInteger('validation samples', samples);
  const sampler = new DelimitedSampler(task, new Random(seed));
  const workspace = createWorkspace(sampler.layout, model.shape);
  let total = 0;
  for (let s = 0; s < samples; s++) {
    const target = sampler.draw();
    const error = target - forward(model, sampler.tokens, workspace);
    total += error * error;
  }
  return total / samples;
}
