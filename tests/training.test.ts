import { describe, expect, it } from 'vitest';
import { InputError } from '../src/core/errors.ts';
import { blockCorrelation } from '../src/data/correlation.ts';
import { isotropicCovariance } from '../src/data/covariance.ts';
import { Random } from '../src/data/random.ts';
import { makeTask, type Task } from '../src/theory/risk.ts';
import { Adam } from '../src/training/adam.ts';
import { backward } from '../src/training/backward.ts';
import { pairedDifference, pairedRisk, testLosses, wpgdPrediction } from '../src/training/evaluate.ts';
import { forward } from '../src/training/forward.ts';
import { delimitedLayout, writeTokens, type DelimitedLayout } from '../src/training/layout.ts';
import { initialModel, modelShape, modelSpec, stackIdentityLayers, type GlaModel, type TrainableGate } from '../src/training/model.ts';
import { DelimitedSampler } from '../src/training/sampler.ts';
import { learningRate } from '../src/training/schedule.ts';
import { trainWithRestarts, validationLoss } from '../src/training/restarts.ts';
import { DEFAULT_TRAINING, Trainer, trainModel, type TrainingConfig } from '../src/training/train.ts';
import { blockAverages, gateReadWeights, normaliseBlockWeights, probedWeights } from '../src/training/weights.ts';
import { createWorkspace } from '../src/training/workspace.ts';

function blockTask(d: number, sizes: number[], rho: number[], sigma2 = 0.1): Task {
  return makeTask(isotropicCovariance(d), blockCorrelation(sizes, rho), sigma2);
}

/**
 * Construction C on the delimited layout: W_k reads x, W_v writes y into the
 * label channel, W_q = [[Pᵀ, 0], [0, 0]], u = e_y. Gate logits: `exampleLogit`
 * for examples and the query, `delimiterLogits[k]` for delimiter k.
 */
function constructionModel(layout: DelimitedLayout, P: number[][], family: TrainableGate, exampleLogit = 0, delimiterLogits: number[] = []): GlaModel {
  const spec = modelSpec(layout, family, 1);
  const shape = modelShape(spec);
  const parameters = new Float64Array(shape.size);
  const { D, d, labelIndex } = layout;
  const layer = shape.layers[0];
  for (let a = 0; a < d; a++) {
    parameters[layer.Wk + a * D + a] = 1;
    for (let b = 0; b < d; b++) parameters[layer.Wq + a * D + b] = P[b][a];
  }
  parameters[layer.Wv + labelIndex * D + labelIndex] = 1;
  if (family === 'scalar') {
    delimiterLogits.forEach((logit, k) => (parameters[layer.gate + k] = logit));
    parameters[layer.gate + layout.K] = exampleLogit;
  }
  parameters[shape.u + labelIndex] = 1;
  return { shape, parameters };
}

function smallConfig(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return { ...DEFAULT_TRAINING, family: 'scalar', layers: 1, steps: 60, batchSize: 8, seed: 3, curvePoints: 10, ...overrides };
}

describe('delimited layout', () => {
  it('places examples, delimiters and query', () => {
    const layout = delimitedLayout(2, [2, 1, 3]);
    expect(layout.n).toBe(6);
    expect(layout.K).toBe(3);
    expect(layout.D).toBe(2 + 1 + 3);
    expect(layout.T).toBe(6 + 3 + 1);
    expect(Array.from(layout.examplePosition)).toEqual([0, 1, 3, 5, 6, 7]);
    expect(Array.from(layout.delimiterPosition)).toEqual([2, 4, 8]);
    expect(Array.from(layout.blockOf)).toEqual([0, 0, 1, 2, 2, 2]);
    expect(layout.queryPosition).toBe(9);
  });

  it('writes example, delimiter and query tokens', () => {
    const layout = delimitedLayout(1, [1, 1]);
    const Z = new Float64Array(layout.T * layout.D);
    writeTokens(layout, [[2], [3]], [5, 7], [11], Z);
    const rows = Array.from({ length: layout.T }, (_, t) => Array.from(Z.subarray(t * layout.D, (t + 1) * layout.D)));
    expect(rows).toEqual([
      [2, 5, 0, 0],
      [0, 0, 1, 0],
      [3, 7, 0, 0],
      [0, 0, 0, 1],
      [11, 0, 0, 0],
    ]);
  });

  it('rejects empty and non-integer block sizes', () => {
    expect(() => delimitedLayout(2, [])).toThrow(InputError);
    expect(() => delimitedLayout(2, [2, 1.5])).toThrow(InputError);
    expect(() => delimitedLayout(0, [2])).toThrow(InputError);
  });
});

describe('model shape', () => {
  it('counts parameters per family', () => {
    const layout = delimitedLayout(2, [3, 3]);
    const D = layout.D;
    const expectedGate: Record<TrainableGate, number> = { none: 0, scalar: 3, 'value-vector': D * 3, content: 2 + 2 + 2 };
    for (const family of ['none', 'scalar', 'value-vector', 'content'] as const) {
      const shape = modelShape(modelSpec(layout, family, 2));
      expect(shape.size).toBe(2 * (3 * D * D + expectedGate[family]) + D);
      expect(shape.layers[1].Wq).toBe(3 * D * D + expectedGate[family]);
    }
  });

  it('rejects an unknown family and zero layers', () => {
    const layout = delimitedLayout(2, [3]);
    expect(() => modelSpec(layout, 'key-vector' as TrainableGate, 1)).toThrow(InputError);
    expect(() => modelSpec(layout, 'scalar', 0)).toThrow(InputError);
  });
});

describe('construction C on the trainable model', () => {
  it('no gate equals WPGD exactly', () => {
    const layout = delimitedLayout(2, [2, 3]);
    const P = [
      [0.5, -0.25],
      [0.125, 1],
    ];
    const model = constructionModel(layout, P, 'none');
    const X = [
      [1, -0.5],
      [0.25, 2],
      [-1.5, 0.75],
      [0.5, 0.5],
      [2, -1],
    ];
    const y = [0.5, -1.25, 2, 0.75, -0.5];
    const x = [1.5, -0.25];
    const Z = new Float64Array(layout.T * layout.D);
    writeTokens(layout, X, y, x, Z);
    const workspace = createWorkspace(layout, model.shape);
    const expected = wpgdPrediction({ label: 'ω = 1', P, omega: [1, 1, 1, 1, 1], risk: 0 }, X, y, x);
    expect(forward(model, Z, workspace)).toBe(expected);
  });

  it('scalar gates equal gate-read WPGD', () => {
    const layout = delimitedLayout(2, [2, 3, 1]);
    const random = new Random(5);
    const P = [
      [0.7, -0.2],
      [0.1, 1.3],
    ];
    const model = constructionModel(layout, P, 'scalar', 2.5, [-1, 0.5, 3]);
    const { omega } = gateReadWeights(model, layout);
    const workspace = createWorkspace(layout, model.shape);
    const Z = new Float64Array(layout.T * layout.D);
    for (let trial = 0; trial < 20; trial++) {
      const X = Array.from({ length: layout.n }, () => random.normalVector(2));
      const y = random.normalVector(layout.n);
      const x = random.normalVector(2);
      writeTokens(layout, X, y, x, Z);
      const expected = wpgdPrediction({ label: 'gates', P, omega, risk: 0 }, X, y, x);
      // the two sides multiply the same gate values in different orders: ~1e-15 relative per product
      const scale = X.reduce((total, xi, i) => total + Math.abs(omega[i] * y[i]) * Math.hypot(...xi) * Math.hypot(...x) * 2, 0);
      expect(Math.abs(forward(model, Z, workspace) - expected)).toBeLessThanOrEqual(1e-13 * scale);
    }
  });

  it('gate-read weights are the suffix products of the gates', () => {
    const layout = delimitedLayout(1, [1, 2]);
    const model = constructionModel(layout, [[1]], 'scalar', 1, [-2, 0.5]);
    const sigma = (s: number) => 1 / (1 + Math.exp(-s));
    const gammaExample = sigma(1);
    const [gammaFirst, gammaSecond] = [sigma(-2), sigma(0.5)];
    // tokens: e1, δ1, e2, e3, δ2, query
    const expected = [
      gammaFirst * gammaExample * gammaExample * gammaSecond * gammaExample,
      gammaExample * gammaSecond * gammaExample,
      gammaSecond * gammaExample,
    ];
    const { omega } = gateReadWeights(model, layout);
    omega.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 14));
  });

  it('probe weights are proportional to gate-read weights', () => {
    const task = blockTask(3, [2, 2, 3], [0.2, 0.9, 0.5]);
    const layout = delimitedLayout(3, [2, 2, 3]);
    const model = constructionModel(layout, [[1, 0.2, 0], [0, 0.8, 0.1], [0.3, 0, 1.1]], 'scalar', 3, [-0.5, 4, 1]);
    const probe = probedWeights(model, task, layout);
    const { omega } = gateReadWeights(model, layout);
    const ratio = probe[probe.length - 1] / omega[omega.length - 1];
    probe.forEach((value, i) => expect(Math.abs(value - ratio * omega[i])).toBeLessThanOrEqual(1e-10 * Math.abs(ratio)));
  });
});

describe('identity layers', () => {
  it('identity layer keeps the prediction', () => {
    const task = blockTask(2, [2, 2], [0.5, 0.9]);
    const sampler = new DelimitedSampler(task, new Random(2));
    const base = initialModel(modelSpec(sampler.layout, 'scalar', 1), new Random(3));
    const stacked = stackIdentityLayers(base, 2, new Random(4));
    expect(stacked.shape.spec.layers).toBe(3);
    const baseWorkspace = createWorkspace(sampler.layout, base.shape);
    const stackedWorkspace = createWorkspace(sampler.layout, stacked.shape);
    for (let trial = 0; trial < 10; trial++) {
      sampler.draw();
      expect(forward(stacked, sampler.tokens, stackedWorkspace)).toBe(forward(base, sampler.tokens, baseWorkspace));
    }
  });
});

describe('backward pass', () => {
  it('accumulates over calls and scales with dŷ', () => {
    const task = blockTask(2, [2, 1], [0.5, 0.9]);
    const sampler = new DelimitedSampler(task, new Random(8));
    const model = initialModel(modelSpec(sampler.layout, 'value-vector', 2), new Random(9));
    const workspace = createWorkspace(sampler.layout, model.shape);
    sampler.draw();
    forward(model, sampler.tokens, workspace);
    const once = new Float64Array(model.shape.size);
    backward(model, workspace, 1, once);
    const twice = new Float64Array(model.shape.size);
    backward(model, workspace, 0.5, twice);
    backward(model, workspace, 1.5, twice);
    once.forEach((value, p) => expect(twice[p]).toBeCloseTo(2 * value, 12));
  });
});

describe('Adam', () => {
  it('minimises a badly scaled quadratic', () => {
    const target = Float64Array.from([3, -2, 0.5, 10]);
    const curvature = [1e-3, 1, 1e2, 1e4];
    const parameters = new Float64Array(4);
    const gradient = new Float64Array(4);
    const adam = new Adam(4);
    for (let step = 0; step < 6000; step++) {
      for (let p = 0; p < 4; p++) gradient[p] = 2 * curvature[p] * (parameters[p] - target[p]);
      adam.step(parameters, gradient, step < 4000 ? 0.05 : 0.001);
    }
    parameters.forEach((value, p) => expect(Math.abs(value - target[p])).toBeLessThan(1e-3));
    expect(adam.steps).toBe(6000);
  });

  it('scales each step by the per-parameter factor', () => {
    const parameters = new Float64Array(2);
    const adam = new Adam(2);
    adam.step(parameters, Float64Array.from([1, 1]), 0.1, Float64Array.from([1, 10]));
    // first step of Adam moves each coordinate by the learning rate times sign(g)
    expect(parameters[0]).toBeCloseTo(-0.1, 6);
    expect(parameters[1]).toBeCloseTo(-1, 6);
  });
});

describe('learning-rate schedule', () => {
  it('warms up linearly and decays to the final fraction', () => {
    const schedule = { peak: 0.01, warmupSteps: 10, totalSteps: 110, finalFraction: 0.1 };
    expect(learningRate(schedule, 0)).toBeCloseTo(0.001, 15);
    expect(learningRate(schedule, 9)).toBeCloseTo(0.01, 15);
    expect(learningRate(schedule, 10)).toBeCloseTo(0.01, 15);
    expect(learningRate(schedule, 109)).toBeCloseTo(0.001, 15);
    expect(learningRate(schedule, 60)).toBeLessThan(0.01);
  });
});

describe('training', () => {
  it('same seed gives the same model bit for bit', () => {
    const task = blockTask(2, [2, 2], [-0.5, 0.8]);
    const first = trainModel(task, smallConfig());
    const second = trainModel(task, smallConfig());
    expect(Array.from(second.model.parameters)).toEqual(Array.from(first.model.parameters));
    expect(second.curve).toEqual(first.curve);
    const other = trainModel(task, smallConfig({ seed: 4 }));
    expect(Array.from(other.model.parameters)).not.toEqual(Array.from(first.model.parameters));
  });

  it('records curve points and finishes', () => {
    const task = blockTask(2, [2, 2], [-0.5, 0.8]);
    const run = trainModel(task, smallConfig({ averageFraction: 0.5 }));
    expect(run.curve).toHaveLength(10);
    expect(run.curve.at(-1)!.step).toBe(60);
    expect(run.diverged).toBe(false);
    expect(Array.from(run.model.parameters).every(Number.isFinite)).toBe(true);
  });

  it('lowers the minibatch loss', () => {
    const task = blockTask(2, [3, 3], [0.5, 0.9]);
    const run = trainModel(task, smallConfig({ family: 'none', steps: 1500, batchSize: 32, peakLearningRate: 0.003, averageFraction: 0.25 }));
    const first = run.curve[0].loss;
    const last = run.curve.at(-1)!.loss;
    expect(last).toBeLessThan(first);
  });

  it('resumed run equals one run', () => {
    const task = blockTask(2, [2, 2], [-0.5, 0.8]);
    const config = smallConfig({ averageFraction: 0.3 });
    const whole = new Trainer(task, config);
    whole.advance(config.steps);
    const split = new Trainer(task, config);
    split.advance(17);
    split.advance(25);
    split.advance(100);
    expect(split.steps).toBe(config.steps);
    const [first, second] = [whole.finish(), split.finish()];
    expect(Array.from(second.model.parameters)).toEqual(Array.from(first.model.parameters));
    expect(second.curve).toEqual(first.curve);
  });

  it('restarts continue the best start', () => {
    const task = blockTask(2, [2, 2], [-0.5, 0.8]);
    const config = smallConfig({ steps: 80 });
    const options = { starts: 3, pilotSteps: 20, validationSamples: 200, validationSeed: 11 };
    const run = trainWithRestarts(task, config, options);
    expect(run.pilotLosses).toHaveLength(3);
    expect(run.pilotLosses[run.chosen]).toBe(Math.min(...run.pilotLosses));
    // the chosen start, run alone with its own seed, ends at the same model
    const alone = trainModel(task, { ...config, seed: config.seed + run.chosen });
    expect(Array.from(run.model.parameters)).toEqual(Array.from(alone.model.parameters));
    expect(validationLoss(task, run.model, 50, 3)).toBe(validationLoss(task, run.model, 50, 3));
  });

  it('rejects a start model of another family', () => {
    const task = blockTask(2, [2, 2], [-0.5, 0.8]);
    const start = initialModel(modelSpec(delimitedLayout(2, [2, 2]), 'none', 1), new Random(1));
    expect(() => trainModel(task, smallConfig(), () => {}, start)).toThrow(InputError);
  });
});

describe('evaluation', () => {
  it('pairs losses on common prompts', () => {
    const task = blockTask(2, [2, 2], [0.3, 0.7]);
    const layout = delimitedLayout(2, [2, 2]);
    const P = [
      [0.2, 0],
      [0, 0.2],
    ];
    const model = constructionModel(layout, P, 'none');
    const predictor = { label: 'ω = 1', P, omega: [1, 1, 1, 1], risk: 1 };
    const losses = testLosses(task, [model], [predictor], 500, 7);
    // construction C with ω = 1 is the same predictor, so the paired differences vanish up to rounding
    const difference = pairedDifference(losses.models[0], losses.predictors[0]);
    expect(Math.abs(difference.mean)).toBeLessThan(1e-12);
    const paired = pairedRisk(losses.models[0], losses.predictors[0], 1.25);
    expect(paired.estimate).toBeCloseTo(1.25, 12);
  });

  it('normalises block weights to unit norm with a nonnegative sum', () => {
    const weights = normaliseBlockWeights([2, 1], [-1, -2]);
    expect(weights[0]).toBeCloseTo(1 / Math.sqrt(6), 15);
    expect(weights[1]).toBeCloseTo(2 / Math.sqrt(6), 15);
    const layout = delimitedLayout(1, [2, 1]);
    expect(blockAverages(layout, [1, 3, 5])).toEqual([2, 5]);
  });
});
