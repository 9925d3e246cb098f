import { InputError } from '../core/errors.ts';

/** One problem found in an instance or predictor file. */
export interface InstanceIssue {
  /** JSON pointer of the offending field, such as /blocks/rho/2 ('' is the whole document). */
  pointer: string;
  /** Problem, as a predicate of the field: "is missing", "is not symmetric". */
  problem: string;
  /** The offending value, already formatted for the message. */
  value: string;
  /** Remedy: what to pass instead. */
  fix: string;
}

/** Errors beyond this count are summarised as "… and k more", so one broken file does not flood the terminal. */
export const MAX_REPORTED_ISSUES = 10;

/**
 * An invalid instance or predictor file, with every problem found (one per
 * line in the message). `input`, `value` and `fix` are those of the first issue.
 */
export class InstanceError extends InputError {
  readonly issues: readonly InstanceIssue[];

  constructor(source: string, issues: readonly InstanceIssue[]) {
    if (issues.length === 0) throw new RangeError('InstanceError needs at least one issue');
    const first = issues[0];
    super(showPointer(first.pointer), first.problem, first.value, first.fix);
    this.name = 'InstanceError';
    this.issues = issues;
    this.message = formatIssues(source, issues);
  }
}

/** Formats the issues as "<source> is invalid: …", one issue per line after the first line when there are several. */
export function formatIssues(source: string, issues: readonly InstanceIssue[]): string {
  const lines = issues.slice(0, MAX_REPORTED_ISSUES).map(formatIssue);
  if (issues.length === 1) return `${source} is invalid: ${lines[0]}`;
  const more = issues.length > MAX_REPORTED_ISSUES ? [`… and ${issues.length - MAX_REPORTED_ISSUES} more`] : [];
  return [`${source} is invalid (${issues.length} errors):`, ...[...lines, ...more].map((line) => `  ${line}`)].join('\n');
}

export function formatIssue(issue: InstanceIssue): string {
  return `${showPointer(issue.pointer)} ${issue.problem} (got ${issue.value}); ${issue.fix}`;
}

/** Formats a pointer for messages: the empty pointer (the whole document) reads "(root)". */
export function showPointer(pointer: string): string {
  return pointer === '' ? '(root)' : pointer;
}

/** Appends one reference token to a JSON pointer, escaping ~ and / as RFC 6901 requires. */
export function childPointer(pointer: string, token: string | number): string {
  return `${pointer}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** Longest formatted value; longer ones are cut with an ellipsis. */
const MAX_VALUE_CHARACTERS = 80;

/**
 * Formats any JSON-like value for a message. Non-finite numbers are named
 * (JSON.stringify would print them as null), strings are quoted so that an
 * empty or numeric string is recognisable, and long arrays or objects are cut.
 */
export function formatJsonValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  let text: string;
  try {
    text = JSON.stringify(value, (_key, entry: unknown) => (typeof entry === 'number' && !Number.isFinite(entry) ? String(entry) : entry)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARACTERS ? `${text.slice(0, MAX_VALUE_CHARACTERS - 1)}…` : text;
}
