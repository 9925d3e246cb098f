import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/core/errors.ts';
import { InstanceError, showPointer } from '../src/instances/issues.ts';
import { parseInstance, type Instance } from '../src/instances/parse.ts';

const SEED = 20250415;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const EXAMPLES: Json[] = readdirSync('examples')
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(join('examples', file), 'utf8')) as Json);

/** Lists every path into a document, the root included, as lists of keys and indices. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return [...here, ...value.flatMap((entry, i) => paths(entry, [...prefix, i]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([key, entry]) => paths(entry, [...prefix, key]))];
  return here;
}

function valueAt(document: Json, path: readonly (string | number)[]): Json {
  return path.reduce<Json>((node, key) => (node as { [key: string]: Json })[key as string], document);
}

/** A mutation applied at one path of a deep copy. */
type Mutation =
  | { kind: 'drop' }
  | { kind: 'replace'; value: unknown }
  | { kind: 'grow' }
  | { kind: 'shrink' }
  | { kind: 'extra'; key: string; value: Json };

/** Replacement values: wrong types, non-finite and out-of-range numbers. */
const replacement = fc.oneof(
  fc.constantFrom<unknown>(Infinity, -Infinity, NaN, -1, 0, -0, 1e308, -1e-300, 2 ** 53, 0.5, 4097, 65, 1.0000001, null, true, '', '1', [], {}, [[]]),
  fc.jsonValue(),
);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'drop' }),
  replacement.map((value): Mutation => ({ kind: 'replace', value })),
  fc.constant<Mutation>({ kind: 'grow' }),
  fc.constant<Mutation>({ kind: 'shrink' }),
  fc.record({ key: fc.string({ maxLength: 8 }), value: fc.jsonValue() }).map(({ key, value }): Mutation => ({ kind: 'extra', key, value: value as Json })),
);

/** Applies the mutation at `path` (the root for an empty path) to a deep copy of `document`. */
function mutate(document: Json, path: readonly (string | number)[], change: Mutation): unknown {
  const copy = structuredClone(document) as Json;
  const root: { value: unknown } = { value: copy };
  const parent = path.length === 0 ? root : valueAt(copy, path.slice(0, -1));
  const key = path.length === 0 ? 'value' : path[path.length - 1];
  const container = parent as { [key: string]: unknown };
  const target = container[key as string];
  switch (change.kind) {
    case 'drop':
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key as string];
      break;
    case 'replace':
      container[key as string] = change.value;
      break;
    case 'grow':
      if (Array.isArray(target)) target.push(structuredClone(target[target.length - 1] ?? 1));
      break;
    case 'shrink':
      if (Array.isArray(target)) target.pop();
      break;
    case 'extra':
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) (target as { [key: string]: Json })[change.key] = change.value;
      break;
  }
  return root.value;
}

/** A mutated example: an example, a path into it and a mutation. */
const mutatedExample = fc
  .integer({ min: 0, max: EXAMPLES.length - 1 })
  .chain((index) => fc.record({ index: fc.constant(index), path: fc.constantFrom(...paths(EXAMPLES[index])), change: mutation }))
  .map(({ index, path, change }) => ({ path, change, document: mutate(EXAMPLES[index], path, change) }));

/**
 * Checks the parser contract: a valid Instance, or an InstanceError whose
 * message names a field by its JSON pointer. Any other exception fails the property.
 */
function checkContract(json: unknown): Instance | InstanceError {
  try {
    const instance = parseInstance(json);
    expect(instance.covariance.Sigma).toHaveLength(instance.d);
    expect(instance.covariance.eigenvalues[0]).toBeGreaterThan(0);
    const examples = instance.blocks ? instance.blocks.sizes.reduce((sum, size) => sum + size, 0) : instance.correlation!.R.length - 1;
    expect(examples).toBe(instance.n);
    expect(Number.isFinite(instance.sigma2)).toBe(true);
    expect(instance.sigma2).toBeGreaterThanOrEqual(0);
    return instance;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    expect(error).toBeInstanceOf(InstanceError);
    const { issues, message } = error as InstanceError;
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(issue.pointer === '' || issue.pointer.startsWith('/')).toBe(true);
      expect(issue.problem.length).toBeGreaterThan(0);
      expect(issue.fix.length).toBeGreaterThan(0);
    }
    expect(message).toContain(showPointer(issues[0].pointer));
    expect(message).not.toContain('undefined');
    expect(message).not.toContain('[object Object]');
    return error as InstanceError;
  }
}

/** Each property: parseInstance returns a valid instance or throws an InstanceError naming a field. */
describe('instance parser fuzzing', () => {
  it('random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        checkContract(json);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('objects with instance keys', () => {
    const keys = ['d', 'n', 'Sigma', 'sigmaEigenvalues', 'sigma2', 'R', 'blocks', 'name', 'description'];
    const shaped = fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 }));
    fc.assert(
      fc.property(shaped, (json) => {
        checkContract(json);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('mutated examples', () => {
    let rejected = 0;
    let accepted = 0;
    fc.assert(
      fc.property(mutatedExample, ({ document }) => {
        const outcome = checkContract(document);
        if (outcome instanceof InstanceError) rejected++;
        else accepted++;
      }),
      { seed: SEED, numRuns: 600 },
    );
    // Both outcomes must occur, or the mutations test only one side of the parser.
    expect(rejected).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(10);
  });

  it('non-finite numbers rejected at their pointer', () => {
    const numberPaths = EXAMPLES.flatMap((document, index) =>
      paths(document)
        .filter((path) => typeof valueAt(document, path) === 'number')
        .map((path) => ({ index, path })),
    );
    fc.assert(
      fc.property(fc.constantFrom(...numberPaths), fc.constantFrom(Infinity, -Infinity, NaN), ({ index, path }, value) => {
        const outcome = checkContract(mutate(EXAMPLES[index], path, { kind: 'replace', value }));
        expect(outcome).toBeInstanceOf(InstanceError);
        const pointer = `/${path.join('/')}`;
        expect((outcome as InstanceError).issues.map((issue) => issue.pointer)).toContain(pointer);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
