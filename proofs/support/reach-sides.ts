import {
  keyGatedLayer,
  keyVectorGatesFor,
  scalarGatedLayer,
  scalarGatesFor,
  valueGatedLayer,
  valueVectorGatesFor,
  type KeyVectorGates,
  type OrderedField,
  type ScalarGates,
  type ValueVectorGates,
} from '../../src/gating/synthesis.ts';
import { glaPredict, promptTokens } from '../../src/models/gla.ts';
import { wpgdMatrixWeightedPredict, wpgdPredict } from '../../src/models/wpgd.ts';

/**
 * Both sides of a reachability statement over any ordered field: the GLA
 * layer built from synthesised gates, and WPGD with the target weights.
 */

export interface PromptInputs<T> {
  X: readonly (readonly T[])[];
  y: readonly T[];
  x: readonly T[];
  P: readonly (readonly T[])[];
}

export interface ReachSides<T, S> {
  gla: T;
  wpgd: T;
  synthesis: S;
}

/** Scalar gates for a cone point ω: GLA with c·P and the gates against xᵀ P Xᵀ (ω ⊙ y). */
export function scalarReachSides<T>(F: OrderedField<T>, prompt: PromptInputs<T>, omega: readonly T[]): ReachSides<T, ScalarGates<T>> {
  const { X, y, x, P } = prompt;
  const synthesis = scalarGatesFor(F, omega);
  const { layer } = scalarGatedLayer(F, P, synthesis);
  return { gla: glaPredict(F, layer, promptTokens(F, X, y, x)), wpgd: wpgdPredict(F, P, X, y, x, omega), synthesis };
}

/** Value-vector gates for any ω: GLA with W_v = α e_Dᵀ and readout u against xᵀ P Xᵀ (ω ⊙ y). */
export function valueReachSides<T>(F: OrderedField<T>, prompt: PromptInputs<T>, omega: readonly T[]): ReachSides<T, ValueVectorGates<T>> {
  const { X, y, x, P } = prompt;
  const synthesis = valueVectorGatesFor(F, omega, x.length + 1);
  const { layer, u } = valueGatedLayer(F, P, synthesis);
  return { gla: glaPredict(F, layer, promptTokens(F, X, y, x), u), wpgd: wpgdPredict(F, P, X, y, x, omega), synthesis };
}

/**
 * Key-vector gates for per-coordinate cone sequences (`omegaByCoordinate[m][i]`
 * = ω_{i,m}): GLA with P diag(c) against xᵀ P Σ_i diag(ω_i) x_i y_i.
 */
export function keyReachSides<T>(
  F: OrderedField<T>,
  prompt: PromptInputs<T>,
  omegaByCoordinate: readonly (readonly T[])[],
): ReachSides<T, KeyVectorGates<T>> {
  const { X, y, x, P } = prompt;
  const d = x.length;
  const synthesis = keyVectorGatesFor(F, omegaByCoordinate);
  const { layer } = keyGatedLayer(F, P, synthesis);
  const Omega = X.map((_, i) =>
    Array.from({ length: d }, (__, a) => Array.from({ length: d }, (___, b) => (a === b ? omegaByCoordinate[a][i] : F.zero))),
  );
  return { gla: glaPredict(F, layer, promptTokens(F, X, y, x)), wpgd: wpgdMatrixWeightedPredict(F, P, X, y, x, Omega), synthesis };
}
