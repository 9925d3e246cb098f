import fc from 'fast-check';

/**
 * fast-check generators for float64 GLA = WPGD instances. Gates are never NaN
 * (doubles with noNaN) and lie in [0, 1]; exact 0 and exact 1 are mixed in on
 * purpose, and so are long runs of gates just below 1.
 */

/** Largest sizes the property checks draw. */
export const MAX_N = 64;
export const MAX_D = 8;
export const MAX_LAYERS = 3;

/**
 * Draws a double in [low, high] spread evenly over the interval (30 random bits).
 * fast-check's own doubles pick the exponent about as often as the mantissa,
 * so most of them are tiny; these give inputs of ordinary size.
 */
export function evenDouble(low: number, high: number): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 2 ** 30 }).map((k) => low + ((high - low) * k) / 2 ** 30);
}

/** A real input in [−4, 4]: mostly of ordinary size, sometimes any double (−0, subnormals, the ends). */
export const realValue: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: evenDouble(-4, 4) },
  { weight: 1, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }) },
);

/** A gate just below 1, within 2^-10: products of many of them decay slowly. */
export const nearOneGate: fc.Arbitrary<number> = fc.double({ min: 1 - 2 ** -10, max: 1, noNaN: true });

/** One gate value in [0, 1]: spread evenly, any double (tiny ones included), exact 0, exact 1, or just below 1. */
export const gateValue: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: evenDouble(0, 1) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.constant(1) },
  { weight: 2, arbitrary: nearOneGate },
);

/** Gates γ_1..γ_length; half the sequences get a run of one near-1 value overwriting a stretch. */
export function gateSequence(length: number): fc.Arbitrary<number[]> {
  const run = fc.record({
    start: fc.nat({ max: length - 1 }),
    span: fc.integer({ min: 1, max: length }),
    gate: nearOneGate,
  });
  return fc
    .tuple(fc.array(gateValue, { minLength: length, maxLength: length }), fc.option(run, { freq: 2 }))
    .map(([gates, stretch]) => {
      if (stretch) {
        for (let k = stretch.start; k < Math.min(length, stretch.start + stretch.span); k++) gates[k] = stretch.gate;
      }
      return gates;
    });
}

/** Vector gates g(z_j) ∈ [0,1]^channels for positions j = 1..positions: rows are positions. */
export function gateTable(positions: number, channels: number): fc.Arbitrary<number[][]> {
  return fc
    .array(gateSequence(positions), { minLength: channels, maxLength: channels })
    .map((columns) => Array.from({ length: positions }, (_, j) => columns.map((column) => column[j])));
}

function vector(length: number, entry: fc.Arbitrary<number> = realValue): fc.Arbitrary<number[]> {
  return fc.array(entry, { minLength: length, maxLength: length });
}

function matrix(rows: number, cols: number, entry: fc.Arbitrary<number> = realValue): fc.Arbitrary<number[][]> {
  return fc.array(vector(cols, entry), { minLength: rows, maxLength: rows });
}

/** A float64 prompt: X (n×d), y (n) and the query x (d). */
export interface FloatExamples {
  X: number[][];
  y: number[];
  x: number[];
}

/** A prompt with one preconditioner P (d×d). */
export interface FloatPrompt extends FloatExamples {
  P: number[][];
}

export function floatExamples(n: number, d: number): fc.Arbitrary<FloatExamples> {
  return fc.record({ X: matrix(n, d), y: vector(n), x: vector(d) });
}

export function floatPrompt(n: number, d: number): fc.Arbitrary<FloatPrompt> {
  return fc.record({ X: matrix(n, d), y: vector(n), x: vector(d), P: matrix(d, d) });
}

const sizes = fc.record({ n: fc.integer({ min: 1, max: MAX_N }), d: fc.integer({ min: 1, max: MAX_D }) });

/** GLA-1 instance: scalar gates γ_1..γ_{n+1}, or no gating (linear attention). */
export interface ScalarInstance {
  prompt: FloatPrompt;
  family: 'scalar' | 'none';
  gamma: number[];
}

export const scalarInstance: fc.Arbitrary<ScalarInstance> = sizes.chain(({ n, d }) =>
  fc.record({
    prompt: floatPrompt(n, d),
    family: fc.oneof({ weight: 3, arbitrary: fc.constant('scalar' as const) }, { weight: 1, arbitrary: fc.constant('none' as const) }),
    gamma: gateSequence(n + 1),
  }),
);

/** GLA-key / GLA-value instance: gate vectors at every position, value scale α and readout u (value gating). */
export interface VectorInstance {
  prompt: FloatPrompt;
  /** Rows j = 1..n+1, columns the D = d+1 channels. */
  gates: number[][];
  alpha: number[];
  u: number[];
}

export const vectorInstance: fc.Arbitrary<VectorInstance> = sizes.chain(({ n, d }) =>
  fc.record({ prompt: floatPrompt(n, d), gates: gateTable(n + 1, d + 1), alpha: vector(d + 1), u: vector(d + 1) }),
);

/** One layer's content gate γ_ℓ(z) = sigmoid(θᵀ z + b), z = (x_j, r_j^{(ℓ)}). */
export interface SigmoidGate {
  theta: number[];
  bias: number;
}

/** GLA-L instance: L layers, each with P_ℓ, a sigmoid gate reading its tokens, and a few positions forced to a fixed gate. */
export interface MultilayerInstance {
  prompt: FloatExamples;
  Ps: number[][][];
  gates: SigmoidGate[];
  /** Per layer and position: a fixed gate value (0, 1 or near 1) replacing the sigmoid, or null. */
  overrides: (number | null)[][];
}

const overrideValue: fc.Arbitrary<number | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1) },
  { weight: 1, arbitrary: nearOneGate },
);

export const multilayerInstance: fc.Arbitrary<MultilayerInstance> = fc
  .record({ n: fc.integer({ min: 1, max: MAX_N }), d: fc.integer({ min: 1, max: MAX_D }), L: fc.integer({ min: 1, max: MAX_LAYERS }) })
  .chain(({ n, d, L }) =>
    fc.record({
      prompt: floatExamples(n, d),
      Ps: fc.array(matrix(d, d, evenDouble(-1, 1)), { minLength: L, maxLength: L }),
      gates: fc.array(
        fc.record({ theta: vector(d + 1, evenDouble(-3, 3)), bias: evenDouble(-8, 8) }),
        { minLength: L, maxLength: L },
      ),
      overrides: fc.array(fc.array(overrideValue, { minLength: n + 1, maxLength: n + 1 }), { minLength: L, maxLength: L }),
    }),
  );
