/**
 * Derives a check's seed from the run seed and the check's identity with
 * 32-bit FNV-1a, so a check gets the same seed whether it runs alone
 * (`--claim ID`) or with every other claim.
 */
export function deriveSeed(runSeed: number, claimId: string, checkId: string): number {
  const text = `${runSeed}:${claimId}:${checkId}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & 0x7fffffff;
}
