import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { InputError } from '../core/errors.ts';
import { toolPackage } from './environment.ts';
import type { RunRecord } from './records.ts';

const STATUSES = ['verified', 'failed', 'inconclusive'];
const CLAIM_STATUSES = [...STATUSES, 'incomplete'];
const VERDICTS = ['needed', 'not shown needed', 'not probed', 'incomplete', 'error'];
const CHECK_KINDS = ['symbolic', 'exact', 'property', 'monte-carlo', 'optimisation'];
const EFFORT_LEVELS = ['quick', 'standard', 'thorough'];
const COMPARISONS = ['<=', '<', '>=', '>', '=='];

const numberOrString = { type: ['number', 'string'] };

const metricSchema = {
  type: 'object',
  required: ['name', 'value'],
  properties: { name: { type: 'string' }, value: numberOrString, threshold: numberOrString, comparison: { enum: COMPARISONS } },
};

const figureSchema = {
  type: 'object',
  required: ['id', 'caption', 'spec'],
  properties: { id: { type: 'string' }, caption: { type: 'string' }, spec: { type: 'object' } },
};

const checkSchema = {
  type: 'object',
  required: ['id', 'kind', 'title', 'seed', 'status', 'summary', 'metrics', 'details', 'seconds'],
  properties: {
    id: { type: 'string' },
    kind: { enum: CHECK_KINDS },
    title: { type: 'string' },
    seed: { type: 'integer' },
    status: { enum: STATUSES },
    summary: { type: 'string' },
    metrics: { type: 'array', items: metricSchema },
    details: { type: 'object' },
    seconds: { type: 'number' },
    caveats: { type: 'array', items: { type: 'string' } },
    certificates: { type: 'array', items: { type: 'string' } },
    figures: { type: 'array', items: figureSchema },
    counterexample: { type: 'object', required: ['failure', 'replay', 'hints'] },
  },
};

const hypothesisSchema = {
  type: 'object',
  required: ['id', 'statement', 'verdict', 'summary'],
  properties: { id: { type: 'string' }, statement: { type: 'string' }, verdict: { enum: VERDICTS }, summary: { type: 'string' } },
};

const claimSchema = {
  type: 'object',
  required: ['id', 'title', 'paperResult', 'statement', 'hypotheses', 'status', 'checks', 'seconds'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    paperResult: { type: 'string' },
    statement: { type: 'string' },
    hypotheses: { type: 'array', items: hypothesisSchema },
    status: { enum: CLAIM_STATUSES },
    checks: { type: 'array', items: checkSchema },
    seconds: { type: 'number' },
  },
};

/**
 * The fields of a results.json that the report writer and the baseline
 * comparison read. Other fields are allowed, so a record with extra data
 * (such as a stored baseline comparison) still loads.
 */
const runSchema = {
  type: 'object',
  required: ['tool', 'paper', 'seed', 'effort', 'command', 'versions', 'counts', 'claims', 'seconds'],
  properties: {
    tool: { type: 'object', required: ['name', 'version'], properties: { name: { type: 'string' }, version: { type: 'string' } } },
    paper: { type: 'string' },
    seed: { type: 'integer' },
    effort: { enum: EFFORT_LEVELS },
    command: { type: 'string' },
    backend: { type: 'object', required: ['name', 'description'], properties: { name: { type: 'string' }, description: { type: 'string' } } },
    versions: { type: 'object', additionalProperties: { type: 'string' } },
    counts: {
      type: 'object',
      required: CLAIM_STATUSES,
      properties: Object.fromEntries(CLAIM_STATUSES.map((status) => [status, { type: 'integer', minimum: 0 }])),
    },
    claims: { type: 'array', items: claimSchema },
    seconds: { type: 'number' },
  },
};

let validateRun: ReturnType<Ajv['compile']> | undefined;

const FIX = 'pass a results.json that verify wrote, such as reports/results.json';

/**
 * Reads and validates a results.json written by `verify`. Every problem
 * raises an InputError that names `input` (the option or argument), the file
 * and what is wrong: a missing file, a folder, invalid JSON, another tool's
 * output, or a missing or mistyped field with its path.
 */
export function readRunRecord(path: string, input: string): RunRecord {
  const parsed = parseJsonFile(path, input);
  checkToolName(parsed, path, input);
  validateRun ??= new Ajv({ allErrors: false, verbose: true, allowUnionTypes: true }).compile(runSchema);
  if (!validateRun(parsed)) {
    const [error] = validateRun.errors ?? [];
    throw new InputError(input, `is not a valid results.json: ${describeSchemaError(error)}`, path, FIX);
  }
  return parsed as unknown as RunRecord;
}

function parseJsonFile(path: string, input: string): unknown {
  if (path.trim() === '') throw new InputError(input, 'is empty', "''", FIX);
  if (!existsSync(path)) throw new InputError(input, 'names a file that does not exist', path, FIX);
  if (statSync(path).isDirectory()) {
    const inside = join(path, 'results.json');
    const fix = existsSync(inside) ? `pass the file inside it, ${inside}` : FIX;
    throw new InputError(input, 'is a folder, not a file', path, fix);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(input, `cannot be read: ${reason}`, path, 'pass a readable file');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(input, `is not valid JSON: ${reason}`, path, FIX);
  }
}

/** Rejects a JSON file from another program before the field checks, whose messages would only confuse. */
function checkToolName(parsed: unknown, path: string, input: string): void {
  const expected = toolPackage().name;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InputError(input, 'is not a results.json: its JSON is not an object', path, FIX);
  }
  const tool = (parsed as { tool?: unknown }).tool;
  const name = tool !== null && typeof tool === 'object' ? (tool as { name?: unknown }).name : undefined;
  if (name === undefined) throw new InputError(input, `is not a results.json: it has no tool.name (a results.json has "${expected}" there)`, path, FIX);
  if (name !== expected) throw new InputError(input, `was written by ${JSON.stringify(name)}, not by ${expected}`, path, FIX);
}

/** Formats an Ajv error as a field path and what is wrong with it, e.g. `claims[0].checks[1] lacks the field "status"`. */
function describeSchemaError(error: ErrorObject | undefined): string {
  if (error === undefined) return 'its fields do not match the run record';
  const field = fieldPath(error.instancePath);
  switch (error.keyword) {
    case 'required':
      return `${field === '' ? 'the top level' : field} lacks the field "${String(error.params.missingProperty)}"`;
    case 'enum':
      return `${field} is ${shortJson(error.data)}, not one of ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'type':
      return `${field} is ${shortJson(error.data)}, not of type ${String(error.params.type)}`;
    default:
      return `${field === '' ? 'the top level' : field} ${error.message ?? 'is invalid'}`;
  }
}

/** Turns a JSON pointer such as `/claims/0/checks/1` into `claims[0].checks[1]`. */
function fieldPath(pointer: string): string {
  let path = '';
  for (const escaped of pointer.split('/').slice(1)) {
    const segment = escaped.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else if (path === '') path = segment;
    else path += `.${segment}`;
  }
  return path;
}

/** JSON of a bad value, cut to one short line so a whole claim never floods the message. */
function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
