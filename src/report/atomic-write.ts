import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/**
 * Writes `content` to `path` through a temporary file in the same folder and
 * a rename, so a reader never sees a half-written file and an interrupted
 * write leaves the previous version intact.
 */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temporary, content, 'utf8');
  renameSync(temporary, path);
}
