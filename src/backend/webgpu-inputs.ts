import { InputError } from '../core/errors.ts';
import { validateBlockModelInput } from './cpu.ts';
import { philoxKey } from './philox.ts';
import type { BlockModel, GateSequence } from './types.ts';
import { MAX_FEATURES } from './wgsl/prompt.wgsl.ts';

/** Smallest positive normal float32, 2^−126 ≈ 1.1755e-38. */
export const FLOAT32_MIN_NORMAL = 2 ** -126;

const LOG_FLOAT32_MIN_NORMAL = -126 * Math.LN2;
const TWO_POW_32 = 2 ** 32;

/**
 * A block model rounded to float32 for the kernels. Derived quantities
 * (√λ_c, √(1 − ρ_k²), σ) are computed in float64 from the float32-rounded
 * inputs and rounded once, so they match a float64 reference that starts
 * from the same rounded inputs to within one float32 rounding.
 */
export interface PackedModel {
  readonly d: number;
  readonly n: number;
  readonly blocks: number;
  readonly sigma: number;
  readonly sqrtLambda: Float32Array;
  readonly blockSizes: Uint32Array;
  /** (ρ_k, √(1 − ρ_k²)) per block. */
  readonly blockMix: Float32Array;
}

/**
 * Rounds a block model to float32 for the kernels, after the checks that
 * only the device needs: d within the private arrays, λ and σ² inside the
 * float32 range, and normal indices below 2^32. validateBlockModelInput,
 * shared with the CPU backend, checks the model itself.
 */
export function packModel(model: BlockModel): PackedModel {
  const { d, lambda, blockSizes, rho, sigma2 } = model;
  if (!Number.isInteger(d) || d < 1 || d > MAX_FEATURES) {
    throw new InputError(
      'd',
      `must be an integer from 1 to ${MAX_FEATURES} on the WebGPU backend, whose kernels keep x_i in a private array`,
      d,
      `use d ≤ ${MAX_FEATURES} or the CPU backend (--backend cpu)`,
    );
  }
  validateBlockModelInput(model);
  lambda.forEach((value, c) => {
    const rounded = Math.fround(value);
    if (!(rounded > 0 && rounded < Infinity)) {
      throw new InputError(`λ[${c}]`, 'is outside the positive float32 range', value, 'pass eigenvalues of Σ between 1.4e-45 and 3.4e38');
    }
  });
  if (!Number.isFinite(Math.fround(sigma2))) {
    throw new InputError('σ²', 'overflows float32', sigma2, 'pass a noise variance below 3.4e38');
  }
  const n = blockSizes.reduce((total, size) => total + size, 0);
  // The device numbers normal t of a stream with a u32 (t = i·d + c in stream 0).
  if (n * d >= TWO_POW_32 || (blockSizes.length + 1) * d >= TWO_POW_32) {
    throw new InputError('n·d', "reaches 2^32, the range of the device's normal index", n * d, 'use fewer examples or features, or the CPU backend');
  }

  const sqrtLambda = Float32Array.from(lambda, (value) => Math.sqrt(Math.fround(value)));
  const blockMix = new Float32Array(2 * blockSizes.length);
  rho.forEach((value, k) => {
    const rounded = Math.fround(value);
    blockMix[2 * k] = rounded;
    blockMix[2 * k + 1] = Math.sqrt(1 - rounded * rounded);
  });
  return {
    d,
    n,
    blocks: blockSizes.length,
    sigma: Math.fround(Math.sqrt(Math.fround(sigma2))),
    sqrtLambda,
    blockSizes: Uint32Array.from(blockSizes),
    blockMix,
  };
}

/** Rounds P to float32 and rejects overflow; validateRiskJob or validateScanJob checks its shape. */
export function packPreconditioner(P: Float64Array): Float32Array {
  return requireFiniteFloat32('P', Float32Array.from(P));
}

/** Rounds ω to float32 and rejects overflow; validateRiskJob checks its length. */
export function packOmega(omega: Float64Array): Float32Array {
  return requireFiniteFloat32('ω', Float32Array.from(omega));
}

function requireFiniteFloat32(input: string, values: Float32Array): Float32Array {
  const index = values.findIndex((value) => !Number.isFinite(value));
  if (index >= 0) {
    throw new InputError(`${input}[${index}]`, 'overflows float32', values[index], 'pass entries of magnitude below 3.4e38');
  }
  return values;
}

/** Float32 gates and the WPGD weights they induce, ready for the scan kernel. */
export interface GateWeights {
  /** Gates rounded to float32, (n + 1) or (n + 1)·d entries. */
  readonly gates: Float32Array;
  /** ω_{i(,c)} rounded to float32; 0 where the weight is exactly 0 or below 2^−126. */
  readonly weights: Float32Array;
  /** Positive weights below the smallest normal float32, left out as 0. */
  readonly outOfRange: number;
  /** Weights that are exactly 0 because a later gate is exactly 0. */
  readonly zeros: number;
}

/**
 * Computes ω_i = Π_{t=i+1}^{n} γ_t (0-based gate index t, the query's gate
 * t = n included) per coordinate, from the float32-rounded gates, as float64
 * suffix sums of log γ.
 *
 * The gates are shared by every prompt, so this runs once on the host. There
 * the sum of up to n logarithms errs by at most about n·2^−53 relative, where
 * a float32 sum on the device could err by n·2^−24 (up to 0.6 in
 * log ω = −100 at n = 10^5). Each weight is then rounded to float32 once,
 * which is more accurate than exponentiating a float32 log ω with WGSL's exp
 * (3 + 2|x| ulp). A gate of exactly 0 makes every earlier weight exactly 0,
 * never exp(−∞). The gates must be valid: validateScanJob checks that there
 * are (n + 1)·channels values in [0, 1].
 */
export function gateWeights(sequence: GateSequence, n: number, d: number): GateWeights {
  const channels = sequence.kind === 'vector' ? d : 1;
  const gates = Float32Array.from(sequence.values);
  const weights = new Float32Array(n * channels);
  let outOfRange = 0;
  let zeros = 0;
  for (let c = 0; c < channels; c++) {
    let logOmega = 0;
    let zero = false;
    for (let i = n - 1; i >= 0; i--) {
      const gate = gates[(i + 1) * channels + c];
      if (gate === 0) zero = true;
      else logOmega += Math.log(gate);
      if (zero) {
        zeros++;
      } else if (logOmega < LOG_FLOAT32_MIN_NORMAL) {
        outOfRange++;
      } else {
        weights[i * channels + c] = Math.fround(Math.exp(logOmega));
      }
    }
  }
  return { gates, weights, outOfRange, zeros };
}

/** Packs the kernels' PromptParams uniform for prompts firstPrompt .. firstPrompt + count − 1. */
export function promptParams(seed: number, firstPrompt: number, count: number, model: PackedModel, vectorGates: boolean): Uint32Array {
  const buffer = new ArrayBuffer(48);
  const words = new Uint32Array(buffer);
  const floats = new Float32Array(buffer);
  const { k0, k1 } = philoxKey(seed);
  words[0] = k0;
  words[1] = k1;
  words[2] = firstPrompt;
  words[3] = count;
  words[4] = model.n;
  words[5] = model.d;
  words[6] = model.blocks;
  floats[7] = model.sigma;
  words[8] = vectorGates ? 1 : 0;
  // opaque_one: the kernels' Kahan sums multiply by it so compilers cannot cancel the compensation.
  floats[9] = 1;
  return words;
}
