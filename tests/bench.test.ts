import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/core/errors.ts';
import { runWorker } from '../src/bench/child-process.ts';
import { fitExponential, fitPowerLaw, median, predictMs } from '../src/bench/growth.ts';
import { runBench } from '../src/bench/runner.ts';
import { measureProof, parseProofMeasurement, ProofFailedError, type ProofMeasurement } from '../src/bench/symbolic-risk-measure.ts';
import { symbolicRiskSection, type MeasurementOutcome, type ProofMeter } from '../src/bench/symbolic-risk.ts';
import { proveRisk } from '../src/symbolic/risk-proof.ts';

const execute = promisify(execFile);
const WORKER = 'src/bench/symbolic-risk-worker.ts';
const unpinned = { prefix: [], description: 'not pinned' };
const silent = () => {};

async function bench(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await execute('node', ['--import', 'tsx', 'src/bench/main.ts', ...args]);
    return { code: 0, stderr };
  } catch (error) {
    const failure = error as { code: number; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  }
}

/** Builds a meter that proves in this process with the given prover, so a test can inject a wrong proof. */
function inProcessMeter(prover: Parameters<typeof measureProof>[2]): ProofMeter {
  return {
    description: 'Measured in the test process.',
    async measure(d, n) {
      return { kind: 'measured', measurement: measureProof(d, n, prover), wallMs: 0 };
    },
  };
}

function syntheticMeasurement(d: number, n: number, ms: number): ProofMeasurement {
  return { d, n, ms, maxRssMiB: 80, heapUsedMiB: 10, lossMonomials: n * d, matchings: n, expectationTerms: n };
}

describe('bench command', () => {
  it('writes the quick page with headline and command', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'BENCHMARKS.md');
    const result = await bench(['--quick', '--out', out]);
    expect(result.code).toBe(0);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain(`- Command: \`node --import tsx src/bench/main.ts --quick --out ${out}\``);
    expect(page).toContain('### Headline: d = 2, n = 3');
    expect(page).toContain('| proof time |');
    expect(page).toContain('| d \\ n | 1 | 2 | 3 |');
    expect(page).toMatch(/- CPU: .+, \d+ logical cores/);
    expect(page).toContain('Quick run');
  });

  it('rejects a non-positive --max-seconds with exit 2', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'BENCHMARKS.md');
    const result = await bench(['--max-seconds', '0', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('max-seconds "0" is not a positive number of seconds');
    expect(existsSync(out)).toBe(false);
  });
});

describe('symbolic RISK worker', () => {
  it('prints one parseable JSON measurement', async () => {
    const outcome = await runWorker(WORKER, ['1', '2'], 60, unpinned);
    expect(outcome.kind).toBe('completed');
    if (outcome.kind !== 'completed') return;
    const raw = JSON.parse(outcome.stdout) as Record<string, unknown>;
    expect(Object.keys(raw).sort()).toEqual(['d', 'expectationTerms', 'heapUsedMiB', 'lossMonomials', 'matchings', 'maxRssMiB', 'ms', 'n']);
    const measurement = parseProofMeasurement(outcome.stdout, 1, 2);
    expect(measurement.d).toBe(1);
    expect(measurement.n).toBe(2);
    expect(measurement.lossMonomials).toBe(proveRisk(1, 2).monomials);
    expect(measurement.maxRssMiB).toBeGreaterThan(0);
  });

  it('rejects output for other sizes', async () => {
    const outcome = await runWorker(WORKER, ['1', '1'], 60, unpinned);
    if (outcome.kind !== 'completed') throw new Error(`worker did not complete: ${outcome.kind}`);
    expect(() => parseProofMeasurement(outcome.stdout, 1, 2)).toThrow(InputError);
  });

  it('rejects an invalid size', async () => {
    await expect(runWorker(WORKER, ['0', '3'], 60, unpinned)).rejects.toThrow(/exited with code 1:[\s\S]*d is not a positive integer/);
  });

  it('is killed at the time limit', async () => {
    const outcome = await runWorker(WORKER, ['5', '6'], 0.05, unpinned);
    expect(outcome).toEqual({ kind: 'timed-out', limitSeconds: 0.05 });
  });
});

describe('failing proof', () => {
  const wrongProver = (d: number, n: number) => proveRisk(d, n, { crossTermCoefficient: 3 });

  it('makes measureProof throw', () => {
    expect(() => measureProof(1, 1, wrongProver)).toThrow(ProofFailedError);
  });

  it('stops the bench', async () => {
    const run = runBench({
      command: 'test',
      sections: [symbolicRiskSection(inProcessMeter(wrongProver))],
      quick: true,
      maxSeconds: 60,
      log: silent,
    });
    await expect(run).rejects.toThrow(/the RISK proof at d = 2, n = 3 failed/);
  });
});

describe('growth grid', () => {
  it('ends each row at a predicted overrun', async () => {
    // t = 10·n² ms, so the power law through n = 6 and 8 predicts 1440 ms at n = 12, over a 1 s limit.
    const meter: ProofMeter = {
      description: 'Synthetic times.',
      async measure(d, n) {
        return { kind: 'measured', measurement: syntheticMeasurement(d, n, 10 * n * n), wallMs: 0 };
      },
    };
    const page = await runBench({ command: 'test', sections: [symbolicRiskSection(meter)], quick: false, maxSeconds: 1, log: silent });
    const rows = page.split('\n').filter((line) => /^\| [1-5] \|/.test(line));
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row).toContain('skipped: predicted 1 s');
    expect(page).toContain('| d \\ n | 1 | 2 | 3 | 4 | 6 | 8 | 12 |');
    expect(page).toContain('t ∝ n^2.00 (R² = 1.000)');
  });

  it('stops the grid after a row whose n = 1 times out', async () => {
    const meter: ProofMeter = {
      description: 'Synthetic times.',
      async measure(d, n, limitSeconds): Promise<MeasurementOutcome> {
        if (d === 3) return { kind: 'timed-out', limitSeconds };
        return { kind: 'measured', measurement: syntheticMeasurement(d, n, 100 * n), wallMs: 0 };
      },
    };
    const page = await runBench({ command: 'test', sections: [symbolicRiskSection(meter)], quick: false, maxSeconds: 60, log: silent });
    expect(page).toMatch(/^\| 3 \| > 60 s \|/m);
    expect(page).not.toMatch(/^\| 4 \|/m);
  });

  it('rejects an unknown section', async () => {
    const run = runBench({ command: 'test', sections: [symbolicRiskSection()], sectionName: 'gpu', quick: true, maxSeconds: 60, log: silent });
    await expect(run).rejects.toThrow(InputError);
  });
});

describe('growth arithmetic', () => {
  it('median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('power law recovers its exponent', () => {
    const points = [2, 4, 8, 16].map((size) => ({ size, ms: 3 * size ** 2.5 }));
    expect(fitPowerLaw(points).exponent).toBeCloseTo(2.5, 12);
    expect(fitPowerLaw(points).rSquared).toBeCloseTo(1, 12);
  });

  it('exponential recovers its factor', () => {
    const points = [1, 2, 3, 4].map((size) => ({ size, ms: 5 * 1.7 ** size }));
    expect(fitExponential(points).factor).toBeCloseTo(1.7, 12);
  });

  it('prediction follows the last step', () => {
    expect(predictMs({ size: 2, ms: 10 }, { size: 4, ms: 40 }, 8)).toBeCloseTo(160, 9);
    expect(() => predictMs({ size: 4, ms: 10 }, { size: 2, ms: 40 }, 8)).toThrow(InputError);
  });
});
