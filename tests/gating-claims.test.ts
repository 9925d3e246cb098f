import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import type { CheckContext, Claim } from '../src/claims/types.ts';
import { claim as gateBeatsLinear } from '../proofs/GATE-BEATS-LINEAR.ts';
import { claim as order } from '../proofs/ORDER.ts';
import { claim as scalarCorr } from '../proofs/SCALAR-CORR.ts';
import { claim as scalarIff } from '../proofs/SCALAR-IFF.ts';

/**
 * The four scalar-gating claims at quick effort: every check must be
 * verified, every probe must return a verdict (a `needed` verdict with its
 * counterexample), and the SCALAR-CORR figure must compile as Vega-Lite.
 */

const CLAIMS: readonly Claim[] = [order, scalarIff, gateBeatsLinear, scalarCorr];

function context(claim: Claim, id: string, index: number): CheckContext {
  return {
    effort: 'quick',
    seed: 1000 + 17 * index,
    runSeed: 1,
    claimId: claim.id,
    checkId: id,
    progress: () => {},
    replayCommand: `npm run verify -- --effort quick --seed 1 --claim ${claim.id}`,
  };
}

describe('scalar-gating claims at quick effort', () => {
  for (const claim of CLAIMS) {
    describe(claim.id, () => {
      claim.checks.forEach((check, index) => {
        it(`${check.id} is verified`, async () => {
          const result = await check.run(context(claim, check.id, index));
          expect(result.summary).toBeTypeOf('string');
          expect({ id: check.id, status: result.status, summary: result.summary }).toEqual({ id: check.id, status: 'verified', summary: result.summary });
        });
      });

      for (const hypothesis of claim.hypotheses) {
        it(`hypothesis ${hypothesis.id} has a probe or a reason`, async () => {
          if (!hypothesis.probe) {
            expect(hypothesis.notProbed).toBeTruthy();
            return;
          }
          const result = await hypothesis.probe.run(context(claim, hypothesis.id, 99));
          console.log(`${claim.id} / ${hypothesis.id}: ${result.verdict} — ${result.summary}`);
          expect(['needed', 'not shown needed']).toContain(result.verdict);
          if (result.verdict === 'needed') expect(result.counterexample).toBeDefined();
        });
      }
    });
  }

  it('SCALAR-CORR sweep figure compiles as Vega-Lite', async () => {
    const sweep = scalarCorr.checks.find((check) => check.id === 'order-sweep')!;
    const result = await sweep.run(context(scalarCorr, sweep.id, 0));
    const figure = result.figures?.[0];
    expect(figure).toBeDefined();
    const values = (figure!.spec.data as { values: { family: string }[] }).values;
    expect(values.length).toBeGreaterThanOrEqual(4 * 50);
    expect(new Set(values.map((value) => value.family))).toEqual(new Set(['linear attention', 'scalar GLA', 'vector GLA', 'optimal WPGD']));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const compiled = compile(figure!.spec as any);
    expect(compiled.spec).toBeDefined();
  });
});
