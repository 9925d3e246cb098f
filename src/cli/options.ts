import { InvalidArgumentError } from 'commander';
import { BACKEND_NAMES } from '../backend/handle.ts';
import type { BackendName } from '../backend/types.ts';
import type { Effort } from '../claims/types.ts';
import { EFFORTS } from '../claims/effort.ts';

/** Parses --effort in any letter case, as --claim is. */
export function parseEffort(value: string): Effort {
  const effort = value.toLowerCase();
  if (!(EFFORTS as readonly string[]).includes(effort)) {
    throw new InvalidArgumentError(`effort "${value}" is not one of ${EFFORTS.join(', ')}.`);
  }
  return effort as Effort;
}

export function parseSeed(value: string): number {
  const seed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(seed) || seed > 0x7fffffff) {
    throw new InvalidArgumentError(`seed "${value}" is not an integer between 0 and 2147483647.`);
  }
  return seed;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses --backend in any letter case, as --effort is. */
export function parseBackend(value: string): BackendName {
  const backend = value.toLowerCase();
  if (!(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new InvalidArgumentError(`backend "${value}" is not one of ${BACKEND_NAMES.join(', ')}.`);
  }
  return backend as BackendName;
}
