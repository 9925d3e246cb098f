import { describe, expect, it } from 'vitest';
import type { CheckContext, Claim } from '../src/claims/types.ts';
import { replayCommand, runClaims } from '../src/runner/run.ts';
import { deriveSeed } from '../src/runner/seed.ts';
import { claim as keyVecIsotropic } from '../proofs/KEY-VEC-ISOTROPIC.ts';
import { claim as wScalar } from '../proofs/W-SCALAR.ts';
import { claim as wVec } from '../proofs/W-VEC.ts';

/**
 * The reachability claims (W-SCALAR, W-VEC) and KEY-VEC-ISOTROPIC at quick
 * effort: every check verified, and every probe finds its hypothesis needed.
 */

const RUN_SEED = 1;

function probeContext(claim: Claim, hypothesisId: string): CheckContext {
  return {
    effort: 'quick',
    seed: deriveSeed(RUN_SEED, claim.id, `hypothesis:${hypothesisId}`),
    runSeed: RUN_SEED,
    claimId: claim.id,
    checkId: `hypothesis:${hypothesisId}`,
    progress: () => undefined,
    replayCommand: replayCommand(claim.id, RUN_SEED, 'quick'),
  };
}

describe.each([wScalar, wVec, keyVecIsotropic])('$id at quick effort', (claim) => {
  it('verifies every check', async () => {
    const [record] = await runClaims([claim], { effort: 'quick', seed: RUN_SEED });
    const problems = record.checks
      .filter((check) => check.status !== 'verified')
      .map((check) => `${check.id} (${check.status}): ${check.summary}`);
    expect(problems).toEqual([]);
    expect(record.status).toBe('verified');
  });

  for (const hypothesis of claim.hypotheses) {
    if (hypothesis.probe) {
      it(`probe of ${hypothesis.id} finds it needed`, async () => {
        const result = await hypothesis.probe!.run(probeContext(claim, hypothesis.id));
        expect(result.verdict, result.summary).toBe('needed');
        expect(result.counterexample).toBeDefined();
      });
    } else {
      it(`hypothesis ${hypothesis.id} states why it is not probed`, () => {
        expect(hypothesis.notProbed?.length ?? 0).toBeGreaterThan(20);
      });
    }
  }
});

describe('reachability claims', () => {
  it('have unique check ids within each claim', () => {
    for (const claim of [wScalar, wVec, keyVecIsotropic]) {
      const ids = claim.checks.map((check) => check.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('same seed gives the same W-SCALAR results apart from timings', async () => {
    const withoutTimings = (value: unknown) => JSON.stringify(value, (key, entry) => (key === 'seconds' ? 0 : entry));
    const first = await runClaims([wScalar], { effort: 'quick', seed: 3 });
    const second = await runClaims([wScalar], { effort: 'quick', seed: 3 });
    expect(withoutTimings(second)).toBe(withoutTimings(first));
  });
});
