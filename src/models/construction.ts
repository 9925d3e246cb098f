import type { Field } from '../algebra/field.ts';
import type { GateFamily, GateMap, GlaLayer } from './gla.ts';

/**
 * Construction C, which turns a GLA layer into WPGD:
 * W_k = [[I_d, 0], [0, 0]], W_v = e_D e_Dᵀ, W_q = [[sign·Pᵀ, 0], [0, 0]],
 * so k_i = (x_i, 0), v_i = (0, y_i) and q_{n+1} = (sign·Pᵀ x, 0).
 * GLA-L uses sign = −1 so that the residual stream carries r^{(ℓ)}.
 */
export function constructionC<T>(
  F: Field<T>,
  P: readonly (readonly T[])[],
  family: GateFamily,
  gate?: GateMap<T>,
  sign: 1 | -1 = 1,
): GlaLayer<T> {
  const d = P.length;
  const D = d + 1;
  const zeroMatrix = () => Array.from({ length: D }, () => new Array<T>(D).fill(F.zero));
  const Wk = zeroMatrix();
  const Wv = zeroMatrix();
  const Wq = zeroMatrix();
  for (let a = 0; a < d; a++) {
    Wk[a][a] = F.one;
    for (let b = 0; b < d; b++) Wq[a][b] = sign === 1 ? P[b][a] : F.neg(P[b][a]);
  }
  Wv[d][d] = F.one;
  return { Wq, Wk, Wv, family, gate };
}
