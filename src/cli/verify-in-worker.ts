import type { BackendName } from '../backend/types.ts';
import type { Effort } from '../claims/types.ts';
import { startTypeScriptWorker } from '../core/typescript-worker.ts';
import type { RunRecord } from '../runner/records.ts';
import type { ProgressEvent } from '../runner/run.ts';
import type { ExpectedError } from './errors.ts';

/** Request that `verify` sends to its worker thread. */
export interface VerifyRequest {
  effort: Effort;
  seed: number;
  claimIds: string[];
  checkIds: string[];
  backend: BackendName;
}

/** Data a verify worker starts with. */
export interface VerifyWorkerData {
  request: VerifyRequest;
  /** One Int32 the main thread sets to 1 on Ctrl-C. */
  stop: SharedArrayBuffer;
}

/** Message from the verify worker to the main thread. */
export type VerifyWorkerMessage =
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'run'; run: RunRecord }
  | { type: 'expected-error'; error: ExpectedError };

/** Result of a verify worker: the run record, or an expected error to print. */
export type VerifyOutcome = { run: RunRecord } | { error: ExpectedError };

/**
 * Runs the claims on a worker thread and returns its run record. Checks are
 * synchronous, so on the main thread a Ctrl-C would wait for the running
 * check to end, which takes minutes for a trained model. Here the main thread
 * sets the worker's stop flag at once, and the running check stops at its
 * next progress report. A second Ctrl-C calls `onAbort` and ends the process
 * with status 130, writing nothing.
 */
export function verifyInWorker(request: VerifyRequest, onProgress: (event: ProgressEvent) => void, onAbort: () => void): Promise<VerifyOutcome> {
  const stop = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const data: VerifyWorkerData = { request, stop };
  const worker = startTypeScriptWorker(new URL('./verify-worker.ts', import.meta.url).href, { workerData: data });
  const onAbortSignal = () => {
    onAbort();
    process.stderr.write('\nAborted: no reports were written, and the files already in the reports folder are unchanged.\n');
    process.exit(130);
  };
  const onInterrupt = () => {
    process.stderr.write('\nInterrupted: stopping the current check, then writing the finished claims (Ctrl-C again to abort at once).\n');
    Atomics.store(new Int32Array(stop), 0, 1);
    process.once('SIGINT', onAbortSignal);
  };
  process.once('SIGINT', onInterrupt);
  let outcome: VerifyOutcome | undefined;
  return new Promise<VerifyOutcome>((resolve, reject) => {
    worker.on('message', (message: VerifyWorkerMessage) => {
      if (message.type === 'progress') onProgress(message.event);
      else outcome = message.type === 'run' ? { run: message.run } : { error: message.error };
    });
    worker.on('error', reject);
    // The outcome is settled at exit, after the worker has disposed of its backend.
    worker.on('exit', (code) => {
      if (outcome !== undefined) resolve(outcome);
      else reject(new Error(`the verify worker exited with code ${code} before returning its run`));
    });
  }).finally(() => {
    process.removeListener('SIGINT', onInterrupt);
    process.removeListener('SIGINT', onAbortSignal);
  });
}
