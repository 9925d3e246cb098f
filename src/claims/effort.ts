import type { Effort } from './types.ts';

/** Picks the value for the current effort level: `byEffort(ctx.effort, { quick: 20, standard: 200, thorough: 2000 })`. */
export function byEffort<T>(effort: Effort, values: Record<Effort, T>): T {
  return values[effort];
}

export const EFFORTS: readonly Effort[] = ['quick', 'standard', 'thorough'];
