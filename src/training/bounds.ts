import { linearOptimum, scalarOptimum, vectorOptimum } from '../gating/optima.ts';
import { optimalPreconditioner, type Task } from '../theory/risk.ts';
import type { WpgdPredictor } from './evaluate.ts';
import type { TrainableGate } from './model.ts';

/** The three floors of one-layer GLAs whose gates read only delimiter features. */
export type BoundName = 'lin' | 'scalar' | 'vec';

export const BOUND_NAMES: readonly BoundName[] = ['lin', 'scalar', 'vec'];

/** Report labels of the bounds. */
export const BOUND_LABELS: Record<BoundName, string> = { lin: 'L*_lin', scalar: 'L*_scalar', vec: 'L*_vec' };

/** A family floor L* with the WPGD predictor (P*(ω*), ω*) that attains it. */
export interface FamilyBound extends WpgdPredictor {
  name: BoundName;
  /** False when the optimiser behind the bound could not certify it (scalar cone only). */
  certified: boolean;
}

/**
 * L*_lin, L*_scalar and L*_vec of a task with their predictors: the optimal ω
 * of each family (ω = 1, the cone optimum, the unconstrained optimum) and
 * P* = optimalPreconditioner(task, ω), so the predictor's risk is L* exactly.
 */
export function familyBounds(task: Task): Record<BoundName, FamilyBound> {
  const scalar = scalarOptimum(task);
  const optima = { lin: { ...linearOptimum(task), certified: true }, scalar, vec: { ...vectorOptimum(task), certified: true } };
  const entry = (name: BoundName): FamilyBound => {
    const { risk, omega, certified } = optima[name];
    return { name, label: BOUND_LABELS[name], risk, omega, P: optimalPreconditioner(task, omega), certified };
  };
  return { lin: entry('lin'), scalar: entry('scalar'), vec: entry('vec') };
}

/**
 * The floor of each gate family: none → L*_lin, scalar → L*_scalar,
 * value-vector → L*_vec. A content gate is compared with L*_scalar, the floor
 * it would have if it read the delimiter features only.
 */
export const FAMILY_FLOOR: Record<TrainableGate, BoundName> = {
  none: 'lin',
  scalar: 'scalar',
  'value-vector': 'vec',
  content: 'scalar',
};
