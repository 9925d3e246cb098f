import { InputError } from '../core/errors.ts';
import type { Claim } from './types.ts';

/** Returns the claims named by `ids` (all when empty), in registry order; unknown ids raise an InputError listing the valid ones. */
export function selectClaims(ids: readonly string[], claims: readonly Claim[]): Claim[] {
  if (ids.length === 0) return [...claims];
  const known = new Map(claims.map((claim) => [claim.id.toUpperCase(), claim]));
  const unknown = ids.filter((id) => !known.has(id.toUpperCase()));
  if (unknown.length > 0) {
    throw new InputError('--claim', unknown.length === 1 ? 'names no known claim' : 'names claims that do not exist', unknown.join(', '), `use one of: ${claims.map((claim) => claim.id).join(', ')}`);
  }
  const requested = new Set(ids.map((id) => id.toUpperCase()));
  return claims.filter((claim) => requested.has(claim.id.toUpperCase()));
}

/**
 * Keeps only the checks whose id is in `checkIds` (all when empty), and drops
 * claims left without checks. Hypothesis probes are skipped when checks are
 * selected, because the run then tests a part of each claim, not the claim.
 * Unknown ids raise an InputError listing the check ids of the selected claims.
 */
export function selectChecks(checkIds: readonly string[], claims: readonly Claim[]): Claim[] {
  if (checkIds.length === 0) return [...claims];
  const available = new Set(claims.flatMap((claim) => claim.checks.map((check) => check.id)));
  const unknown = checkIds.filter((id) => !available.has(id));
  if (unknown.length > 0) {
    throw new InputError('--check', unknown.length === 1 ? 'names no check of the selected claims' : 'names checks the selected claims do not have', unknown.join(', '), `use one of: ${[...available].sort().join(', ')}`);
  }
  const wanted = new Set(checkIds);
  return claims
    .map((claim) => ({
      ...claim,
      checks: claim.checks.filter((check) => wanted.has(check.id)),
      hypotheses: claim.hypotheses.map(({ probe: _probe, ...hypothesis }) => ({ ...hypothesis, notProbed: 'not run: --check selected single checks' })),
    }))
    .filter((claim) => claim.checks.length > 0);
}
