import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { combineStatuses } from '../src/claims/results.ts';
import { selectClaims } from '../src/claims/select.ts';
import type { Check, Claim, Status } from '../src/claims/types.ts';
import { InputError } from '../src/core/errors.ts';
import { compactJson } from '../src/report/format.ts';
import { writeReports } from '../src/report/write.ts';
import { deriveSeed } from '../src/runner/seed.ts';
import { exitCodeFor, verify } from '../src/runner/verify.ts';

function fixedCheck(id: string, status: Status): Check {
  return {
    id,
    kind: 'exact',
    title: `always ${status}`,
    run: (context) => ({ status, summary: `${status} with seed ${context.seed}`, metrics: [], details: { seed: context.seed } }),
  };
}

function claimWith(id: string, checks: Check[]): Claim {
  return { id, title: id, paperResult: 'test', statement: 'test', hypotheses: [], checks };
}

describe('claim status', () => {
  it('failed dominates inconclusive and verified', () => {
    expect(combineStatuses(['verified', 'inconclusive', 'failed'])).toBe('failed');
  });

  it('inconclusive dominates verified', () => {
    expect(combineStatuses(['verified', 'inconclusive'])).toBe('inconclusive');
  });

  it('a claim without checks is not verified', () => {
    expect(combineStatuses([])).toBe('inconclusive');
  });
});

describe('runner', () => {
  const claims = [
    claimWith('A', [fixedCheck('one', 'verified'), fixedCheck('two', 'verified')]),
    claimWith('B', [
      fixedCheck('one', 'verified'),
      { id: 'throws', kind: 'exact', title: 'throws', run: () => { throw new RangeError('bad index 7'); } },
    ]),
  ];

  it('turns an exception into a failed check with the message', async () => {
    const run = await verify({ effort: 'quick', seed: 3, claimIds: ['B'], claims });
    const check = run.claims[0].checks[1];
    expect(check.status).toBe('failed');
    expect(check.summary).toContain('bad index 7');
    expect(exitCodeFor(run)).toBe(1);
  });

  it('gives a check the same seed alone and in a full run', async () => {
    const alone = await verify({ effort: 'quick', seed: 9, claimIds: ['B'], claims });
    const all = await verify({ effort: 'quick', seed: 9, claimIds: [], claims });
    expect(alone.claims[0].checks[0].seed).toBe(all.claims[1].checks[0].seed);
    expect(alone.claims[0].checks[0].seed).toBe(deriveSeed(9, 'B', 'one'));
  });

  it('derives different seeds for different checks and run seeds', () => {
    expect(deriveSeed(1, 'A', 'one')).not.toBe(deriveSeed(1, 'A', 'two'));
    expect(deriveSeed(1, 'A', 'one')).not.toBe(deriveSeed(2, 'A', 'one'));
  });

  it('stops at an abort and marks the claim incomplete', async () => {
    const controller = new AbortController();
    const stopping = claimWith('C', [
      { id: 'first', kind: 'exact', title: 'aborts', run: () => { controller.abort(); return { status: 'verified', summary: '', metrics: [], details: {} }; } },
      fixedCheck('second', 'verified'),
    ]);
    const run = await verify({ effort: 'quick', seed: 1, claimIds: [], claims: [stopping, ...claims], signal: controller.signal });
    expect(run.claims.map((claim) => claim.status)).toEqual(['incomplete', 'incomplete', 'incomplete']);
    // The check that saw the abort did not finish on its own terms, so its result is dropped.
    expect(run.claims[0].checks).toHaveLength(0);
    expect(run.claims[0].notRun).toEqual(['first', 'second']);
    expect(run.claims[1].notRun).toEqual(claims[0].checks.map((check) => check.id));
    expect(run.counts.incomplete).toBe(3);
    expect(exitCodeFor(run)).toBe(130);
  });

  it('stops check at next progress report', async () => {
    let stop = false;
    let steps = 0;
    const long = claimWith('L', [
      {
        id: 'long',
        kind: 'property',
        title: 'reports progress in a loop',
        run: (context) => {
          for (let step = 0; step < 1000; step++) {
            if (step === 3) stop = true;
            context.progress(step / 1000);
            steps++;
          }
          return { status: 'verified', summary: '', metrics: [], details: {} };
        },
      },
    ]);
    // A flag another thread sets looks the same to the runner: anything with `aborted`.
    const run = await verify({ effort: 'quick', seed: 1, claimIds: [], claims: [long], signal: { get aborted() { return stop; } } });
    expect(steps).toBe(3);
    expect(run.claims[0].status).toBe('incomplete');
    expect(run.claims[0].checks).toHaveLength(0);
  });

  it('drops check that catches interruption', async () => {
    const controller = new AbortController();
    const swallowing = claimWith('S', [
      {
        id: 'swallows',
        kind: 'property',
        title: 'turns every exception into a failure',
        run: (context) => {
          controller.abort();
          try {
            context.progress(0.5);
          } catch (error) {
            return { status: 'failed', summary: String(error), metrics: [], details: {} };
          }
          return { status: 'verified', summary: '', metrics: [], details: {} };
        },
      },
    ]);
    const run = await verify({ effort: 'quick', seed: 1, claimIds: [], claims: [swallowing], signal: controller.signal });
    expect(run.counts).toMatchObject({ failed: 0, incomplete: 1 });
    expect(run.claims[0].notRun).toEqual(['swallows']);
  });

  it('rejects an unknown claim id naming the valid ones', () => {
    expect(() => selectClaims(['NOPE'], claims)).toThrow(InputError);
    expect(() => selectClaims(['NOPE'], claims)).toThrow(/A, B/);
  });

  it('selects claim ids case-insensitively', () => {
    expect(selectClaims(['a'], claims).map((claim) => claim.id)).toEqual(['A']);
  });
});

describe('reports', () => {
  it('writes an index, one page per claim and results.json', async () => {
    const run = await verify({
      effort: 'quick',
      seed: 1,
      claimIds: [],
      claims: [claimWith('A', [fixedCheck('one', 'verified')]), claimWith('B', [fixedCheck('one', 'failed')])],
    });
    const folder = mkdtempSync(join(tmpdir(), 'reports-'));
    await writeReports(run, folder);
    expect(readdirSync(folder).sort()).toEqual(['A.md', 'B.md', 'README.md', 'results.json']);
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8'));
    expect(results.counts).toEqual({ verified: 1, failed: 1, inconclusive: 0, incomplete: 0 });
    expect(readFileSync(join(folder, 'README.md'), 'utf8')).toContain('[B](B.md)');
  });

  it('gives the same results apart from timings for the same seed', async () => {
    const claims = [claimWith('A', [fixedCheck('one', 'verified')])];
    const strip = (text: string) => text.replace(/"seconds": [0-9.e-]+/g, '"seconds": 0');
    const first = await verify({ effort: 'quick', seed: 5, claimIds: [], claims });
    const second = await verify({ effort: 'quick', seed: 5, claimIds: [], claims });
    expect(strip(JSON.stringify(first, null, 2))).toBe(strip(JSON.stringify(second, null, 2)));
  });
});

describe('report JSON', () => {
  it('keeps arrays of numbers on one line and round-trips', () => {
    const value = { vector: [1, -2.5e-7, 3], matrix: [[1, 2], [3, 4]], labels: ['a,b', 'c'], nested: [{ k: 1 }] };
    const text = compactJson(value);
    expect(text).toContain('[1, -2.5e-7, 3]');
    expect(text).toContain('["a,b", "c"]');
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('metric comparison of exact strings', () => {
  it('compares two strings as written', async () => {
    const { metricPasses } = await import('../src/claims/results.ts');
    expect(metricPasses({ name: 'digits', value: '863.93527452789782052', threshold: '863.93527452789782053', comparison: '==' })).toBe(false);
    expect(metricPasses({ name: 'digits', value: '1/3', threshold: '1/3', comparison: '==' })).toBe(true);
    expect(metricPasses({ name: 'count', value: 3, threshold: 3, comparison: '==' })).toBe(true);
  });
});
