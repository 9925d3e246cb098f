import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import type { CheckContext, Claim } from '../src/claims/types.ts';
import { claim as gateBeatsLinear } from '../proofs/GATE-BEATS-LINEAR.ts';
import { claim as order } from '../proofs/ORDER.ts';
import { claim as scalarCorr } from '../proofs/SCALAR-CORR.ts';
import { claim as scalarIff } from '../proofs/SCALAR-IFF.ts';
import { gapOrderVerdict } from '../proofs/support/gating-gap-order.ts';
import { gatingResult, ViolationLog, withUnjudged } from '../proofs/support/gating-results.ts';
import { glaValueWeights } from '../proofs/support/gating-value-weights.ts';
import { q } from '../src/algebra/rational-matrix.ts';
import { floatOrderedField, rationalOrderedField } from '../src/gating/synthesis.ts';

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

/** q_k = gap/δ² at δ = 2^{-k}, k = 2 … halvings + 1, as the gap-order check builds them. */
function ratiosOf(gap: (delta: number) => number, halvings: number): number[] {
  return Array.from({ length: halvings }, (_, index) => {
    const delta = 2 ** -(index + 2);
    return gap(delta) / (delta * delta);
  });
}

describe('gap-order acceptance', () => {
  it('rejects a gap of order δ³ with a positive Richardson limit', () => {
    const verdict = gapOrderVerdict(ratiosOf((delta) => delta ** 3 - delta ** 4, 8));
    expect(verdict.limit).toBeGreaterThan(0);
    expect(verdict.worstContraction).toBeLessThanOrEqual(0.75);
    expect(verdict.accepted).toBe(false);
  });

  it('rejects a gap of order δ³ at standard effort too', () => {
    expect(gapOrderVerdict(ratiosOf((delta) => delta ** 3 - delta ** 4, 14)).accepted).toBe(false);
  });

  it('accepts gaps of order δ²', () => {
    expect(gapOrderVerdict(ratiosOf((delta) => delta ** 2 + delta ** 3, 8)).accepted).toBe(true);
    expect(gapOrderVerdict(ratiosOf((delta) => 0.2 * delta ** 2 - delta ** 3, 8)).accepted).toBe(true);
    expect(gapOrderVerdict(ratiosOf((delta) => delta ** 2 + delta ** 3, 14)).accepted).toBe(true);
  });

  it('rejects too few halvings', () => {
    expect(() => gapOrderVerdict([1, 1, 1])).toThrow(/at least 4/);
  });
});

describe('gating result statuses', () => {
  const base = {
    context: context(order, 'unit', 0),
    summary: { pass: 'pass', fail: 'fail' },
    violationName: 'violations',
    details: {},
    hints: ['hint'],
  };

  it('violations fail with the smallest instance', () => {
    const violations = new ViolationLog();
    violations.record([3, 1, 10], () => 'large', 'large fails');
    violations.record([2, 4, 50], () => 'small', 'small fails');
    violations.record([2, 4, 60], () => 'later', 'later fails');
    const result = gatingResult({ ...base, violations, unjudged: [{ name: 'uncertified', count: 2 }] });
    expect(result.status).toBe('failed');
    expect(result.counterexample).toEqual({ input: 'small', failure: 'small fails', replay: base.context.replayCommand, hints: ['hint'] });
  });

  it('unjudged instances are inconclusive', () => {
    const result = gatingResult({ ...base, violations: new ViolationLog(), unjudged: [{ name: 'uncertified', count: 2 }] });
    expect(result.status).toBe('inconclusive');
    expect(result.counterexample).toBeUndefined();
  });

  it('missed coverage is inconclusive', () => {
    const result = gatingResult({ ...base, violations: new ViolationLog(), coverage: [{ name: 'instances with r = 0', value: 0, minimum: 1 }] });
    expect(result.status).toBe('inconclusive');
    expect(result.summary).toContain('instances with r = 0: 0 < 1');
  });

  it('clean tallies are verified', () => {
    const result = gatingResult({ ...base, violations: new ViolationLog(), coverage: [{ name: 'kinds', value: 3, minimum: 1 }], unjudged: [{ name: 'uncertified', count: 0 }] });
    expect(result.status).toBe('verified');
  });

  it('property result with unjudged runs is inconclusive', () => {
    const verified = { status: 'verified' as const, summary: 'ok', metrics: [], details: {} };
    expect(withUnjudged({ ...verified, metrics: [] }, [{ name: 'uncertified', count: 1 }]).status).toBe('inconclusive');
    expect(withUnjudged({ ...verified, metrics: [] }, [{ name: 'uncertified', count: 0 }]).status).toBe('verified');
    expect(withUnjudged({ ...verified, metrics: [], status: 'failed' }, [{ name: 'uncertified', count: 1 }]).status).toBe('failed');
  });
});

describe('value-vector weights from the GLA', () => {
  it('reproduce a signed rational target exactly', () => {
    const omega = [q(1, 2), q(-1), q(2), q(2), q(-1, 4)];
    const weights = glaValueWeights(rationalOrderedField, omega, 2);
    expect(weights.map((value) => value.toFraction())).toEqual(omega.map((value) => value.toFraction()));
  });

  it('reproduce a float target to rounding', () => {
    const omega = [0.3, -0.7, 1.9];
    glaValueWeights(floatOrderedField, omega, 3).forEach((value, i) => expect(value).toBeCloseTo(omega[i], 14));
  });
});
