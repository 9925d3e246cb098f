import type { Random } from '../data/random.ts';
import { dot, matvec, norm2, transpose, type Vector } from '../linalg/dense.ts';
import { eigenSymmetric } from '../linalg/symmetric.ts';
import { gradientAt, hessianAt, landscapePoint, type LandscapeProblem, type LandscapePoint } from './landscape.ts';
import { projectHessian, tangentBasis } from './second-order.ts';

/**
 * Convergence: Riemannian gradient norm ≤ SPHERE_GRADIENT_RTOL · c at unit ω, with
 * c = tr Σ + σ² the scale of L (0 ≤ c − L ≤ c). Round-off in ∇L is ~1e-16 · c times the
 * size of R_n, so 1e-10 is reachable and still tight.
 */
export const SPHERE_GRADIENT_RTOL = 1e-10;

export interface SphereOptions {
  /** Riemannian gradient steps tried before switching to Newton when the tangent Hessian is positive definite. */
  maxIterations?: number;
  /** Absolute gradient tolerance; default SPHERE_GRADIENT_RTOL · c. */
  gradientTolerance?: number;
}

export interface SphereMinimum {
  /** Unit ω with ωᵀ r ≥ 0 (L is even in ω). */
  omega: Vector;
  risk: number;
  /** ‖grad L‖ on the sphere at the end. */
  gradientNorm: number;
  gradientTolerance: number;
  converged: boolean;
  iterations: number;
  newtonSteps: number;
}

function normalize(omega: readonly number[]): Vector {
  const norm = norm2(omega);
  return omega.map((value) => value / norm);
}

function riskAt(problem: LandscapeProblem, point: LandscapePoint): number {
  return problem.c - point.s * point.s * point.h;
}

/**
 * Local minimisation of L on the unit sphere: Riemannian gradient steps with Armijo
 * backtracking, and a Riemannian Newton step on ω⊥ whenever the tangent Hessian is
 * positive definite. Retraction ω ← (ω + ξ)/‖ω + ξ‖. Because L is homogeneous of
 * degree 0, ∇L ⊥ ω, so the Euclidean gradient is already the Riemannian gradient,
 * and the Riemannian Hessian is the Euclidean Hessian restricted to ω⊥.
 */
export function minimizeOnSphere(problem: LandscapeProblem, start: readonly number[], options: SphereOptions = {}): SphereMinimum {
  const maxIterations = options.maxIterations ?? 500;
  const tolerance = options.gradientTolerance ?? SPHERE_GRADIENT_RTOL * problem.c;
  let omega = normalize(start);
  let point = landscapePoint(problem, omega);
  let risk = riskAt(problem, point);
  let gradient = gradientAt(problem, point);
  let gradientNorm = norm2(gradient);
  let step = 1 / Math.max(problem.c, 1e-300);
  let newtonSteps = 0;
  let iterations = 0;
  // L changes below this are invisible in float64: then a step is judged by the gradient.
  const flat = 1e3 * Number.EPSILON * problem.c;
  while (gradientNorm > tolerance && iterations < maxIterations) {
    iterations++;
    const newton = newtonDirection(problem, point, omega, gradient);
    let accepted = false;
    if (newton) {
      for (let halvings = 0, t = 1; halvings < 30 && !accepted; halvings++, t /= 2) {
        const candidate = normalize(omega.map((value, i) => value + t * newton[i]));
        const candidatePoint = landscapePoint(problem, candidate);
        const candidateRisk = riskAt(problem, candidatePoint);
        const candidateGradient = gradientAt(problem, candidatePoint);
        const decrease = risk - candidateRisk;
        const slope = -dot(gradient, newton);
        if (decrease >= 1e-4 * t * slope || (Math.abs(decrease) <= flat && norm2(candidateGradient) < gradientNorm)) {
          omega = candidate;
          point = candidatePoint;
          risk = candidateRisk;
          gradient = candidateGradient;
          accepted = true;
          newtonSteps++;
        }
      }
    }
    if (!accepted) {
      // Riemannian gradient step with Armijo backtracking; the step length adapts.
      step *= 4;
      for (let halvings = 0; halvings < 60 && !accepted; halvings++, step /= 2) {
        const candidate = normalize(omega.map((value, i) => value - step * gradient[i]));
        const candidatePoint = landscapePoint(problem, candidate);
        const candidateRisk = riskAt(problem, candidatePoint);
        const candidateGradient = gradientAt(problem, candidatePoint);
        const decrease = risk - candidateRisk;
        if (decrease >= 1e-4 * step * gradientNorm * gradientNorm || (Math.abs(decrease) <= flat && norm2(candidateGradient) < gradientNorm)) {
          omega = candidate;
          point = candidatePoint;
          risk = candidateRisk;
          gradient = candidateGradient;
          accepted = true;
        }
      }
      if (!accepted) break;
    }
    gradientNorm = norm2(gradient);
  }
  if (point.s < 0) omega = omega.map((value) => -value);
  return {
    omega,
    risk,
    gradientNorm,
    gradientTolerance: tolerance,
    converged: gradientNorm <= tolerance,
    iterations,
    newtonSteps,
  };
}

/** Newton direction ξ = −Q (QᵀHQ)^{-1} Qᵀ g on ω⊥, or undefined when QᵀHQ is not positive definite. */
function newtonDirection(problem: LandscapeProblem, point: LandscapePoint, omega: Vector, gradient: Vector): Vector | undefined {
  if (problem.n < 2) return undefined;
  const H = hessianAt(problem, point);
  const Q = tangentBasis(omega);
  const { values, vectors } = eigenSymmetric(projectHessian(H, Q));
  if (!(values[0] > 1e-12 * Math.abs(values[values.length - 1]))) return undefined;
  const projected = matvec(transpose(Q), gradient);
  // η = −V diag(1/values) Vᵀ (Qᵀ g)
  const coefficients = values.map((value, k) => -vectors.reduce((acc, row, i) => acc + row[k] * projected[i], 0) / value);
  const eta = vectors.map((row) => row.reduce((acc, entry, k) => acc + entry * coefficients[k], 0));
  return matvec(Q, eta);
}

/** Random unit start directions: Gaussian vectors, normalised. */
export function randomStarts(random: Random, n: number, count: number): Vector[] {
  return Array.from({ length: count }, () => normalize(random.normalVector(n)));
}

/** Runs minimizeOnSphere from each start. */
export function multistart(problem: LandscapeProblem, starts: readonly (readonly number[])[], options: SphereOptions = {}): SphereMinimum[] {
  return starts.map((start) => minimizeOnSphere(problem, start, options));
}
