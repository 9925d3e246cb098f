import { scanWeights } from './cpu-kernels.ts';
import { NormalGenerator, philoxKey } from './philox.ts';
import type { Backend, BlockModel, RiskJob, ScanJob } from './types.ts';

/*
 * Float32 tolerances of the WebGPU kernels, all derived per prompt rather than picked:
 *
 * - Normals: |z_gpu − z| ≤ τ·r with τ = 2^−20, where r = √(−2 ln u_0) is the
 *   Box–Muller radius of the pair (r = hypot(z_0, z_1)). The angle error of
 *   cos/sin multiplies r, and the radius error is relative to r. Measured on
 *   lavapipe (Mesa 25.0.7, LLVM 15) over 8·10^6 normals: max |Δz|/r = 2.1e-7
 *   ≈ 2^−22.2, so τ leaves a factor 4. WGSL itself only promises 2^−11
 *   absolute for cos/sin on [−π, π]; a driver that uses that freedom fails here.
 * - Risk and scan: a first-order running error bound computed beside the
 *   float64 evaluation of each prompt, in the kernel's own operation order.
 *   Every float32 operation a∘b contributes 2^−24·|a∘b| + 2^−126 (rounding,
 *   and underflow or flush-to-zero), a product propagates |a|·err(b) + |b|·err(a),
 *   every normal carries (τ + 2^−24)·r (the device's error plus the CPU
 *   reference's float32 rounding of the normal), and the Kahan sum h adds
 *   (2·2^−24 + 2n·2^−48)·Σ|t_i| (Higham, Accuracy and Stability of Numerical
 *   Algorithms, 2nd ed., §4.3). This is the "(n·d)·2^−24 times the sum of
 *   absolute values" estimate made exact for each prompt: sequential dot
 *   products of length d, the sequential GLA recurrence of length n, the
 *   compensated WPGD sum. The CPU backend with round32 computes the same
 *   quantities in float64 from the same float32 inputs, so |gpu − cpu| stays
 *   below this bound. The bound is first order: it drops products of two
 *   error terms, smaller than the bound by a factor of about n·2^−24 ≤ 0.006.
 * - Checks on the device's own normals, read back from its normals kernel,
 *   drop the normal error and keep the arithmetic terms only. That bound is
 *   tight enough that a float32 sum without compensation exceeds it.
 */

/** Unit roundoff of float32: a rounded operation a∘b is off by at most 2^−24·|a∘b|. */
export const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;
/** Absolute error an operation can add by underflow or flush-to-zero: the smallest normal float32, 2^−126. */
export const FLOAT32_UNDERFLOW = 2 ** -126;
/** τ: a device normal is within τ·r of the float64 Box–Muller normal of the same words, r the pair's radius. */
export const NORMAL_TOLERANCE = 2 ** -20;

/** A float64 value v and a bound e on how far the float32 kernel's value can be from it. */
export interface Bounded {
  readonly v: number;
  readonly e: number;
}

/** A value the device represents exactly. */
export const exact = (v: number): Bounded => ({ v, e: 0 });
/** Bounds a float64 quantity that the device stores rounded to float32 once. */
export const stored = (v: number): Bounded => ({ v, e: FLOAT32_UNIT_ROUNDOFF * Math.abs(v) });
const ZERO: Bounded = exact(0);

/** Bounds the float32 product a·b: first-order propagation plus one rounding and one underflow. */
export function times(a: Bounded, b: Bounded): Bounded {
  const v = a.v * b.v;
  return { v, e: Math.abs(a.v) * b.e + Math.abs(b.v) * a.e + FLOAT32_UNIT_ROUNDOFF * Math.abs(v) + FLOAT32_UNDERFLOW };
}

/** Bounds the float32 sum a + b: the operands' errors plus one rounding and one underflow. */
export function plus(a: Bounded, b: Bounded): Bounded {
  const v = a.v + b.v;
  return { v, e: a.e + b.e + FLOAT32_UNIT_ROUNDOFF * Math.abs(v) + FLOAT32_UNDERFLOW };
}

/** Compensated (Kahan) sum of terms t_i: err ≤ Σ err(t_i) + (2ε + 2nε²)·Σ|t_i| + 4n underflows. */
export class KahanBound {
  /** The same terms summed left to right in float32, without compensation. */
  plain = 0;
  private value = 0;
  private termErrors = 0;
  private absolute = 0;
  private terms = 0;

  add(term: Bounded): void {
    this.value += term.v;
    this.plain = Math.fround(this.plain + Math.fround(term.v));
    this.termErrors += term.e;
    this.absolute += Math.abs(term.v);
    this.terms++;
  }

  result(): Bounded {
    const n = this.terms;
    const epsilon = FLOAT32_UNIT_ROUNDOFF;
    return { v: this.value, e: this.termErrors + (2 * epsilon + 2 * n * epsilon * epsilon) * this.absolute + 4 * n * FLOAT32_UNDERFLOW };
  }
}

/**
 * Relative error of a host weight against the CPU reference's: one float32
 * rounding, plus a float64 sum of up to n logarithms whose absolute values add
 * up to |log ω| ≤ 126 ln 2 for every weight that is kept.
 */
export function hostWeightError(n: number): number {
  return FLOAT32_UNIT_ROUNDOFF + n * 2 ** -53 * 126 * Math.LN2;
}

/** Sequential reader of one stream's normals, each with a bound on the device's error. */
export interface NormalReader {
  read(): Bounded;
}

/** The normals of one prompt, stream by stream. */
export type PromptNormals = (stream: number) => NormalReader;

/**
 * Float64 Box–Muller normals, each with error (τ + ε)·r: the device's
 * deviation plus the CPU reference's float32 rounding of the normal.
 */
export function float64Normals(seed: number, prompt: number): PromptNormals {
  const generator = new NormalGenerator(philoxKey(seed));
  return (stream) => {
    const block = new Float64Array(4);
    let next = 0;
    return {
      read(): Bounded {
        const lane = next & 3;
        if (lane === 0) generator.blockInto(prompt, stream, next >>> 2, block, 0);
        next++;
        const radius = Math.hypot(block[lane], block[lane ^ 1]);
        return { v: block[lane], e: (NORMAL_TOLERANCE + FLOAT32_UNIT_ROUNDOFF) * radius };
      },
    };
  };
}

/**
 * Reads back a float32 backend's own normals of one prompt from its normals
 * kernel, which on WebGPU shares its Box–Muller code with the risk and scan
 * kernels. They are exact inputs, so a bound over them covers arithmetic error only.
 */
export async function deviceNormals(backend: Backend, model: BlockModel, seed: number, prompt: number): Promise<PromptNormals> {
  const { d, blockSizes } = model;
  const n = blockSizes.reduce((total, size) => total + size, 0);
  const counts = [n * d, d, d + blockSizes.length * d, n + 1];
  const streams = await Promise.all(counts.map((count, stream) => backend.normals(seed, prompt, stream, count)));
  return (stream) => {
    const values = streams[stream];
    let next = 0;
    return { read: () => exact(values[next++]) };
  };
}

/** Rounds the model as the kernels do: float32 inputs, derived factors rounded once. */
function boundedModel(model: BlockModel) {
  const sqrtLambda = Array.from(model.lambda, (value) => stored(Math.sqrt(Math.fround(value))));
  const rho = Array.from(model.rho, (value) => exact(Math.fround(value)));
  const innovation = rho.map(({ v }) => stored(Math.sqrt(1 - v * v)));
  const sigma = stored(Math.sqrt(Math.fround(model.sigma2)));
  return { sqrtLambda, rho, innovation, sigma };
}

/**
 * Walks one prompt in the kernels' operation order, yielding each example's
 * x_i and y_i with error bounds, and returns the query's x and y.
 */
export function walkPrompt(
  model: BlockModel,
  normals: PromptNormals,
  visit: (i: number, x: Bounded[], y: Bounded) => void,
): { x: Bounded[]; y: Bounded } {
  const { d, blockSizes } = model;
  const { sqrtLambda, rho, innovation, sigma } = boundedModel(model);
  const features = normals(0);
  const queries = normals(1);
  const tasks = normals(2);
  const noise = normals(3);
  const beta = Array.from({ length: d }, () => tasks.read());
  const readFeatures = (stream: NormalReader) => sqrtLambda.map((scale) => times(scale, stream.read()));
  const respond = (x: Bounded[], task: Bounded[]) => {
    let response = ZERO;
    for (let c = 0; c < d; c++) response = plus(response, times(x[c], task[c]));
    return plus(response, times(sigma, noise.read()));
  };

  let i = 0;
  blockSizes.forEach((size, k) => {
    const task = beta.map((value) => plus(times(rho[k], value), times(innovation[k], tasks.read())));
    for (let m = 0; m < size; m++) {
      const x = readFeatures(features);
      visit(i, x, respond(x, task));
      i++;
    }
  });
  const x = readFeatures(queries);
  return { x, y: respond(x, beta) };
}

/** Bounds ŷ = xᵀ P h in the kernel's order: rows Σ_e P_ce h_e, then Σ_c x_c row_c. */
export function boundedPrediction(x: Bounded[], P: Float64Array, h: Bounded[]): Bounded {
  const d = x.length;
  let prediction = ZERO;
  for (let c = 0; c < d; c++) {
    let row = ZERO;
    for (let e = 0; e < d; e++) row = plus(row, times(exact(Math.fround(P[c * d + e])), h[e]));
    prediction = plus(prediction, times(x[c], row));
  }
  return prediction;
}

/** The bounded squared loss of one prompt. */
export interface RiskBound {
  /** (y − ŷ)² with its float32 error bound. */
  readonly loss: Bounded;
  /** The loss that a plain float32 sum of h, without compensation, gives. */
  readonly plainLoss: number;
}

/** Bounds the squared loss (y − ŷ)² of one prompt of a risk job. */
export function boundedRisk(job: RiskJob, normals: PromptNormals): RiskBound {
  const d = job.model.d;
  const sums = Array.from({ length: d }, () => new KahanBound());
  const query = walkPrompt(job.model, normals, (i, x, y) => {
    const weighted = times(exact(Math.fround(job.omega[i])), y);
    for (let c = 0; c < d; c++) sums[c].add(times(weighted, x[c]));
  });
  const prediction = boundedPrediction(query.x, job.P, sums.map((sum) => sum.result()));
  const residual = plus(query.y, { v: -prediction.v, e: prediction.e });
  const loss = times(residual, residual);
  const plainResidual = query.y.v - boundedPrediction(query.x, job.P, sums.map((sum) => exact(sum.plain))).v;
  // The square's second-order term err(residual)² is not in the first-order product rule.
  return { loss: { v: loss.v, e: loss.e + residual.e * residual.e }, plainLoss: plainResidual * plainResidual };
}

/** The bounded scan outputs of one prompt. */
export interface ScanBound {
  /** ŷ of the GLA recurrence read at the query. */
  readonly gla: Bounded;
  /** ŷ of the compensated WPGD sum. */
  readonly wpgd: Bounded;
  /** The query label y. */
  readonly label: Bounded;
}

/**
 * Bounds the scan outputs of one prompt: the GLA recurrence
 * S_t = γ_t ⊙ S_{t−1} + y_t x_t per key coordinate, the WPGD sum Σ_i ω_i x_i y_i
 * with the host's float32 weights, and the label.
 */
export function boundedScan(job: ScanJob, normals: PromptNormals): ScanBound {
  const { d, blockSizes } = job.model;
  const n = blockSizes.reduce((total, size) => total + size, 0);
  const vector = job.gates.kind === 'vector';
  const gates = Float64Array.from(job.gates.values, Math.fround);
  const weights = scanWeights({ kind: job.gates.kind, values: gates }, n, d, true).omega;
  const gate = (t: number, c: number) => exact(vector ? gates[t * d + c] : gates[t]);
  const weight = (i: number, c: number) => {
    const value = vector ? weights[i * d + c] : weights[i];
    return { v: value, e: hostWeightError(n) * value };
  };

  let s: Bounded[] = Array.from({ length: d }, () => ZERO);
  const sums = Array.from({ length: d }, () => new KahanBound());
  const query = walkPrompt(job.model, normals, (i, x, y) => {
    for (let c = 0; c < d; c++) {
      s[c] = plus(times(gate(i, c), s[c]), times(y, x[c]));
      sums[c].add(times(times(weight(i, c), y), x[c]));
    }
  });
  s = s.map((state, c) => times(gate(n, c), state));
  const h = sums.map((sum) => sum.result());
  return { gla: boundedPrediction(query.x, job.P, s), wpgd: boundedPrediction(query.x, job.P, h), label: query.y };
}
