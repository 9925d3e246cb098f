import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.ts';

/**
 * Checks before any work that `path` can be written as a file: it is not a
 * folder, and no ancestor of it is a file. Missing folders are fine, since
 * the atomic writer creates them.
 */
export function requireWritableFile(option: string, path: string): void {
  if (path === '') throw new InputError(option, 'is empty', '""', 'pass a file path');
  // Ancestors first: stat of a path below a file fails with ENOTDIR instead of returning an entry.
  for (let folder = dirname(resolve(path)); ; folder = dirname(folder)) {
    const entry = statSync(folder, { throwIfNoEntry: false });
    if (entry !== undefined && !entry.isDirectory()) {
      throw new InputError(option, 'lies inside a file, not a folder', path, `${folder} is a file; pass a path in a folder`);
    }
    if (entry !== undefined || dirname(folder) === folder) break;
  }
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new InputError(option, 'is a folder, not a file', path, `pass a file path such as ${path.replace(/\/+$/, '')}/solution.json`);
  }
}
