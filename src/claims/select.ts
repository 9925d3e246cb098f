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
