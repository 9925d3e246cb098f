import type { Field } from '../../src/algebra/field.ts';
import { constructionC } from '../../src/models/construction.ts';
import { glaMultilayerForward, glaMultilayerPredict, glaPredict, promptTokens } from '../../src/models/gla.ts';
import {
  causalWpgdStep,
  suffixProductWeights,
  wpgdMatrixWeightedPredict,
  wpgdPredict,
} from '../../src/models/wpgd.ts';

/**
 * The four GLA = WPGD identities, written once over any Field so the same
 * code builds both sides from symbols (a proof for one size), from exact
 * rationals (a check) or from float64 numbers.
 */

/** Supplies the inputs of one instance by name: a symbol, a random rational, … */
export interface InputSource<T> {
  /** A real input: an entry of x_i, y_i, x, P, α or u. */
  real(name: string): T;
  /** A gate value in [0, 1]. */
  gate(name: string): T;
}

/** The size and variant of one instance. */
export interface IdentityCase {
  n: number;
  d: number;
  /** Layers (GLA-L only). */
  L?: number;
  /** Gate family (GLA-1 only): 'none' is linear attention, whose WPGD weights are ω = 1. */
  family?: 'scalar' | 'none';
  /**
   * GLA-L only: 'per-position' gives every layer and position its own gate
   * input (this covers every gate map); 'content' computes each gate from the
   * layer's token z_j^{(ℓ)} = (x_j, r_j^{(ℓ)}) through `contentGate`.
   */
  gates?: 'per-position' | 'content';
}

/** One quantity computed by both models: they must agree exactly. */
export interface SidePair<T> {
  /** The compared quantity, e.g. "ŷ" or "label of token 2 after layer 1". */
  label: string;
  gla: T;
  wpgd: T;
}

/** One of the four identities: builds both sides of every compared quantity. */
export interface Identity {
  id: string;
  /** Input symbols in LaTeX, for certificates. */
  latexInputs(instance: IdentityCase): string;
  /** The WPGD side in LaTeX, for certificates. */
  latexWpgd: string;
  /** The other compared quantities in LaTeX (one per layer and position), when there are any. */
  latexIntermediate?: string;
  sides<T>(F: Field<T>, instance: IdentityCase, source: InputSource<T>, options?: SideOptions<T>): SidePair<T>[];
}

export interface SideOptions<T> {
  /** The query token's label coordinate; construction C has 0. A probe sets it to drop that hypothesis. */
  queryLabel?: T;
  /**
   * A content-dependent gate for GLA-L: γ_ℓ(z) from the layer index (0-based)
   * and the token z = (x_j, r_j^{(ℓ)}). Needed when `gates` is 'content'.
   */
  contentGate?: (layer: number, z: readonly T[], source: InputSource<T>) => T;
  /**
   * GLA-L only: rewrites each token and residual between layers into an
   * equal normal form (nerdamer expand), so that symbolic expressions do not
   * nest L levels deep. Both models then run one layer at a time; without it
   * the GLA side runs all layers in one multilayer call.
   */
  normalise?: (value: T) => T;
}

export interface Prompt<T> {
  X: T[][];
  y: T[];
  x: T[];
}

/** Prompt inputs x_i (rows of X), y_i and the query x, named x{i}_{a}, y{i}, q{a}. */
export function promptInputs<T>(source: InputSource<T>, n: number, d: number): Prompt<T> {
  const X = Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, a) => source.real(`x${i + 1}_${a + 1}`)));
  const y = Array.from({ length: n }, (_, i) => source.real(`y${i + 1}`));
  const x = Array.from({ length: d }, (_, a) => source.real(`q${a + 1}`));
  return { X, y, x };
}

/** Builds a d×d preconditioner with entries named {prefix}{a}_{b}. */
export function preconditionerInput<T>(source: InputSource<T>, d: number, prefix = 'p'): T[][] {
  return Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => source.real(`${prefix}${a + 1}_${b + 1}`)));
}

/** Gate values per position j = 1..n+1 and channel c = 1..D, named g{j}_{c}: rows are positions. */
function gateVectorInputs<T>(source: InputSource<T>, n: number, D: number): T[][] {
  return Array.from({ length: n + 1 }, (_, j) => Array.from({ length: D }, (_, c) => source.gate(`g${j + 1}_${c + 1}`)));
}

/** Column c of a positions × channels gate table: γ_1..γ_{n+1} of one channel. */
function channel<T>(gates: readonly (readonly T[])[], c: number): T[] {
  return gates.map((row) => row[c]);
}

function unitVector<T>(F: Field<T>, length: number, index: number, value: T): T[] {
  return Array.from({ length }, (_, c) => (c === index ? value : F.zero));
}

/**
 * GLA-1: one scalar-gated GLA layer under construction C predicts
 * ŷ = xᵀ P Xᵀ (ω ⊙ y) with ω_i = Π_{j=i+1}^{n+1} γ_j; with no gating, ω = 1.
 */
export const scalarIdentity: Identity = {
  id: 'GLA-1',
  latexInputs: ({ family }) =>
    family === 'none' ? 'x_{i,a},\\ y_i,\\ x_a,\\ P_{ab}' : 'x_{i,a},\\ y_i,\\ x_a,\\ P_{ab},\\ \\gamma_j',
  latexWpgd: 'x^\\top P X^\\top(\\omega \\odot y)',
  sides<T>(F: Field<T>, instance: IdentityCase, source: InputSource<T>, options: SideOptions<T> = {}): SidePair<T>[] {
    const { n, d } = instance;
    const family = instance.family ?? 'scalar';
    const { X, y, x } = promptInputs(source, n, d);
    const P = preconditionerInput(source, d);
    const gamma = family === 'none' ? [] : Array.from({ length: n + 1 }, (_, j) => source.gate(`g${j + 1}`));
    const layer = constructionC(F, P, family, (_z, position) => [gamma[position - 1]]);
    const gla = glaPredict(F, layer, promptTokens(F, X, y, x, options.queryLabel));
    // No gating: ω_i = 1 for every i, plain preconditioned GD.
    const omega = family === 'none' ? new Array<T>(n).fill(F.one) : suffixProductWeights(F, gamma);
    return [{ label: 'ŷ', gla, wpgd: wpgdPredict(F, P, X, y, x, omega) }];
  },
};

/**
 * GLA-key: key-vector gating G(z) = 1 g(z)ᵀ under construction C predicts
 * ŷ = xᵀ P Σ_i diag(ω_i[1..d]) x_i y_i with ω_i = ⊙_{j=i+1}^{n+1} g(z_j).
 */
export const keyVectorIdentity: Identity = {
  id: 'GLA-key',
  latexInputs: () => 'x_{i,a},\\ y_i,\\ x_a,\\ P_{ab},\\ g_c(z_j)',
  latexWpgd: 'x^\\top P \\sum_i \\operatorname{diag}(\\omega_i[1..d])\\, x_i y_i',
  sides<T>(F: Field<T>, instance: IdentityCase, source: InputSource<T>, options: SideOptions<T> = {}): SidePair<T>[] {
    const { n, d } = instance;
    const D = d + 1;
    const { X, y, x } = promptInputs(source, n, d);
    const P = preconditionerInput(source, d);
    const gates = gateVectorInputs(source, n, D);
    const layer = constructionC(F, P, 'key-vector', (_z, position) => gates[position - 1]);
    const gla = glaPredict(F, layer, promptTokens(F, X, y, x, options.queryLabel));
    // ω_i[c] = Π_{j>i} g_c(z_j) for the key channels c = 1..d (channel D meets k_i[D] = 0).
    const weights = Array.from({ length: d }, (_, c) => suffixProductWeights(F, channel(gates, c)));
    const Omega = X.map((_, i) =>
      Array.from({ length: d }, (_, a) => Array.from({ length: d }, (_, b) => (a === b ? weights[a][i] : F.zero))),
    );
    return [{ label: 'ŷ', gla, wpgd: wpgdMatrixWeightedPredict(F, P, X, y, x, Omega) }];
  },
};

/**
 * GLA-value: value-vector gating G(z) = g(z) 1ᵀ with v_i = α y_i (W_v = α e_Dᵀ)
 * and readout u predicts ŷ = xᵀ P Xᵀ (ω^eff ⊙ y) with
 * ω^eff_i = Σ_c u_c α_c Π_{j=i+1}^{n+1} g_c(z_j).
 */
export const valueVectorIdentity: Identity = {
  id: 'GLA-value',
  latexInputs: () => 'x_{i,a},\\ y_i,\\ x_a,\\ P_{ab},\\ \\alpha_c,\\ u_c,\\ g_c(z_j)',
  latexWpgd: 'x^\\top P X^\\top(\\omega^{\\mathrm{eff}} \\odot y)',
  sides<T>(F: Field<T>, instance: IdentityCase, source: InputSource<T>, options: SideOptions<T> = {}): SidePair<T>[] {
    const { n, d } = instance;
    const D = d + 1;
    const { X, y, x } = promptInputs(source, n, d);
    const P = preconditionerInput(source, d);
    const alpha = Array.from({ length: D }, (_, c) => source.real(`a${c + 1}`));
    const u = Array.from({ length: D }, (_, c) => source.real(`u${c + 1}`));
    const gates = gateVectorInputs(source, n, D);
    const layer = constructionC(F, P, 'value-vector', (_z, position) => gates[position - 1]);
    // W_v = α e_Dᵀ, so v_i = α y_i.
    layer.Wv = Array.from({ length: D }, (_, c) => unitVector(F, D, d, alpha[c]));
    const gla = glaPredict(F, layer, promptTokens(F, X, y, x, options.queryLabel), u);
    const weights = Array.from({ length: D }, (_, c) => suffixProductWeights(F, channel(gates, c)));
    const omegaEff = X.map((_, i) =>
      weights.reduce((acc, omegaC, c) => F.add(acc, F.mul(F.mul(u[c], alpha[c]), omegaC[i])), F.zero),
    );
    return [{ label: 'ŷ', gla, wpgd: wpgdPredict(F, P, X, y, x, omegaEff) }];
  },
};

/**
 * GLA-L: L scalar-gated layers, layer ℓ under construction C with
 * W_q = [[−P_ℓᵀ, 0], [0, 0]], residual connections and readout u = −e_D.
 * The label coordinate of token j after layer ℓ equals r_j^{(ℓ)} of the
 * causal WPGD recursion r_j^{(ℓ+1)} = r_j^{(ℓ)} − Σ_{i≤j} ω_{i→j} r_i x_jᵀ P_ℓ x_i
 * (r^{(0)} = (y, 0)), and ŷ = −r_{n+1}^{(L)}. The gates of layer ℓ read the
 * layer-ℓ tokens.
 */
export const multilayerIdentity: Identity = {
  id: 'GLA-L',
  latexInputs: () => 'x_{i,a},\\ y_i,\\ x_a,\\ (P_\\ell)_{ab},\\ \\gamma_{\\ell,j}',
  latexWpgd: '-r_{n+1}^{(L)}',
  latexIntermediate: 'z_j^{(\\ell)}[D] - r_j^{(\\ell)}',
  sides<T>(F: Field<T>, instance: IdentityCase, source: InputSource<T>, options: SideOptions<T> = {}): SidePair<T>[] {
    const { n, d } = instance;
    const L = instance.L ?? 1;
    const D = d + 1;
    const { X, y, x } = promptInputs(source, n, d);
    const Xall = [...X, x];
    const Ps = Array.from({ length: L }, (_, layer) => preconditionerInput(source, d, `p${layer + 1}_`));
    const contentGate = options.contentGate;
    if (instance.gates === 'content' && !contentGate) {
      throw new Error('a content-gated GLA-L instance needs options.contentGate');
    }
    const perPosition =
      instance.gates === 'content'
        ? []
        : Ps.map((_, layer) => Array.from({ length: n + 1 }, (__, j) => source.gate(`g${layer + 1}_${j + 1}`)));
    // γ_ℓ at 1-based position j of token z: either its own input or computed from z.
    const gateOf = (layer: number, z: readonly T[], position: number): T =>
      contentGate && instance.gates === 'content' ? contentGate(layer, z, source) : perPosition[layer][position - 1];

    const layers = Ps.map((P, layer) =>
      constructionC(F, P, 'scalar', (z, position) => [gateOf(layer, z, position)], -1),
    );
    const Z = promptTokens(F, X, y, x, options.queryLabel);
    const u = unitVector(F, D, d, F.neg(F.one));
    const normalise = options.normalise;
    let history: T[][][];
    let prediction: T;
    if (normalise) {
      // One layer at a time, tokens normalised in between; the last layer's readout gives ŷ.
      history = [Z];
      for (const layer of layers.slice(0, -1)) {
        history.push(glaMultilayerForward(F, [layer], history[history.length - 1])[1].map((z) => z.map(normalise)));
      }
      const last = layers[layers.length - 1];
      const before = history[history.length - 1];
      history.push(glaMultilayerForward(F, [last], before)[1]);
      prediction = glaMultilayerPredict(F, [last], before, u);
    } else {
      history = glaMultilayerForward(F, layers, Z);
      prediction = glaMultilayerPredict(F, layers, Z, u);
    }

    const pairs: SidePair<T>[] = [{ label: 'ŷ', gla: prediction, wpgd: F.zero }];
    let residual = [...y, F.zero];
    Ps.forEach((P, layer) => {
      // The WPGD side computes its gates from its own tokens (x_j, r_j^{(ℓ)}).
      const gamma = Xall.map((xj, j) => gateOf(layer, [...xj, residual[j]], j + 1));
      residual = causalWpgdStep(F, P, Xall, residual, gamma);
      if (normalise && layer < L - 1) residual = residual.map(normalise);
      residual.forEach((r, j) => {
        // The query's label after the last layer is −ŷ on both sides, already compared as ŷ.
        if (layer === L - 1 && j === n) return;
        pairs.push({ label: `label of token ${j + 1} after layer ${layer + 1}`, gla: history[layer + 1][j][d], wpgd: r });
      });
    });
    pairs[0].wpgd = F.neg(residual[n]);
    return pairs;
  },
};
