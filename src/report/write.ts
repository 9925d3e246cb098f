import { existsSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../runner/records.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { figurePath, renderFigureSvg } from './figures.ts';
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
 * Renders every figure of every claim in the run to figures/<ID>-<figure>.svg,
 * after removing the old figures of those claims and of known claims the run
 * left out, so no figure outlives the data it was drawn from.
 */
async function writeFigures(run: RunRecord, outDir: string, knownClaimIds: readonly string[]): Promise<string[]> {
  const folder = join(outDir, 'figures');
  const owners = new Set([...knownClaimIds, ...run.claims.map((claim) => claim.id)]);
  if (existsSync(folder)) {
    for (const name of readdirSync(folder)) {
      const owner = [...owners].find((id) => name.startsWith(`${id}-`) && name.endsWith('.svg'));
      if (owner !== undefined) unlinkSync(join(folder, name));
    }
  }
  const written: string[] = [];
  for (const claim of run.claims) {
    for (const check of claim.checks) {
      for (const figure of check.figures ?? []) {
        mkdirSync(folder, { recursive: true });
        const path = join(outDir, figurePath(claim.id, figure));
        writeFileAtomic(path, await renderFigureSvg(figure));
        written.push(path);
      }
    }
  }
  return written;
}

/**
 * Writes the figures, one <ID>.md per claim, results.json and README.md into `outDir`.
 * Each file is replaced atomically; the index and results.json come last so
 * they never point at a claim report that was not written.
 */
export async function writeReports(run: RunRecord, outDir: string, knownClaimIds: readonly string[] = []): Promise<string[]> {
  removeStaleClaimReports(run, outDir, knownClaimIds);
  const written = await writeFigures(run, outDir, knownClaimIds);
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
