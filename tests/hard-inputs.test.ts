import { fraction, type Fraction } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { floatField, rationalField, type Field } from '../src/algebra/field.ts';
import { InputError } from '../src/core/errors.ts';
import { constructionC } from '../src/models/construction.ts';
import { suffixLogWeights } from '../src/models/gate-weights.ts';
import { glaMultilayerForward, glaMultilayerPredict, glaPredict, promptTokens, type GateFamily } from '../src/models/gla.ts';
import { causalWpgdStep, suffixProductWeights, wpgdMatrixWeightedPredict, wpgdPredict } from '../src/models/wpgd.ts';
import { causalWpgdFloat, wpgdPredictFromGates } from '../src/models/wpgd-float.ts';

// With d = 1 and x = x_i = P = 1, the prediction is ŷ = Σ_i ω_i y_i, so each
// hard input below pins the weights ω_i = Π_{j=i+1}^{n+1} γ_j directly.

const ONE = [[1]];

/** n examples with x_i = 1 and the given labels, query x = 1. */
function unitPrompt(y: readonly number[]) {
  return { X: y.map(() => [1]), y: [...y], x: [1] };
}

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

const q = (numerator: number, denominator = 1): Fraction => fraction(numerator, denominator);

describe('hard inputs for GLA = WPGD', () => {
  // ŷ = ω_1 = 0.999^100000, expected to 1e-12 relative, positive and not NaN.
  it('100000 gates of 0.999', () => {
    const n = 100000;
    const y = new Array<number>(n).fill(0);
    y[0] = 1;
    const { X, x } = unitPrompt(y);
    const gamma = new Array<number>(n + 1).fill(0.999);
    const prediction = wpgdPredictFromGates(ONE, X, y, x, gamma);
    expect(Number.isNaN(prediction)).toBe(false);
    expect(prediction).toBeGreaterThan(0);
    // Compensated log sums keep the error near 1e-14; a plain running sum drifts by ~1e-9.
    expect(relativeError(prediction, 3.5385276883434423e-44)).toBeLessThan(1e-12);
    expect(relativeError(suffixLogWeights(gamma).omega[0], 3.5385276883434423e-44)).toBeLessThan(1e-12);
  });

  // ω_1 underflows to exactly 0 while log ω_1 and ŷ stay accurate.
  it('200 gates of 1e-3', () => {
    const n = 200;
    const { X, y, x } = unitPrompt(new Array<number>(n).fill(1));
    const gamma = new Array<number>(n + 1).fill(1e-3);
    const { omega, logOmega } = suffixLogWeights(gamma);
    expect(omega[0]).toBe(0);
    expect(relativeError(logOmega[0], -1381.5510557964274)).toBeLessThan(1e-13);
    // ŷ = Σ_{k=1}^{200} 10^{-3k} = 0.001001001…, the underflowing weights add nothing.
    expect(relativeError(wpgdPredictFromGates(ONE, X, y, x, gamma), 0.001001001001001001)).toBeLessThan(1e-14);
  });

  describe('gates (1/2, 1/3, 1/5, 1/7), n = 3, y = (1, 10, 100), in exact rationals', () => {
    const F = rationalField;
    const gamma = [q(1, 2), q(1, 3), q(1, 5), q(1, 7)];
    const y = [q(1), q(10), q(100)];
    const X = y.map(() => [q(1)]);
    const x = [q(1)];
    const P = [[q(1)]];
    const weighted = (omega: Fraction[]) => wpgdPredict(F, P, X, y, x, omega);

    // WPGD with ω_i = Π_{j=i+1}^{n+1} γ_j and the GLA recurrence both give 1531/105.
    it('prediction is 1531/105', () => {
      expect(weighted(suffixProductWeights(F, gamma)).toFraction()).toBe('1531/105');
      const layer = constructionC(F, P, 'scalar', (_z, position) => [gamma[position - 1]]);
      expect(glaPredict(F, layer, promptTokens(F, X, y, x)).toFraction()).toBe('1531/105');
    });

    it('wrong weight rules differ', () => {
      // Inclusive product ω_i = Π_{j=i}^{n+1} γ_j.
      const inclusive = [0, 1, 2].map((i) => gamma.slice(i).reduce((acc, gate) => acc.mul(gate), q(1)));
      expect(weighted(inclusive).toFraction()).toBe('207/70');
      // Query gate dropped: ω_i = Π_{j=i+1}^{n} γ_j.
      const withoutQuery = [0, 1, 2].map((i) => gamma.slice(i + 1, 3).reduce((acc, gate) => acc.mul(gate), q(1)));
      expect(weighted(withoutQuery).toFraction()).toBe('1531/15');
    });

    // The causal recursion and the GLA label coordinates both give r^(1) = (0, −1/3, −31/15, −1531/105).
    it('one GLA-L layer is exact', () => {
      const Xall = [...X, x];
      const residual = causalWpgdStep(F, P, Xall, [...y, q(0)], gamma);
      expect(residual.map((r) => r.toFraction())).toEqual(['0', '-1/3', '-31/15', '-1531/105']);
      const layer = constructionC(F, P, 'scalar', (_z, position) => [gamma[position - 1]], -1);
      const tokens = glaMultilayerForward(F, [layer], promptTokens(F, X, y, x))[1];
      expect(tokens.map((z) => z[1].toFraction())).toEqual(['0', '-1/3', '-31/15', '-1531/105']);
    });
  });

  // n = 1110, all labels 1: ŷ = 12 on both paths, no NaN.
  it('1100 halves then 11 ones', () => {
    const n = 1110;
    const { X, y, x } = unitPrompt(new Array<number>(n).fill(1));
    const gamma = [...new Array<number>(1100).fill(0.5), ...new Array<number>(11).fill(1)];
    // ŷ = 11 (the weights behind the 1-gates) + Σ_{k=1}^{1099} 2^-k, which rounds to 12.
    const prediction = wpgdPredictFromGates(ONE, X, y, x, gamma);
    expect(Number.isNaN(prediction)).toBe(false);
    expect(prediction).toBe(12);
    const layer = constructionC(floatField, ONE, 'scalar', (_z, position) => [gamma[position - 1]]);
    expect(glaPredict(floatField, layer, promptTokens(floatField, X, y, x))).toBe(12);
  });

  // n = 20, x_j = 1 + j/10, P_1 = P_2 = 0.1: ŷ = 0.13773275689601897 on both paths.
  it('two layers, gates 1e-20 then 0.5', () => {
    const n = 20;
    const Xall = Array.from({ length: n + 1 }, (_, j) => [1 + (j + 1) / 10]);
    const y = new Array<number>(n).fill(1);
    const Ps = [[[0.1]], [[0.1]]];
    const layerGate = [1e-20, 0.5];
    const expected = 0.13773275689601897;

    const residual = causalWpgdFloat(Ps, Xall, y, (layer, tokens) => tokens.map(() => layerGate[layer]));
    expect(residual.some(Number.isNaN)).toBe(false);
    expect(relativeError(-residual[n], expected)).toBeLessThan(1e-12);

    const F = floatField;
    const layers = Ps.map((P, layer) => constructionC(F, P, 'scalar', () => [layerGate[layer]], -1));
    const Z = promptTokens(F, Xall.slice(0, n), y, Xall[n]);
    const prediction = glaMultilayerPredict(F, layers, Z, [0, -1]);
    expect(Number.isNaN(prediction)).toBe(false);
    expect(relativeError(prediction, expected)).toBeLessThan(1e-12);
  });

  describe('key- vs value-vector orientation, d = 2, n = 2, gate vector (1/2, 1/4, 4/5) at every token', () => {
    const F: Field<Fraction> = rationalField;
    const X = [
      [q(1), q(2)],
      [q(3), q(-1)],
    ];
    const y = [q(5), q(7)];
    const x = [q(2), q(1)];
    const P = [
      [q(1), q(2)],
      [q(0), q(1)],
    ];
    const g = [q(1, 2), q(1, 4), q(4, 5)];
    const gla = (family: GateFamily) =>
      glaPredict(F, constructionC(F, P, family, () => g), promptTokens(F, X, y, x)).toFraction();

    // Key gates scale the key columns: ŷ = xᵀ P Σ_i diag(ω_i[1..d]) x_i y_i = 143/8.
    it('key-vector gives 143/8', () => {
      expect(gla('key-vector')).toBe('143/8');
      // ω_1 = (1/4, 1/16), ω_2 = (1/2, 1/4) per key coordinate.
      const Omega = [
        [
          [q(1, 4), q(0)],
          [q(0), q(1, 16)],
        ],
        [
          [q(1, 2), q(0)],
          [q(0), q(1, 4)],
        ],
      ];
      expect(wpgdMatrixWeightedPredict(F, P, X, y, x, Omega).toFraction()).toBe('143/8');
    });

    // Value gates scale the label row: ŷ = xᵀ P Xᵀ (ω ⊙ y) with ω from the label channel gate 4/5, = 44.
    it('value-vector gives 44', () => {
      expect(gla('value-vector')).toBe('44');
      expect(wpgdPredict(F, P, X, y, x, [q(16, 25), q(4, 5)]).toFraction()).toBe('44');
    });
  });

  // Every ω_i = 5e-324, ŷ = 1.5e-323, log ω = −744.4400719213812.
  it('query gate 5e-324, others 1', () => {
    const { X, y, x } = unitPrompt([1, 1, 1]);
    const gamma = [1, 1, 1, 5e-324];
    const { omega, logOmega } = suffixLogWeights(gamma);
    expect([...omega]).toEqual([5e-324, 5e-324, 5e-324]);
    expect([...logOmega]).toEqual([-744.4400719213812, -744.4400719213812, -744.4400719213812]);
    expect(wpgdPredictFromGates(ONE, X, y, x, gamma)).toBe(1.5e-323);
  });

  it.each([
    ['NaN', Number.NaN],
    ['1.5', 1.5],
  ])('gate %s raises InputError', (_label, bad) => {
    const { X, y, x } = unitPrompt([1, 1]);
    const call = () => wpgdPredictFromGates(ONE, X, y, x, [0.5, bad, 0.5]);
    expect(call).toThrow(InputError);
    try {
      call();
    } catch (error) {
      expect((error as InputError).input).toBe('γ[1]');
      expect((error as InputError).message).toMatch(/^γ\[1\] is outside \[0, 1\]/);
    }
  });
});
