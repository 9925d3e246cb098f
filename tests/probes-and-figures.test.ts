import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Check, Claim, Figure, Hypothesis } from '../src/claims/types.ts';
import { renderFigureSvg } from '../src/report/figures.ts';
import { writeReports } from '../src/report/write.ts';
import { verify } from '../src/runner/verify.ts';

const figure: Figure = {
  id: 'line',
  caption: 'A test line, seed 7.',
  spec: {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] },
    mark: 'line',
    encoding: { x: { field: 'x', type: 'quantitative', title: 'step' }, y: { field: 'y', type: 'quantitative', title: 'risk' } },
  },
};

const checkWithFigure: Check = {
  id: 'drawn',
  kind: 'property',
  title: 'draws a figure',
  run: () => ({ status: 'verified', summary: 'ok', metrics: [], details: {}, figures: [figure] }),
};

const counterexample = { input: { n: 1 }, failure: 'conclusion false', replay: 'replay me', hints: ['look'] };

function claimWith(hypotheses: Hypothesis[]): Claim {
  return { id: 'T', title: 'T', paperResult: 'test', statement: 'test', hypotheses, checks: [checkWithFigure] };
}

describe('hypothesis probes', () => {
  it('records verdicts, reasons and seeds', async () => {
    const seeds: number[] = [];
    const run = await verify({
      effort: 'quick',
      seed: 3,
      claimIds: [],
      claims: [
        claimWith([
          { id: 'h1', statement: 'first', probe: { violation: 'drop it', run: (context) => (seeds.push(context.seed), { verdict: 'needed', summary: 'fails', instances: 4, counterexample, details: {} }) } },
          { id: 'h2', statement: 'second', probe: { violation: 'drop it too', run: (context) => (seeds.push(context.seed), { verdict: 'not shown needed', summary: 'holds', instances: 9, details: {} }) } },
          { id: 'h3', statement: 'third', notProbed: 'it defines the model' },
        ]),
      ],
    });
    const [claim] = run.claims;
    expect(claim.status).toBe('verified');
    expect(claim.hypotheses.map((hypothesis) => hypothesis.verdict)).toEqual(['needed', 'not shown needed', 'not probed']);
    expect(claim.hypotheses[2].summary).toBe('it defines the model');
    expect(new Set(seeds).size).toBe(2);
  });

  it('fails the claim on probe defects', async () => {
    for (const run of [
      () => {
        throw new Error('broken probe');
      },
      () => ({ verdict: 'needed' as const, summary: 'trust me', instances: 1, details: {} }),
    ]) {
      const result = await verify({ effort: 'quick', seed: 1, claimIds: [], claims: [claimWith([{ id: 'h', statement: 's', probe: { violation: 'v', run } }])] });
      expect(result.claims[0].status).toBe('failed');
      expect(result.claims[0].hypotheses[0].verdict).toBe('error');
    }
  });

  it('writes hypothesis table and figure', async () => {
    const run = await verify({
      effort: 'quick',
      seed: 1,
      claimIds: [],
      claims: [claimWith([{ id: 'h1', statement: 'first', probe: { violation: 'drop it', run: () => ({ verdict: 'needed', summary: 'fails', instances: 4, counterexample, details: {} }) } }])],
    });
    const folder = mkdtempSync(join(tmpdir(), 'reports-'));
    await writeReports(run, folder);
    const report = readFileSync(join(folder, 'T.md'), 'utf8');
    expect(report).toContain('| **h1** | first | drop it | **needed** (counterexample found) (4 instances) | fails |');
    expect(report).toContain('**Counterexample without h1**');
    expect(report).toContain('![A test line, seed 7.](figures/T-line.svg)');
    expect(readdirSync(join(folder, 'figures'))).toEqual(['T-line.svg']);
    expect(readFileSync(join(folder, 'figures', 'T-line.svg'), 'utf8')).toMatch(/^<svg[\s\S]*step[\s\S]*risk[\s\S]*<\/svg>$/);
  });
});

describe('figures', () => {
  it('renders the same SVG for the same data', async () => {
    expect(await renderFigureSvg(figure)).toBe(await renderFigureSvg(figure));
  });
});
