import { blockOptimalWeights, expandBlockWeights, singleTaskOptimalRisk } from '../theory/isotropic.ts';
import type { Task } from '../theory/risk.ts';
import type { Instance } from './parse.ts';
import { covarianceScale } from './task.ts';

/**
 * Closed forms that apply to an instance, compared with what the solver
 * returned: SINGLE-TASK (R = 1 1ᵀ, Σ = I) and BLOCK-OPT (block model, Σ = I).
 */

/**
 * Allowed disagreement, relative to the larger magnitude (risk) or to
 * max|ω| = 1 (weights). The solver's ω* comes from a linear solve with
 * R_n + (d + 1 + σ²) I, whose condition number is at most
 * (n + d + 1 + σ²)/(d + 1 + σ²) ≤ n + 1 ≤ 257. So ω* carries a relative error
 * of a few hundred ε (about 1e-13), and 1e-10 leaves a wide margin while
 * staying far below any formula error.
 */
export const CLOSED_FORM_RTOL = 1e-10;

export interface ClosedFormCheck {
  claim: 'SINGLE-TASK' | 'BLOCK-OPT';
  formula: string;
  /** The closed form's value: L* for SINGLE-TASK, the per-example weights for BLOCK-OPT (normalised like ω*). */
  expected: number | number[];
  /** |solver − closed form|, maximum over entries for weights. */
  difference: number;
  tolerance: number;
  agrees: boolean;
}

/** True when R = 1 1ᵀ: every block correlation is 1 (one task), or an explicit R of all ones. */
function isSingleTask(instance: Instance): boolean {
  if (instance.blocks !== undefined) return instance.blocks.rho.every((value) => value === 1);
  return instance.correlation!.R.every((row) => row.every((value) => value === 1));
}

export function closedFormChecks(instance: Instance, task: Task, wpgd: { risk: number; omega: readonly number[] }): ClosedFormCheck[] {
  if (covarianceScale(task.covariance) !== 1) return [];
  const checks: ClosedFormCheck[] = [];
  const { d, n, sigma2 } = task;
  if (isSingleTask(instance)) {
    const expected = singleTaskOptimalRisk(d, n, sigma2);
    const difference = Math.abs(wpgd.risk - expected);
    const tolerance = CLOSED_FORM_RTOL * Math.max(Math.abs(expected), Math.abs(wpgd.risk), 1);
    checks.push({ claim: 'SINGLE-TASK', formula: 'L* = d + σ² − n d / (n + d + 1 + σ²)', expected, difference, tolerance, agrees: difference <= tolerance });
  }
  const blocks = instance.blocks;
  if (blocks !== undefined && blocks.rho.some((value) => value !== 0)) {
    const weights = expandBlockWeights(blocks.sizes, blockOptimalWeights(blocks.sizes, blocks.rho, d, sigma2));
    const largest = weights.reduce((acc, value) => Math.max(acc, Math.abs(value)), 0);
    // Scale like ω*: max |ω_i| = 1 and ωᵀr > 0. The block weights give ωᵀr = Σ_k m_k ρ_k w_k > 0 already, since ρ_k w_k ≥ 0.
    const expected = weights.map((value) => value / largest);
    const difference = Math.max(...expected.map((value, i) => Math.abs(value - wpgd.omega[i])));
    checks.push({
      claim: 'BLOCK-OPT',
      formula: 'ω*_i ∝ w_k(i), w_k = ρ_k / ((1 − ρ_k²) m_k + d + 1 + σ²)',
      expected,
      difference,
      tolerance: CLOSED_FORM_RTOL,
      agrees: difference <= CLOSED_FORM_RTOL,
    });
  }
  return checks;
}
