import fc from 'fast-check';
import { fraction, type Fraction } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { rationalField as Q } from '../src/algebra/field.ts';
import { glaLayerForward, type GateFamily, type GlaLayer } from '../src/models/gla.ts';

const SEED = 20251205;
const FAMILIES: GateFamily[] = ['none', 'scalar', 'key-vector', 'value-vector'];

const small = fc.integer({ min: -5, max: 5 }).map((value) => fraction(value));
const gate = fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 1, max: 9 })).map((value) => (value <= 1 ? fraction(value) : fraction(1, value)));

/** Any W_q, W_k, W_v (not construction C), tokens z_1..z_{n+1} and per-position gate vectors. */
const instance = fc
  .record({ n: fc.integer({ min: 1, max: 4 }), D: fc.integer({ min: 1, max: 4 }), family: fc.constantFrom(...FAMILIES) })
  .chain(({ n, D, family }) =>
    fc.record({
      family: fc.constant(family),
      Wq: fc.array(fc.array(small, { minLength: D, maxLength: D }), { minLength: D, maxLength: D }),
      Wk: fc.array(fc.array(small, { minLength: D, maxLength: D }), { minLength: D, maxLength: D }),
      Wv: fc.array(fc.array(small, { minLength: D, maxLength: D }), { minLength: D, maxLength: D }),
      Z: fc.array(fc.array(small, { minLength: D, maxLength: D }), { minLength: n + 1, maxLength: n + 1 }),
      G: fc.array(fc.array(gate, { minLength: D, maxLength: D }), { minLength: n + 1, maxLength: n + 1 }),
    }),
  );

function matvec(W: Fraction[][], z: Fraction[]): Fraction[] {
  return W.map((row) => row.reduce((acc, w, j) => acc.add(w.mul(z[j])), fraction(0)));
}

/** Entry (a, b) of the gate matrix G(z_j) for each family: 1 1ᵀ, γ 1 1ᵀ, 1 gᵀ, g 1ᵀ. */
function gateEntry(family: GateFamily, g: Fraction[], a: number, b: number): Fraction {
  if (family === 'none') return fraction(1);
  if (family === 'scalar') return g[0];
  return family === 'key-vector' ? g[b] : g[a];
}

/**
 * The unrolled state S_t = Σ_{i ≤ t} (⊙_{j=i+1}^{t} G(z_j)) ⊙ v_i k_iᵀ, an empty product
 * being all ones, and o_t = S_t q_t.
 */
function unrolledOutput(layer: GlaLayer<Fraction>, Z: Fraction[][], G: Fraction[][], t: number): Fraction[] {
  const D = Z[0].length;
  const S = Array.from({ length: D }, () => Array.from({ length: D }, () => fraction(0)));
  for (let i = 0; i <= t; i++) {
    const v = matvec(layer.Wv, Z[i]);
    const k = matvec(layer.Wk, Z[i]);
    for (let a = 0; a < D; a++) {
      for (let b = 0; b < D; b++) {
        let decay = fraction(1);
        for (let j = i + 1; j <= t; j++) decay = decay.mul(gateEntry(layer.family, G[j], a, b));
        S[a][b] = S[a][b].add(decay.mul(v[a]).mul(k[b]));
      }
    }
  }
  return matvec(S, matvec(layer.Wq, Z[t]));
}

describe('GLA recurrence with arbitrary weights', () => {
  it('equals the unrolled state formula exactly, every family and position', () => {
    fc.assert(
      fc.property(instance, ({ family, Wq, Wk, Wv, Z, G }) => {
        const layer: GlaLayer<Fraction> = { Wq, Wk, Wv, family, gate: (_, position) => G[position - 1] };
        const outputs = glaLayerForward(Q, layer, Z);
        outputs.forEach((o, t) => {
          const expected = unrolledOutput(layer, Z, G, t);
          expect(o.map((entry) => entry.toFraction())).toEqual(expected.map((entry) => entry.toFraction()));
        });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('scalar gate 1 everywhere equals no gating', () => {
    fc.assert(
      fc.property(instance, ({ Wq, Wk, Wv, Z }) => {
        const ones = () => Z[0].map(() => fraction(1));
        const plain = glaLayerForward(Q, { Wq, Wk, Wv, family: 'none' }, Z);
        const gated = glaLayerForward(Q, { Wq, Wk, Wv, family: 'scalar', gate: ones }, Z);
        expect(gated.map((o) => o.map((entry) => entry.toFraction()))).toEqual(plain.map((o) => o.map((entry) => entry.toFraction())));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
