import type { Fraction } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { floatField, rationalField } from '../src/algebra/field.ts';
import { q } from '../src/algebra/rational-matrix.ts';
import { InputError } from '../src/core/errors.ts';
import { Random } from '../src/data/random.ts';
import {
  ConeViolationError,
  firstConeViolation,
  floatOrderedField,
  keyGatedLayer,
  keyVectorGatesFor,
  monotoneSplit,
  rationalOrderedField,
  scalarGatedLayer,
  scalarGatesFor,
  valueEffectiveWeights,
  valueGatedLayer,
  valueVectorGatesFor,
} from '../src/gating/synthesis.ts';
import { glaPredict, promptTokens } from '../src/models/gla.ts';
import { suffixProductWeights, wpgdMatrixWeightedPredict, wpgdPredict } from '../src/models/wpgd.ts';

const F = rationalOrderedField;

function fractions(values: readonly (number | [number, number])[]): Fraction[] {
  return values.map((value) => (Array.isArray(value) ? q(value[0], value[1]) : q(value)));
}

function shown(values: readonly Fraction[]): string[] {
  return values.map((value) => value.toFraction());
}

/** Builds a small fixed rational prompt with n = 4, d = 2. */
function prompt() {
  return {
    X: [fractions([1, -2]), fractions([[1, 2], 3]), fractions([-1, [2, 3]]), fractions([2, 1])],
    y: fractions([3, -1, [5, 4], 2]),
    x: fractions([[1, 3], -2]),
    P: [fractions([1, [1, 2]]), fractions([-1, 2])],
  };
}

describe('scalarGatesFor', () => {
  it('builds gates with zeros, ties and ω_n > 1', () => {
    const omega = fractions([0, 0, [1, 2], [1, 2], 2]);
    const { gamma, scale } = scalarGatesFor(F, omega);
    expect(shown(gamma)).toEqual(['1', '1', '0', '1', '1/4', '1']);
    expect(scale.toFraction()).toBe('2');
    const reached = suffixProductWeights(rationalField, gamma).map((value) => value.mul(scale));
    expect(shown(reached)).toEqual(shown(omega));
  });

  it('keeps scale 1 when ω_n ≤ 1', () => {
    const { gamma, scale } = scalarGatesFor(F, fractions([[1, 3], [1, 2]]));
    expect(shown(gamma)).toEqual(['1', '2/3', '1/2']);
    expect(scale.toFraction()).toBe('1');
  });

  it('handles n = 1 and the zero target', () => {
    expect(shown(scalarGatesFor(F, fractions([3])).gamma)).toEqual(['1', '1']);
    expect(scalarGatesFor(F, fractions([3])).scale.toFraction()).toBe('3');
    const zero = scalarGatesFor(F, fractions([0, 0, 0]));
    expect(shown(zero.gamma)).toEqual(['1', '1', '1', '0']);
    expect(shown(suffixProductWeights(rationalField, zero.gamma))).toEqual(['0', '0', '0']);
  });

  it('rejects a negative first weight at index 1', () => {
    expect(() => scalarGatesFor(F, fractions([-1, 2]))).toThrow(ConeViolationError);
    try {
      scalarGatesFor(F, fractions([-1, 2]));
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as ConeViolationError).index).toBe(1);
      expect((error as Error).message).toMatch(/^ω_1 is negative/);
    }
  });

  it('rejects a descent at its first index', () => {
    const omega = fractions([1, 2, [3, 2], [1, 2]]);
    expect(firstConeViolation(F, omega)?.index).toBe(2);
    expect(() => scalarGatesFor(F, omega)).toThrow(/ω_2 is larger than ω_3/);
  });

  it('rejects empty and non-finite float targets', () => {
    expect(() => scalarGatesFor(floatOrderedField, [])).toThrow(InputError);
    expect(() => scalarGatesFor(floatOrderedField, [0.5, Number.NaN])).toThrow(/not a finite number/);
    expect(() => scalarGatesFor(floatOrderedField, [0.5, Infinity])).toThrow(InputError);
  });

  it('float gates stay in [0, 1] for adjacent doubles', () => {
    const below = 1 - 2 ** -53;
    const { gamma } = scalarGatesFor(floatOrderedField, [below * below, below, 1]);
    for (const gate of gamma) {
      expect(gate).toBeGreaterThanOrEqual(0);
      expect(gate).toBeLessThanOrEqual(1);
    }
  });

  it('float gates of random cone points reproduce them to rounding', () => {
    const random = new Random(11);
    for (let trial = 0; trial < 50; trial++) {
      let running = 0;
      const omega = Array.from({ length: random.integer(1, 40) }, () => (running += random.uniform() < 0.3 ? 0 : 3 * random.uniform()));
      const { gamma, scale } = scalarGatesFor(floatOrderedField, omega);
      expect(gamma.every((gate) => gate >= 0 && gate <= 1)).toBe(true);
      const reached = suffixProductWeights(floatField, gamma).map((value) => value * scale);
      reached.forEach((value, i) => expect(Math.abs(value - omega[i])).toBeLessThanOrEqual(1e-13 * Math.max(1, omega[omega.length - 1])));
    }
  });
});

describe('monotoneSplit', () => {
  it('splits a signed target into two nondecreasing parts', () => {
    const { positive, negative } = monotoneSplit(F, fractions([1, -1, 0, 2]));
    expect(shown(positive)).toEqual(['1', '1', '2', '4']);
    expect(shown(negative)).toEqual(['0', '2', '2', '2']);
  });

  it('float parts are nondecreasing on random targets', () => {
    const random = new Random(5);
    for (let trial = 0; trial < 50; trial++) {
      const omega = random.normalVector(random.integer(1, 60));
      const { positive, negative } = monotoneSplit(floatOrderedField, omega);
      for (let i = 1; i < omega.length; i++) {
        expect(positive[i]).toBeGreaterThanOrEqual(positive[i - 1]);
        expect(negative[i]).toBeGreaterThanOrEqual(negative[i - 1]);
      }
    }
  });
});

describe('valueVectorGatesFor', () => {
  it('puts ω⁺/s and ω⁻/s on the two label channels', () => {
    const omega = fractions([1, -1, 0, 2]);
    const synthesis = valueVectorGatesFor(F, omega, 3);
    expect(synthesis.scale.toFraction()).toBe('4');
    expect(shown(synthesis.positive)).toEqual(['1/4', '1/4', '1/2', '1']);
    expect(shown(synthesis.negative)).toEqual(['0', '1/2', '1/2', '1/2']);
    expect(synthesis.channels).toEqual({ positive: 2, negative: 1 });
    expect(shown(synthesis.alpha)).toEqual(['0', '1', '1']);
    expect(shown(synthesis.u)).toEqual(['0', '-4', '4']);
    expect(synthesis.gates.every((row) => row[0].equals(1))).toBe(true);
  });

  it('effective weights equal the target exactly', () => {
    const omega = fractions([[-3, 2], 0, 0, [7, 3], [-1, 9], [-1, 9]]);
    const { gates, alpha, u } = valueVectorGatesFor(F, omega, 4);
    const channelWeights = alpha.map((_, c) => suffixProductWeights(rationalField, gates.map((row) => row[c])));
    const effective = omega.map((_, i) => channelWeights.reduce((acc, weights, c) => acc.add(u[c].mul(alpha[c]).mul(weights[i])), q(0)));
    expect(shown(effective)).toEqual(shown(omega));
    expect(shown(valueEffectiveWeights(rationalField, { gates, alpha, u }))).toEqual(shown(omega));
  });

  it('valueEffectiveWeights reads the gates, so a changed gate changes the weights', () => {
    const omega = fractions([1, -1, 0, 2]);
    const synthesis = valueVectorGatesFor(F, omega, 3);
    // γ_4 on the positive channel is 1/2 (ω⁺/s = 1/4, 1/4, 1/2, 1): setting it to 1 doubles ω⁺_3 and everything before it.
    const gates = synthesis.gates.map((row) => [...row]);
    gates[3][synthesis.channels.positive] = q(1);
    const changed = valueEffectiveWeights(rationalField, { ...synthesis, gates });
    expect(shown(changed)).toEqual(['2', '0', '2', '2']);
  });

  it('uses scale 1 for the zero target', () => {
    const synthesis = valueVectorGatesFor(F, fractions([0, 0]), 2);
    expect(synthesis.scale.toFraction()).toBe('1');
    expect(shown(synthesis.positive)).toEqual(['0', '0']);
  });

  it('rejects fewer than two channels and empty targets', () => {
    expect(() => valueVectorGatesFor(F, fractions([1, -1]), 1)).toThrow(/D is smaller than 2/);
    expect(() => valueVectorGatesFor(F, [], 3)).toThrow(InputError);
    expect(() => valueVectorGatesFor(floatOrderedField, [1, Number.NaN], 3)).toThrow(InputError);
  });
});

describe('keyVectorGatesFor', () => {
  it('gates key channels per coordinate', () => {
    const { gates, scales } = keyVectorGatesFor(F, [fractions([[1, 2], 1]), fractions([0, 3])]);
    expect(gates.map(shown)).toEqual([
      ['1', '1', '1'],
      ['1/2', '0', '1'],
      ['1', '1', '1'],
    ]);
    expect(shown(scales)).toEqual(['1', '3']);
  });

  it('names the coordinate of a sequence outside the cone', () => {
    expect(() => keyVectorGatesFor(F, [fractions([0, 1]), fractions([2, 1])])).toThrow(/ω_1 is larger than ω_2 in coordinate 2/);
  });

  it('rejects sequences of unequal length and no coordinates', () => {
    expect(() => keyVectorGatesFor(F, [fractions([0, 1]), fractions([1])])).toThrow(/has 1 entries but coordinate 0 has 2/);
    expect(() => keyVectorGatesFor(F, [])).toThrow(InputError);
  });
});

describe('synthesised layers', () => {
  it('scalar gates: GLA prediction equals WPGD with the target', () => {
    const { X, y, x, P } = prompt();
    const omega = fractions([0, [1, 3], [1, 3], [5, 2]]);
    const { layer } = scalarGatedLayer(rationalField, P, scalarGatesFor(F, omega));
    const gla = glaPredict(rationalField, layer, promptTokens(rationalField, X, y, x));
    expect(gla.toFraction()).toBe(wpgdPredict(rationalField, P, X, y, x, omega).toFraction());
  });

  it('value-vector gates: GLA prediction equals WPGD with a signed target', () => {
    const { X, y, x, P } = prompt();
    const omega = fractions([2, [-1, 2], 0, [3, 4]]);
    const { layer, u } = valueGatedLayer(rationalField, P, valueVectorGatesFor(F, omega, 3));
    const gla = glaPredict(rationalField, layer, promptTokens(rationalField, X, y, x), u);
    expect(gla.toFraction()).toBe(wpgdPredict(rationalField, P, X, y, x, omega).toFraction());
  });

  it('key-vector gates: GLA prediction equals per-coordinate WPGD', () => {
    const { X, y, x, P } = prompt();
    const sequences = [fractions([0, [1, 2], [1, 2], 1]), fractions([[1, 4], [1, 4], 2, 3])];
    const { layer } = keyGatedLayer(rationalField, P, keyVectorGatesFor(F, sequences));
    const gla = glaPredict(rationalField, layer, promptTokens(rationalField, X, y, x));
    const Omega = X.map((_, i) => [
      [sequences[0][i], q(0)],
      [q(0), sequences[1][i]],
    ]);
    expect(gla.toFraction()).toBe(wpgdMatrixWeightedPredict(rationalField, P, X, y, x, Omega).toFraction());
  });
});
