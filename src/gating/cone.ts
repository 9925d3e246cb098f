import type { Fraction } from 'mathjs';
import { InputError } from '../core/errors.ts';
import { requireFinite } from '../core/validate.ts';

/**
 * Membership in the scalar-gating cone K = {ω : 0 ≤ ω_1 ≤ … ≤ ω_n}: the
 * weights ω_i = Π_{j>i} γ_j that gates γ_j ∈ [0, 1] induce, up to a scale that
 * P absorbs. The signed cone K ∪ (−K) is the set of weights c ω with c ∈ R and
 * ω ∈ K, because P absorbs the sign as well.
 */

/**
 * True when 0 ≤ ω_1 ≤ ω_2 ≤ … ≤ ω_n up to `tol` relative to max_i |ω_i|:
 * ω_1 ≥ −tol·m and ω_{i+1} − ω_i ≥ −tol·m with m = max_i |ω_i|. The tolerance
 * is relative because K is a cone, so membership must not depend on the scale.
 */
export function inScalarCone(omega: readonly number[], tol: number): boolean {
  requireFinite('ω', omega);
  requireTolerance(tol);
  if (omega.length === 0) return true;
  const slack = tol * omega.reduce((acc, value) => Math.max(acc, Math.abs(value)), 0);
  if (omega[0] < -slack) return false;
  for (let i = 1; i < omega.length; i++) {
    if (omega[i] - omega[i - 1] < -slack) return false;
  }
  return true;
}

/** True when ω or −ω lies in the scalar cone, up to `tol` relative to max_i |ω_i|. */
export function inSignedScalarCone(omega: readonly number[], tol: number): boolean {
  return (
    inScalarCone(omega, tol) ||
    inScalarCone(
      omega.map((value) => -value),
      tol,
    )
  );
}

/** True when 0 ≤ ω_1 ≤ ω_2 ≤ … ≤ ω_n, in exact arithmetic. */
export function rationalInScalarCone(omega: readonly Fraction[]): boolean {
  if (omega.length === 0) return true;
  if (omega[0].s < 0n) return false;
  for (let i = 1; i < omega.length; i++) {
    if (omega[i].lt(omega[i - 1])) return false;
  }
  return true;
}

/** True when ω or −ω lies in the scalar cone, exactly. */
export function rationalInSignedScalarCone(omega: readonly Fraction[]): boolean {
  return rationalInScalarCone(omega) || rationalInScalarCone(omega.map((value) => value.neg()));
}

/**
 * Distance-like margin of ω from the boundary of K, relative to max_i |ω_i|:
 * min(ω_1, ω_2 − ω_1, …, ω_n − ω_{n−1}) / max_i |ω_i|. Positive inside K, zero
 * on its boundary and negative outside, so float checks can count instances
 * near the boundary instead of deciding them by a coin toss of round-off.
 */
export function scalarConeMargin(omega: readonly number[]): number {
  requireFinite('ω', omega);
  const largest = omega.reduce((acc, value) => Math.max(acc, Math.abs(value)), 0);
  if (largest === 0) return 0;
  let margin = omega[0];
  for (let i = 1; i < omega.length; i++) margin = Math.min(margin, omega[i] - omega[i - 1]);
  return margin / largest;
}

/** Returns the larger of the cone margins of ω and −ω, positive when ω or −ω lies strictly inside K. */
export function signedScalarConeMargin(omega: readonly number[]): number {
  return Math.max(
    scalarConeMargin(omega),
    scalarConeMargin(omega.map((value) => -value)),
  );
}

function requireTolerance(tol: number): void {
  if (!(tol >= 0) || !Number.isFinite(tol)) {
    throw new InputError('tol', 'must be a finite number ≥ 0', tol, 'pass a relative tolerance such as 1e-12, or 0 for an exact comparison');
  }
}
