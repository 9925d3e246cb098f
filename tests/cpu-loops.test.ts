import { describe, expect, it } from 'vitest';
import { accumulateRiskChunk, accumulateScanChunk, accumulateVectorScanPair } from '../src/backend/cpu-loops.ts';
import { Random } from '../src/data/random.ts';

/**
 * The blocked inner loops must give bitwise the results of the plain loops
 * they replace (one example at a time over all columns), for every d: the
 * blocks of eight, four and two, their remainders, and d below a block.
 */

function plainRisk(g: Float64Array, omega: Float64Array, labels: Float64Array, features: Float64Array, start: number, size: number, d: number): void {
  for (let i = 0; i < size; i++) {
    const weighted = omega[start + i] * labels[i];
    for (let c = 0; c < d; c++) g[c] += weighted * features[i * d + c];
  }
}

function plainScan(vector: boolean, s: Float64Array, g: Float64Array, gates: Float64Array, omega: Float64Array, labels: Float64Array, features: Float64Array, start: number, size: number, d: number): void {
  for (let i = 0; i < size; i++) {
    const t = start + i;
    for (let c = 0; c < d; c++) {
      const update = features[i * d + c] * labels[i];
      const index = vector ? t * d + c : t;
      s[c] = gates[index] * s[c] + update;
      g[c] += omega[index] * update;
    }
  }
}

function draw(random: Random, length: number): Float64Array {
  return Float64Array.from({ length }, () => random.normal());
}

const sameBits = (a: Float64Array, b: Float64Array) => a.every((value, i) => Object.is(value, b[i]));

describe('blocked CPU inner loops', () => {
  const dimensions = [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 17, 31, 64];

  it.each(dimensions)('RISK loop, d = %i', (d) => {
    const random = new Random(d);
    const start = 3;
    const size = 37;
    const features = draw(random, size * d);
    const labels = draw(random, size);
    const omega = draw(random, start + size);
    const expected = draw(random, d);
    const actual = expected.slice();
    plainRisk(expected, omega, labels, features, start, size, d);
    accumulateRiskChunk(actual, omega, labels, features, start, size, d);
    expect(sameBits(actual, expected)).toBe(true);
  });

  it.each(dimensions.flatMap((d) => [{ d, vector: false }, { d, vector: true }]))('scan loop, d = $d, vector $vector', ({ d, vector }) => {
    const random = new Random(100 + d);
    const start = 5;
    const size = 29;
    const width = vector ? d : 1;
    const features = draw(random, size * d);
    const labels = draw(random, size);
    const gates = Float64Array.from({ length: (start + size) * width }, () => (random.uniform() < 0.1 ? 0 : random.uniform()));
    const omega = draw(random, (start + size) * width);
    const expectedState = draw(random, d);
    const expectedSum = draw(random, d);
    const state = expectedState.slice();
    const sum = expectedSum.slice();
    plainScan(vector, expectedState, expectedSum, gates, omega, labels, features, start, size, d);
    accumulateScanChunk(vector, state, sum, gates, omega, labels, features, start, size, d);
    expect(sameBits(state, expectedState)).toBe(true);
    expect(sameBits(sum, expectedSum)).toBe(true);
  });

  it.each(dimensions)('vector scan pair loop, d = %i', (d) => {
    const random = new Random(200 + d);
    const start = 4;
    const size = 23;
    const gates = Float64Array.from({ length: (start + size) * d }, () => (random.uniform() < 0.1 ? 0 : random.uniform()));
    const omega = draw(random, (start + size) * d);
    const prompt = () => ({ s: draw(random, d), g: draw(random, d), labels: draw(random, size), features: draw(random, size * d) });
    const a = prompt();
    const b = prompt();
    const expected = [a, b].map(({ s, g }) => ({ s: s.slice(), g: g.slice() }));
    plainScan(true, expected[0].s, expected[0].g, gates, omega, a.labels, a.features, start, size, d);
    plainScan(true, expected[1].s, expected[1].g, gates, omega, b.labels, b.features, start, size, d);
    accumulateVectorScanPair(a, b, gates, omega, start, size, d);
    expect(sameBits(a.s, expected[0].s)).toBe(true);
    expect(sameBits(a.g, expected[0].g)).toBe(true);
    expect(sameBits(b.s, expected[1].s)).toBe(true);
    expect(sameBits(b.g, expected[1].g)).toBe(true);
  });
});
