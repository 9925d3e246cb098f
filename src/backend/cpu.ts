import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InputError } from '../core/errors.ts';
import { startTypeScriptWorker, tsxEsmApiUrl } from '../core/typescript-worker.ts';
import { requireFinite, requireGates, requireLength, requireNoiseVariance, requirePositiveInteger } from '../core/validate.ts';
import { validateBlockModel } from '../data/correlation.ts';
import {
  prepareModel,
  riskKernel,
  roundedCopy,
  scanKernel,
  scanWeights,
  type PreparedModel,
  type PreparedRiskJob,
  type PreparedScanJob,
  type ScanPredictions,
} from './cpu-kernels.ts';
import type { WorkerRequest, WorkerResponse } from './cpu-worker.ts';
import { normalsOf, philoxKey, requireCounterWord } from './philox.ts';
import type { Backend, BlockModel, GateSequence, PromptBatch, RiskJob, RiskOutput, ScanJob, ScanOutput } from './types.ts';

export interface CpuBackendOptions {
  /** Worker threads; 1 runs the kernels in the calling thread. Default: os.availableParallelism(). */
  readonly workers?: number;
  /** Round every input and sampled normal to float32 first: the reference for a float32 backend run. */
  readonly round32?: boolean;
  /**
   * Minimum number of sampled normals, prompts × (n + 1) × d, per worker
   * range. Smaller batches use fewer workers or none, because every range
   * posted to a worker pays for message passing. Results do not depend on it.
   * Default 2^16.
   */
  readonly minNormalsPerWorker?: number;
}

const DEFAULT_MIN_NORMALS_PER_WORKER = 2 ** 16;
const TWO_POW_32 = 4294967296;

// ---------------------------------------------------------------------------
// Job validation

/** Throws unless the block model is valid and its streams fit the 32-bit Philox block counter. */
export function validateBlockModelInput(model: BlockModel): void {
  requirePositiveInteger('d', model.d);
  requireLength('λ', model.lambda, model.d, `Σ = diag(λ) with d = ${model.d}`);
  requireFinite('λ', model.lambda);
  model.lambda.forEach((value, c) => {
    if (!(value > 0)) throw new InputError(`λ[${c}]`, 'is not positive', value, 'Σ = diag(λ) needs every λ_c > 0');
  });
  validateBlockModel(model.blockSizes, Array.from(model.rho));
  requireNoiseVariance(model.sigma2);
  const n = model.blockSizes.reduce((sum, size) => sum + size, 0);
  const longestStream = Math.max(n * model.d, model.d * (model.blockSizes.length + 1), n + 1);
  if (Math.ceil(longestStream / 4) > TWO_POW_32) {
    throw new InputError('block model', 'needs more than 2^34 normals in one stream', longestStream, 'use fewer examples or features per prompt');
  }
}

/** Throws unless the batch's seed and prompt range fit the Philox key and counter. */
export function validateBatch(batch: PromptBatch): void {
  philoxKey(batch.seed);
  requireCounterWord('first prompt', batch.firstPrompt);
  if (!Number.isInteger(batch.count) || batch.count < 0 || batch.firstPrompt + batch.count > TWO_POW_32) {
    throw new InputError('prompt count', 'is not an integer with first prompt + count ≤ 2^32', batch.count, 'pass a count ≥ 0 that keeps prompt indices below 2^32');
  }
}

function validatePreconditioner(P: Float64Array, d: number): void {
  requireLength('P', P, d * d, `a ${d}×${d} preconditioner (row-major)`);
  requireFinite('P', P);
}

function exampleCount(model: BlockModel): number {
  return model.blockSizes.reduce((sum, size) => sum + size, 0);
}

/** Throws unless the risk job's model, batch, P and ω are valid and agree in size. */
export function validateRiskJob(job: RiskJob): void {
  validateBlockModelInput(job.model);
  validateBatch(job.batch);
  validatePreconditioner(job.P, job.model.d);
  const n = exampleCount(job.model);
  requireLength('ω', job.omega, n, `a block model with n = ${n} examples`);
  requireFinite('ω', job.omega);
}

/** Throws unless the scan job's model, batch, P and gates are valid and agree in size. */
export function validateScanJob(job: ScanJob): void {
  validateBlockModelInput(job.model);
  validateBatch(job.batch);
  validatePreconditioner(job.P, job.model.d);
  validateGates(job.gates, exampleCount(job.model), job.model.d);
}

function validateGates(gates: GateSequence, n: number, d: number): void {
  if (gates.kind !== 'scalar' && gates.kind !== 'vector') {
    throw new InputError('gate kind', 'is not scalar or vector', String(gates.kind), "pass 'scalar' or 'vector'");
  }
  const expected = gates.kind === 'scalar' ? n + 1 : (n + 1) * d;
  const meaning = gates.kind === 'scalar' ? `one gate per token 1..n+1 (n = ${n})` : `(n + 1)·d gates (n = ${n}, d = ${d})`;
  requireLength('gate values', gates.values, expected, meaning);
  requireGates('gate values', gates.values);
}

// ---------------------------------------------------------------------------
// Worker pool

interface Pending {
  resolve(response: WorkerResponse): void;
  reject(error: Error): void;
}

interface PooledWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

/** Names a JavaScript build of cpu-worker.ts to start instead of the TypeScript source. */
export const BUNDLED_WORKER_VARIABLE = 'GLA_CPU_WORKER_SCRIPT';

/** Starts a CPU worker: the bundled script when one is named, else cpu-worker.ts through tsx. */
function startWorker(apiUrl: string): Worker {
  const bundled = process.env[BUNDLED_WORKER_VARIABLE];
  if (bundled !== undefined && bundled !== '') return new Worker(bundled);
  return startTypeScriptWorker(new URL('./cpu-worker.ts', import.meta.url).href, {}, apiUrl);
}

/**
 * Worker threads created on first use. A worker keeps the event loop alive
 * only while it has a job in flight, so a forgotten dispose() does not hang
 * the process.
 */
class WorkerPool {
  private readonly workers: (PooledWorker | undefined)[];
  private nextId = 0;
  private apiUrl: string | undefined;

  constructor(readonly size: number) {
    this.workers = new Array<PooledWorker | undefined>(size).fill(undefined);
  }

  run(slot: number, request: Omit<WorkerRequest, 'id'>): Promise<WorkerResponse> {
    const pooled = this.workerAt(slot);
    const id = this.nextId++;
    return new Promise<WorkerResponse>((resolve, reject) => {
      pooled.pending.set(id, { resolve, reject });
      pooled.worker.ref();
      pooled.worker.postMessage({ ...request, id } as WorkerRequest);
    });
  }

  async dispose(): Promise<void> {
    const workers = this.workers.splice(0, this.workers.length, ...new Array<undefined>(this.size).fill(undefined));
    await Promise.all(workers.map((pooled) => pooled?.worker.terminate()));
  }

  private workerAt(slot: number): PooledWorker {
    const existing = this.workers[slot];
    if (existing !== undefined) return existing;
    // A bundled run (the device check) ships cpu-worker as plain JavaScript and needs no tsx.
    if (!process.env[BUNDLED_WORKER_VARIABLE]) this.apiUrl ??= tsxEsmApiUrl();
    const worker = startWorker(this.apiUrl ?? '');
    const pooled: PooledWorker = { worker, pending: new Map() };
    worker.on('message', (response: WorkerResponse) => {
      const entry = pooled.pending.get(response.id);
      if (entry === undefined) return;
      pooled.pending.delete(response.id);
      if (pooled.pending.size === 0) worker.unref();
      entry.resolve(response);
    });
    const fail = (error: Error) => {
      if (this.workers[slot] === pooled) this.workers[slot] = undefined;
      for (const entry of pooled.pending.values()) entry.reject(error);
      pooled.pending.clear();
    };
    worker.on('error', (error) => fail(new Error(`CPU backend worker ${slot} failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new Error(`CPU backend worker ${slot} exited with code ${code} before returning its results`)));
    worker.unref();
    this.workers[slot] = pooled;
    return pooled;
  }
}

/** Splits count prompts into `parts` contiguous ranges whose sizes differ by at most 1. */
export function splitRange(first: number, count: number, parts: number): { first: number; count: number }[] {
  const ranges: { first: number; count: number }[] = [];
  const base = Math.floor(count / parts);
  const extra = count % parts;
  let start = first;
  for (let part = 0; part < parts; part++) {
    const size = base + (part < extra ? 1 : 0);
    if (size > 0) ranges.push({ first: start, count: size });
    start += size;
  }
  return ranges;
}

function concatenate(parts: readonly Float64Array[], total: number): Float64Array {
  if (parts.length === 1 && parts[0].length === total) return parts[0];
  const result = new Float64Array(total);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/** Returns a copy of `values` in shared memory, so posting it to every worker does not copy it once per worker. */
function shared(values: Float64Array): Float64Array {
  const copy = new Float64Array(new SharedArrayBuffer(values.byteLength));
  copy.set(values);
  return copy;
}

function sharedModel(model: PreparedModel): PreparedModel {
  const blockOf = new Int32Array(new SharedArrayBuffer(model.blockOf.byteLength));
  blockOf.set(model.blockOf);
  return { ...model, blockOf };
}

// ---------------------------------------------------------------------------
// Backend

/**
 * Creates the CPU backend: float64 kernels over contiguous prompt ranges on
 * worker threads, results concatenated in prompt order. Every prompt is a
 * pure function of (seed, prompt index, job), so the output is bitwise the
 * same for any worker count. dispose() terminates the workers, and a later
 * call starts new ones.
 */
export function createCpuBackend(options: CpuBackendOptions = {}): Backend {
  const workers = options.workers ?? availableParallelism();
  requirePositiveInteger('workers', workers);
  const minNormals = options.minNormalsPerWorker ?? DEFAULT_MIN_NORMALS_PER_WORKER;
  requirePositiveInteger('minNormalsPerWorker', minNormals);
  const round32 = options.round32 ?? false;
  const pool = workers > 1 ? new WorkerPool(workers) : undefined;

  const threads = workers === 1 ? 'in the calling thread' : `on ${workers} worker threads`;
  const rounding = round32 ? ', inputs and normals rounded to float32' : '';
  const description = `CPU float64 kernels ${threads}${rounding}`;

  /** Ranges to run: one in-thread range when there is no pool or too little work. */
  function plan(batch: PromptBatch, model: PreparedModel): { first: number; count: number }[] {
    const normalsPerPrompt = (model.n + 1) * model.d;
    const parts = pool === undefined ? 1 : Math.max(1, Math.min(pool.size, Math.floor((batch.count * normalsPerPrompt) / minNormals)));
    return splitRange(batch.firstPrompt, batch.count, parts);
  }

  async function risk(job: RiskJob): Promise<RiskOutput> {
    validateRiskJob(job);
    const model = prepareModel(job.model, round32);
    const prepared: PreparedRiskJob = {
      model,
      key: philoxKey(job.batch.seed),
      P: roundedCopy(job.P, round32),
      omega: roundedCopy(job.omega, round32),
    };
    const ranges = plan(job.batch, model);
    if (pool === undefined || ranges.length <= 1) {
      return { losses: riskKernel(prepared, job.batch.firstPrompt, job.batch.count) };
    }
    const sharedJob: PreparedRiskJob = { ...prepared, model: sharedModel(model), omega: shared(prepared.omega) };
    const responses = await Promise.all(ranges.map((range, slot) => pool.run(slot, { kind: 'risk', job: sharedJob, ...range })));
    const parts = responses.map((response) => expectKind(response, 'risk').losses);
    return { losses: concatenate(parts, job.batch.count) };
  }

  async function scan(job: ScanJob): Promise<ScanOutput> {
    validateScanJob(job);
    const model = prepareModel(job.model, round32);
    const gates = roundedCopy(job.gates.values, round32);
    const weights = scanWeights({ kind: job.gates.kind, values: gates }, model.n, model.d, round32);
    const prepared: PreparedScanJob = {
      model,
      key: philoxKey(job.batch.seed),
      P: roundedCopy(job.P, round32),
      kind: job.gates.kind,
      gates,
      omega: weights.omega,
    };
    const counts = { weightsOutOfRange: weights.weightsOutOfRange, zeroWeights: weights.zeroWeights };
    const ranges = plan(job.batch, model);
    if (pool === undefined || ranges.length <= 1) {
      return { ...scanKernel(prepared, job.batch.firstPrompt, job.batch.count), ...counts };
    }
    const sharedJob: PreparedScanJob = { ...prepared, model: sharedModel(model), gates: shared(gates), omega: shared(weights.omega) };
    const responses = await Promise.all(ranges.map((range, slot) => pool.run(slot, { kind: 'scan', job: sharedJob, ...range })));
    const predictions = responses.map((response) => expectKind(response, 'scan'));
    const total = job.batch.count;
    return {
      gla: concatenate(predictions.map((part) => part.gla), total),
      wpgd: concatenate(predictions.map((part) => part.wpgd), total),
      labels: concatenate(predictions.map((part) => part.labels), total),
      ...counts,
    };
  }

  return {
    name: 'cpu',
    precision: 'float64',
    description,
    normals: async (seed, prompt, stream, count) => normalsOf(seed, prompt, stream, count, round32),
    risk,
    scan,
    dispose: async () => pool?.dispose(),
  };
}

function expectKind(response: WorkerResponse, kind: 'risk'): { losses: Float64Array };
function expectKind(response: WorkerResponse, kind: 'scan'): ScanPredictions;
function expectKind(response: WorkerResponse, kind: 'risk' | 'scan'): { losses: Float64Array } | ScanPredictions {
  if (!response.ok) throw new Error(`CPU backend ${kind} kernel failed in a worker: ${response.message}`);
  if (response.kind !== kind) throw new Error(`CPU backend worker returned a ${response.kind} result for a ${kind} job`);
  return response;
}
