import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../runner/records.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { renderClaim, renderIndex } from './markdown.ts';

/**
 * Removes `<ID>.md` of known claims that this run did not include, so the
 * folder contains exactly the claims its index lists.
 */
function removeStaleClaimReports(run: RunRecord, outDir: string, knownClaimIds: readonly string[]): void {
  const included = new Set(run.claims.map((claim) => claim.id));
  for (const id of knownClaimIds) {
    const path = join(outDir, `${id}.md`);
    if (!included.has(id) && existsSync(path)) unlinkSync(path);
  }
}

/**
 * Writes results.json, one <ID>.md per claim and README.md into `outDir`.
 * Each file is replaced atomically; the index and results.json come last so
 * they never point at a claim report that was not written.
 */
export function writeReports(run: RunRecord, outDir: string, knownClaimIds: readonly string[] = []): string[] {
  removeStaleClaimReports(run, outDir, knownClaimIds);
  const written: string[] = [];
  for (const claim of run.claims) {
    const path = join(outDir, `${claim.id}.md`);
    writeFileAtomic(path, renderClaim(claim, run));
    written.push(path);
  }
  const resultsPath = join(outDir, 'results.json');
  writeFileAtomic(resultsPath, `${JSON.stringify(run, null, 2)}\n`);
  const indexPath = join(outDir, 'README.md');
  writeFileAtomic(indexPath, renderIndex(run));
  written.push(resultsPath, indexPath);
  return written;
}
