import type { Fraction } from 'mathjs';
import { q, showRational } from '../algebra/rational-matrix.ts';
import { InputError } from '../core/errors.ts';
import { rationalBlockCorrelation } from '../data/instances.ts';
import { rationalIsotropicOptima } from '../gating/optima.ts';
import type { Instance } from './parse.ts';

/**
 * Exact optima for Σ = I: the instance's numbers read as the decimals
 * JavaScript prints for them (0.1 is 1/10, not the binary double nearest to
 * it), then ω* = (R_n + (d + 1 + σ²) I)^{-1} r, L*_WPGD, L*_scalar and L*_lin in
 * exact rational arithmetic (UNIQUE and the exact cone program).
 */

/**
 * Largest n for the exact optima. Fractions grow with n: on a 2-core x86 VM a
 * block model took 0.5 s at n = 64, and an explicit R with four-decimal
 * entries 2 s at n = 32 and 17 s at n = 64.
 */
export const MAX_EXACT_EXAMPLES = { blocks: 64, explicit: 32 };

export interface ExactOptima {
  /** max |float64 optimum − exact optimum| over L*_WPGD, L*_scalar and L*_lin. */
  maxFloatDifference?: number;
  /** ω* = (R_n + (d + 1 + σ²) I)^{-1} r, unnormalised, as "p/q" strings. */
  omega: string[];
  wpgdRisk: string;
  scalarRisk: string;
  linearRisk: string;
  /** The exact cone program passed its KKT test on both sign sides. */
  scalarCertified: boolean;
  /** L*_scalar = L*_WPGD exactly: scalar gating is optimal (decided without rounding). */
  scalarOptimal: boolean;
}

/** Returns the exact value of the shortest decimal that prints as `value`, e.g. 0.1 → 1/10 and 1e-7 → 1/10000000. */
export function decimalFraction(value: number): Fraction {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(value));
  if (match === null) throw new InputError('number', 'has no decimal form', value, 'pass a finite number');
  const [, sign, whole, fractional = '', exponentText = '0'] = match;
  const exponent = Number(exponentText) - fractional.length;
  let numerator = BigInt(whole + fractional);
  let denominator = 1n;
  if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
  else denominator = 10n ** BigInt(-exponent);
  return q(sign === '-' ? -numerator : numerator, denominator);
}

/**
 * Converts an exact "p/q" to the nearest-ish float64. Fraction.valueOf divides
 * Number(p) by Number(q), which is Infinity/Infinity = NaN once both exceed
 * 1e308, so both are first shortened by the same power of ten.
 */
export function rationalToNumber(text: string): number {
  const [numeratorText, denominatorText = '1'] = text.split('/');
  let numerator = BigInt(numeratorText);
  let denominator = BigInt(denominatorText);
  const excess = Math.max(numerator.toString().replace('-', '').length, denominator.toString().length) - 300;
  if (excess > 0) {
    const factor = 10n ** BigInt(excess);
    numerator /= factor;
    denominator /= factor;
  }
  return denominator === 0n ? 0 : Number(numerator) / Number(denominator);
}

/** True when Σ is exactly the identity as the file gives it. */
function isExactIdentity(instance: Instance): boolean {
  return instance.covariance.Sigma.every((row, i) => row.every((value, j) => value === (i === j ? 1 : 0)));
}

/**
 * Computes the exact optima, or returns the reason there are none: Σ ≠ I, n above
 * MAX_EXACT_EXAMPLES, or an explicit R whose decimals are not exactly a
 * correlation matrix (a rounded singular R can lose semidefiniteness).
 */
export function exactOptima(instance: Instance): { optima?: ExactOptima; skipped?: string } {
  if (!isExactIdentity(instance)) return { skipped: 'exact optima need Σ = I exactly' };
  const limit = instance.blocks ? MAX_EXACT_EXAMPLES.blocks : MAX_EXACT_EXAMPLES.explicit;
  if (instance.n > limit) return { skipped: `exact optima are computed for n ≤ ${limit} with ${instance.blocks ? 'a block model' : 'an explicit R'}` };
  const R = instance.blocks
    ? rationalBlockCorrelation(instance.blocks.sizes, instance.blocks.rho.map(decimalFraction))
    : instance.json.R!.map((row) => row.map(decimalFraction));
  try {
    const optima = rationalIsotropicOptima(instance.d, R, decimalFraction(instance.sigma2));
    return {
      optima: {
        omega: optima.wpgd.omega.map(showRational),
        wpgdRisk: showRational(optima.wpgd.risk),
        scalarRisk: showRational(optima.scalar.risk),
        linearRisk: showRational(optima.lin.risk),
        scalarCertified: optima.scalar.certified,
        scalarOptimal: optima.scalar.risk.equals(optima.wpgd.risk),
      },
    };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { skipped: `the decimals of R are not exactly a correlation matrix: ${error.message}` };
  }
}
