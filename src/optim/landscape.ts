import { InputError } from '../core/errors.ts';
import { requireFinite, requireLength } from '../core/validate.ts';
import { dot, matvec, type Matrix, type Vector } from '../linalg/dense.ts';
import { nullRisk, type Task } from '../theory/risk.ts';

/**
 * The data the reduced risk L(ω) = c − s² h(a, b) needs, precomputed once per task:
 *   s = ωᵀ r,  a = ωᵀ (R_n + I) ω,  b = c ‖ω‖²,  c = tr Σ + σ²,
 *   h(a, b) = Σ_k λ_k² / (a λ_k + b)  over the eigenvalues λ_k of Σ.
 */
export interface LandscapeProblem {
  task: Task;
  n: number;
  /** Eigenvalues λ_k of Σ, ascending. */
  lambda: Vector;
  /** c = tr Σ + σ². */
  c: number;
  /** R_n + I, shape n × n. */
  A: Matrix;
  /** Example-to-query correlations r, length n. */
  r: Vector;
}

export function landscapeProblem(task: Task): LandscapeProblem {
  const { Rn, r } = task.correlation;
  return {
    task,
    n: task.n,
    lambda: [...task.covariance.eigenvalues],
    c: nullRisk(task),
    A: Rn.map((row, i) => row.map((value, j) => (i === j ? value + 1 : value))),
    r: [...r],
  };
}

/** h and its first and second partial derivatives in (a, b). */
export interface GainTerms {
  /** h = Σ λ² / (aλ + b) */
  h: number;
  /** h_a = −Σ λ³ / (aλ + b)² */
  ha: number;
  /** h_b = −Σ λ² / (aλ + b)² */
  hb: number;
  /** h_aa = Σ 2λ⁴ / (aλ + b)³ */
  haa: number;
  /** h_ab = Σ 2λ³ / (aλ + b)³ */
  hab: number;
  /** h_bb = Σ 2λ² / (aλ + b)³ */
  hbb: number;
}

export function gainTerms(lambda: readonly number[], a: number, b: number): GainTerms {
  let h = 0;
  let ha = 0;
  let hb = 0;
  let haa = 0;
  let hab = 0;
  let hbb = 0;
  for (const value of lambda) {
    const inverse = 1 / (a * value + b);
    const lambda2 = value * value;
    const first = lambda2 * inverse;
    const second = first * inverse;
    const third = second * inverse;
    h += first;
    ha -= value * second;
    hb -= second;
    haa += 2 * lambda2 * third;
    hab += 2 * value * third;
    hbb += 2 * third;
  }
  return { h, ha, hb, haa, hab, hbb };
}

/** The scalars of L at ω together with p = (R_n + I) ω. */
export interface LandscapePoint extends GainTerms {
  omega: Vector;
  s: number;
  a: number;
  b: number;
  /** p = (R_n + I) ω */
  p: Vector;
}

export function landscapePoint(problem: LandscapeProblem, omega: readonly number[]): LandscapePoint {
  requireLength('ω', omega, problem.n, `a task with n = ${problem.n} examples`);
  requireFinite('ω', omega);
  const p = matvec(problem.A, omega);
  const a = dot(omega, p);
  const b = problem.c * dot(omega, omega);
  if (!(b > 0)) throw new InputError('ω', 'is the zero vector', '0', 'the reduced risk is scale invariant; pass any ω ≠ 0');
  const s = dot(omega, problem.r);
  return { omega: [...omega], s, a, b, p, ...gainTerms(problem.lambda, a, b) };
}

/** L(ω) = c − s² h(a, b). */
export function landscapeRisk(problem: LandscapeProblem, omega: readonly number[]): number {
  const point = landscapePoint(problem, omega);
  return problem.c - point.s * point.s * point.h;
}

/**
 * ∇L = −[2 s h r + s² (h_a · 2 (R_n + I) ω + h_b · 2 c ω)].
 * L is homogeneous of degree 0, so ωᵀ ∇L = 0 (Euler).
 */
export function riskGradient(problem: LandscapeProblem, omega: readonly number[]): Vector {
  const point = landscapePoint(problem, omega);
  return gradientAt(problem, point);
}

export function gradientAt(problem: LandscapeProblem, point: LandscapePoint): Vector {
  const { s, h, ha, hb, p, omega } = point;
  const c = problem.c;
  return problem.r.map((ri, i) => -(2 * s * h * ri + s * s * (2 * ha * p[i] + 2 * hb * c * omega[i])));
}

/**
 * ∇²L = −∇²(s² h). With p = (R_n + I) ω, q = c ω and u = h_a p + h_b q (so ∇h = 2u):
 *   ∇²(s² h) = 2h r rᵀ + 4s (r uᵀ + u rᵀ)
 *            + s² [4 h_aa p pᵀ + 4 h_ab (p qᵀ + q pᵀ) + 4 h_bb q qᵀ + 2 h_a (R_n + I) + 2 c h_b I].
 * Derivation: ∇(s² h) = 2 s h r + 2 s² u; differentiate each factor, using ∇s = r,
 * ∇a = 2p, ∇b = 2q, ∇h_a = 2(h_aa p + h_ab q), ∇h_b = 2(h_ab p + h_bb q).
 */
export function riskHessian(problem: LandscapeProblem, omega: readonly number[]): Matrix {
  const point = landscapePoint(problem, omega);
  return hessianAt(problem, point);
}

export function hessianAt(problem: LandscapeProblem, point: LandscapePoint): Matrix {
  const { s, h, ha, hb, haa, hab, hbb, p, omega } = point;
  const { c, r, A, n } = problem;
  const q = omega.map((value) => c * value);
  const u = p.map((pi, i) => ha * pi + hb * q[i]);
  const s2 = s * s;
  const H: Matrix = Array.from({ length: n }, () => new Array<number>(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let value = 2 * h * r[i] * r[j] + 4 * s * (r[i] * u[j] + u[i] * r[j]);
      const curvature =
        4 * haa * p[i] * p[j] + 4 * hab * (p[i] * q[j] + q[i] * p[j]) + 4 * hbb * q[i] * q[j] + 2 * ha * A[i][j] + (i === j ? 2 * c * hb : 0);
      value += s2 * curvature;
      H[i][j] = -value;
    }
  }
  return H;
}
