import { describe, expect, it } from 'vitest';
import type { CheckContext, Claim } from '../src/claims/types.ts';
import { replayCommand, runClaims } from '../src/runner/run.ts';
import { deriveSeed } from '../src/runner/seed.ts';
import { claim as keyVecIsotropic } from '../proofs/KEY-VEC-ISOTROPIC.ts';
import { claim as wScalar } from '../proofs/W-SCALAR.ts';
import { claim as wVec } from '../proofs/W-VEC.ts';
import { q } from '../src/algebra/rational-matrix.ts';
import { blockCorrelation } from '../src/data/correlation.ts';
import { diagonalCovariance } from '../src/data/covariance.ts';
import { Random } from '../src/data/random.ts';
import { wpgdOptimum } from '../src/gating/optima.ts';
import { makeTask } from '../src/theory/risk.ts';
import { runExactReach } from '../proofs/support/reach-exact.ts';
import { wpgdMultistart } from '../proofs/support/reach-key-search.ts';
import { judgeCheck, ViolationLog } from '../proofs/support/reach-verdict.ts';

/**
 * The reachability claims (W-SCALAR, W-VEC) and KEY-VEC-ISOTROPIC at quick
 * effort: every check verified, and every probe finds its hypothesis needed;
 * and the helpers that decide their statuses.
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

function checkContext(checkId: string): CheckContext {
  return { ...probeContext(wScalar, 'unused'), checkId, seed: 11 };
}

describe('judgeCheck', () => {
  const base = { pass: 'all good', fail: 'broken:', hints: ['look'], details: {} };

  it('fails with the smallest violation as counterexample and counts all of them', () => {
    const violations = new ViolationLog();
    violations.add({ input: { n: 5 }, failure: 'n = 5 fails', size: [5, 1] });
    violations.add({ input: { n: 2 }, failure: 'n = 2 fails', size: [2, 9] });
    violations.add({ input: { n: 2, other: true }, failure: 'second n = 2', size: [2, 9] });
    const result = judgeCheck(checkContext('fails'), {
      ...base,
      required: [{ name: 'failing', value: violations.count, threshold: 0, comparison: '==' }],
      undecided: [{ name: 'coverage', value: 0, threshold: 1, comparison: '>=' }],
      violations,
    });
    expect(result.status).toBe('failed');
    expect(result.summary).toContain('3 violating instances');
    expect(result.counterexample?.input).toEqual({ n: 2 });
    expect(result.counterexample?.replay).toContain('W-SCALAR');
  });

  it('is inconclusive, not failed, when only coverage or a certificate is missing', () => {
    const result = judgeCheck(checkContext('coverage'), {
      ...base,
      required: [{ name: 'failing', value: 0, threshold: 0, comparison: '==' }],
      undecided: [
        { name: 'targets with zeros', value: 0, threshold: 1, comparison: '>=' },
        { name: 'uncertified', value: 0, threshold: 0, comparison: '==' },
      ],
    });
    expect(result.status).toBe('inconclusive');
    expect(result.summary).toContain('targets with zeros = 0');
    expect(result.counterexample).toBeUndefined();
  });

  it('is verified when every metric holds', () => {
    const result = judgeCheck(checkContext('verified'), { ...base, required: [{ name: 'failing', value: 0, threshold: 0, comparison: '==' }] });
    expect(result.status).toBe('verified');
    expect(result.summary).toBe('all good');
  });

  it('refuses a failure without a violating instance', () => {
    expect(() => judgeCheck(checkContext('empty'), { ...base, required: [{ name: 'failing', value: 1, threshold: 0, comparison: '==' }] })).toThrow(/smallest violating instance/);
  });
});

describe('runExactReach', () => {
  it('runs every instance and keeps the smallest failing one', () => {
    let failing = 0;
    let smallestN = Infinity;
    const summary = runExactReach(checkContext('reach'), {
      count: 60,
      draw: (random) => {
        const n = random.integer(1, 6);
        return { n, d: 1, omega: Array.from({ length: n }, () => q(1)) };
      },
      evaluate: (_prompt, omega) => {
        // A deliberately wrong "model": it breaks from n = 3 on.
        const broken = omega.length >= 3;
        if (broken) {
          failing++;
          smallestN = Math.min(smallestN, omega.length);
        }
        return { gla: q(broken ? 1 : 0), wpgd: q(0), problems: [] };
      },
      classify: () => [],
    });
    expect(summary.instances).toBe(60);
    expect(failing).toBeGreaterThan(1);
    expect(summary.violations.count).toBe(failing);
    expect((summary.violations.smallest?.input as { n: number }).n).toBe(smallestN);
  });
});

describe('wpgdMultistart', () => {
  it('finds the μ-search optimum from poor seeds on an anisotropic two-block task', () => {
    const task = makeTask(diagonalCovariance([10, 0.5]), blockCorrelation([4, 2], [0.7, 0.95]), 0);
    const optimum = wpgdOptimum(task);
    const ones = new Array<number>(task.n).fill(1);
    const result = wpgdMultistart(task, { wpgd: ones, scalar: ones }, new Random(5), 12);
    expect(result.starts).toBe(14);
    expect(result.risk).toBeLessThanOrEqual(optimum.risk + 1e-9 * optimum.risk);
    expect(result.risk).toBeGreaterThanOrEqual(optimum.risk - 1e-9 * optimum.risk);
  });
});
