import { InputError } from '../core/errors.ts';
import { globalCurveSearch, curveProblem } from '../optim/curve.ts';
import { linearOptimum, scalarOptimum, vectorOptimum, wpgdOptimum, SCALAR_FIRST_ORDER_RTOL, type ScalarOptimum, type WpgdOptimum } from '../gating/optima.ts';
import { floatOrderedField, scalarGatesFor, valueEffectiveWeights, valueVectorGatesFor } from '../gating/synthesis.ts';
import { suffixProductWeights } from '../models/wpgd.ts';
import { dot, type Matrix } from '../linalg/dense.ts';
import { nullRisk, optimalPreconditioner, reducedRisk, type Task } from '../theory/risk.ts';
import { CLOSED_FORM_RTOL, closedFormChecks, type ClosedFormCheck } from './closed-forms.ts';
import { exactOptima, rationalToNumber, type ExactOptima } from './exact.ts';
import type { Instance } from './parse.ts';
import { CONE_RTOL, GAP_RTOL, scalarVerdict, type ScalarVerdict } from './scalar-verdict.ts';
import { formatSignedDifference } from './text.ts';
import { describeCorrelation, describeCovariance, instanceTask } from './task.ts';

/**
 * The optimal WPGD, scalar-gating, value-vector-gating and linear-attention
 * predictors of one instance, computed with the library calls the ORDER,
 * SCALAR-IFF and W-VEC claims make, plus the gates that realise them.
 */

/** Peaks of the curve search within this risk of the best, relative to tr Σ + σ², count as tied global minimisers (as in SCALAR-IFF). */
export const TIE_RTOL = 1e-12;

/**
 * Evidence behind an optimum. 'certified': a closed form, an exact evaluation
 * or a KKT certificate. 'global search': a general-Σ μ-search that passed its
 * own checks, whose global optimality rests on its grid. 'uncertified': a check
 * of the solver failed, so the number is the best found, not a proven optimum.
 */
export type OptimumStatus = 'certified' | 'global search' | 'uncertified';

export interface FamilySolution {
  /** Optimal risk of the family. */
  risk: number;
  /** A minimiser, scaled so that max_i |ω_i| = 1 (see each family for the sign). */
  omega: number[];
  /** P*(ω) = (ωᵀr)(aΣ + bI)^{-1} for this ω (0 when ωᵀr = 0). */
  P: Matrix;
  method: string;
  status: OptimumStatus;
  notes: string[];
}

export interface ScalarGateSolution {
  /** γ_1..γ_{n+1}, the query's gate last; γ_1 multiplies the empty state. */
  gamma: number[];
  /** c with Π_{j>i} γ_j = ω_i / c; the layer uses c·P. */
  scale: number;
  /** max_i |c Π_{j>i} γ_j − ω_i|: how exactly the gates reproduce ω. */
  maxWeightError: number;
}

export interface VectorGateSolution {
  /** Gates of the positive channel (value row D = d + 1, the label row), tokens 1..n+1. */
  positive: number[];
  /** Gates of the negative channel (value row D − 1 = d), tokens 1..n+1. */
  negative: number[];
  /** Readout u = s e_D − s e_{D−1} with this s; both channels carry y (v_i = y_i (e_D + e_{D−1})). */
  readoutScale: number;
  /** L at the weights the synthesised gates apply, ω^eff_i = Σ_c u_c α_c Π_{j>i} g_c(z_j). */
  riskAtGates: number;
  /** max_i |ω^eff_i − ω*_i|. */
  maxWeightError: number;
}

export interface Solution {
  instance: {
    name?: string;
    d: number;
    n: number;
    sigma2: number;
    covariance: string;
    correlation: string;
    /** c = tr Σ + σ²: the risk of predicting 0. */
    nullRisk: number;
  };
  /** L*_WPGD: ω* with ω*ᵀr > 0 (any sign when r = 0). */
  wpgd: FamilySolution & { mu: number | null; peaks: number; tiedMinimisers: number };
  /** L*_vec = L*_WPGD, reached with two value channels. */
  vector: FamilySolution & { gates: VectorGateSolution };
  /** L*_scalar: ω in the cone K (nonnegative, nondecreasing); P absorbs the sign. */
  scalar: FamilySolution & { gates?: ScalarGateSolution; sign: 1 | -1 | 0; mu: number | null };
  /** L*_lin = L(1). */
  linear: FamilySolution;
  scalarGatingOptimal: ScalarVerdict;
  closedForms: ClosedFormCheck[];
  /** Exact rational optima for Σ = I (see exactOptima), with the float64 optima's distance from them. */
  exact?: ExactOptima;
  /** Reason the exact optima are missing. */
  exactSkipped?: string;
  /** True when every optimum is certified or a passed global search, and the verdict is decided. */
  conclusive: boolean;
}

/** Scales ω to max_i |ω_i| = 1, flipped so that ωᵀr > 0 when `orient` is set and ωᵀr ≠ 0. */
export function normalise(omega: readonly number[], r: readonly number[], orient: boolean): number[] {
  const largest = omega.reduce((acc, value) => Math.max(acc, Math.abs(value)), 0);
  if (largest === 0) return [...omega];
  const sign = orient && dot(omega, r) < 0 ? -1 : 1;
  return omega.map((value) => (sign * value) / largest);
}

/** Returns P*(ω), or the zero matrix when ωᵀr = 0 (P-STAR: P* = 0 there). */
function preconditionerFor(task: Task, omega: readonly number[]): Matrix {
  if (dot(omega, task.correlation.r) === 0) return task.covariance.Sigma.map((row) => row.map(() => 0));
  return optimalPreconditioner(task, omega);
}

function family(task: Task, risk: number, omega: number[], method: string, status: OptimumStatus, notes: string[]): FamilySolution {
  return { risk, omega, P: preconditionerFor(task, omega), method, status, notes };
}

function wpgdFamily(task: Task, wpgd: WpgdOptimum, minimisers: number[][]): Solution['wpgd'] {
  const c = nullRisk(task);
  const omega = normalise(wpgd.omega, task.correlation.r, true);
  const notes: string[] = [];
  let status: OptimumStatus = 'certified';
  if (wpgd.method === 'global μ-search') {
    status = 'global search';
    notes.push(`μ-search over the CURVE interval on a log-spaced grid; ${wpgd.peaks} local peak(s) of φ(μ) = −L(ω(μ)) refined`);
  }
  if (minimisers.length > 1) {
    notes.push(`${minimisers.length} peaks tie within ${TIE_RTOL}·(tr Σ + σ²): the minimiser is not unique up to scale, ω* is the first`);
  }
  if (wpgd.method === 'r = 0: every ω is optimal') notes.push('r = 0: every ω has risk tr Σ + σ²; ω* = 1 is one of them');
  const riskAtOmega = reducedRisk(task, omega);
  if (Math.abs(riskAtOmega - wpgd.risk) > GAP_RTOL * c) {
    status = 'uncertified';
    notes.push(`L(ω*) = ${riskAtOmega} differs from the reported optimum ${wpgd.risk}`);
  }
  return {
    ...family(task, wpgd.risk, omega, wpgd.method, status, notes),
    mu: Number.isFinite(wpgd.mu) ? wpgd.mu : null,
    peaks: wpgd.peaks,
    tiedMinimisers: minimisers.length,
  };
}

/** Returns the tied global minimisers: the general-Σ curve-search peaks within TIE_RTOL·c of the best, or ω* alone. */
function tiedMinimisers(task: Task, wpgd: WpgdOptimum): number[][] {
  if (wpgd.method !== 'global μ-search') return [wpgd.omega];
  const search = globalCurveSearch(curveProblem(task));
  const c = nullRisk(task);
  const tied = search.peaks.filter((peak) => peak.risk <= search.best.risk + TIE_RTOL * c).map((peak) => peak.omega);
  return tied.length > 0 ? tied : [wpgd.omega];
}

function scalarFamily(task: Task, scalar: ScalarOptimum): Solution['scalar'] {
  const notes: string[] = [];
  let status: OptimumStatus = scalar.method === 'μ-search over cone QPs' ? 'global search' : 'certified';
  if (!scalar.certified) {
    status = 'uncertified';
    notes.push(`the cone program's KKT test (both sign sides) or the first-order test (residual ${scalar.firstOrderResidual.toExponential(2)} vs ${SCALAR_FIRST_ORDER_RTOL}) failed`);
  }
  if (scalar.uncertifiedGridSides > 0) {
    status = 'uncertified';
    notes.push(`${scalar.uncertifiedGridSides} grid point(s) of the μ-search failed their KKT test, so the search may have holes`);
  }
  const c = nullRisk(task);
  if (scalar.multistart !== undefined) {
    const { gap, starts, converged } = scalar.multistart;
    notes.push(`cross-check: ${starts} projected-gradient descents over the cone (${converged} converged) reached L*_scalar ${formatSignedDifference(gap)}`);
    if (gap < -GAP_RTOL * c) {
      status = 'uncertified';
      notes.push('a descent found a lower risk than the μ-search: the μ-search missed the optimum');
    }
  }
  // The cone point as the solver returns it, scaled to max 1 (= ω_n in K); its sign stays, because the gates need ω ∈ K.
  const omega = normalise(scalar.omega, task.correlation.r, false);
  let gates: ScalarGateSolution | undefined;
  try {
    const synthesis = scalarGatesFor(floatOrderedField, omega);
    const reproduced = suffixProductWeights(floatOrderedField, synthesis.gamma).map((value) => value * synthesis.scale);
    gates = { gamma: synthesis.gamma, scale: synthesis.scale, maxWeightError: Math.max(...reproduced.map((value, i) => Math.abs(value - omega[i]))) };
  } catch (error) {
    status = 'uncertified';
    notes.push(`no scalar gates for the returned point: ${(error as Error).message}`);
  }
  return {
    ...family(task, scalar.risk, omega, scalar.method, status, notes),
    gates,
    sign: scalar.sign,
    mu: Number.isFinite(scalar.mu) ? scalar.mu : null,
  };
}

/**
 * Returns ω* with round-off ties made exact: an entry within CONE_RTOL (relative to
 * max|ω| = 1) of the previous kept entry, or of 0 for the first, takes that
 * value. Block models have exact ties that round-off turns into steps of
 * ±1e-16, and the two-channel split would otherwise spend a channel on them.
 * Each entry moves by at most CONE_RTOL; the risk at the synthesised gates is
 * reported, so any effect is visible.
 */
function snapTies(omega: readonly number[]): number[] {
  const snapped: number[] = [];
  let previous = 0;
  for (const value of omega) {
    const kept = Math.abs(value - previous) <= CONE_RTOL ? previous : value;
    snapped.push(kept);
    previous = kept;
  }
  return snapped;
}

/**
 * Runs the scalar-gating solver on a validated instance. An InputError from it
 * is a solver failure, not bad input: it is reported as an uncertified upper
 * bound L(1) ≥ L*_scalar instead of a crash.
 */
function scalarSolution(task: Task, linearRisk: number): Solution['scalar'] {
  try {
    return scalarFamily(task, scalarOptimum(task));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const omega = new Array<number>(task.n).fill(1);
    const notes = [`the scalar-gating solver failed (${error.message}); the value shown is L(1), an upper bound on L*_scalar`];
    return { ...family(task, linearRisk, omega, 'solver failed: upper bound L(1)', 'uncertified', notes), sign: 1, mu: null };
  }
}

/**
 * Builds the value-vector family: L*_vec = L*_WPGD, reached by value-vector
 * gates that realise ω*. The gates are checked here. The value is optimal
 * only as far as the WPGD optimum is, so the status is at most the WPGD family's.
 */
function vectorFamily(task: Task, wpgd: WpgdOptimum, omegaStar: number[], wpgdStatus: OptimumStatus): Solution['vector'] {
  const c = nullRisk(task);
  const vec = vectorOptimum(task, wpgd);
  const synthesis = valueVectorGatesFor(floatOrderedField, snapTies(omegaStar), task.d + 1);
  const effective = valueEffectiveWeights(floatOrderedField, synthesis);
  const riskAtGates = reducedRisk(task, effective);
  const notes = [`ω* split into two nonnegative nondecreasing channel sequences, ω* = s (ω⁺ − ω⁻), one per value channel (steps below ${CONE_RTOL} treated as ties)`];
  let status: OptimumStatus = wpgdStatus;
  if (wpgdStatus !== 'certified') notes.push(`its value is L*_WPGD, so it is only as sure as that optimum (${wpgdStatus})`);
  if (Math.abs(vec.risk - wpgd.risk) > GAP_RTOL * c || Math.abs(riskAtGates - wpgd.risk) > GAP_RTOL * c) {
    status = 'uncertified';
    notes.push(`L at the channel weights (${vec.risk}) or at the synthesised gates (${riskAtGates}) differs from L*_WPGD = ${wpgd.risk} by more than ${GAP_RTOL}·(tr Σ + σ²)`);
  }
  return {
    ...family(task, vec.risk, omegaStar, 'value-vector gates, two label channels', status, notes),
    gates: {
      positive: synthesis.gates.map((row) => row[synthesis.channels.positive]),
      negative: synthesis.gates.map((row) => row[synthesis.channels.negative]),
      readoutScale: synthesis.scale,
      riskAtGates,
      maxWeightError: Math.max(...effective.map((value, i) => Math.abs(value - omegaStar[i]))),
    },
  };
}

/**
 * Replaces a float64 verdict that exact arithmetic contradicts. This happens
 * only at the cone's boundary, where ω* leaves the cone by less than the
 * float64 tolerance (or float64 could not decide) and the gap is below float64
 * resolution. The exact cone program, certified by its KKT test, decides.
 */
function exactVerdict(verdict: ScalarVerdict, optimal: boolean): ScalarVerdict {
  let floatVerdict = 'undetermined';
  if (verdict.optimal !== undefined) floatVerdict = verdict.optimal ? 'optimal' : 'not optimal';
  const exactly = optimal ? 'L*_scalar = L*_WPGD exactly' : 'L*_scalar > L*_WPGD exactly';
  return { ...verdict, optimal, reason: `${exactly} (exact rational arithmetic; the float64 cone test, within its tolerance ${CONE_RTOL}, said ${floatVerdict}: ${verdict.reason})` };
}

/** Computes every optimum of the instance; n ≤ MAX_TASK_EXAMPLES. */
export function solveInstance(instance: Instance): Solution {
  const task = instanceTask(instance, 'solve');
  const c = nullRisk(task);

  const wpgd = wpgdOptimum(task);
  const minimisers = tiedMinimisers(task, wpgd).map((omega) => normalise(omega, task.correlation.r, true));
  const wpgdSolution = wpgdFamily(task, wpgd, minimisers);
  const lin = linearOptimum(task);
  const linear = family(task, lin.risk, lin.omega, 'ω = 1, exact evaluation', 'certified', []);
  const scalar = scalarSolution(task, lin.risk);
  const vector = vectorFamily(task, wpgd, wpgdSolution.omega, wpgdSolution.status);

  const rZero = task.correlation.r.every((value) => value === 0);
  let verdict = scalarVerdict({ minimisers, rZero, wpgdRisk: wpgd.risk, scalarRisk: scalar.risk, nullRisk: c });
  const closedForms = closedFormChecks(instance, task, wpgdSolution);
  const families = [wpgdSolution, vector, scalar, linear];

  const exact = exactOptima(instance);
  let exactAgrees = true;
  if (exact.optima !== undefined) {
    const pairs: [number, string][] = [
      [wpgd.risk, exact.optima.wpgdRisk],
      [scalar.risk, exact.optima.scalarRisk],
      [lin.risk, exact.optima.linearRisk],
    ];
    exact.optima.maxFloatDifference = Math.max(...pairs.map(([value, text]) => Math.abs(value - rationalToNumber(text))));
    // Same reasoning as the closed forms: the float64 optima are accurate to about 1e-13 relative.
    exactAgrees = exact.optima.maxFloatDifference <= CLOSED_FORM_RTOL * c && exact.optima.scalarCertified;
    if (exact.optima.scalarCertified && exact.optima.scalarOptimal !== verdict.optimal) verdict = exactVerdict(verdict, exact.optima.scalarOptimal);
  }

  return {
    instance: {
      name: instance.name,
      d: task.d,
      n: task.n,
      sigma2: task.sigma2,
      covariance: describeCovariance(task.covariance),
      correlation: describeCorrelation(instance),
      nullRisk: c,
    },
    wpgd: wpgdSolution,
    vector,
    scalar,
    linear,
    scalarGatingOptimal: verdict,
    closedForms,
    exact: exact.optima,
    exactSkipped: exact.skipped,
    conclusive: families.every((entry) => entry.status !== 'uncertified') && verdict.optimal !== undefined && closedForms.every((check) => check.agrees) && exactAgrees,
  };
}

