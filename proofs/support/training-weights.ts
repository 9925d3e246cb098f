import type { Json } from '../../src/claims/types.ts';
import type { Task } from '../../src/theory/risk.ts';
import type { FamilyBound } from '../../src/training/bounds.ts';
import type { DelimitedLayout } from '../../src/training/layout.ts';
import type { GlaModel } from '../../src/training/model.ts';
import { blockAverages, gateReadWeights, normaliseBlockWeights, probedWeights } from '../../src/training/weights.ts';
import { round } from './training-runs.ts';

/** Learned block weights of a trained model next to the optimal ones of its floor, both normalised. */
export interface WeightComparison {
  /** Probe weights averaged per block, normalised (Σ_k m_k w_k² = 1). */
  learned: number[];
  /** Block weights read off the gates (scalar family only), normalised. */
  gateRead?: number[];
  /** The floor's optimal ω averaged per block, normalised. */
  optimal: number[];
  /** max_k |learned_k − optimal_k|. */
  maxDifference: number;
  /** Largest relative spread (max − min)/max|·| of the probe weights inside one block: 0 for block-constant weights. */
  withinBlockSpread: number;
}

/** Compares the weights a trained model applies with the optimal weights of `floor`. */
export function compareWeights(model: GlaModel, task: Task, layout: DelimitedLayout, floor: FamilyBound): WeightComparison {
  const sizes = layout.sizes;
  const probe = probedWeights(model, task, layout);
  const learned = normaliseBlockWeights(sizes, blockAverages(layout, probe));
  const optimal = normaliseBlockWeights(sizes, blockAverages(layout, floor.omega));
  const comparison: WeightComparison = {
    learned,
    optimal,
    maxDifference: Math.max(...learned.map((value, k) => Math.abs(value - optimal[k]))),
    withinBlockSpread: withinBlockSpread(layout, probe),
  };
  if (model.shape.spec.family === 'scalar' && model.shape.spec.layers === 1) {
    comparison.gateRead = normaliseBlockWeights(sizes, blockAverages(layout, gateReadWeights(model, layout).omega));
  }
  return comparison;
}

function withinBlockSpread(layout: DelimitedLayout, omega: readonly number[]): number {
  const scale = Math.max(...omega.map(Math.abs));
  if (scale === 0) return 0;
  let spread = 0;
  let start = 0;
  for (const size of layout.sizes) {
    const block = omega.slice(start, start + size);
    spread = Math.max(spread, (Math.max(...block) - Math.min(...block)) / scale);
    start += size;
  }
  return spread;
}

export function weightsJson(comparison: WeightComparison): Json {
  const list = (values: readonly number[]) => values.map((value) => round(value, 5));
  return {
    learnedProbe: list(comparison.learned),
    ...(comparison.gateRead ? { learnedGates: list(comparison.gateRead) } : {}),
    optimal: list(comparison.optimal),
    maxDifference: round(comparison.maxDifference, 3),
    withinBlockSpread: round(comparison.withinBlockSpread, 3),
  };
}
