import { InputError } from '../core/errors.ts';
import { requirePositiveInteger } from '../core/validate.ts';
import type { Backend, RiskJob, RiskOutput, ScanJob, ScanOutput } from './types.ts';
import { GpuDevice, WORKGROUP_SIZE, type GpuAdapterSummary, type GpuLimits } from './webgpu-device.ts';
import { validateRiskJob, validateScanJob } from './cpu.ts';
import { philoxKey, requireCounterWord } from './philox.ts';
import { gateWeights, packModel, packOmega, packPreconditioner, promptParams, type PackedModel } from './webgpu-inputs.ts';
import { BOX_MULLER_WGSL, NORMALS_WGSL, PHILOX_WORDS_WGSL } from './wgsl/debug.wgsl.ts';
import { SEQUENTIAL_SUM_WGSL, TREE_SUM_WGSL, TREE_WIDTH } from './wgsl/reduce.wgsl.ts';
import { RISK_WGSL } from './wgsl/risk.wgsl.ts';
import { SCAN_WGSL } from './wgsl/scan.wgsl.ts';

/**
 * Default upper bound on prompts × (n + 1) × d per dispatch. It bounds the
 * run time of one submission, which drivers with a watchdog would otherwise
 * abort; results do not depend on it.
 */
const DEFAULT_MAX_TOKEN_FEATURES_PER_DISPATCH = 2 ** 28;

export interface WebGpuBackendOptions {
  /** Upper bound on prompts × (n + 1) × d per dispatch (at least one prompt each). Default 2^28. */
  readonly maxTokenFeaturesPerDispatch?: number;
}

/** One Philox4x32-10 evaluation: counter words 0..3 and key words 0..1. */
export interface PhiloxInput {
  readonly counter: readonly [number, number, number, number];
  readonly key: readonly [number, number];
}

/** A float32 sum computed on the device two ways. */
export interface Float32Sums {
  /** Naive left-to-right float32 sum in one invocation. */
  readonly sequential: number;
  /** Pairwise (balanced tree) float32 sum over workgroups of TREE_WIDTH. */
  readonly pairwise: number;
}

/**
 * The WebGPU backend: float32 WGSL kernels, one invocation per prompt.
 * Beyond the Backend interface it exposes the device-side building blocks
 * that float32 tests need: raw Philox words, Box–Muller of chosen words and
 * the two float32 reductions.
 */
export interface WebGpuBackend extends Backend {
  readonly name: 'webgpu';
  readonly precision: 'float32';
  readonly adapter: GpuAdapterSummary;
  readonly limits: GpuLimits;
  /** Philox4x32-10 output words, four per input, computed on the device. */
  philoxWords(inputs: readonly PhiloxInput[]): Promise<Uint32Array>;
  /** The device's Box–Muller normals of Philox words, four words (one block) at a time. */
  boxMuller(words: Uint32Array): Promise<Float64Array>;
  /** Float32 sums of `values` on the device, sequential and pairwise. */
  sumFloat32(values: Float32Array): Promise<Float32Sums>;
  /**
   * Float32 sums of z² over normals 0..count−1 of one stream (χ²₁ losses
   * with mean 1), generated and summed on the device; `values` is a copy of
   * the z² read back afterwards for checks.
   */
  sumSquaredNormals(seed: number, prompt: number, stream: number, count: number): Promise<Float32Sums & { values: Float32Array }>;
}

/**
 * Creates the WebGPU backend on the default adapter. Throws
 * WebGpuUnavailableError, naming what to install, when there is none; it
 * never falls back to the CPU.
 */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const maxTokenFeatures = options.maxTokenFeaturesPerDispatch ?? DEFAULT_MAX_TOKEN_FEATURES_PER_DISPATCH;
  requirePositiveInteger('maxTokenFeaturesPerDispatch', maxTokenFeatures);
  const gpu = await GpuDevice.acquire();
  return new WebGpuBackendImpl(gpu, maxTokenFeatures);
}

class WebGpuBackendImpl implements WebGpuBackend {
  readonly name = 'webgpu' as const;
  readonly precision = 'float32' as const;
  readonly description: string;
  readonly adapter: GpuAdapterSummary;
  readonly limits: GpuLimits;
  private readonly gpu: GpuDevice;
  private readonly maxTokenFeatures: number;

  constructor(gpu: GpuDevice, maxTokenFeatures: number) {
    this.gpu = gpu;
    this.maxTokenFeatures = maxTokenFeatures;
    this.description = gpu.description;
    this.adapter = gpu.adapter;
    this.limits = gpu.limits;
  }

  async normals(seed: number, prompt: number, stream: number, count: number): Promise<Float64Array> {
    return usingBuffers(async (own) => {
      const values = own(await this.generateNormals(seed, prompt, stream, count, false));
      return Float64Array.from(new Float32Array(await this.gpu.read(values, 4 * count)));
    });
  }

  /** Normals (or their squares) 0..count−1 of one stream, in a device buffer that the caller destroys. */
  private async generateNormals(seed: number, prompt: number, stream: number, count: number, square: boolean): Promise<GPUBuffer> {
    const { k0, k1 } = philoxKey(seed);
    requireCounterWord('prompt', prompt);
    requireCounterWord('stream', stream);
    if (!Number.isInteger(count) || count < 0) {
      throw new InputError('count', 'is not a nonnegative integer', count, 'pass the number of normals to draw');
    }
    this.gpu.requireBindable('normals', 4 * count, 'request fewer normals per call');
    const pipeline = await this.gpu.pipeline('normals', NORMALS_WGSL);
    const params = this.gpu.uniform(new Uint32Array([k0, k1, prompt, stream, count, square ? 1 : 0, 0, 0]));
    const output = this.gpu.output('normals', 4 * count);
    try {
      const blocks = Math.ceil(count / 4);
      await this.gpu.dispatch(pipeline, [params, output], Math.ceil(blocks / WORKGROUP_SIZE));
      return output;
    } catch (error) {
      output.destroy();
      throw error;
    } finally {
      params.destroy();
    }
  }

  async risk(job: RiskJob): Promise<RiskOutput> {
    validateRiskJob(job);
    const model = packModel(job.model);
    const P = packPreconditioner(job.P);
    const omega = packOmega(job.omega);
    const pipeline = await this.gpu.pipeline('risk', RISK_WGSL);
    return usingBuffers(async (own) => {
      const shared = this.modelBuffers(model, P).map(own);
      const omegaBuffer = own(this.gpu.storage('ω', omega));
      const losses = new Float64Array(job.batch.count);
      for (const chunk of this.chunks(job.batch.count, model, 1)) {
        const values = await usingBuffers(async (ownChunk) => {
          const params = ownChunk(this.gpu.uniform(promptParams(job.batch.seed, job.batch.firstPrompt + chunk.first, chunk.count, model, false)));
          const output = ownChunk(this.gpu.output('losses', 4 * chunk.count));
          await this.gpu.dispatch(pipeline, [params, ...shared, omegaBuffer, output], chunk.workgroups);
          return new Float32Array(await this.gpu.read(output, 4 * chunk.count));
        });
        losses.set(values, chunk.first);
      }
      return { losses };
    });
  }

  async scan(job: ScanJob): Promise<ScanOutput> {
    validateScanJob(job);
    const model = packModel(job.model);
    const P = packPreconditioner(job.P);
    const weighted = gateWeights(job.gates, model.n, model.d);
    const vectorGates = job.gates.kind === 'vector';
    const pipeline = await this.gpu.pipeline('scan', SCAN_WGSL);
    return usingBuffers(async (own) => {
      const shared = this.modelBuffers(model, P).map(own);
      const gateBuffer = own(this.gpu.storage('gates', weighted.gates));
      const weightBuffer = own(this.gpu.storage('ω', weighted.weights));
      const count = job.batch.count;
      const gla = new Float64Array(count);
      const wpgd = new Float64Array(count);
      const labels = new Float64Array(count);
      for (const chunk of this.chunks(count, model, 3)) {
        const values = await usingBuffers(async (ownChunk) => {
          const params = ownChunk(this.gpu.uniform(promptParams(job.batch.seed, job.batch.firstPrompt + chunk.first, chunk.count, model, vectorGates)));
          const output = ownChunk(this.gpu.output('scan outputs', 12 * chunk.count));
          await this.gpu.dispatch(pipeline, [params, ...shared, gateBuffer, weightBuffer, output], chunk.workgroups);
          return new Float32Array(await this.gpu.read(output, 12 * chunk.count));
        });
        for (let j = 0; j < chunk.count; j++) {
          gla[chunk.first + j] = values[3 * j];
          wpgd[chunk.first + j] = values[3 * j + 1];
          labels[chunk.first + j] = values[3 * j + 2];
        }
      }
      return { gla, wpgd, labels, weightsOutOfRange: weighted.outOfRange, zeroWeights: weighted.zeros };
    });
  }

  /** Buffers for bindings 1..4 of the prompt kernels: √λ, block sizes, (ρ, √(1 − ρ²)), P. */
  private modelBuffers(model: PackedModel, P: Float32Array): GPUBuffer[] {
    return [
      this.gpu.storage('√λ', model.sqrtLambda),
      this.gpu.storage('block sizes', model.blockSizes),
      this.gpu.storage('block correlations', model.blockMix),
      this.gpu.storage('P', P),
    ];
  }

  /**
   * Splits `count` prompts into dispatches whose output (`floatsPerPrompt`
   * float32 values per prompt) fits one storage binding and whose work stays
   * under the token-feature bound per dispatch.
   */
  private chunks(count: number, model: PackedModel, floatsPerPrompt: number): PromptChunk[] {
    const byBinding = Math.floor(this.limits.maxStorageBufferBindingSize / (4 * floatsPerPrompt));
    const byWork = Math.floor(this.maxTokenFeatures / ((model.n + 1) * model.d));
    const perDispatch = Math.max(1, Math.min(byBinding, byWork));
    const chunks: PromptChunk[] = [];
    for (let first = 0; first < count; first += perDispatch) {
      const size = Math.min(perDispatch, count - first);
      chunks.push({ first, count: size, workgroups: Math.ceil(size / WORKGROUP_SIZE) });
    }
    return chunks;
  }

  async philoxWords(inputs: readonly PhiloxInput[]): Promise<Uint32Array> {
    const packed = new Uint32Array(8 * inputs.length);
    inputs.forEach(({ counter, key }, i) => {
      [...counter, ...key].forEach((word, j) => {
        requireCounterWord(`Philox input ${i} word ${j}`, word);
        packed[8 * i + j] = word;
      });
    });
    const pipeline = await this.gpu.pipeline('philox words', PHILOX_WORDS_WGSL);
    return usingBuffers(async (own) => {
      const params = own(this.gpu.uniform(new Uint32Array([inputs.length, 0, 0, 0])));
      const input = own(this.gpu.storage('Philox inputs', packed));
      const output = own(this.gpu.output('Philox words', 16 * inputs.length));
      await this.gpu.dispatch(pipeline, [params, input, output], Math.ceil(inputs.length / WORKGROUP_SIZE));
      return new Uint32Array(await this.gpu.read(output, 16 * inputs.length));
    });
  }

  async boxMuller(words: Uint32Array): Promise<Float64Array> {
    if (words.length % 4 !== 0) {
      throw new InputError('words', 'is not a whole number of Philox blocks', words.length, 'pass four words per block');
    }
    const blocks = words.length / 4;
    const pipeline = await this.gpu.pipeline('box-muller', BOX_MULLER_WGSL);
    return usingBuffers(async (own) => {
      const params = own(this.gpu.uniform(new Uint32Array([blocks, 0, 0, 0])));
      const input = own(this.gpu.storage('Philox words', words));
      const output = own(this.gpu.output('normals', 16 * blocks));
      await this.gpu.dispatch(pipeline, [params, input, output], Math.ceil(blocks / WORKGROUP_SIZE));
      return Float64Array.from(new Float32Array(await this.gpu.read(output, 16 * blocks)));
    });
  }

  async sumFloat32(values: Float32Array): Promise<Float32Sums> {
    return usingBuffers(async (own) => this.sumOnDevice(own(this.gpu.storage('summands', values)), values.length));
  }

  async sumSquaredNormals(seed: number, prompt: number, stream: number, count: number): Promise<Float32Sums & { values: Float32Array }> {
    return usingBuffers(async (own) => {
      const buffer = own(await this.generateNormals(seed, prompt, stream, count, true));
      const sums = await this.sumOnDevice(buffer, count);
      const values = new Float32Array(await this.gpu.read(buffer, 4 * count));
      return { ...sums, values };
    });
  }

  private async sumOnDevice(values: GPUBuffer, length: number): Promise<Float32Sums> {
    const sequential = await this.sequentialSum(values, length);
    const pairwise = await this.treeSum(values, length);
    return { sequential, pairwise };
  }

  private async sequentialSum(values: GPUBuffer, length: number): Promise<number> {
    const pipeline = await this.gpu.pipeline('sequential sum', SEQUENTIAL_SUM_WGSL);
    return usingBuffers(async (own) => {
      const params = own(this.gpu.uniform(new Uint32Array([length, 0, 0, 0])));
      const output = own(this.gpu.output('sum', 4));
      await this.gpu.dispatch(pipeline, [params, values, output], 1);
      return new Float32Array(await this.gpu.read(output, 4))[0];
    });
  }

  /** Tree passes of TREE_WIDTH until one partial remains. */
  private async treeSum(values: GPUBuffer, length: number): Promise<number> {
    const pipeline = await this.gpu.pipeline('tree sum', TREE_SUM_WGSL);
    return usingBuffers(async (own) => {
      let input = values;
      let remaining = length;
      do {
        const groups = Math.max(1, Math.ceil(remaining / TREE_WIDTH));
        const params = own(this.gpu.uniform(new Uint32Array([remaining, 0, 0, 0])));
        const partials = own(this.gpu.output('partial sums', 4 * groups));
        await this.gpu.dispatch(pipeline, [params, input, partials], groups);
        input = partials;
        remaining = groups;
      } while (remaining > 1);
      return new Float32Array(await this.gpu.read(input, 4))[0];
    });
  }

  async dispose(): Promise<void> {
    this.gpu.destroy();
  }
}

interface PromptChunk {
  readonly first: number;
  readonly count: number;
  readonly workgroups: number;
}

/** Runs `work` and destroys every buffer it passed to `own`, also when it throws. */
async function usingBuffers<T>(work: (own: (buffer: GPUBuffer) => GPUBuffer) => Promise<T>): Promise<T> {
  const owned: GPUBuffer[] = [];
  try {
    return await work((buffer) => {
      owned.push(buffer);
      return buffer;
    });
  } finally {
    owned.forEach((buffer) => buffer.destroy());
  }
}
