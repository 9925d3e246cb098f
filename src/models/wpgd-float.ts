import { requireFinite, requireFiniteMatrix, requireGates, requireLength, requireShape } from '../core/validate.ts';
import { causalLogWeights, suffixLogWeights } from './gate-weights.ts';

type Rows = readonly (readonly number[])[];

function bilinear(x: readonly number[], P: Rows, xi: readonly number[]): number {
  let total = 0;
  for (let a = 0; a < x.length; a++) {
    let row = 0;
    for (let b = 0; b < xi.length; b++) row += P[a][b] * xi[b];
    total += x[a] * row;
  }
  return total;
}

/** Validates a float64 prompt (X: n×d, y: n, x: d) and a d×d preconditioner. */
export function validatePrompt(P: Rows, X: Rows, y: readonly number[], x: readonly number[]): void {
  const d = x.length;
  const n = X.length;
  requireFinite('x', x);
  requireShape('X', X, n, d);
  requireFiniteMatrix('X', X);
  requireLength('y', y, n, `X with ${n} rows`);
  requireFinite('y', y);
  requireShape('P', P, d, d);
  requireFiniteMatrix('P', P);
}

/**
 * ŷ = xᵀ P Xᵀ (ω ⊙ y) with ω_i = Π_{j>i} γ_j taken from float64 gates in log
 * space (see suffixLogWeights). Exact zeros, ones and underflowing weights are
 * handled there; this function never produces NaN from finite valid input.
 */
export function wpgdPredictFromGates(P: Rows, X: Rows, y: readonly number[], x: readonly number[], gamma: readonly number[]): number {
  validatePrompt(P, X, y, x);
  requireLength('γ', gamma, X.length + 1, `a prompt of ${X.length} examples plus the query`);
  const { omega } = suffixLogWeights(gamma);
  let total = 0;
  X.forEach((xi, i) => {
    if (omega[i] !== 0) total += omega[i] * y[i] * bilinear(x, P, xi);
  });
  return total;
}

/**
 * Float64 GLA-L recursion (THEORY §2 GLA-L): starting from r^{(0)} = (y, 0),
 * for each layer r_j ← r_j − Σ_{i ≤ j} ω_{i→j} r_i x_jᵀ P_ℓ x_i, with weights
 * from log-space partial products. Returns r^{(L)}; the prediction is −r_{n+1}^{(L)}.
 * `gates(ℓ, tokens)` returns γ_1..γ_{n+1} of layer ℓ from that layer's tokens
 * (x_j, r_j^{(ℓ)}), so gates may read the residual stream.
 */
export function causalWpgdFloat(
  Ps: readonly Rows[],
  Xall: Rows,
  y: readonly number[],
  gates: (layer: number, tokens: number[][]) => number[],
): number[] {
  let residual = [...y, 0];
  Ps.forEach((P, layer) => {
    const tokens = Xall.map((xj, j) => [...xj, residual[j]]);
    const gamma = gates(layer, tokens);
    requireGates(`γ of layer ${layer + 1}`, gamma);
    residual = Xall.map((xj, j) => {
      const weights = causalLogWeights(gamma, j);
      let update = 0;
      for (let i = 0; i <= j; i++) {
        if (weights[i] !== 0) update += weights[i] * residual[i] * bilinear(xj, P, Xall[i]);
      }
      return residual[j] - update;
    });
  });
  return residual;
}
