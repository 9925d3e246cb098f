import { describe, expect, it } from 'vitest';
import { CLAIMS } from '../src/claims/registry.ts';
import { verify } from '../src/runner/verify.ts';

/**
 * Every claim at quick effort: a change to the theory formulas or the models
 * that breaks a claim fails this suite with the failing check's summary.
 */
describe('claims at quick effort', () => {
  it('registers the twelve claims with unique ids', () => {
    const ids = CLAIMS.map((claim) => claim.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(12);
  });

  it('same seed gives the same results apart from timings', async () => {
    const claimIds = ['SCALE', 'UNIQUE', 'BLOCK-OPT', 'P-STAR'];
    const withoutTimings = (value: unknown) =>
      JSON.stringify(value, (key, entry) => (key === 'seconds' || key === 'ms' ? 0 : entry));
    const first = await verify({ effort: 'quick', seed: 4, claimIds, claims: CLAIMS });
    const second = await verify({ effort: 'quick', seed: 4, claimIds, claims: CLAIMS });
    expect(withoutTimings(second)).toBe(withoutTimings(first));
  });

  for (const claim of CLAIMS) {
    it(`${claim.id} is verified`, async () => {
      const run = await verify({ effort: 'quick', seed: 1, claimIds: [claim.id], claims: CLAIMS });
      const record = run.claims[0];
      const problems = record.checks
        .filter((check) => check.status !== 'verified')
        .map((check) => `${check.id} (${check.status}): ${check.summary}`);
      expect(problems).toEqual([]);
      expect(record.status).toBe('verified');
    });
  }
});
