import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { childPointer, formatJsonValue, type InstanceIssue } from './issues.ts';

/**
 * JSON Schema validation of instance and predictor files with ajv (draft
 * 2020-12), and the translation of ajv's errors into issues that name the
 * field by its JSON pointer and state what to pass instead.
 */

type SchemaNode = { [keyword: string]: unknown };

const validators = new Map<string, ValidateFunction>();

/** Reads a schema shipped in the schemas/ folder of this package. */
export function loadSchema(file: string): SchemaNode {
  return JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8')) as SchemaNode;
}

/**
 * Compiles a schema once per process. strictNumbers makes `type: number`
 * reject NaN and ±Infinity, which JSON.parse produces for 1e999. verbose
 * gives each error the offending value and the schema node, which the
 * messages quote. strictRequired is off because the oneOf branches require
 * properties that the parent schema defines.
 */
function validatorFor(file: string): ValidateFunction {
  let validate = validators.get(file);
  if (validate === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictNumbers: true, verbose: true });
    validate = ajv.compile(loadSchema(file));
    validators.set(file, validate);
  }
  return validate;
}

/** Validates `json` against a schema of schemas/ and returns its issues (empty when valid). */
export function schemaIssues(file: string, json: unknown): InstanceIssue[] {
  const validate = validatorFor(file);
  if (validate(json)) return [];
  // Errors inside a oneOf branch only name the branch that failed, and the oneOf error itself is clearer.
  const errors = (validate.errors ?? []).filter((error) => !error.schemaPath.includes('/oneOf/'));
  // A value of the wrong type makes every other keyword at that place meaningless (a null root "lacks" d, n, …).
  const wrongType = new Set(errors.filter((error) => error.keyword === 'type').map((error) => error.instancePath));
  return errors.filter((error) => error.keyword === 'type' || !wrongType.has(error.instancePath)).map((error) => issueOf(error, file));
}

function issueOf(error: ErrorObject, file: string): InstanceIssue {
  const pointer = error.instancePath;
  const value = formatJsonValue(error.data);
  const expected = firstSentence(error.parentSchema?.description);
  const params = error.params as { [name: string]: unknown };
  switch (error.keyword) {
    case 'required': {
      const field = String(params.missingProperty);
      const described = firstSentence((error.parentSchema?.properties as { [name: string]: SchemaNode } | undefined)?.[field]?.description);
      return { pointer: childPointer(pointer, field), problem: 'is missing', value: 'nothing', fix: `add it: ${described || `see schemas/${file}`}` };
    }
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {}).join(', ');
      return { pointer: childPointer(pointer, field), problem: 'is not a known field', value: formatJsonValue((error.data as { [name: string]: unknown })[field]), fix: `remove it or correct its spelling; the known fields here are ${known}` };
    }
    case 'type': {
      if (typeof error.data === 'number' && !Number.isFinite(error.data)) {
        return { pointer, problem: 'is not a finite number', value, fix: 'pass a finite number (a JSON number such as 1e999 overflows to Infinity)' };
      }
      if (pointer === '') {
        return { pointer, problem: `is not ${article(String(params.type))}`, value, fix: `the file must hold one JSON object; schemas/${file} lists its fields` };
      }
      return { pointer, problem: `is not ${article(String(params.type))}`, value, fix: expected ? `expected: ${expected}` : `pass ${article(String(params.type))}` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { pointer, problem: `is ${BOUND_WORDS[error.keyword]} ${String(params.limit)}`, value, fix: `expected: ${expected}` };
    case 'minItems':
    case 'maxItems': {
      const count = Array.isArray(error.data) ? error.data.length : 0;
      const relation = error.keyword === 'minItems' ? 'fewer than the minimum' : 'more than the maximum';
      return { pointer, problem: `has ${count} entries, ${relation} ${String(params.limit)}`, value, fix: `expected: ${expected}` };
    }
    case 'minLength':
    case 'maxLength': {
      const relation = error.keyword === 'minLength' ? 'shorter than' : 'longer than';
      return { pointer, problem: `is ${relation} ${String(params.limit)} characters`, value, fix: `expected: ${expected}` };
    }
    case 'oneOf':
      return oneOfIssue(error);
    default:
      return { pointer, problem: error.message ?? `fails the schema keyword ${error.keyword}`, value, fix: `see schemas/${file}` };
  }
}

const BOUND_WORDS: { [keyword: string]: string } = {
  minimum: 'below the minimum',
  maximum: 'above the maximum',
  exclusiveMinimum: 'not above',
  exclusiveMaximum: 'not below',
};

/**
 * Translates a oneOf over `required` branches, which means "exactly one of
 * these fields", into an issue naming the fields and whether none or several
 * were given.
 */
function oneOfIssue(error: ErrorObject): InstanceIssue {
  const branches = (error.schema as SchemaNode[]).map((branch) => (branch.required as string[] | undefined)?.[0] ?? '?');
  const fields = branches.map((field) => childPointer(error.instancePath, field));
  const data = (error.data ?? {}) as { [name: string]: unknown };
  const given = branches.filter((field) => Object.prototype.hasOwnProperty.call(data, field));
  const present = Object.keys(data).length > 0 ? `fields ${Object.keys(data).join(', ')}` : 'no fields';
  const reason = firstSentence(error.parentSchema?.description);
  if (given.length === 0) {
    return { pointer: error.instancePath, problem: `gives neither ${fields.join(' nor ')}`, value: present, fix: lowerFirst(reason) };
  }
  return { pointer: error.instancePath, problem: `gives both ${fields.join(' and ')}`, value: present, fix: lowerFirst(reason) };
}

function firstSentence(description: unknown): string {
  if (typeof description !== 'string') return '';
  const end = description.search(/\.(\s|$)/);
  return end < 0 ? description : description.slice(0, end);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
