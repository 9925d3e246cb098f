/**
 * The numeric backend interface: batched sampling of block-model prompts, the
 * WPGD risk kernel and the GLA scan kernel, with one CPU (float64) and one
 * WebGPU (float32) implementation. Both draw the same prompts for the same
 * seed, because sampling is a pure function of (seed, prompt, stream, index).
 *
 * Sampling layout (THEORY §3, block model, Σ = diag(λ)):
 * - Philox4x32-10 with key (seed mod 2^32, floor(seed / 2^32)) and counter
 *   (j, p, stream, 0) gives four 32-bit words for block j of prompt p.
 * - Word w becomes the uniform u = ((w >>> 8) + 0.5) · 2^−24 in (0, 1),
 *   exact in float64; in float32 only u < 1/2 and 1 − u are exact, because
 *   u ≥ 1/2 needs 25 significant bits.
 * - Normal number t of a stream reads block j = floor(t / 4), lane t mod 4.
 *   Lanes (0, 1) and (2, 3) are Box–Muller pairs:
 *   z_0 = √(−2 ln u_0) cos(2π u_1), z_1 = √(−2 ln u_0) sin(2π u_1), and the same for (u_2, u_3).
 * - Streams: 0 example features, t = i·d + c (x_{i,c} = √λ_c z);
 *   1 query features, t = c; 2 tasks, t = c for the query task β_c and
 *   t = d + k·d + c for the block innovation ε_{k,c}; 3 noise, t = i for ξ_i and t = n for ξ.
 * - Block k's task is β^{(k)} = ρ_k β + √(1 − ρ_k²) ε_k; example i of block k(i)
 *   has y_i = x_iᵀ β^{(k(i))} + σ ξ_i, and the query y = xᵀβ + σ ξ.
 * Indices i, k, c start at 0 here.
 */

export type BackendName = 'cpu' | 'webgpu';

/** The block-model data of THEORY §3 with diagonal Σ. */
export interface BlockModel {
  /** Feature dimension d. */
  readonly d: number;
  /** Eigenvalues λ_c of Σ = diag(λ), length d, all positive. */
  readonly lambda: Float64Array;
  /** Block sizes m_k in prompt order; n = Σ m_k. */
  readonly blockSizes: readonly number[];
  /** Correlations ρ_k ∈ [−1, 1] of each block's task with the query task. */
  readonly rho: Float64Array;
  /** Noise variance σ² ≥ 0. */
  readonly sigma2: number;
}

/** A batch of prompts: which ones, from which seed. */
export interface PromptBatch {
  /** Philox key, an integer in [0, 2^53). */
  readonly seed: number;
  /** Index of the first prompt (the counter's second word). */
  readonly firstPrompt: number;
  /** Number of prompts. */
  readonly count: number;
}

/** Per-prompt squared losses of WPGD ŷ = xᵀ P Σ_i ω_i x_i y_i. */
export interface RiskJob {
  readonly model: BlockModel;
  readonly batch: PromptBatch;
  /** Preconditioner P, d×d row-major. */
  readonly P: Float64Array;
  /** Weights ω_i, length n. */
  readonly omega: Float64Array;
}

/** Gates of one GLA layer under construction C, shared by every prompt of a batch. */
export interface GateSequence {
  /** 'scalar': one gate per token; 'vector': one gate per token and key coordinate. */
  readonly kind: 'scalar' | 'vector';
  /**
   * Gate values in [0, 1] for tokens 1..n+1 (the query last): length n+1 for
   * scalar gates, (n+1)·d row-major for vector gates. Token 1's gate multiplies
   * the empty state, so it has no effect.
   */
  readonly values: Float64Array;
}

/** The GLA scan against the WPGD formula on sampled prompts. */
export interface ScanJob {
  readonly model: BlockModel;
  readonly batch: PromptBatch;
  /** Preconditioner P, d×d row-major (W_q = [Pᵀ 0; 0 0]). */
  readonly P: Float64Array;
  readonly gates: GateSequence;
}

/** Per-prompt losses, in the backend's precision, read back as float64. */
export interface RiskOutput {
  /** (y − ŷ)² per prompt. */
  readonly losses: Float64Array;
}

/** Per-prompt predictions of the GLA scan and of the WPGD formula. */
export interface ScanOutput {
  /** ŷ from the recurrence S_t = G_t ⊙ S_{t−1} + v_t k_tᵀ, read at the query. */
  readonly gla: Float64Array;
  /** ŷ = xᵀ P Σ_i (ω_i ⊙ x_i) y_i with ω from log-space suffix sums of log γ. */
  readonly wpgd: Float64Array;
  /** The query labels y. */
  readonly labels: Float64Array;
  /**
   * Weights ω_{i(,c)} that are positive but below the backend's smallest
   * normal number (2.2e-308 in float64, 1.18e-38 in float32): they are left
   * out of the WPGD sum and counted here, never used as subnormals.
   */
  readonly weightsOutOfRange: number;
  /** Weights that are exactly zero because some gate after them is exactly 0. */
  readonly zeroWeights: number;
}

/** A numeric backend. Every method is deterministic in its inputs. */
export interface Backend {
  readonly name: BackendName;
  /** 'float64' on the CPU, 'float32' on WebGPU. */
  readonly precision: 'float64' | 'float32';
  /** Adapter or CPU description, for reports. */
  readonly description: string;
  /** The normals of one stream of prompt p, numbers 0..count−1 (for agreement tests). */
  normals(seed: number, prompt: number, stream: number, count: number): Promise<Float64Array>;
  risk(job: RiskJob): Promise<RiskOutput>;
  scan(job: ScanJob): Promise<ScanOutput>;
  /** Releases workers or the GPU device. */
  dispose(): Promise<void>;
}
