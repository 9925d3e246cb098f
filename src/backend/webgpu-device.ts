import { InputError } from '../core/errors.ts';
import { WORKGROUP_SIZE } from './wgsl/grid.wgsl.ts';

/** Installation advice for a machine without a usable WebGPU adapter. */
export const WEBGPU_INSTALL_ADVICE =
  'on Debian 12 run scripts/install-webgpu-cpu.sh as root (it installs libvulkan1 and Mesa lavapipe 24 or newer ' +
  'from bookworm-backports); on a GPU machine install the vendor Vulkan driver and libvulkan1';

/**
 * No usable WebGPU adapter: the `webgpu` package (Dawn) failed to load or
 * found no Vulkan driver it accepts. The backend never falls back to the CPU.
 */
export class WebGpuUnavailableError extends InputError {
  constructor(problem: string, value: unknown) {
    super('WebGPU adapter', problem, value, WEBGPU_INSTALL_ADVICE);
    this.name = 'WebGpuUnavailableError';
  }
}

/** A device-side failure: a shader that does not compile, a validation or out-of-memory error, a lost device. */
export class WebGpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuError';
  }
}

/** The adapter's own description, for reports. */
export interface GpuAdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** True for software adapters such as lavapipe. */
  readonly isFallbackAdapter: boolean;
}

/** The device limits that size buffers and dispatches. */
export interface GpuLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxStorageBuffersPerShaderStage: number;
}

type WebGpuModule = { create(options: string[]): GPU; globals: object };

async function loadWebGpu(): Promise<WebGpuModule> {
  try {
    const module = (await import('webgpu')) as unknown as WebGpuModule;
    // Dawn's classes and usage constants (GPUBufferUsage, GPUMapMode) are
    // globals in a browser, and the package expects callers to install them.
    Object.assign(globalThis, module.globals);
    return module;
  } catch (error) {
    throw new WebGpuUnavailableError('could not be created because the webgpu package failed to load', describe(error));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function summarise(info: GPUAdapterInfo): GpuAdapterSummary {
  const extended = info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: extended.isFallbackAdapter === true,
  };
}

/** Formats the adapter for reports, e.g. "WebGPU float32 on mesa software: llvmpipe …". */
export function describeAdapter(adapter: GpuAdapterSummary): string {
  const kind = [adapter.vendor, adapter.architecture].filter((part) => part !== '').join(' ') || 'unknown vendor';
  const name = adapter.description !== '' ? adapter.description : adapter.device;
  const fallback = adapter.isFallbackAdapter ? ', software fallback' : '';
  return `WebGPU float32 on ${kind}: ${name}${fallback}`;
}

/**
 * Splits a dispatch of `workgroups` workgroups into a 2-D grid (x, y) with
 * x, y ≤ maxPerDimension and x·y ≥ workgroups. Kernels number invocations
 * with gid.x + gid.y·x·WORKGROUP_SIZE and skip those past the batch.
 */
export function dispatchGrid(workgroups: number, maxPerDimension: number): [number, number] {
  if (workgroups <= maxPerDimension) return [Math.max(workgroups, 1), 1];
  const y = Math.ceil(workgroups / maxPerDimension);
  if (y > maxPerDimension) {
    throw new InputError(
      'dispatch',
      `needs ${workgroups} workgroups, more than a ${maxPerDimension}×${maxPerDimension} grid holds`,
      workgroups,
      'split the batch into smaller dispatches',
    );
  }
  return [Math.ceil(workgroups / y), y];
}

/** Rounds a byte count up to a multiple of 16, and at least 16, as buffer bindings need. */
function paddedSize(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

/**
 * An acquired WebGPU device with helpers for compute work: compiled
 * pipelines by name, input and output buffers, checked dispatches and
 * read-back. Every device error surfaces as a WebGpuError on the call that
 * caused it, through error scopes.
 */
export class GpuDevice {
  readonly adapter: GpuAdapterSummary;
  readonly limits: GpuLimits;
  readonly description: string;
  private readonly device: GPUDevice;
  /**
   * The Dawn instance, held for the device's lifetime: once it is
   * garbage-collected, asynchronous calls such as createComputePipelineAsync
   * never resolve or abort the process (seen with webgpu 0.6.2 on lavapipe).
   */
  private readonly gpu: GPU;
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  private lostReason: string | undefined;
  /** The last checked device call, which the next one waits for. */
  private previous: Promise<unknown> = Promise.resolve();

  private constructor(gpu: GPU, device: GPUDevice, adapter: GpuAdapterSummary) {
    this.gpu = gpu;
    this.device = device;
    this.adapter = adapter;
    this.limits = {
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: device.limits.maxStorageBuffersPerShaderStage,
    };
    this.description = describeAdapter(adapter);
    void device.lost.then((info) => {
      this.lostReason = `${info.reason}: ${info.message}`;
    });
  }

  /**
   * Acquires the default adapter and a device with the adapter's largest
   * buffer limits. Throws WebGpuUnavailableError with installation advice
   * when the package does not load or no adapter exists.
   */
  static async acquire(): Promise<GpuDevice> {
    const webgpu = await loadWebGpu();
    let gpu: GPU;
    try {
      gpu = webgpu.create([]);
    } catch (error) {
      throw new WebGpuUnavailableError('could not be created because Dawn failed to start', describe(error));
    }
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter === null) {
      throw new WebGpuUnavailableError('was not found', 'requestAdapter() returned null, so no Vulkan driver is usable');
    }
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
    return new GpuDevice(gpu, device, summarise(adapter.info));
  }

  /** Compiles `code` once per name; compilation errors carry the WGSL messages. */
  async pipeline(name: string, code: string): Promise<GPUComputePipeline> {
    let pipeline = this.pipelines.get(name);
    if (pipeline === undefined) {
      pipeline = this.compile(name, code);
      this.pipelines.set(name, pipeline);
    }
    return pipeline;
  }

  private async compile(name: string, code: string): Promise<GPUComputePipeline> {
    this.requireAlive();
    const module = this.device.createShaderModule({ label: name, code });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((message) => message.type === 'error');
    if (errors.length > 0) {
      const lines = errors.map((message) => `line ${message.lineNum}:${message.linePos} ${message.message}`);
      throw new WebGpuError(`WGSL kernel ${name} failed to compile:\n${lines.join('\n')}`);
    }
    try {
      return await this.device.createComputePipelineAsync({ label: name, layout: 'auto', compute: { module, entryPoint: 'main' } });
    } catch (error) {
      throw new WebGpuError(`compute pipeline ${name} could not be created: ${describe(error)}`);
    }
  }

  /** Creates a uniform buffer that contains `data`. */
  uniform(data: ArrayBufferView): GPUBuffer {
    return this.buffer(data, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  }

  /** Creates a read-only storage buffer that contains `data`, checked against the binding limit. */
  storage(label: string, data: ArrayBufferView): GPUBuffer {
    this.requireBindable(label, data.byteLength, 'use a shorter prompt or fewer features');
    return this.buffer(data, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
  }

  /** Creates a zeroed storage buffer of `bytes` bytes that kernels write and the host reads back. */
  output(label: string, bytes: number): GPUBuffer {
    this.requireBindable(label, bytes, 'split the batch into smaller ones');
    this.requireAlive();
    return this.device.createBuffer({
      label,
      size: paddedSize(bytes),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }

  private buffer(data: ArrayBufferView, usage: number): GPUBuffer {
    this.requireAlive();
    const buffer = this.device.createBuffer({ size: paddedSize(data.byteLength), usage, mappedAtCreation: true });
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buffer.unmap();
    return buffer;
  }

  /** Throws unless a binding of `bytes` bytes fits the device's limits; `fix` is the advice in the error. */
  requireBindable(label: string, bytes: number, fix: string): void {
    const limit = Math.min(this.limits.maxStorageBufferBindingSize, this.limits.maxBufferSize);
    if (bytes > limit) {
      throw new InputError(
        label,
        `needs a ${bytes}-byte buffer, more than the device's ${limit}-byte storage binding limit`,
        bytes,
        `${fix}, or use a device with larger limits`,
      );
    }
  }

  /**
   * Runs `pipeline` over `workgroups` workgroups, binding `buffers` to
   * @binding(0), (1), … of group 0, and waits for the queue. Device errors
   * raised by the dispatch are thrown as WebGpuError.
   */
  async dispatch(pipeline: GPUComputePipeline, buffers: readonly GPUBuffer[], workgroups: number): Promise<void> {
    this.requireAlive();
    const [x, y] = dispatchGrid(workgroups, this.limits.maxComputeWorkgroupsPerDimension);
    await this.checked(pipeline.label, async () => {
      const bindGroup = this.device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const encoder = this.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(x, y);
      pass.end();
      this.device.queue.submit([encoder.finish()]);
      await this.device.queue.onSubmittedWorkDone();
    });
  }

  /** Copies the first `bytes` bytes of `buffer` to the host. */
  async read(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    this.requireAlive();
    const staging = this.device.createBuffer({ size: paddedSize(bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      await this.checked('read-back', async () => {
        const encoder = this.device.createCommandEncoder();
        encoder.copyBufferToBuffer(buffer, 0, staging, 0, paddedSize(bytes));
        this.device.queue.submit([encoder.finish()]);
        await staging.mapAsync(GPUMapMode.READ);
      });
      const copy = staging.getMappedRange(0, paddedSize(bytes)).slice(0, bytes);
      staging.unmap();
      return copy;
    } finally {
      staging.destroy();
    }
  }

  /**
   * Runs `work` inside error scopes, one call at a time: scopes form a stack
   * per device, so interleaved calls would catch each other's errors.
   */
  private checked(label: string, work: () => Promise<void>): Promise<void> {
    const run = this.previous.then(() => this.runInErrorScopes(label, work));
    this.previous = run.catch(() => undefined);
    return run;
  }

  private async runInErrorScopes(label: string, work: () => Promise<void>): Promise<void> {
    this.device.pushErrorScope('internal');
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    let thrown: unknown;
    try {
      await work();
    } catch (error) {
      thrown = error;
    }
    const errors = [await this.device.popErrorScope(), await this.device.popErrorScope(), await this.device.popErrorScope()];
    const first = errors.find((error) => error !== null);
    if (first) throw new WebGpuError(`${label} failed on the device: ${first.message}`);
    if (thrown !== undefined) throw new WebGpuError(`${label} failed on the device: ${describe(thrown)}`);
    this.requireAlive();
  }

  private requireAlive(): void {
    if (this.lostReason !== undefined) throw new WebGpuError(`the WebGPU device was lost (${this.lostReason})`);
  }

  /** Destroys the device; later calls throw. */
  destroy(): void {
    this.device.destroy();
    this.lostReason ??= 'destroyed';
  }
}

export { WORKGROUP_SIZE };
