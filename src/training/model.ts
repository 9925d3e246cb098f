import { InputError } from '../core/errors.ts';
import { requirePositiveInteger } from '../core/validate.ts';
import type { Random } from '../data/random.ts';
import type { DelimitedLayout } from './layout.ts';

/**
 * Gate families of the trainable GLA, σ the logistic sigmoid:
 * - `none`: G = 1 1ᵀ (linear attention);
 * - `scalar`: G = γ 1 1ᵀ with γ(z) = σ(θᵀ f + b);
 * - `value-vector`: G = g 1ᵀ with g_c(z) = σ(Θ_c f + b_c), one gate per value channel c (row of S);
 * - `content`: scalar gate that also reads the token's x and y, γ(z) = σ(θ_fᵀ f + θ_xᵀ x + θ_y y + b).
 *
 * The delimiter features f are 0 or a one-hot e_k, so θᵀ f + b takes one
 * value per token kind: b on examples and the query, θ_k + b on delimiter k.
 * The parameters store those logits directly, λ_k = θ_k + b, and the gate
 * computes λᵀ f + b (1 − 1ᵀ f): the same family of gates, but the gradient of
 * an interior delimiter gate no longer enters b, which the example gates need
 * to push towards 1 (see gatePreactivation).
 */
export type TrainableGate = 'none' | 'scalar' | 'value-vector' | 'content';

export const TRAINABLE_GATES: readonly TrainableGate[] = ['none', 'scalar', 'value-vector', 'content'];

/** Architecture of a trainable L-layer GLA on a delimited layout. */
export interface ModelSpec {
  family: TrainableGate;
  /** Number of layers L ≥ 1. */
  layers: number;
  /** Feature dimension d. */
  d: number;
  /** Number of delimiter features F. */
  F: number;
  /** Embedding dimension D = d + 1 + F. */
  D: number;
}

/** Offsets of one layer's parameters inside the flat parameter vector. */
export interface LayerOffsets {
  /** W_q, W_k, W_v, each D×D row-major. */
  Wq: number;
  Wk: number;
  Wv: number;
  /** First gate parameter; the gate block has `gateSize` entries (see gateParameterCount). */
  gate: number;
  gateSize: number;
}

/** Offsets of every parameter in the flat Float64Array the optimiser updates. */
export interface ModelShape {
  spec: ModelSpec;
  layers: LayerOffsets[];
  /** Readout u ∈ R^D. */
  u: number;
  /** Total parameter count. */
  size: number;
}

/** A trainable model: its shape and its parameters. */
export interface GlaModel {
  shape: ModelShape;
  parameters: Float64Array;
}

/** Builds the model spec for a family and depth on a delimited layout. */
export function modelSpec(layout: DelimitedLayout, family: TrainableGate, layers: number): ModelSpec {
  requirePositiveInteger('layers', layers);
  if (!TRAINABLE_GATES.includes(family)) {
    throw new InputError('gate family', 'is unknown', family, `use one of ${TRAINABLE_GATES.join(', ')}`);
  }
  return { family, layers, d: layout.d, F: layout.K, D: layout.D };
}

/**
 * Gate parameters per layer, in storage order, with λ = θ + b the delimiter
 * logits (see TrainableGate): scalar [λ (F), b]; value-vector
 * [Λ (D×F row-major), b (D)]; content [λ_f (F), θ_x (d), θ_y, b]; none: nothing.
 */
export function gateParameterCount(spec: ModelSpec): number {
  switch (spec.family) {
    case 'none':
      return 0;
    case 'scalar':
      return spec.F + 1;
    case 'value-vector':
      return spec.D * (spec.F + 1);
    case 'content':
      return spec.F + spec.d + 2;
  }
}

/** Gate values per token: 1 for scalar and content gates, D for value-vector gates, 0 for none. */
export function gateWidth(spec: ModelSpec): number {
  if (spec.family === 'none') return 0;
  return spec.family === 'value-vector' ? spec.D : 1;
}

export function modelShape(spec: ModelSpec): ModelShape {
  const square = spec.D * spec.D;
  const gateSize = gateParameterCount(spec);
  const layers: LayerOffsets[] = [];
  let offset = 0;
  for (let l = 0; l < spec.layers; l++) {
    layers.push({ Wq: offset, Wk: offset + square, Wv: offset + 2 * square, gate: offset + 3 * square, gateSize });
    offset += 3 * square + gateSize;
  }
  return { spec, layers, u: offset, size: offset + spec.D };
}

/** Scales of the random initialisation. */
export interface InitOptions {
  /** Standard deviation of W_k and W_v entries, times 1/√D. */
  weightScale: number;
  /** Standard deviation of W_q entries, times 1/√D: small, so the first outputs stay small next to the residual stream. */
  queryScale: number;
  /** Standard deviation of u entries. */
  readoutScale: number;
  /** Initial gate bias b: example tokens start with gate σ(b), close to 1. */
  gateBias: number;
  /** Standard deviation of the gate weights θ (and of the delimiter logits around gateBias). */
  gateWeightScale: number;
}

export const DEFAULT_INIT: InitOptions = {
  weightScale: 1,
  queryScale: 0.1,
  readoutScale: 0.1,
  gateBias: 5,
  gateWeightScale: 0.1,
};

/** Draws initial parameters: Gaussian weights with the scales above, gate biases at `gateBias`. */
export function initialModel(spec: ModelSpec, random: Random, options: InitOptions = DEFAULT_INIT): GlaModel {
  const shape = modelShape(spec);
  const parameters = new Float64Array(shape.size);
  const { D } = spec;
  const square = D * D;
  const root = 1 / Math.sqrt(D);
  for (const layer of shape.layers) {
    for (let e = 0; e < square; e++) parameters[layer.Wq + e] = options.queryScale * root * random.normal();
    for (let e = 0; e < square; e++) parameters[layer.Wk + e] = options.weightScale * root * random.normal();
    for (let e = 0; e < square; e++) parameters[layer.Wv + e] = options.weightScale * root * random.normal();
    initialGate(spec, parameters, layer.gate, random, options);
  }
  for (let c = 0; c < D; c++) parameters[shape.u + c] = options.readoutScale * random.normal();
  return { shape, parameters };
}

/** Draws one layer's gate parameters: b = gateBias and delimiter logits gateBias + N(0, gateWeightScale²), so θ = λ − b starts near 0 and every gate near σ(gateBias). */
function initialGate(spec: ModelSpec, parameters: Float64Array, offset: number, random: Random, options: InitOptions): void {
  const { D, F, d } = spec;
  const weight = () => options.gateWeightScale * random.normal();
  switch (spec.family) {
    case 'none':
      return;
    case 'scalar':
      for (let k = 0; k < F; k++) parameters[offset + k] = options.gateBias + weight();
      parameters[offset + F] = options.gateBias;
      return;
    case 'value-vector':
      for (let e = 0; e < D * F; e++) parameters[offset + e] = options.gateBias + weight();
      for (let c = 0; c < D; c++) parameters[offset + D * F + c] = options.gateBias;
      return;
    case 'content':
      for (let k = 0; k < F; k++) parameters[offset + k] = options.gateBias + weight();
      for (let e = F; e < F + d + 1; e++) parameters[offset + e] = weight();
      parameters[offset + F + d + 1] = options.gateBias;
      return;
  }
}

/**
 * Returns the model `base` with `extra` layers stacked on top. The new layers draw
 * W_k, W_v and gates as initialModel does but start with W_q = 0: a layer with
 * W_q = 0 outputs o = S q = 0, so it is the identity on the residual stream
 * and the extended model computes exactly what `base` computes.
 */
export function stackIdentityLayers(base: GlaModel, extra: number, random: Random, options: InitOptions = DEFAULT_INIT): GlaModel {
  requirePositiveInteger('extra layers', extra);
  const spec: ModelSpec = { ...base.shape.spec, layers: base.shape.spec.layers + extra };
  const fresh = initialModel(spec, random, options);
  const baseShape = base.shape;
  const parameters = fresh.parameters;
  parameters.set(base.parameters.subarray(0, baseShape.u), 0);
  for (const layer of fresh.shape.layers.slice(baseShape.layers.length)) parameters.fill(0, layer.Wq, layer.Wq + spec.D * spec.D);
  parameters.set(base.parameters.subarray(baseShape.u, baseShape.size), fresh.shape.u);
  return fresh;
}
