import type { Field } from '../algebra/field.ts';

function bilinear<T>(F: Field<T>, x: readonly T[], P: readonly (readonly T[])[], xi: readonly T[]): T {
  let total = F.zero;
  for (let a = 0; a < x.length; a++) {
    for (let b = 0; b < xi.length; b++) total = F.add(total, F.mul(F.mul(x[a], P[a][b]), xi[b]));
  }
  return total;
}

/** ŷ_WPGD(P, ω) = xᵀ P Xᵀ (ω ⊙ y): one step of weighted preconditioned GD from w_0 = 0. */
export function wpgdPredict<T>(
  F: Field<T>,
  P: readonly (readonly T[])[],
  X: readonly (readonly T[])[],
  y: readonly T[],
  x: readonly T[],
  omega: readonly T[],
): T {
  return X.reduce((acc, xi, i) => F.add(acc, F.mul(F.mul(omega[i], y[i]), bilinear(F, x, P, xi))), F.zero);
}

/** Matrix-weighted WPGD ŷ = xᵀ P Σ_i Ω_i x_i y_i with Ω_i ∈ R^{d×d}. */
export function wpgdMatrixWeightedPredict<T>(
  F: Field<T>,
  P: readonly (readonly T[])[],
  X: readonly (readonly T[])[],
  y: readonly T[],
  x: readonly T[],
  Omega: readonly (readonly (readonly T[])[])[],
): T {
  const d = x.length;
  const accumulated = new Array<T>(d).fill(F.zero);
  X.forEach((xi, i) => {
    for (let a = 0; a < d; a++) {
      let row = F.zero;
      for (let b = 0; b < d; b++) row = F.add(row, F.mul(Omega[i][a][b], xi[b]));
      accumulated[a] = F.add(accumulated[a], F.mul(row, y[i]));
    }
  });
  let total = F.zero;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) total = F.add(total, F.mul(F.mul(x[a], P[a][b]), accumulated[b]));
  }
  return total;
}

/**
 * Suffix products ω_i = Π_{j=i+1}^{n+1} γ_j for i = 1..n, in exact field
 * arithmetic (the query's gate γ_{n+1} is included; γ_1 never is).
 * For float64 inputs use gate-weights.ts, which works in log space.
 */
export function suffixProductWeights<T>(F: Field<T>, gamma: readonly T[]): T[] {
  const n = gamma.length - 1;
  const omega = new Array<T>(n);
  let running = F.one;
  for (let i = n; i >= 1; i--) {
    running = F.mul(running, gamma[i]); // gamma[i] is γ_{i+1}
    omega[i - 1] = running;
  }
  return omega;
}

/**
 * The causal WPGD recursion of GLA-L, one layer: for every position j = 1..n+1,
 *   r_j^{(ℓ+1)} = r_j^{(ℓ)} − Σ_{i ≤ j} ω_{i→j} r_i^{(ℓ)} x_jᵀ P_ℓ x_i,
 *   ω_{i→j} = Π_{k=i+1}^{j} γ_k   (ω_{j→j} = 1).
 * `Xall` contains x_1..x_n and the query x as row n+1, and `gamma` contains γ_1..γ_{n+1}.
 */
export function causalWpgdStep<T>(
  F: Field<T>,
  P: readonly (readonly T[])[],
  Xall: readonly (readonly T[])[],
  residual: readonly T[],
  gamma: readonly T[],
): T[] {
  return Xall.map((xj, j) => {
    let update = F.zero;
    let weight = F.one;
    for (let i = j; i >= 0; i--) {
      if (i < j) weight = F.mul(weight, gamma[i + 1]);
      update = F.add(update, F.mul(F.mul(weight, residual[i]), bilinear(F, xj, P, Xall[i])));
    }
    return F.sub(residual[j], update);
  });
}
