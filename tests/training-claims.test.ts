import { beforeAll, describe, expect, it } from 'vitest';
import { claim as contentGates } from '../proofs/CONTENT-GATES.ts';
import { claim as depth } from '../proofs/DEPTH.ts';
import { claim as trainedGla } from '../proofs/TRAINED-GLA.ts';
import type { Claim } from '../src/claims/types.ts';
import type { RunRecord } from '../src/runner/records.ts';
import { verify } from '../src/runner/verify.ts';

/**
 * The three trained-model claims at quick effort with seed 1, run once the
 * way the runner runs them. Each test then reads one part of the record.
 */
const TRAINING_CLAIMS: readonly Claim[] = [trainedGla, contentGates, depth];

let run: RunRecord;

beforeAll(async () => {
  run = await verify({ effort: 'quick', seed: 1, claimIds: TRAINING_CLAIMS.map((claim) => claim.id), claims: TRAINING_CLAIMS });
});

function record(id: string) {
  const found = run.claims.find((claim) => claim.id === id);
  if (!found) throw new Error(`claim ${id} missing from the run`);
  return found;
}

describe('trained-model claims at quick effort', () => {
  for (const claim of [trainedGla, contentGates]) {
    it(`${claim.id} is verified`, () => {
      const problems = record(claim.id)
        .checks.filter((check) => check.status !== 'verified')
        .map((check) => `${check.id} (${check.status}): ${check.summary}`);
      expect(problems).toEqual([]);
      expect(record(claim.id).status).toBe('verified');
    });
  }

  // At quick sizes a deeper model can make rare, very large errors, so DEPTH may
  // not show "no increase with depth"; it must then say why, and never fail.
  it('DEPTH is verified or says why not', () => {
    const check = record('DEPTH').checks[0];
    expect(['verified', 'inconclusive']).toContain(check.status);
    if (check.status === 'inconclusive') expect(check.summary).toMatch(/not shown|not significantly below|diverged|one-layer model/);
  });

  it('no probe errors', () => {
    const errors = run.claims.flatMap((claim) => claim.hypotheses.filter((hypothesis) => hypothesis.verdict === 'error').map((hypothesis) => `${claim.id}/${hypothesis.id}: ${hypothesis.summary}`));
    expect(errors).toEqual([]);
  });

  it('content gate probe shows the delimiter hypothesis needed', () => {
    const probe = record('TRAINED-GLA').hypotheses.find((hypothesis) => hypothesis.id === 'delimiter-gates');
    expect(probe?.verdict).toBe('needed');
    expect(probe?.counterexample).toBeDefined();
  });

  it('figures carry inline data and name the seed', () => {
    const figures = run.claims.flatMap((claim) => claim.checks.flatMap((check) => check.figures ?? []));
    expect(figures.map((figure) => figure.id).sort()).toEqual(['learned-vs-optimal-weights', 'risk-vs-depth', 'training-curves']);
    for (const figure of figures) {
      expect(figure.caption).toMatch(/seed \d+/);
      expect(JSON.stringify(figure.spec)).toContain('"values"');
    }
  });
});
