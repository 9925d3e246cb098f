import type { Field } from '../algebra/field.ts';

/** Gate families of a GLA layer; rows of S index value channels, columns key channels. */
export type GateFamily = 'none' | 'scalar' | 'key-vector' | 'value-vector';

/**
 * A gate map G(z). For 'scalar' it returns [γ(z)]; for the vector families it
 * returns g(z) ∈ [0,1]^D; for 'none' it is not called. `position` is the
 * 1-based token index, so a map may also assign per-position gate values.
 */
export type GateMap<T> = (z: readonly T[], position: number) => T[];

export interface GlaLayer<T> {
  Wq: T[][];
  Wk: T[][];
  Wv: T[][];
  family: GateFamily;
  gate?: GateMap<T>;
}

function matvecIn<T>(F: Field<T>, W: readonly (readonly T[])[], z: readonly T[]): T[] {
  return W.map((row) => row.reduce((acc, w, j) => F.add(acc, F.mul(w, z[j])), F.zero));
}

/**
 * Apply G(z) ⊙ S in place for one gate family:
 * none: G = 1 1ᵀ; scalar: γ 1 1ᵀ; key-vector: 1 gᵀ (scales columns);
 * value-vector: g 1ᵀ (scales rows).
 */
function applyGate<T>(F: Field<T>, layer: GlaLayer<T>, S: T[][], z: readonly T[], position: number): void {
  if (layer.family === 'none') return;
  if (!layer.gate) throw new Error(`a '${layer.family}' GLA layer needs a gate map`);
  const g = layer.gate(z, position);
  for (let a = 0; a < S.length; a++) {
    for (let b = 0; b < S[a].length; b++) S[a][b] = F.mul(gateEntry(layer.family, g, a, b), S[a][b]);
  }
}

/** Returns G(z)_ab: γ for scalar gates, g_b for key-vector gates (columns), g_a for value-vector gates (rows). */
function gateEntry<T>(family: GateFamily, g: readonly T[], a: number, b: number): T {
  if (family === 'scalar') return g[0];
  if (family === 'key-vector') return g[b];
  return g[a];
}

/**
 * Runs one GLA layer over the tokens z_1..z_{n+1} (rows of Z, each of length D):
 *   q_i = W_q z_i, k_i = W_k z_i, v_i = W_v z_i,
 *   S_i = G(z_i) ⊙ S_{i−1} + v_i k_iᵀ  (S_0 = 0),
 *   o_i = S_i q_i.
 * Returns the outputs o_1..o_{n+1}. This is the plain reference recurrence
 * every faster path is tested against.
 */
export function glaLayerForward<T>(F: Field<T>, layer: GlaLayer<T>, Z: readonly (readonly T[])[]): T[][] {
  const D = Z[0].length;
  const S: T[][] = Array.from({ length: D }, () => new Array<T>(D).fill(F.zero));
  const outputs: T[][] = [];
  Z.forEach((z, index) => {
    const q = matvecIn(F, layer.Wq, z);
    const k = matvecIn(F, layer.Wk, z);
    const v = matvecIn(F, layer.Wv, z);
    applyGate(F, layer, S, z, index + 1);
    for (let a = 0; a < D; a++) {
      for (let b = 0; b < D; b++) S[a][b] = F.add(S[a][b], F.mul(v[a], k[b]));
    }
    outputs.push(matvecIn(F, S, q));
  });
  return outputs;
}

/** ŷ = uᵀ o_{n+1} of one layer; u defaults to e_D (the label coordinate). */
export function glaPredict<T>(F: Field<T>, layer: GlaLayer<T>, Z: readonly (readonly T[])[], u?: readonly T[]): T {
  const outputs = glaLayerForward(F, layer, Z);
  const last = outputs[outputs.length - 1];
  return readout(F, last, u);
}

/**
 * Multilayer GLA with residual connections Z^{(ℓ+1)} = Z^{(ℓ)} + O^{(ℓ)}.
 * Returns the token matrix after every layer (index 0 is the input).
 */
export function glaMultilayerForward<T>(
  F: Field<T>,
  layers: readonly GlaLayer<T>[],
  Z: readonly (readonly T[])[],
): T[][][] {
  const history: T[][][] = [Z.map((row) => [...row])];
  for (const layer of layers) {
    const current = history[history.length - 1];
    const O = glaLayerForward(F, layer, current);
    history.push(current.map((z, i) => z.map((value, c) => F.add(value, O[i][c]))));
  }
  return history;
}

/** ŷ = uᵀ z_{n+1}^{(L)}; the readout defaults to e_D. */
export function glaMultilayerPredict<T>(
  F: Field<T>,
  layers: readonly GlaLayer<T>[],
  Z: readonly (readonly T[])[],
  u?: readonly T[],
): T {
  const history = glaMultilayerForward(F, layers, Z);
  const last = history[history.length - 1];
  return readout(F, last[last.length - 1], u);
}

function readout<T>(F: Field<T>, o: readonly T[], u?: readonly T[]): T {
  if (!u) return o[o.length - 1];
  return o.reduce((acc, value, c) => F.add(acc, F.mul(u[c], value)), F.zero);
}

/**
 * Tokens z_i = (x_i, y_i) for i ≤ n and the query z_{n+1} = (x, 0). A nonzero
 * `queryLabel` leaves the model's prompt format; only probes that drop that
 * hypothesis pass one.
 */
export function promptTokens<T>(F: Field<T>, X: readonly (readonly T[])[], y: readonly T[], x: readonly T[], queryLabel: T = F.zero): T[][] {
  return [...X.map((row, i) => [...row, y[i]]), [...x, queryLabel]];
}
