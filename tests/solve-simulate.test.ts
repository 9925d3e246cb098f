import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { backendHandle } from '../src/backend/handle.ts';
import { simulateCommand } from '../src/cli/simulate-command.ts';
import { solveCommand, type SolutionDocument } from '../src/cli/solve-command.ts';
import { InputError } from '../src/core/errors.ts';
import { linearOptimum, scalarOptimum, vectorOptimum, wpgdOptimum } from '../src/gating/optima.ts';
import { floatOrderedField } from '../src/gating/synthesis.ts';
import { dot, maxAbsDiff } from '../src/linalg/dense.ts';
import { suffixProductWeights } from '../src/models/wpgd.ts';
import { parseInstance, readInstanceFile, type Instance } from '../src/instances/parse.ts';
import { parsePredictor } from '../src/instances/predictor.ts';
import { simulateInstance, Z_BOUND } from '../src/instances/simulation.ts';
import { solveInstance, type Solution } from '../src/instances/solution.ts';
import { solutionText } from '../src/instances/solution-text.ts';
import { instanceTask } from '../src/instances/task.ts';
import { blockOptimalWeights, expandBlockWeights, singleTaskOptimalRisk } from '../src/theory/isotropic.ts';
import { nullRisk, optimalPreconditioner, reducedRisk, risk } from '../src/theory/risk.ts';

const run = promisify(execFile);
const cli = ['--import', 'tsx', 'src/cli/main.ts'];

const EXAMPLES = readdirSync('examples')
  .filter((file) => file.endsWith('.json'))
  .map((file) => join('examples', file));

/** Solutions computed once: every example is solved by each test group below. */
const solutions = new Map<string, { instance: Instance; solution: Solution }>();
function solved(file: string): { instance: Instance; solution: Solution } {
  let entry = solutions.get(file);
  if (entry === undefined) {
    const instance = readInstanceFile(file);
    entry = { instance, solution: solveInstance(instance) };
    solutions.set(file, entry);
  }
  return entry;
}

/**
 * Relative tolerance for float64 values that two routes compute from the same
 * minimiser (risks, P): both are sums of a few hundred positive terms, so they
 * agree to about 1e-14; 1e-12 leaves a margin.
 */
const ROUTE_RTOL = 1e-12;

describe('solve against the library', () => {
  it.each(EXAMPLES)('%s: optimal risks equal the library calls', (file) => {
    const { instance, solution } = solved(file);
    const task = instanceTask(instance, 'this test');
    const wpgd = wpgdOptimum(task);
    expect(solution.wpgd.risk).toBe(wpgd.risk);
    expect(solution.scalar.risk).toBe(scalarOptimum(task).risk);
    expect(solution.linear.risk).toBe(linearOptimum(task).risk);
    expect(solution.vector.risk).toBe(vectorOptimum(task, wpgd).risk);
    expect(solution.conclusive).toBe(true);
  });

  it.each(EXAMPLES)('%s: ω* is normalised, oriented and optimal', (file) => {
    const { instance, solution } = solved(file);
    const task = instanceTask(instance, 'this test');
    const c = nullRisk(task);
    const omega = solution.wpgd.omega;
    expect(Math.max(...omega.map(Math.abs))).toBe(1);
    expect(dot(omega, task.correlation.r)).toBeGreaterThan(0);
    expect(Math.abs(reducedRisk(task, omega) - solution.wpgd.risk)).toBeLessThanOrEqual(ROUTE_RTOL * c);
  });

  it.each(EXAMPLES)('%s: each P is P*(ω) and attains the optimum', (file) => {
    const { instance, solution } = solved(file);
    const task = instanceTask(instance, 'this test');
    const c = nullRisk(task);
    for (const family of [solution.wpgd, solution.vector, solution.scalar, solution.linear]) {
      expect(maxAbsDiff(family.P, optimalPreconditioner(task, family.omega))).toBe(0);
      expect(Math.abs(risk(task, family.P, family.omega) - family.risk)).toBeLessThanOrEqual(ROUTE_RTOL * c);
    }
  });

  it.each(EXAMPLES)('%s: ORDER holds', (file) => {
    const { solution } = solved(file);
    const slack = ROUTE_RTOL * solution.instance.nullRisk;
    expect(Math.abs(solution.vector.risk - solution.wpgd.risk)).toBeLessThanOrEqual(slack);
    expect(solution.wpgd.risk).toBeLessThanOrEqual(solution.scalar.risk + slack);
    expect(solution.scalar.risk).toBeLessThanOrEqual(solution.linear.risk + slack);
  });

  it.each(EXAMPLES)('%s: the gates reproduce the weights', (file) => {
    const { solution } = solved(file);
    const gates = solution.scalar.gates!;
    const reproduced = suffixProductWeights(floatOrderedField, gates.gamma).map((value) => value * gates.scale);
    expect(maxAbsDiff([reproduced], [solution.scalar.omega])).toBeLessThanOrEqual(1e-15);
    expect(gates.gamma.every((gamma) => gamma >= 0 && gamma <= 1)).toBe(true);
    expect(Math.abs(solution.vector.gates.riskAtGates - solution.wpgd.risk)).toBeLessThanOrEqual(ROUTE_RTOL * solution.instance.nullRisk);
    expect(solution.vector.gates.maxWeightError).toBeLessThanOrEqual(1e-9);
  });
});

describe('solve against closed forms', () => {
  it('single task matches SINGLE-TASK', () => {
    const { instance, solution } = solved('examples/single-task.json');
    const expected = singleTaskOptimalRisk(instance.d, instance.n, instance.sigma2);
    expect(Math.abs(solution.wpgd.risk - expected)).toBeLessThanOrEqual(1e-12 * expected);
    expect(Math.abs(solution.linear.risk - expected)).toBeLessThanOrEqual(1e-12 * expected);
    expect(solution.wpgd.omega.every((value) => Math.abs(value - 1) <= 1e-12)).toBe(true);
    expect(solution.closedForms.map((check) => check.claim)).toEqual(['SINGLE-TASK', 'BLOCK-OPT']);
    expect(solution.scalarGatingOptimal.optimal).toBe(true);
    // d + σ² − n d / (n + d + 1 + σ²) = 17/4 − 64/(85/4) = 17/4 − 256/85 = 421/340 for d = 4, n = 16, σ² = 1/4.
    expect(solution.exact?.wpgdRisk).toBe('421/340');
  });

  it.each(['examples/blocks-increasing.json', 'examples/blocks-descent.json'])('%s: ω* has the BLOCK-OPT block weights', (file) => {
    const { instance, solution } = solved(file);
    const { sizes, rho } = instance.blocks!;
    const weights = expandBlockWeights(sizes, blockOptimalWeights(sizes, rho, instance.d, instance.sigma2));
    const largest = Math.max(...weights.map(Math.abs));
    const expected = weights.map((value) => value / largest);
    expect(maxAbsDiff([solution.wpgd.omega], [expected])).toBeLessThanOrEqual(1e-12);
    expect(solution.closedForms).toHaveLength(1);
    expect(solution.closedForms[0].agrees).toBe(true);
  });

  it('nondecreasing ρ keeps scalar optimality', () => {
    const { solution } = solved('examples/blocks-increasing.json');
    expect(solution.scalarGatingOptimal.optimal).toBe(true);
    expect(solution.exact?.scalarOptimal).toBe(true);
    expect(solution.exact?.scalarRisk).toBe(solution.exact?.wpgdRisk);
    expect(solution.scalar.risk).toBeLessThan(solution.linear.risk);
  });

  it('descent in ρ breaks scalar optimality', () => {
    const { solution } = solved('examples/blocks-descent.json');
    const verdict = solution.scalarGatingOptimal;
    expect(verdict.optimal).toBe(false);
    expect(verdict.violation?.index).toBe(4);
    expect(verdict.violation?.text).toContain('ω*_4 is larger than ω*_5');
    expect(verdict.gap).toBeGreaterThan(0.1);
    expect(solution.exact?.scalarOptimal).toBe(false);
  });

  it('anisotropic general instance uses global search', () => {
    const { solution } = solved('examples/anisotropic-general.json');
    expect(solution.wpgd.status).toBe('global search');
    // L*_vec is L*_WPGD, so it cannot be surer than the search that found it.
    expect(solution.vector.status).toBe('global search');
    expect(solution.scalar.status).toBe('global search');
    expect(solution.scalarGatingOptimal.optimal).toBe(false);
    expect(solution.exact).toBeUndefined();
  });
});

/**
 * Valid instances at the edges of the accepted ranges: eigenvalues from 1e-6
 * to 1e6 with condition number up to 1e8, σ² from 0 to 1e6, ρ including ±1 and 0.
 */
const edgeInstance = fc
  .record({
    d: fc.integer({ min: 1, max: 3 }),
    sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
    rho: fc.array(
      fc.oneof(
        fc.constantFrom(-1, 0, 1, 1e-100, -1e-100),
        fc.double({ min: -1, max: 1, noNaN: true }).filter((value) => value === 0 || Math.abs(value) >= 1e-100),
      ),
      { minLength: 3, maxLength: 3 },
    ),
    log10Smallest: fc.integer({ min: -6, max: 6 }),
    log10Condition: fc.integer({ min: 0, max: 8 }),
    sigma2: fc.constantFrom(0, 1e-6, 0.5, 1e6),
  })
  .map(({ d, sizes, rho, log10Smallest, log10Condition, sigma2 }) => {
    // Number('1e-5') is the double nearest 10^-5, while 10 ** -5 is one ulp off it, which can push κ just above 1e8.
    const largest = Number(`1e${Math.min(log10Smallest + log10Condition, 6)}`);
    const eigenvalues = Array.from({ length: d }, (_, k) => (k === 0 ? Number(`1e${log10Smallest}`) : largest));
    return { d, n: sizes.reduce((sum, size) => sum + size, 0), sigmaEigenvalues: eigenvalues, sigma2, blocks: { sizes, rho: rho.slice(0, sizes.length) } };
  });

describe('solve on edge instances', () => {
  it('returns finite numbers and never throws', () => {
    const inconclusive: string[] = [];
    fc.assert(
      fc.property(edgeInstance, (json) => {
        const solution = solveInstance(parseInstance(json));
        const text = JSON.stringify(solution, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? `non-finite ${value}` : value));
        expect(text).not.toContain('non-finite');
        if (!solution.conclusive) inconclusive.push(JSON.stringify(json));
        expect(solution.wpgd.risk).toBeLessThanOrEqual(solution.linear.risk + 1e-10 * solution.instance.nullRisk);
      }),
      { seed: 20250415, numRuns: 40 },
    );
    expect(inconclusive).toEqual([]);
  });
});

/** Runs a command object with the given arguments and returns what it printed and its exit code. */
async function runCommand(command: ReturnType<typeof solveCommand>, args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const previous = process.exitCode;
  process.exitCode = 0;
  try {
    await command.parseAsync(args, { from: 'user' });
    return { stdout, stderr, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = previous;
  }
}

describe('solve command', () => {
  const folder = mkdtempSync(join(tmpdir(), 'solve-'));

  it('marks an inconclusive solution in the table', () => {
    const { solution } = solved('examples/blocks-descent.json');
    const uncertified = { ...solution, scalar: { ...solution.scalar, status: 'uncertified' as const, notes: ['test note'] }, conclusive: false };
    const text = solutionText(uncertified);
    expect(text).toContain('uncertified');
    expect(text).toContain('L*_scalar: test note');
    expect(text).toContain('INCONCLUSIVE');
  });

  it('rejects an empty --out', async () => {
    const result = await runCommand(solveCommand(), ['examples/single-task.json', '--out', '']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('error: --out is empty');
  });

  it.each(EXAMPLES)('%s: --json prints the solution', async (file) => {
    const result = await runCommand(solveCommand(), [file, '--json']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).not.toContain('NaN');
    const document = JSON.parse(result.stdout) as SolutionDocument;
    expect(document.kind).toBe('gla-wpgd-verify solution');
    expect(document.solution.wpgd.risk).toBe(solved(file).solution.wpgd.risk);
  });

  it('prints a table and writes --out atomically', async () => {
    const out = join(folder, 'descent.solution.json');
    const result = await runCommand(solveCommand(), ['examples/blocks-descent.json', '--out', out]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Scalar gating optimal: no.');
    expect(result.stdout).toContain(`Solution written to ${out}`);
    expect(JSON.parse(readFileSync(out, 'utf8')).solution.scalarGatingOptimal.optimal).toBe(false);
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('reports an invalid instance with exit 2', async () => {
    const path = join(folder, 'bad.json');
    writeFileSync(path, JSON.stringify({ d: 2, n: 2, sigma2: -1, sigmaEigenvalues: [1, 1], blocks: { sizes: [1, 1], rho: [0.5, 2] } }));
    const result = await runCommand(solveCommand(), [path]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('error: instance file');
    expect(result.stderr).toContain('/sigma2 is below the minimum 0');
    expect(result.stderr).toContain('/blocks/rho/1 is above the maximum 1');
    expect(result.stdout).toBe('');
  });

  it('runs as a CLI: exit 0, JSON without NaN', async () => {
    const { stdout } = await run('node', [...cli, 'solve', 'examples/single-task.json', '--json'], { cwd: process.cwd() });
    expect(stdout).not.toContain('NaN');
    expect(JSON.parse(stdout).solution.closedForms[0].claim).toBe('SINGLE-TASK');
  });

  it('runs as a CLI: invalid input exits 2 without a stack trace', async () => {
    const failure = await run('node', [...cli, 'solve', 'examples/absent.json']).catch((error: { code: number; stderr: string }) => error);
    expect((failure as { code: number }).code).toBe(2);
    expect((failure as { stderr: string }).stderr).toContain('error: instance file examples/absent.json was not found');
    expect((failure as { stderr: string }).stderr).not.toContain('    at ');
  });
});

describe('simulate', () => {
  const folder = mkdtempSync(join(tmpdir(), 'simulate-'));
  const backend = backendHandle('cpu');
  afterAll(() => backend.dispose());

  it('block model on the CPU backend: the WPGD optimum matches the closed form', async () => {
    const { instance, solution } = solved('examples/blocks-descent.json');
    const document: SolutionDocument = { kind: 'gla-wpgd-verify solution', tool: { name: 'x', version: '0' }, instanceFile: 'x', solution };
    const predictor = parsePredictor(JSON.parse(JSON.stringify(document)), 'solution', instance, 'wpgd');
    const result = await simulateInstance(instance, predictor, { prompts: 20_000, seed: 1, backend });
    expect(result.path).toBe('backend');
    expect(Math.abs(result.closedForm - solution.wpgd.risk)).toBeLessThanOrEqual(ROUTE_RTOL * solution.instance.nullRisk);
    expect(Math.abs(result.z!)).toBeLessThanOrEqual(Z_BOUND);
  });

  it('explicit R on the CPU sampler: the scalar optimum matches the closed form', async () => {
    const { instance, solution } = solved('examples/anisotropic-general.json');
    const predictor = { P: solution.scalar.P, omega: solution.scalar.omega, label: 'scalar' };
    const result = await simulateInstance(instance, predictor, { prompts: 5_000, seed: 3, backend });
    expect(result.path).toBe('cpu-general');
    expect(Math.abs(result.closedForm - solution.scalar.risk)).toBeLessThanOrEqual(ROUTE_RTOL * solution.instance.nullRisk);
    expect(Math.abs(result.z!)).toBeLessThanOrEqual(Z_BOUND);
  });

  it('rotated Σ keeps the closed form', async () => {
    const instance = readInstanceFile('examples/anisotropic-general.json');
    const blockVersion = { ...instance, correlation: undefined, blocks: { sizes: [3, 3], rho: [0.9, -0.5] } };
    const predictor = { P: [[0.1, 0.02, 0], [0, 0.05, 0.01], [0.03, 0, 0.2]], omega: [1, -0.5, 2, 0.3, 0.3, 1], label: 'fixed' };
    const result = await simulateInstance(blockVersion, predictor, { prompts: 20_000, seed: 2, backend });
    const direct = risk(instanceTask(blockVersion, 'this test'), predictor.P, predictor.omega);
    expect(result.notes[0]).toContain('eigenbasis');
    expect(Math.abs(result.closedForm - direct)).toBeLessThanOrEqual(ROUTE_RTOL * direct);
    expect(Math.abs(result.z!)).toBeLessThanOrEqual(Z_BOUND);
  });

  it('rejects a predictor of the wrong size by its pointer', () => {
    const instance = readInstanceFile('examples/anisotropic-general.json');
    expect(() => parsePredictor({ P: [[1, 0], [0, 1]], omega: [1, 1, 1, 1, 1, 1] }, 'p.json', instance, undefined)).toThrow('/P has 2 rows but the instance has d = 3');
    expect(() => parsePredictor({ P: [[1]], omega: [Infinity] }, 'p.json', instance, undefined)).toThrow('/omega/0 is not a finite number');
    expect(() => parsePredictor({ P: [[1]], omega: [1] }, 'p.json', instance, 'scalar')).toThrow(InputError);
  });

  it('rejects the webgpu backend for an explicit R', async () => {
    const { instance, solution } = solved('examples/anisotropic-general.json');
    const predictor = { P: solution.wpgd.P, omega: solution.wpgd.omega, label: 'wpgd' };
    await expect(simulateInstance(instance, predictor, { prompts: 100, seed: 1, backend: backendHandle('webgpu') })).rejects.toThrow('webgpu samples block models only');
  });

  it('simulate command reads a solve output with --use', async () => {
    const out = join(folder, 'increasing.solution.json');
    await runCommand(solveCommand(), ['examples/blocks-increasing.json', '--out', out]);
    const result = await runCommand(simulateCommand(), ['examples/blocks-increasing.json', '--predictor', out, '--use', 'scalar', '--prompts', '20000', '--json']);
    expect(result.exitCode).toBe(0);
    const document = JSON.parse(result.stdout);
    expect(document.predictor).toContain('optimum scalar');
    expect(document.simulation.prompts).toBe(20_000);
    expect(result.stdout).not.toContain('NaN');
  });

  it('notes a solve output of another instance', async () => {
    const out = join(folder, 'descent.solution.json');
    await runCommand(solveCommand(), ['examples/blocks-descent.json', '--out', out]);
    const result = await runCommand(simulateCommand(), ['examples/blocks-increasing.json', '--predictor', out, '--prompts', '2000']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Note: the solve output was computed for another instance (name "blocks-descent" vs "blocks-increasing")');
  });

  it('simulate command gives the same output for the same seed', async () => {
    const path = join(folder, 'predictor.json');
    writeFileSync(path, JSON.stringify({ P: [[0.1, 0], [0, 0.1]], omega: [1, 1, 1, 1] }));
    const args = ['examples/key-vector-anisotropic.json', '--predictor', path, '--prompts', '5000', '--seed', '7'];
    const first = await runCommand(simulateCommand(), args);
    const second = await runCommand(simulateCommand(), args);
    expect(first.stdout).toBe(second.stdout);
    expect(first.stdout).toContain('Prompts: 5000, seed 7');
  });
});
