import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { baselineWarnings, renderBaselineDiff } from '../src/cli/baseline-output.ts';
import type { Metric, Status } from '../src/claims/types.ts';
import { compareRuns, exitCodeAgainstBaseline, isTimingMetric, REGRESSION_EXIT_CODE, runSelection, type DiffEntry } from '../src/runner/baseline.ts';
import type { CheckRecord, ClaimRecord, HypothesisRecord, RunRecord } from '../src/runner/records.ts';

function check(id: string, status: Status, metrics: Metric[] = [], kind: CheckRecord['kind'] = 'exact'): CheckRecord {
  return { id, kind, title: id, seed: 7, status, summary: `${id} ${status}`, metrics, details: {}, seconds: 0.1 };
}

function claim(id: string, status: ClaimRecord['status'], checks: CheckRecord[], hypotheses: HypothesisRecord[] = []): ClaimRecord {
  return { id, title: id, paperResult: 'result', statement: 'statement', hypotheses, status, checks, seconds: 0.2 };
}

function hypothesis(id: string, verdict: HypothesisRecord['verdict']): HypothesisRecord {
  return { id, statement: id, verdict, summary: verdict };
}

interface RunShape {
  effort?: RunRecord['effort'];
  seed?: number;
  selection?: string;
  backend?: string;
  version?: string;
}

function run(claims: ClaimRecord[], shape: RunShape = {}): RunRecord {
  const effort = shape.effort ?? 'quick';
  const seed = shape.seed ?? 1;
  const counts = { verified: 0, failed: 0, inconclusive: 0, incomplete: 0 };
  for (const record of claims) counts[record.status]++;
  return {
    tool: { name: 'gla-wpgd-verify', version: shape.version ?? '0.1.0' },
    paper: 'arXiv 2504.04308',
    seed,
    effort,
    command: `npm run verify -- --effort ${effort} --seed ${seed}${shape.selection ?? ''}`,
    backend: { name: shape.backend ?? 'cpu', description: 'test' },
    versions: {},
    counts,
    claims,
    seconds: 1,
  };
}

const bounded = (name: string, value: number, threshold: number, comparison: Metric['comparison'] = '<='): Metric => ({ name, value, threshold, comparison });

function only(entries: DiffEntry[], subject: DiffEntry['subject']): DiffEntry[] {
  return entries.filter((entry) => entry.subject === subject);
}

describe('compareRuns statuses', () => {
  it('identical runs differ in nothing', () => {
    const record = run([claim('A', 'verified', [check('one', 'verified', [bounded('error', 0.25, 1)])])]);
    const diff = compareRuns(record, structuredClone(record));
    expect(diff.entries).toEqual([]);
    expect(diff.counts).toEqual({ regressions: 0, improvements: 0, changes: 0 });
    expect(diff.warnings).toEqual([]);
    expect(diff.claimsCompared).toBe(1);
  });

  it('verified to failed is a regression of claim and check', () => {
    const before = run([claim('A', 'verified', [check('one', 'verified')])]);
    const after = run([claim('A', 'failed', [check('one', 'failed')])]);
    const diff = compareRuns(before, after);
    expect(diff.entries).toContainEqual({ subject: 'claim', change: 'status', effect: 'regression', claimId: 'A', before: 'verified', after: 'failed' });
    expect(diff.entries).toContainEqual({ subject: 'check', change: 'status', effect: 'regression', claimId: 'A', checkId: 'one', before: 'verified', after: 'failed' });
    expect(diff.counts.regressions).toBe(2);
  });

  it('failed to verified is an improvement', () => {
    const diff = compareRuns(run([claim('A', 'failed', [check('one', 'failed')])]), run([claim('A', 'verified', [check('one', 'verified')])]));
    expect(diff.entries.map((entry) => entry.effect)).toEqual(['improvement', 'improvement']);
    expect(diff.counts.regressions).toBe(0);
  });

  it('a move to inconclusive is a regression', () => {
    for (const from of ['verified', 'failed'] as const) {
      const diff = compareRuns(run([claim('A', from, [check('one', from)])]), run([claim('A', 'inconclusive', [check('one', 'inconclusive')])]));
      expect(diff.counts.regressions).toBe(2);
    }
  });

  it('claim removed from a full run is a regression', () => {
    const diff = compareRuns(run([claim('A', 'verified', []), claim('B', 'verified', [])]), run([claim('A', 'verified', [])]));
    expect(diff.entries).toEqual([{ subject: 'claim', change: 'removed', effect: 'regression', claimId: 'B', before: 'verified' }]);
    expect(diff.notRun).toEqual([]);
  });

  it('claim left out by --claim is not run', () => {
    const diff = compareRuns(run([claim('A', 'verified', []), claim('B', 'failed', [])]), run([claim('A', 'verified', [])], { selection: ' --claim A' }));
    expect(diff.entries).toEqual([]);
    expect(diff.notRun).toEqual(['B']);
  });

  it('claim added to a full run is a change', () => {
    const diff = compareRuns(run([claim('A', 'verified', [])]), run([claim('A', 'verified', []), claim('NEW', 'verified', [])]));
    expect(diff.entries).toEqual([{ subject: 'claim', change: 'added', effect: 'change', claimId: 'NEW', after: 'verified' }]);
  });

  it('claim the baseline did not select is not counted as added', () => {
    const diff = compareRuns(run([claim('A', 'verified', [])], { selection: ' --claim A' }), run([claim('A', 'verified', []), claim('B', 'verified', [])]));
    expect(diff.entries).toEqual([]);
    expect(diff.notInBaseline).toEqual(['B']);
  });

  it('check removed is a regression and check added a change', () => {
    const diff = compareRuns(run([claim('A', 'verified', [check('old', 'verified')])]), run([claim('A', 'verified', [check('new', 'verified')])]));
    expect(diff.entries).toEqual([
      { subject: 'check', change: 'removed', effect: 'regression', claimId: 'A', checkId: 'old', before: 'verified' },
      { subject: 'check', change: 'added', effect: 'change', claimId: 'A', checkId: 'new', after: 'verified' },
    ]);
  });

  it('check selection skips claim status', () => {
    const before = run([claim('A', 'failed', [check('one', 'verified'), check('two', 'failed')])]);
    const after = run([claim('A', 'verified', [check('one', 'verified')])], { selection: ' --check one' });
    const diff = compareRuns(before, after);
    expect(diff.entries).toEqual([]);
    expect(diff.notRun).toEqual(['A / two']);
  });

  it('probed hypothesis verdict change is reported', () => {
    const before = run([claim('A', 'verified', [], [hypothesis('h', 'needed'), hypothesis('q', 'not probed'), hypothesis('r', 'needed')])]);
    const after = run([claim('A', 'verified', [], [hypothesis('h', 'not shown needed'), hypothesis('q', 'not probed'), hypothesis('r', 'incomplete')])]);
    expect(compareRuns(before, after).entries).toEqual([
      { subject: 'hypothesis', change: 'verdict', effect: 'change', claimId: 'A', hypothesisId: 'h', before: 'needed', after: 'not shown needed' },
    ]);
  });

  it('interrupted claim is a change and its missing checks are not removed', () => {
    const before = run([claim('A', 'verified', [check('one', 'verified'), check('two', 'verified')])]);
    const after = run([claim('A', 'incomplete', [check('one', 'verified')])]);
    const diff = compareRuns(before, after);
    expect(diff.entries).toEqual([{ subject: 'claim', change: 'status', effect: 'change', claimId: 'A', before: 'verified', after: 'incomplete' }]);
    expect(diff.warnings.join(' ')).toContain('This run was interrupted');
  });

  it('runs without a common claim warn', () => {
    const diff = compareRuns(run([claim('A', 'verified', [])], { selection: ' --claim A' }), run([claim('B', 'verified', [])], { selection: ' --claim B' }));
    expect(diff.claimsCompared).toBe(0);
    expect(diff.warnings.join(' ')).toContain('No claim ran in both runs');
  });
});

describe('compareRuns metrics', () => {
  const pair = (before: Metric[], after: Metric[], kind: CheckRecord['kind'] = 'exact', shapes: [RunShape, RunShape] = [{}, {}]) =>
    compareRuns(run([claim('A', 'verified', [check('c', 'verified', before, kind)])], shapes[0]), run([claim('A', 'verified', [check('c', 'verified', after, kind)])], shapes[1]));

  it('value moved beyond tolerance is reported', () => {
    const diff = pair([bounded('error', 0.5, 1)], [bounded('error', 0.5 * (1 + 1e-6), 1)]);
    expect(diff.entries).toHaveLength(1);
    const [entry] = diff.entries;
    expect(entry).toMatchObject({ subject: 'metric', change: 'value', effect: 'change', metric: 'error', towardBound: true });
    expect((entry as { relativeChange: number }).relativeChange).toBeCloseTo(1e-6, 9);
  });

  it('value moved within tolerance is not reported', () => {
    expect(pair([bounded('error', 0.5, 1)], [bounded('error', 0.5 * (1 + 1e-12), 1)]).entries).toEqual([]);
  });

  it('round-off residuals near 0 are not reported', () => {
    expect(pair([bounded('residual', 1e-15, 1e-10)], [bounded('residual', 3e-15, 1e-10)]).entries).toEqual([]);
  });

  it('counts must match exactly', () => {
    const diff = pair([{ name: 'instances', value: 300 }], [{ name: 'instances', value: 301 }]);
    expect(diff.entries).toMatchObject([{ change: 'value', metric: 'instances' }]);
  });

  it('exact string values must match as written', () => {
    expect(pair([{ name: 'L*', value: '7/8' }], [{ name: 'L*', value: '7/9' }]).entries).toMatchObject([{ change: 'value' }]);
    expect(pair([{ name: 'L*', value: '7/8' }], [{ name: 'L*', value: '7/8' }]).entries).toEqual([]);
  });

  it('metric that stops meeting its bound is a regression', () => {
    const diff = pair([bounded('error', 0.9, 1)], [bounded('error', 1.1, 1)]);
    expect(diff.entries).toMatchObject([{ subject: 'metric', change: 'verdict', effect: 'regression' }]);
    expect(diff.counts.regressions).toBe(1);
  });

  it('metric that starts meeting its bound is an improvement', () => {
    expect(pair([bounded('count', 2, 0, '==')], [bounded('count', 0, 0, '==')]).entries).toMatchObject([{ change: 'verdict', effect: 'improvement' }]);
  });

  it('changed bound is reported', () => {
    const diff = pair([bounded('error', 0.5, 1e-10)], [bounded('error', 0.5, 1e-6)]);
    expect(diff.entries).toMatchObject([{ change: 'bound', effect: 'change' }]);
  });

  it('Monte Carlo z-score counts only when it crosses its bound', () => {
    const z = (value: number) => [bounded('paired z against L*', value, 3)];
    expect(pair(z(1.2), z(2.5), 'monte-carlo').entries).toEqual([]);
    expect(pair(z(1.2), z(3.5), 'monte-carlo').entries).toMatchObject([{ change: 'verdict', effect: 'regression' }]);
  });

  it('timings are ignored', () => {
    const timings = (seconds: number): Metric[] => [
      bounded('seconds, Σ 0.5^k with n = 64', seconds, 2),
      { name: 'slowest mixed prompt (s)', value: seconds },
      { name: 'ms', value: seconds * 1000 },
    ];
    const before = run([claim('A', 'verified', [check('c', 'verified', timings(0.5))])]);
    const after = run([claim('A', 'verified', [{ ...check('c', 'verified', timings(3)), seconds: 9 }])]);
    expect(compareRuns(before, after).entries).toEqual([]);
  });

  it('timing names are recognised', () => {
    expect(isTimingMetric('seconds, Σ 0.5^k with n = 64')).toBe(true);
    expect(isTimingMetric('slowest mixed prompt (s)')).toBe(true);
    expect(isTimingMetric('optima that are strict local minima (second-order test)')).toBe(false);
    expect(isTimingMetric('instances')).toBe(false);
  });

  it('repeated metric names pair by occurrence', () => {
    const diff = pair([{ name: 'n', value: 1 }, { name: 'n', value: 2 }], [{ name: 'n', value: 1 }, { name: 'n', value: 5 }]);
    expect(diff.entries).toMatchObject([{ change: 'value', metric: 'n', occurrence: 2 }]);
  });

  it('metrics added and removed are changes', () => {
    const diff = pair([{ name: 'old', value: 1 }], [{ name: 'new', value: 1 }]);
    expect(diff.entries.map((entry) => (entry as { change: string }).change)).toEqual(['removed', 'added']);
    expect(diff.counts.regressions).toBe(0);
  });

  it('effort or seed mismatch warns and compares statuses only', () => {
    for (const shape of [{ effort: 'standard' as const }, { seed: 2 }]) {
      const before = run([claim('A', 'verified', [check('c', 'verified', [bounded('error', 0.1, 1)])])]);
      const after = run([claim('A', 'failed', [check('c', 'failed', [bounded('error', 7, 1)])])], shape);
      const diff = compareRuns(before, after);
      expect(diff.metricsCompared).toBe(false);
      expect(diff.warnings).toHaveLength(1);
      expect(diff.warnings[0]).toContain('only claim, check and hypothesis statuses are compared');
      expect(only(diff.entries, 'metric')).toEqual([]);
      expect(diff.counts.regressions).toBe(2);
    }
  });

  it('backend mismatch warns and compares pass/fail only', () => {
    const shapes: [RunShape, RunShape] = [{ backend: 'cpu' }, { backend: 'webgpu' }];
    const diff = pair([bounded('error', 0.1, 1)], [bounded('error', 0.2, 1)], 'exact', shapes);
    expect(diff.warnings[0]).toContain('cpu backend, this run webgpu');
    expect(diff.entries).toEqual([]);
    expect(pair([bounded('error', 0.1, 1)], [bounded('error', 2, 1)], 'exact', shapes).counts.regressions).toBe(1);
  });
});

describe('baseline helpers', () => {
  it('selection is read from the command', () => {
    const record = run([], { selection: ' --claim SCALE --claim P-STAR --check exact' });
    expect(runSelection(record)).toEqual({ claims: ['SCALE', 'P-STAR'], checks: ['exact'] });
    expect(runSelection(run([]))).toEqual({ claims: [], checks: [] });
  });

  it('exit status puts failures first, then interruption, then regressions', () => {
    const regressed = compareRuns(run([claim('A', 'verified', [])]), run([claim('A', 'failed', [])]));
    const clean = compareRuns(run([claim('A', 'verified', [])]), run([claim('A', 'verified', [])]));
    expect(exitCodeAgainstBaseline(0, regressed)).toBe(REGRESSION_EXIT_CODE);
    expect(exitCodeAgainstBaseline(3, regressed)).toBe(REGRESSION_EXIT_CODE);
    expect(exitCodeAgainstBaseline(1, regressed)).toBe(1);
    expect(exitCodeAgainstBaseline(130, regressed)).toBe(130);
    expect(exitCodeAgainstBaseline(0, clean)).toBe(0);
    expect(exitCodeAgainstBaseline(3, clean)).toBe(3);
  });

  it('output groups entries by effect', () => {
    const before = run([claim('A', 'verified', [check('c', 'verified', [bounded('error', 0.5, 1)])]), claim('B', 'failed', [check('d', 'failed')])]);
    const after = run([claim('A', 'failed', [check('c', 'failed', [bounded('error', 2, 1)])]), claim('B', 'verified', [check('d', 'verified')])]);
    const diff = { file: 'base/results.json', ...compareRuns(before, after) };
    const text = renderBaselineDiff(diff, false);
    expect(text).toContain('Compared with the baseline base/results.json (npm run verify -- --effort quick --seed 1), 2 claims in both runs:');
    expect(text).toContain('Regressions (3):\n  A: verified → failed\n  A / c: verified → failed\n  A / c: "error" 0.5 → 2: now misses its bound <= 1');
    expect(text).toContain('Improvements (2):\n  B: failed → verified');
    expect(text).toContain('Against the baseline: 3 regressions, 2 improvements, 0 other changes.');
    expect(text).not.toContain('NaN');
  });

  it('quiet output lists regressions only', () => {
    const diff = { file: 'b.json', ...compareRuns(run([claim('A', 'verified', []), claim('B', 'failed', [])]), run([claim('A', 'failed', []), claim('B', 'verified', [])])) };
    expect(renderBaselineDiff(diff, true)).toBe('Regressions against the baseline b.json (1):\n  A: verified → failed');
    const clean = { file: 'b.json', ...compareRuns(run([claim('A', 'verified', [])]), run([claim('A', 'verified', [])])) };
    expect(renderBaselineDiff(clean, true)).toBe('No regressions against the baseline b.json.');
  });

  it('value move shows full digits when short forms agree', () => {
    const before = run([claim('A', 'verified', [check('c', 'verified', [bounded('ratio', 1.0000001, 2)])])]);
    const after = run([claim('A', 'verified', [check('c', 'verified', [bounded('ratio', 1.0000002, 2)])])]);
    const text = renderBaselineDiff({ file: 'b.json', ...compareRuns(before, after) }, false);
    expect(text).toContain('"ratio" moved 1.0000001 → 1.0000002 (relative change 1.0e-7 > tolerance 1e-9), toward its bound <= 2');
  });

  it('warnings are prefixed for standard error', () => {
    const diff = { file: 'b.json', ...compareRuns(run([claim('A', 'verified', [])], { version: '0.0.9' }), run([claim('A', 'verified', [])])) };
    expect(baselineWarnings(diff)).toEqual(['warning: The baseline was written by gla-wpgd-verify 0.0.9, this run is 0.1.0.']);
  });
});

const exec = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI of the tree at `root` (this repository or a copy) and returns its exit code and output. */
async function cli(root: string, args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await exec('node', ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as CliResult;
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/**
 * Copies the sources into a temporary folder, so a test can edit a formula
 * without touching this repository, and links the installed packages.
 */
function copyOfTree(): string {
  const root = mkdtempSync(join(tmpdir(), 'baseline-tree-'));
  for (const entry of ['src', 'proofs', 'package.json', 'tsconfig.json']) cpSync(resolve(entry), join(root, entry), { recursive: true });
  symlinkSync(resolve('node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

/** Replaces one exact piece of source text in the copy, and fails when the text is not there. */
function editCopy(root: string, file: string, from: string, to: string): void {
  const path = join(root, file);
  const source = readFileSync(path, 'utf8');
  expect(source.split(from)).toHaveLength(2);
  writeFileSync(path, source.replace(from, to));
}

describe('verify --baseline', () => {
  const repository = process.cwd();
  let baselineFile: string;
  let editedTree: string;

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'baseline-'));
    const first = await cli(repository, ['verify', '--claim', 'P-STAR', '--claim', 'SCALE', '--effort', 'quick', '--out', out]);
    expect(first.code).toBe(0);
    baselineFile = join(out, 'results.json');
    editedTree = copyOfTree();
    // The risk's linear term is −2 s tr(Σ P Σ); a 3 there breaks the optimal preconditioner P* but not the scale invariance.
    editCopy(editedTree, 'src/theory/risk-field.ts', 'const two = F.fromInteger(2);', 'const two = F.fromInteger(3);');
  });

  it('unchanged tree reports no difference and exits 0', async () => {
    const out = mkdtempSync(join(tmpdir(), 'baseline-'));
    const result = await cli(repository, ['verify', '--claim', 'P-STAR', '--claim', 'SCALE', '--effort', 'quick', '--out', out, '--baseline', baselineFile, '--json']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as RunRecord;
    expect(printed.baseline?.file).toBe(baselineFile);
    expect(printed.baseline?.claimsCompared).toBe(2);
    expect(printed.baseline?.entries).toEqual([]);
    expect(printed.baseline?.warnings).toEqual([]);
    const written = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunRecord;
    expect(written.baseline).toEqual(printed.baseline);
  });

  it('edited formula is reported as a regression', async () => {
    const out = mkdtempSync(join(tmpdir(), 'baseline-'));
    const result = await cli(editedTree, ['verify', '--claim', 'P-STAR', '--effort', 'quick', '--out', out, '--baseline', baselineFile]);
    // The run itself fails, so the exit status stays 1 rather than the regression's 4.
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`Compared with the baseline ${baselineFile}`);
    expect(result.stdout).toContain('Regressions (');
    expect(result.stdout).toContain('  P-STAR: verified → failed');
    expect(result.stdout).toContain('  P-STAR / exact: verified → failed');
    expect(result.stdout).toContain('Not selected in this run: SCALE.');
  });

  it('edited formula moves a passing metric without a regression', async () => {
    const out = mkdtempSync(join(tmpdir(), 'baseline-'));
    const result = await cli(editedTree, ['verify', '--claim', 'SCALE', '--effort', 'quick', '--out', out, '--baseline', baselineFile]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/SCALE \/ property: "worst error \/ allowed" moved .* \(relative change .* > tolerance 1e-9\)/);
    expect(result.stdout).toContain('Against the baseline: 0 regressions, 0 improvements, 1 other change.');
  });

  it('regression without a failure exits 4', async () => {
    // A baseline that had one more SCALE check than the code now runs: the check was removed.
    const record = JSON.parse(readFileSync(baselineFile, 'utf8')) as RunRecord;
    const scale = record.claims.find((entry) => entry.id === 'SCALE')!;
    scale.checks.push({ ...scale.checks[0], id: 'dropped-check' });
    const folder = mkdtempSync(join(tmpdir(), 'baseline-'));
    const extended = join(folder, 'results.json');
    writeFileSync(extended, JSON.stringify(record));
    const result = await cli(repository, ['verify', '--claim', 'SCALE', '--effort', 'quick', '--out', join(folder, 'out'), '--baseline', extended, '--quiet']);
    expect(result.code).toBe(REGRESSION_EXIT_CODE);
    expect(result.stdout).toContain(`Regressions against the baseline ${extended} (1):\n  SCALE / dropped-check: in the baseline (verified), missing from this run`);
  });

  it('missing baseline is rejected before any claim runs', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'baseline-')), 'reports');
    const missing = join(tmpdir(), 'no-such-baseline', 'results.json');
    const result = await cli(repository, ['verify', '--claim', 'SCALE', '--effort', 'quick', '--out', out, '--baseline', missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: --baseline names a file that does not exist (got ${missing}); pass a results.json that verify wrote`);
    expect(result.stderr).not.toContain('[1/');
    expect(existsSync(out)).toBe(false);
  });

  it('baseline that is not a results.json is rejected', async () => {
    const result = await cli(repository, ['verify', '--claim', 'SCALE', '--effort', 'quick', '--baseline', 'package.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: --baseline is not a results.json: it has no tool.name');
    expect(result.stderr).toContain('package.json');
    expect(result.stderr).not.toContain('    at ');
  });

  it('help names the option and exit status 4', async () => {
    const result = await cli(repository, ['verify', '--help']);
    expect(result.stdout).toContain('--baseline <FILE>');
    expect(result.stdout).toContain('4 no failure but a regression against --baseline');
  });
});
