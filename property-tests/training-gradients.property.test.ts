import fc from 'fast-check';
import { describe, it } from 'vitest';
import { Random } from '../src/data/random.ts';
import { backward } from '../src/training/backward.ts';
import { forward } from '../src/training/forward.ts';
import { delimitedLayout, writeTokens } from '../src/training/layout.ts';
import { initialModel, modelSpec, TRAINABLE_GATES, type TrainableGate } from '../src/training/model.ts';
import { createWorkspace } from '../src/training/workspace.ts';

/**
 * The analytic gradient of the squared error (ŷ − y)² against central finite
 * differences, for every gate family and L = 1, 2, 3, on small random models
 * and random block-model prompts.
 *
 * Tolerance: max_p |g_p − ĝ_p| ≤ 1e-6 · max(‖g‖_∞, 1e-3), where ĝ_p =
 * (f(θ + h e_p) − f(θ − h e_p)) / 2h with h = 1e-5. Central differences err
 * by h²/6 · |∂³f| (truncation) plus about ε |f| / h (round-off of the two
 * evaluations); with the moderate weights below both stay under 1e-8 of the
 * gradient's scale in our runs, and 1e-6 leaves a margin of 100 for the
 * larger third derivatives of three-layer models (degree 27 in the weights).
 * A wrong term in the backward pass moves some entry by a sizeable fraction
 * of the gradient, far above this tolerance. The floor 1e-3 keeps the test
 * relative to a gradient that is not itself vanishingly small.
 */
const STEP = 1e-5;
const RELATIVE_TOLERANCE = 1e-6;

interface GradientCase {
  family: TrainableGate;
  layers: number;
  d: number;
  sizes: number[];
  seed: number;
  gateBias: number;
}

function gradientError(input: GradientCase): { error: number; allowed: number } {
  const layout = delimitedLayout(input.d, input.sizes);
  const random = new Random(input.seed);
  const model = initialModel(modelSpec(layout, input.family, input.layers), random, {
    weightScale: 0.7,
    queryScale: 0.5,
    readoutScale: 0.7,
    gateBias: input.gateBias,
    gateWeightScale: 1,
  });
  const X = Array.from({ length: layout.n }, () => random.normalVector(input.d));
  const y = random.normalVector(layout.n);
  const x = random.normalVector(input.d);
  const target = random.normal();
  const tokens = new Float64Array(layout.T * layout.D);
  writeTokens(layout, X, y, x, tokens);
  const workspace = createWorkspace(layout, model.shape);
  const loss = () => {
    const residual = forward(model, tokens, workspace) - target;
    return residual * residual;
  };
  const residual = forward(model, tokens, workspace) - target;
  const gradient = new Float64Array(model.shape.size);
  backward(model, workspace, 2 * residual, gradient);
  let error = 0;
  let largest = 0;
  for (let p = 0; p < gradient.length; p++) {
    const original = model.parameters[p];
    model.parameters[p] = original + STEP;
    const plus = loss();
    model.parameters[p] = original - STEP;
    const minus = loss();
    model.parameters[p] = original;
    error = Math.max(error, Math.abs((plus - minus) / (2 * STEP) - gradient[p]));
    largest = Math.max(largest, Math.abs(gradient[p]));
  }
  return { error, allowed: RELATIVE_TOLERANCE * Math.max(largest, 1e-3) };
}

const cases = (family: TrainableGate, layers: number) =>
  fc.record({
    family: fc.constant(family),
    layers: fc.constant(layers),
    d: fc.integer({ min: 1, max: 3 }),
    sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    // gate logits from −2 to 4: gates between 0.1 and 0.98, where σ' is not negligible
    gateBias: fc.double({ min: -2, max: 4, noNaN: true }),
  });

describe('analytic gradient matches central finite differences', () => {
  for (const family of TRAINABLE_GATES) {
    for (const layers of [1, 2, 3]) {
      it(`${family} gate, L = ${layers}`, () => {
        fc.assert(
          fc.property(cases(family, layers), (input) => {
            const { error, allowed } = gradientError(input);
            if (!(error <= allowed)) throw new Error(`max |g − ĝ| = ${error.toExponential(3)} > ${allowed.toExponential(3)}`);
          }),
          { seed: 20250407 + layers, numRuns: 8 },
        );
      });
    }
  }
});
