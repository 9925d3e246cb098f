import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/core/errors.ts';
import { InstanceError, MAX_REPORTED_ISSUES } from '../src/instances/issues.ts';
import { parseInstance, readInstanceFile } from '../src/instances/parse.ts';
import { decimalFraction } from '../src/instances/exact.ts';
import { duplicateKeys } from '../src/instances/duplicate-keys.ts';
import { instanceTask, MAX_TASK_EXAMPLES } from '../src/instances/task.ts';

const EXAMPLES = readdirSync('examples')
  .filter((file) => file.endsWith('.json'))
  .map((file) => join('examples', file));

/** Returns a valid block-model instance to break one field at a time. */
function blockInstance(): Record<string, unknown> {
  return { d: 2, n: 4, sigmaEigenvalues: [1, 2], sigma2: 0.5, blocks: { sizes: [2, 2], rho: [0.5, 0.9] } };
}

/** Returns a valid instance with an explicit Σ and R (n = 2). */
function matrixInstance(): Record<string, unknown> {
  return {
    d: 2,
    n: 2,
    Sigma: [
      [2, 0.5],
      [0.5, 1],
    ],
    sigma2: 0,
    R: [
      [1, 0.5, 0.2],
      [0.5, 1, 0.3],
      [0.2, 0.3, 1],
    ],
  };
}

/** Returns the InstanceError that parsing `json` throws, and fails the test when it parses. */
function parseError(json: unknown): InstanceError {
  try {
    parseInstance(json);
  } catch (error) {
    expect(error).toBeInstanceOf(InstanceError);
    expect(error).toBeInstanceOf(InputError);
    return error as InstanceError;
  }
  throw new Error('expected the instance to be rejected');
}

describe('example instances', () => {
  it('has at least four examples', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(4);
  });

  it.each(EXAMPLES)('%s parses with a name and a description', (file) => {
    const instance = readInstanceFile(file);
    expect(instance.name).toBeTruthy();
    expect(instance.description?.length).toBeGreaterThan(40);
    expect(instance.covariance.Sigma.length).toBe(instance.d);
    expect(instance.correlation?.R.length ?? instance.blocks!.sizes.reduce((sum, size) => sum + size, 0) + 1).toBe(instance.n + 1);
  });
});

describe('instance validation errors', () => {
  it('names an unknown field', () => {
    const error = parseError({ ...blockInstance(), sigma: 1 });
    expect(error.message).toContain('/sigma is not a known field');
    expect(error.message).toContain('correct its spelling');
  });

  it('names a field of the wrong type', () => {
    const error = parseError({ ...blockInstance(), d: '2' });
    expect(error.message).toContain('/d is not an integer (got "2")');
  });

  it('names a missing field with its meaning', () => {
    const { sigma2: _dropped, ...rest } = blockInstance();
    expect(parseError(rest).message).toContain('/sigma2 is missing (got nothing); add it: Label noise variance σ²');
  });

  it('rejects a non-object document', () => {
    expect(parseError([1, 2]).message).toContain('(root) is not an object');
    expect(parseError(null).issues).toHaveLength(1);
  });

  it('requires exactly one form of Σ and of R', () => {
    const both = parseError({ ...matrixInstance(), sigmaEigenvalues: [1, 1] });
    expect(both.message).toContain('gives both /Sigma and /sigmaEigenvalues');
    const { R: _dropped, ...noCorrelation } = matrixInstance();
    expect(parseError(noCorrelation).message).toContain('gives neither /R nor /blocks');
  });

  it('rejects Σ that is not d×d', () => {
    const error = parseError({ ...matrixInstance(), d: 3 });
    expect(error.message).toContain('/Sigma has 2 rows but d = 3');
    expect(error.message).toContain('/Sigma/0 has 2 entries but d = 3');
  });

  it('rejects sigmaEigenvalues of the wrong length', () => {
    expect(parseError({ ...blockInstance(), sigmaEigenvalues: [1, 2, 3] }).message).toContain('/sigmaEigenvalues has 3 entries but d = 2');
  });

  it('rejects R that is not (n+1)×(n+1)', () => {
    expect(parseError({ ...matrixInstance(), n: 3 }).message).toContain('/R has 3 rows but n + 1 = 4');
  });

  it('rejects block sizes that do not sum to n', () => {
    expect(parseError({ ...blockInstance(), n: 5 }).message).toContain('/blocks/sizes sums to 4 but n = 5');
  });

  it('rejects one ρ per block missing', () => {
    expect(parseError({ ...blockInstance(), blocks: { sizes: [2, 2], rho: [0.5] } }).message).toContain('/blocks/rho has 1 entries but /blocks/sizes has 2 blocks');
  });

  it('rejects ρ outside [−1, 1] by its pointer', () => {
    const error = parseError({ ...blockInstance(), n: 6, blocks: { sizes: [2, 2, 2], rho: [0.5, 0.9, 1.5] } });
    expect(error.message).toContain('/blocks/rho/2 is above the maximum 1 (got 1.5)');
  });

  it('rejects a non-symmetric R at the entry', () => {
    const R = [
      [1, 0.5, 0.2],
      [0.4, 1, 0.3],
      [0.2, 0.3, 1],
    ];
    expect(parseError({ ...matrixInstance(), R }).message).toContain('/R/1/0 differs from its mirror entry /R/0/1 (got 0.4 vs 0.5)');
  });

  it('rejects R without unit diagonal', () => {
    const R = [
      [1, 0.5, 0.2],
      [0.5, 1, 0.3],
      [0.2, 0.3, 0.9],
    ];
    expect(parseError({ ...matrixInstance(), R }).message).toContain('/R/2/2 is not 1 (got 0.9)');
  });

  it('rejects R that is not positive semidefinite with its smallest eigenvalue', () => {
    const R = [
      [1, 0.9, -0.9],
      [0.9, 1, 0.9],
      [-0.9, 0.9, 1],
    ];
    const error = parseError({ ...matrixInstance(), R });
    expect(error.message).toMatch(/\/R is not positive semidefinite \(got smallest eigenvalue -0\.8\d*\)/);
  });

  it('rejects Σ that is not positive definite with its smallest eigenvalue', () => {
    const Sigma = [
      [1, 2],
      [2, 1],
    ];
    expect(parseError({ ...matrixInstance(), Sigma }).message).toMatch(/\/Sigma is not positive definite \(got smallest eigenvalue -0\.99\d*\)/);
  });

  it('rejects a non-symmetric Σ at the entry', () => {
    const Sigma = [
      [1, 0.1],
      [0.2, 1],
    ];
    expect(parseError({ ...matrixInstance(), Sigma }).message).toContain('/Sigma/1/0 differs from its mirror entry /Sigma/0/1');
  });

  it('rejects a negative noise variance', () => {
    expect(parseError({ ...blockInstance(), sigma2: -0.1 }).message).toContain('/sigma2 is below the minimum 0 (got -0.1)');
  });

  it('rejects numbers that overflow to Infinity', () => {
    const json = JSON.parse('{"d": 2, "n": 4, "sigmaEigenvalues": [1, 1e999], "sigma2": 0, "blocks": {"sizes": [2, 2], "rho": [0.5, 0.9]}}');
    const error = parseError(json);
    expect(error.message).toContain('/sigmaEigenvalues/1 is not a finite number (got Infinity)');
    expect(error.message).toContain('1e999');
  });

  it('rejects NaN passed programmatically', () => {
    expect(parseError({ ...blockInstance(), sigma2: NaN }).message).toContain('/sigma2 is not a finite number (got NaN)');
  });

  it('rejects sizes over the stated limits', () => {
    expect(parseError({ ...blockInstance(), d: 65 }).message).toContain('/d is above the maximum 64');
    expect(parseError({ ...blockInstance(), n: 5000 }).message).toContain('/n is above the maximum 4096');
    const identity = (size: number) => Array.from({ length: size }, (_, i) => Array.from({ length: size }, (__, j) => (i === j ? 1 : 0)));
    const tooLarge = parseError({ ...matrixInstance(), n: 300, R: identity(301) });
    expect(tooLarge.message).toBe('instance is invalid: /R has 301 entries, more than the maximum 257 (got ' + JSON.stringify(identity(301)).slice(0, 79) + '…); expected: Task correlation matrix R, (n+1)×(n+1), one array per row, with the query last: symmetric, unit diagonal and positive semidefinite');
    expect(parseError({ ...matrixInstance(), n: 300, R: identity(257) }).message).toContain('/n is above 256, the limit with an explicit R');
  });

  it('rejects Σ with condition number above 1e8', () => {
    expect(parseError({ ...blockInstance(), sigmaEigenvalues: [1000, 1e-6] }).message).toContain('/sigmaEigenvalues has condition number 1.000e+9, above the limit 1e8');
  });

  it('rejects Σ with an eigenvalue below 1e-6', () => {
    const Sigma = [
      [1e-7, 0],
      [0, 1e-7],
    ];
    expect(parseError({ ...matrixInstance(), Sigma }).message).toContain('/Sigma has smallest eigenvalue 1e-7, below the limit 0.000001');
    expect(parseError({ ...blockInstance(), sigmaEigenvalues: [1e-7, 1] }).message).toContain('/sigmaEigenvalues/0 is below the minimum 0.000001');
  });

  it('rejects nonzero correlations below 1e-100', () => {
    expect(parseError({ ...blockInstance(), blocks: { sizes: [2, 2], rho: [5e-324, 0.9] } }).message).toContain('/blocks/rho/0 is nonzero but below 1e-100 in magnitude');
    const R = [
      [1, 1e-200, 0.2],
      [1e-200, 1, 0.3],
      [0.2, 0.3, 1],
    ];
    expect(parseError({ ...matrixInstance(), R }).issues.map((issue) => issue.pointer)).toEqual(['/R/0/1', '/R/1/0']);
  });

  it('reports every error, one per line', () => {
    const error = parseError({ d: 0, n: -1, sigma2: 'x', sigmaEigenvalues: [1, -1], blocks: { sizes: [0], rho: [2] }, extra: true });
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(`instance is invalid (${error.issues.length} errors):`);
    expect(error.issues.length).toBeGreaterThanOrEqual(7);
    for (const pointer of ['/d', '/n', '/sigma2', '/sigmaEigenvalues/1', '/blocks/sizes/0', '/blocks/rho/0', '/extra']) {
      expect(lines.some((line) => line.startsWith(`  ${pointer} `))).toBe(true);
    }
  });

  it(`cuts the list after ${MAX_REPORTED_ISSUES} errors`, () => {
    const rho = new Array<number>(20).fill(3);
    const error = parseError({ ...blockInstance(), n: 20, blocks: { sizes: new Array<number>(20).fill(1), rho } });
    expect(error.issues).toHaveLength(20);
    expect(error.message.split('\n')).toHaveLength(MAX_REPORTED_ISSUES + 2);
    expect(error.message).toContain('… and 10 more');
  });
});

describe('instance files', () => {
  const folder = mkdtempSync(join(tmpdir(), 'instances-'));

  it('names a missing file', () => {
    expect(() => readInstanceFile(join(folder, 'absent.json'))).toThrow(/absent\.json was not found/);
  });

  it('names a file that is not JSON', () => {
    const path = join(folder, 'broken.json');
    writeFileSync(path, '{"d": 2,}');
    expect(() => readInstanceFile(path)).toThrow(/broken\.json is not valid JSON/);
  });

  it('names the file in validation errors', () => {
    const path = join(folder, 'bad.json');
    writeFileSync(path, JSON.stringify({ ...blockInstance(), sigma2: -1 }));
    expect(() => readInstanceFile(path)).toThrow(`instance file ${path} is invalid: /sigma2 is below the minimum 0`);
  });

  it('rejects a folder', () => {
    expect(() => readInstanceFile(folder)).toThrow(/is a folder/);
  });

  it('rejects a key set twice', () => {
    const path = join(folder, 'twice.json');
    // Valid either way, so only the repeat can be the problem.
    writeFileSync(path, '{"d": 2, "n": 4, "sigmaEigenvalues": [1, 2], "sigma2": 0.5,\n "blocks": {"sizes": [2, 2], "rho": [0.5, 0.9], "rho": [0.5, 0.8]}}');
    expect(() => readInstanceFile(path)).toThrow(`instance file ${path} sets a key twice in one object, and only the last value would count (got "rho" again in /blocks at line 2, column 49); keep one of each repeated key`);
  });

  it('accepts a file without repeated keys', () => {
    const path = join(folder, 'plain.json');
    writeFileSync(path, JSON.stringify({ ...blockInstance(), name: 'x', description: 'every key once' }));
    expect(readInstanceFile(path).d).toBe(2);
  });
});

describe('duplicate JSON keys', () => {
  it('finds repeats at every depth', () => {
    const text = '{"a": 1, "b": [{"c": 1, "c": 2}], "x/y": {"k": 1, "k": 2}, "a": 3}';
    expect(duplicateKeys(text)).toEqual([
      { object: '/b/0', key: 'c', line: 1, column: 25 },
      { object: '/x~1y', key: 'k', line: 1, column: 51 },
      { object: '', key: 'a', line: 1, column: 60 },
    ]);
  });

  it('ignores repeats across objects', () => {
    expect(duplicateKeys('{"a": {"a": {"a": 1}}, "b": [{"a": 1}, {"a": 2}]}')).toEqual([]);
    expect(duplicateKeys('[1, 2, 3]')).toEqual([]);
  });
});

describe('instance tasks', () => {
  it('builds the block model R with the query last', () => {
    const task = instanceTask(parseInstance(blockInstance()), 'this test');
    expect(task.correlation.r).toEqual([0.5, 0.5, 0.9, 0.9]);
    expect(task.correlation.Rn[0][2]).toBeCloseTo(0.45, 15);
  });

  it(`rejects a block model above n = ${MAX_TASK_EXAMPLES}`, () => {
    const instance = parseInstance({ ...blockInstance(), n: 1000, blocks: { sizes: [500, 500], rho: [0.5, 0.9] } });
    expect(() => instanceTask(instance, 'solve')).toThrow(`/n of instance is above ${MAX_TASK_EXAMPLES}, the largest n solve accepts`);
  });

  it('keeps the file as given', () => {
    const json = JSON.parse(readFileSync('examples/anisotropic-general.json', 'utf8'));
    expect(parseInstance(json).json).toEqual(json);
  });
});

describe('decimal fractions', () => {
  it('reads numbers as the decimals they print as', () => {
    expect(decimalFraction(0.1).toFraction()).toBe('1/10');
    expect(decimalFraction(-0.25).toFraction()).toBe('-1/4');
    expect(decimalFraction(1e-7).toFraction()).toBe('1/10000000');
    expect(decimalFraction(1.5e21).toFraction()).toBe('1500000000000000000000');
    expect(decimalFraction(3).toFraction()).toBe('3');
  });
});
