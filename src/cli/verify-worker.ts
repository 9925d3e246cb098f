import { parentPort, workerData } from 'node:worker_threads';
import { backendHandle } from '../backend/handle.ts';
import { CLAIMS } from '../claims/registry.ts';
import type { ProgressEvent } from '../runner/run.ts';
import { verify } from '../runner/verify.ts';
import { expectedError } from './errors.ts';
import type { VerifyWorkerData, VerifyWorkerMessage } from './verify-in-worker.ts';

/**
 * The worker thread of `verify`: it runs the claims while the main thread
 * stays free to take Ctrl-C. The main thread sets the shared stop flag, and
 * the runner reads it at every progress report of a check.
 */

/** Shortest time between two relayed progress reports of one step; its start and end always go through. */
const PROGRESS_INTERVAL_MS = 100;

const { request, stop } = workerData as VerifyWorkerData;
const flag = new Int32Array(stop);
const port = parentPort!;
const post = (message: VerifyWorkerMessage) => port.postMessage(message);

let lastPosted = 0;
function relayProgress(event: ProgressEvent): void {
  const now = performance.now();
  const boundary = event.fraction <= 0 || event.fraction >= 1;
  if (!boundary && now - lastPosted < PROGRESS_INTERVAL_MS) return;
  lastPosted = now;
  post({ type: 'progress', event });
}

const backend = backendHandle(request.backend);
try {
  // A missing GPU driver stops the run here, before any claim, and never falls back to the CPU.
  if (request.backend !== 'cpu') await backend.get();
  const run = await verify({
    effort: request.effort,
    seed: request.seed,
    claimIds: request.claimIds,
    checkIds: request.checkIds,
    claims: CLAIMS,
    onProgress: relayProgress,
    signal: {
      get aborted() {
        return Atomics.load(flag, 0) === 1;
      },
    },
    backend,
  });
  post({ type: 'run', run });
} catch (error) {
  const expected = expectedError(error);
  if (expected === undefined) throw error;
  post({ type: 'expected-error', error: expected });
} finally {
  await backend.dispose();
}
