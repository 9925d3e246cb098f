import { existsSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';

/**
 * Resolves the reports folder and makes sure it can be written, before any
 * check runs, so a bad `--out` costs the user nothing. Missing folders are
 * created one level at a time: Node's recursive mkdir spins on some virtual
 * file systems (seen with /proc) instead of failing.
 */
export function prepareOutputFolder(path: string): string {
  if (path.trim() === '') {
    throw new InputError('--out', 'is empty', "''", 'pass a folder for the reports, for example reports');
  }
  const folder = resolve(path);
  const missing: string[] = [];
  let existing = folder;
  while (!existsSync(existing)) {
    missing.unshift(existing);
    existing = dirname(existing);
  }
  if (!statSync(existing).isDirectory()) {
    if (existing === folder) throw new InputError('--out', 'is a file, not a folder', existing, 'pass a folder path, or a path that does not exist yet');
    throw new InputError('--out', 'is inside a file, not a folder', existing, 'pass a folder path whose parents are folders');
  }
  try {
    for (const level of missing) mkdirSync(level);
    const probe = join(folder, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError('--out', 'cannot be written', folder, `pass a writable folder (${reason})`);
  }
  return folder;
}
