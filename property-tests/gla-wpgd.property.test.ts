import fc from 'fast-check';
import { fraction, type Fraction } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { floatField, rationalField } from '../src/algebra/field.ts';
import type { CheckContext, CheckResult } from '../src/claims/types.ts';
import { InputError } from '../src/core/errors.ts';
import { constructionC } from '../src/models/construction.ts';
import { suffixLogWeights } from '../src/models/gate-weights.ts';
import { glaMultilayerForward, glaPredict, promptTokens, type GateFamily } from '../src/models/gla.ts';
import { causalWpgdStep, suffixProductWeights, wpgdPredict } from '../src/models/wpgd.ts';
import { causalWpgdFloat, wpgdPredictFromGates } from '../src/models/wpgd-float.ts';
import {
  gateSequence,
  gateTable,
  gateValue,
  MAX_D,
  MAX_LAYERS,
  MAX_N,
  multilayerInstance,
  nearOneGate,
  scalarInstance,
  vectorInstance,
  type MultilayerInstance,
} from '../proofs/support/gla-arbitraries.ts';
import {
  compareKeyVector,
  compareMultilayer,
  compareScalar,
  compareValueVector,
  multilayerGate,
  UNIT_ROUNDOFF,
  type FloatComparison,
} from '../proofs/support/gla-float.ts';
import { preconditionerInput, promptInputs, scalarIdentity, type Identity } from '../proofs/support/gla-identities.ts';
import { exactIdentityCheck, floatIdentityCheck, symbolicIdentityCheck } from '../proofs/support/identity-checks.ts';

const SEED = 20250407;
const withinBound = (result: FloatComparison) => result.error <= result.allowed;

describe('float64: GLA reference recurrence equals WPGD within the condition-aware bound', () => {
  // Scalar gating: ŷ_GLA = xᵀ P Xᵀ (ω ⊙ y) with ω_i = Π_{j>i} γ_j, and ω = 1 without gating.
  it('scalar and no gating match WPGD', () => {
    fc.assert(fc.property(scalarInstance, (instance) => withinBound(compareScalar(instance))), { seed: SEED, numRuns: 150 });
  });

  // Key-vector gating: ŷ_GLA = xᵀ P Σ_i diag(ω_i[1..d]) x_i y_i.
  it('key-vector gating matches per-coordinate WPGD', () => {
    fc.assert(fc.property(vectorInstance, (instance) => withinBound(compareKeyVector(instance))), { seed: SEED, numRuns: 150 });
  });

  // Value-vector gating: ŷ_GLA = xᵀ P Xᵀ (ω^eff ⊙ y) with ω^eff_i = Σ_c u_c α_c Π_{j>i} g_c(z_j).
  it('value-vector gating matches effective-weight WPGD', () => {
    fc.assert(fc.property(vectorInstance, (instance) => withinBound(compareValueVector(instance))), { seed: SEED, numRuns: 150 });
  });

  // Sigmoid gates read the residual stream; labels after layer L equal r^(L) and ŷ = −r_{n+1}^(L).
  it('multilayer GLA matches causal WPGD', () => {
    fc.assert(fc.property(multilayerInstance, (instance) => withinBound(compareMultilayer(instance))), { seed: SEED, numRuns: 100 });
  });

  it('no gating equals all gates 1', () => {
    fc.assert(
      fc.property(scalarInstance, ({ prompt: { X, y, x, P } }) => {
        const F = floatField;
        const Z = promptTokens(F, X, y, x);
        const ungated = glaPredict(F, constructionC(F, P, 'none'), Z);
        const ones = glaPredict(F, constructionC(F, P, 'scalar', () => [1]), Z);
        return Object.is(ungated, ones);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('multilayer keeps feature coordinates', () => {
    fc.assert(
      fc.property(multilayerInstance, (instance) => {
        const F = floatField;
        const { X, y, x } = instance.prompt;
        const layers = instance.Ps.map((P, layer) =>
          constructionC(F, P, 'scalar', (z, position) => [multilayerGate(instance, layer, z, position - 1)], -1),
        );
        const Xall = [...X, x];
        const history = glaMultilayerForward(F, layers, promptTokens(F, X, y, x));
        return history.every((tokens) => tokens.every((z, j) => Xall[j].every((value, a) => z[a] === value)));
      }),
      { seed: SEED, numRuns: 50 },
    );
  });

  // At the query, one causal layer is GLA-1: −r_{n+1}^(1) = xᵀ P Xᵀ (ω ⊙ y).
  it('one causal layer is GLA-1', () => {
    fc.assert(
      fc.property(scalarInstance, ({ prompt: { X, y, x, P }, gamma }) => {
        const r = causalWpgdFloat([P], [...X, x], y, () => gamma);
        const result = compareScalar({ prompt: { X, y, x, P }, family: 'scalar', gamma });
        // Same terms, same bound: the causal path sums ω_{i→n+1} r_i xᵀ P x_i in the other order.
        return Math.abs(-r[X.length] - result.wpgd) <= result.allowed;
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  // Relative tolerance 2ε·(n + 3|log ω| + 2): n rounded products on one side, log and exp to 1 ulp on the other.
  it('log-space weights match direct products', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_N }).chain((n) => gateSequence(n + 1)),
        (gamma) => {
          const { omega, logOmega } = suffixLogWeights(gamma);
          const direct = suffixProductWeights(floatField, gamma);
          return direct.every((product, i) => {
            // A product that underflows loses relative accuracy; compare those in absolute terms at the subnormal scale.
            if (product < 2 ** -1000 || omega[i] === 0) return Math.abs(product - omega[i]) <= gamma.length * 2 ** -1000;
            const allowed = 2 * UNIT_ROUNDOFF * (gamma.length + 3 * Math.abs(logOmega[i]) + 2);
            return Math.abs(omega[i] - product) <= allowed * product;
          });
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

/** A rational p/q with |p| ≤ 9, 1 ≤ q ≤ 9. */
const smallRational: fc.Arbitrary<Fraction> = fc
  .tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: 1, max: 9 }))
  .map(([p, qq]) => fraction(p, qq));

/** A rational gate: exactly 0, exactly 1, or k/m with 1 ≤ k < m ≤ 9. */
const rationalGate: fc.Arbitrary<Fraction> = fc.oneof(
  fc.constant(fraction(0)),
  fc.constant(fraction(1)),
  fc.integer({ min: 2, max: 9 }).chain((m) => fc.integer({ min: 1, max: m - 1 }).map((k) => fraction(k, m))),
);

interface RationalInstance {
  X: Fraction[][];
  y: Fraction[];
  x: Fraction[];
  P: Fraction[][];
  /** Rows j = 1..n+1, columns the D = d+1 channels. */
  gates: Fraction[][];
}

const rationalInstance: fc.Arbitrary<RationalInstance> = fc
  .record({ n: fc.integer({ min: 1, max: 6 }), d: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, d }) =>
    fc.record({
      X: fc.array(fc.array(smallRational, { minLength: d, maxLength: d }), { minLength: n, maxLength: n }),
      y: fc.array(smallRational, { minLength: n, maxLength: n }),
      x: fc.array(smallRational, { minLength: d, maxLength: d }),
      P: fc.array(fc.array(smallRational, { minLength: d, maxLength: d }), { minLength: d, maxLength: d }),
      gates: fc.array(fc.array(rationalGate, { minLength: d + 1, maxLength: d + 1 }), { minLength: n + 1, maxLength: n + 1 }),
    }),
  );

describe('exact rationals: gate families relate exactly', () => {
  const F = rationalField;
  const predict = (instance: RationalInstance, family: GateFamily, gate: (position: number) => Fraction[]) =>
    glaPredict(F, constructionC(F, instance.P, family, (_z, position) => gate(position)), promptTokens(F, instance.X, instance.y, instance.x));

  it('scalar gating matches WPGD exactly', () => {
    fc.assert(
      fc.property(rationalInstance, (instance) => {
        const gamma = instance.gates.map((row) => row[0]);
        const wpgd = wpgdPredict(F, instance.P, instance.X, instance.y, instance.x, suffixProductWeights(F, gamma));
        return predict(instance, 'scalar', (position) => [gamma[position - 1]]).equals(wpgd);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('equal channel gates reduce to scalar', () => {
    fc.assert(
      fc.property(rationalInstance, (instance) => {
        const D = instance.x.length + 1;
        const gamma = instance.gates.map((row) => row[0]);
        const scalar = predict(instance, 'scalar', (position) => [gamma[position - 1]]);
        const uniform = (position: number) => new Array<Fraction>(D).fill(gamma[position - 1]);
        return predict(instance, 'key-vector', uniform).equals(scalar) && predict(instance, 'value-vector', uniform).equals(scalar);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  // Under construction C only the label row of S is nonzero, so only the gate g_D acts.
  it('value gating reads only g_D', () => {
    fc.assert(
      fc.property(rationalInstance, (instance) => {
        const d = instance.x.length;
        const labelGate = instance.gates.map((row) => row[d]);
        const vector = predict(instance, 'value-vector', (position) => instance.gates[position - 1]);
        return vector.equals(predict(instance, 'scalar', (position) => [labelGate[position - 1]]));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  // Every layer and position: the GLA label coordinate equals r_j^(ℓ).
  it('multilayer labels equal causal residuals', () => {
    fc.assert(
      fc.property(rationalInstance, fc.integer({ min: 1, max: MAX_LAYERS }), (instance, L) => {
        const Xall = [...instance.X, instance.x];
        const d = instance.x.length;
        // Layer ℓ uses P_ℓ = P / ℓ and gate column ℓ mod D, so layers differ.
        const Ps = Array.from({ length: L }, (_, layer) => instance.P.map((row) => row.map((entry) => entry.div(layer + 1))));
        const gamma = Ps.map((_, layer) => instance.gates.map((row) => row[layer % (d + 1)]));
        const layers = Ps.map((P, layer) => constructionC(F, P, 'scalar', (_z, position) => [gamma[layer][position - 1]], -1));
        const history = glaMultilayerForward(F, layers, promptTokens(F, instance.X, instance.y, instance.x));
        let residual = [...instance.y, fraction(0)];
        return Ps.every((P, layer) => {
          residual = causalWpgdStep(F, P, Xall, residual, gamma[layer]);
          return residual.every((r, j) => history[layer + 1][j][d].equals(r));
        });
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe('generator contracts', () => {
  const valid = (gate: number) => !Number.isNaN(gate) && gate >= 0 && gate <= 1;

  it('gate values are valid', () => {
    fc.assert(fc.property(gateValue, valid), { seed: SEED, numRuns: 2000 });
    fc.assert(fc.property(nearOneGate, (gate) => valid(gate) && gate >= 1 - 2 ** -10), { seed: SEED, numRuns: 500 });
  });

  it('gate sequences and tables are valid', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_N + 1 }).chain((length) => fc.tuple(fc.constant(length), gateSequence(length))),
        ([length, gates]) => gates.length === length && gates.every(valid),
      ),
      { seed: SEED, numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: MAX_D + 1 })).chain(([rows, cols]) =>
          fc.tuple(fc.constant([rows, cols]), gateTable(rows, cols)),
        ),
        ([[rows, cols], table]) => table.length === rows && table.every((row) => row.length === cols && row.every(valid)),
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('gates include 0, 1 and near-1', () => {
    const samples = fc.sample(gateValue, { seed: SEED, numRuns: 2000 });
    expect(samples).toContain(0);
    expect(samples).toContain(1);
    expect(samples.some((gate) => gate > 1 - 2 ** -10 && gate < 1)).toBe(true);
  });

  it('multilayer instances stay in range', () => {
    fc.assert(
      fc.property(multilayerInstance, (instance: MultilayerInstance) => {
        const n = instance.prompt.X.length;
        const L = instance.Ps.length;
        const sizesOk = n >= 1 && n <= MAX_N && L >= 1 && L <= MAX_LAYERS && instance.prompt.x.length <= MAX_D;
        const Xall = [...instance.prompt.X, instance.prompt.x];
        const gatesOk = instance.Ps.every((_, layer) => Xall.every((xj, j) => valid(multilayerGate(instance, layer, [...xj, 1e300], j))));
        return sizesOk && gatesOk;
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('same seed, same instances', () => {
    for (const arbitrary of [scalarInstance, vectorInstance, multilayerInstance] as fc.Arbitrary<unknown>[]) {
      expect(fc.sample(arbitrary, { seed: SEED, numRuns: 5 })).toEqual(fc.sample(arbitrary, { seed: SEED, numRuns: 5 }));
    }
  });

  it('NaN gate raises InputError', () => {
    const call = () => wpgdPredictFromGates([[1]], [[1], [2]], [1, 1], [1], [1, Number.NaN, 1]);
    expect(call).toThrow(InputError);
    expect(call).toThrow(/^γ\[1\] is outside \[0, 1\] \(got NaN\)/);
  });
});

/** A GLA-1 variant with a planted error: the query's gate is left out of the weights. */
const queryGateDropped: Identity = {
  ...scalarIdentity,
  sides(F, instance, source) {
    const [pair] = scalarIdentity.sides(F, instance, source);
    const { n, d } = instance;
    // The sources hand out one value per name, so these are the inputs the GLA side used.
    const { X, y, x } = promptInputs(source, n, d);
    const P = preconditionerInput(source, d);
    const gamma = Array.from({ length: n + 1 }, (_, j) => source.gate(`g${j + 1}`));
    const wrong = suffixProductWeights(F, [...gamma.slice(0, n), F.one]);
    return [{ label: pair.label, gla: pair.gla, wpgd: wpgdPredict(F, P, X, y, x, wrong) }];
  },
};

function context(): CheckContext {
  return {
    effort: 'quick',
    seed: SEED,
    runSeed: SEED,
    claimId: 'GLA-1',
    checkId: 'planted-error',
    progress: () => {},
    replayCommand: 'replay',
  };
}

describe('the checks can fail', () => {
  // The planted error leaves the query gate out of the weights; each check must report it with a counterexample.
  it('planted weight error fails every check', async () => {
    const symbolic = symbolicIdentityCheck({
      identity: queryGateDropped,
      cases: { quick: [{ n: 2, d: 1, family: 'scalar' }], standard: [], thorough: [] },
      certificateScope: () => '',
    });
    const exact = exactIdentityCheck({
      identity: queryGateDropped,
      instances: { quick: 20, standard: 0, thorough: 0 },
      drawCase: () => ({ n: 3, d: 2, family: 'scalar' }),
      maxSizes: 'n = 3, d = 2',
    });
    const property = floatIdentityCheck({
      arbitrary: scalarInstance,
      compare: (instance) => {
        const result = compareScalar(instance);
        const { X, y, x, P } = instance.prompt;
        const wpgd = wpgdPredictFromGates(P, X, y, x, [...instance.gamma.slice(0, -1), 1]);
        return { ...result, wpgd, error: Math.abs(result.gla - wpgd) };
      },
      runs: { quick: 200, standard: 0, thorough: 0 },
      tolerance: 'planted error',
      compared: 'GLA vs WPGD without the query gate',
      title: 'planted error',
    });
    const results: CheckResult[] = [await symbolic.run(context()), await exact.run(context()), await property.run(context())];
    for (const result of results) {
      expect(result.status).toBe('failed');
      expect(result.counterexample).toBeDefined();
    }
  });
});
