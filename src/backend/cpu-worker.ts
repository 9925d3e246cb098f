import { parentPort } from 'node:worker_threads';
import { riskKernel, scanKernel, type PreparedRiskJob, type PreparedScanJob } from './cpu-kernels.ts';

/**
 * Worker thread of the CPU backend: runs one kernel over a prompt range per
 * message and posts the results back with their buffers transferred.
 */

/** A kernel call for prompts first .. first + count − 1. */
export type WorkerRequest =
  | { readonly id: number; readonly kind: 'risk'; readonly job: PreparedRiskJob; readonly first: number; readonly count: number }
  | { readonly id: number; readonly kind: 'scan'; readonly job: PreparedScanJob; readonly first: number; readonly count: number };

export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly kind: 'risk'; readonly losses: Float64Array }
  | {
      readonly id: number;
      readonly ok: true;
      readonly kind: 'scan';
      readonly gla: Float64Array;
      readonly wpgd: Float64Array;
      readonly labels: Float64Array;
    }
  | { readonly id: number; readonly ok: false; readonly message: string };

function handle(request: WorkerRequest): void {
  const port = parentPort!;
  try {
    if (request.kind === 'risk') {
      const losses = riskKernel(request.job, request.first, request.count);
      const response: WorkerResponse = { id: request.id, ok: true, kind: 'risk', losses };
      port.postMessage(response, [losses.buffer as ArrayBuffer]);
      return;
    }
    const { gla, wpgd, labels } = scanKernel(request.job, request.first, request.count);
    const response: WorkerResponse = { id: request.id, ok: true, kind: 'scan', gla, wpgd, labels };
    port.postMessage(response, [gla.buffer as ArrayBuffer, wpgd.buffer as ArrayBuffer, labels.buffer as ArrayBuffer]);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const response: WorkerResponse = { id: request.id, ok: false, message };
    port.postMessage(response);
  }
}

if (parentPort !== null) parentPort.on('message', handle);
