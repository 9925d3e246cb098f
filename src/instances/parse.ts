import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import type { BlockModel, Correlation } from '../data/correlation.ts';
import type { Covariance } from '../data/covariance.ts';
import { duplicateKeys } from './duplicate-keys.ts';
import { InstanceError } from './issues.ts';
import { schemaIssues } from './schema.ts';
import { semanticIssues, type InstanceJson } from './semantic.ts';

/** The instance schema in schemas/; its descriptions document every field. */
export const INSTANCE_SCHEMA = 'instance.schema.json';

/** A validated instance file: Σ factored, R validated (explicit R) or described by its blocks. */
export interface Instance {
  name?: string;
  description?: string;
  d: number;
  n: number;
  /** Label noise variance σ². */
  sigma2: number;
  /** Σ as given, or diag(sigmaEigenvalues). */
  covariance: Covariance;
  /** Form of Σ in the file: a matrix (Sigma) or its eigenvalues (sigmaEigenvalues, Σ diagonal). */
  sigmaForm: 'matrix' | 'eigenvalues';
  /** The validated R when the file gives it as a matrix. */
  correlation?: Correlation;
  /** The block model when the file gives one; its R is built only on demand (see instanceTask). */
  blocks?: BlockModel;
  /** The document as read. */
  json: InstanceJson;
  /** Origin for messages: "instance file examples/x.json" or "instance". */
  source: string;
}

/**
 * Validates a parsed JSON document as an instance: first against
 * schemas/instance.schema.json, then the checks the schema cannot express.
 * Throws an InstanceError (an InputError) listing every problem found, each
 * named by its JSON pointer, and nothing else for any JSON value (a property
 * test fuzzes this).
 */
export function parseInstance(json: unknown, source = 'instance'): Instance {
  const schemaProblems = schemaIssues(INSTANCE_SCHEMA, json);
  if (schemaProblems.length > 0) throw new InstanceError(source, schemaProblems);
  const document = json as InstanceJson;
  const { issues, covariance, correlation } = semanticIssues(document);
  if (issues.length > 0 || covariance === undefined) throw new InstanceError(source, issues);
  return {
    name: document.name,
    description: document.description,
    d: document.d,
    n: document.n,
    sigma2: document.sigma2,
    covariance,
    sigmaForm: document.Sigma !== undefined ? 'matrix' : 'eigenvalues',
    correlation,
    blocks: document.blocks && { sizes: [...document.blocks.sizes], rho: [...document.blocks.rho] },
    json: document,
    source,
  };
}

/** Reads and validates an instance file; every problem, from a missing file to a bad entry, is an InputError. */
export function readInstanceFile(path: string): Instance {
  return parseInstance(readJsonFile(path, 'instance file'), `instance file ${path}`);
}

/** Reads a JSON file, turning a missing file, a folder or a syntax error into an InputError that names the file. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${what} ${path}`, 'was not found', path, 'check the path');
    if (code === 'EISDIR') throw new InputError(`${what} ${path}`, 'is a folder', path, 'pass the path of a JSON file');
    throw new InputError(`${what} ${path}`, 'could not be read', (error as Error).message, 'check the path and its permissions');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${what} ${path}`, 'is not valid JSON', (error as Error).message, 'fix the syntax there (JSON allows no comments, trailing commas or NaN)');
  }
  const repeats = duplicateKeys(text);
  if (repeats.length > 0) {
    const listed = repeats.map(({ object, key, line, column }) => `"${key}" again in ${object === '' ? 'the top-level object' : object} at line ${line}, column ${column}`);
    throw new InputError(`${what} ${path}`, `sets a key twice in one object, and only the last value would count`, listed.join('; '), 'keep one of each repeated key');
  }
  return json;
}
