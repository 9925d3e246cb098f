import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Returns the file URL of tsx's ESM API (the import condition of `tsx/esm/api`), read from tsx's exports map. */
export function tsxEsmApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> };
  const entry = manifest.exports?.['./esm/api']?.import?.default;
  if (typeof entry !== 'string') {
    throw new Error(`tsx at ${dirname(manifestPath)} has no ESM entry for tsx/esm/api; install tsx 4, which the worker threads need to load TypeScript`);
  }
  return pathToFileURL(join(dirname(manifestPath), entry)).href;
}

/**
 * Starts a worker thread on a TypeScript module through tsx's tsImport.
 * Under Node 20.20 with tsx 4.23, `--import tsx` in a worker's execArgv does
 * not apply to the worker's own entry (it fails with "Unknown file extension
 * .ts"), so the worker is a small evaluated script that imports the
 * TypeScript file itself. `apiUrl` is tsxEsmApiUrl(), which callers that
 * start many workers look up once.
 */
export function startTypeScriptWorker(moduleUrl: string, options: Omit<WorkerOptions, 'eval'> = {}, apiUrl = tsxEsmApiUrl()): Worker {
  const bootstrap = `import(${JSON.stringify(apiUrl)}).then((tsx) => tsx.tsImport(${JSON.stringify(moduleUrl)}, ${JSON.stringify(moduleUrl)}));`;
  return new Worker(bootstrap, { ...options, eval: true });
}
