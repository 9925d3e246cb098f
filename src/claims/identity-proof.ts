import type { ProvedIdentity } from '../symbolic/identity.ts';
import type { Polynomial } from '../symbolic/polynomial.ts';
import type { CheckContext, CheckResult, Json } from './types.ts';

/**
 * Turns symbolic identity proofs into a check result. Each proved instance
 * lists identities as polynomial remainders (left side minus right side). The
 * check is verified only when every remainder is the zero polynomial, and a
 * nonzero remainder becomes the counterexample, printed term by term.
 */

/** Maximum characters of a remainder printed in a counterexample. */
const MAX_REMAINDER_CHARS = 600;

export interface ProvedInstance {
  /** The instance in words, e.g. "d = 2, n = 3". */
  readonly label: string;
  readonly identities: readonly ProvedIdentity[];
  /** Sizes, term counts and time, for results.json. */
  readonly row: { [key: string]: Json };
  /** The LaTeX certificate printed in the report when every identity holds. */
  readonly certificate: string;
}

export interface IdentityProofReport {
  /** Summary when every identity holds. */
  readonly verified: string;
  /** The derivation method of the identities, for the report's details. */
  readonly method: string;
  /** Suggestions printed with a failure. */
  readonly hints: readonly string[];
}

/** Prints a remainder, cut at MAX_REMAINDER_CHARS with the term count. */
export function showRemainder(remainder: Polynomial): string {
  const text = remainder.toString();
  return text.length > MAX_REMAINDER_CHARS ? `${text.slice(0, MAX_REMAINDER_CHARS)} … (${remainder.termCount} terms)` : text;
}

/** Verified when every remainder of every instance is zero, else failed at the first instance with a nonzero one. */
export function identityProofResult(context: CheckContext, instances: readonly ProvedInstance[], report: IdentityProofReport): CheckResult {
  const identityCount = instances.reduce((count, instance) => count + instance.identities.length, 0);
  const holding = instances.reduce((count, instance) => count + instance.identities.filter((entry) => entry.remainder.isZero()).length, 0);
  const metrics = [
    { name: 'identities expanded to 0', value: holding, threshold: identityCount, comparison: '==' as const },
    { name: 'instances proved', value: instances.filter((instance) => instance.identities.every((entry) => entry.remainder.isZero())).length, threshold: instances.length, comparison: '==' as const },
  ];
  const rows: Json[] = instances.map((instance) => ({ instance: instance.label, ...instance.row, zero: instance.identities.every((entry) => entry.remainder.isZero()) }));
  const failing = instances.find((instance) => instance.identities.some((entry) => !entry.remainder.isZero()));
  if (failing === undefined) {
    return { status: 'verified', summary: report.verified, metrics, details: { instances: rows, method: report.method }, certificates: instances.map((instance) => instance.certificate) };
  }
  const broken = failing.identities.filter((entry) => !entry.remainder.isZero());
  const first = broken[0];
  const shown = showRemainder(first.remainder);
  return {
    status: 'failed',
    summary: `At ${failing.label}, ${broken.length} of ${failing.identities.length} identities leave a nonzero remainder (first: ${first.identity}).`,
    metrics,
    details: { instances: rows, method: report.method, broken: broken.map((entry) => entry.identity) },
    counterexample: {
      input: { instance: failing.label, identity: first.identity, remainder: shown },
      failure: `${first.identity} = ${shown}`,
      replay: context.replayCommand,
      hints: [...report.hints],
    },
  };
}
