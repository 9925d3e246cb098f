import { availableParallelism, loadavg } from 'node:os';
import { createCpuBackend } from '../backend/cpu.ts';
import type { Backend } from '../backend/types.ts';
import type { WebGpuBackend } from '../backend/webgpu.ts';
import { exampleCount, kernelLabel, runKernel, sizeLabel, BENCH_KERNELS, type BenchKernel, type BenchSize } from './backend-jobs.ts';
import { measureInnerLoop, measureSampling } from './backend-loops.ts';
import { dataCaches, type CpuCache } from './backend-machine.ts';
import { renderBackendThroughput } from './backend-page.ts';
import { measureMultiplyAddPeak, type RateMeasurement } from './backend-peak.ts';
import { timeKernel, withinLimit, type KernelTiming, type TimingPlan } from './backend-timing.ts';
import type { BenchContext, BenchSection } from './section.ts';

/** Sizes, kernels and time budgets of one run of the section. */
export interface BackendBenchPlan {
  readonly sizes: readonly BenchSize[];
  readonly kernels: readonly BenchKernel[];
  /** Pilot and target seconds of every CPU measurement (one core and all cores alike). */
  readonly cpu: { readonly pilotSeconds: number; readonly targetSeconds: number };
  readonly webgpu: { readonly pilotSeconds: number; readonly targetSeconds: number };
  /** Runs and minimum seconds per run of the multiply-add peak and of each inner loop. */
  readonly repeats: number;
  readonly repeatSeconds: number;
  /** Intended seconds of the sampling-alone measurement per size. */
  readonly samplingSeconds: number;
}

/**
 * The full plan. d = 16 with blocks [64, 64, 128] is the RISK check's size at
 * standard effort; d = 64, n = 1024 is a larger prompt. The 4 s target keeps
 * each CPU measurement between about 2 and 10 s on the machines this runs on.
 */
export const FULL_PLAN: BackendBenchPlan = {
  sizes: [
    { d: 16, blockSizes: [64, 64, 128], role: 'the RISK check at standard effort' },
    { d: 64, blockSizes: [256, 256, 512], role: 'a larger prompt' },
  ],
  kernels: BENCH_KERNELS,
  cpu: { pilotSeconds: 0.3, targetSeconds: 4 },
  webgpu: { pilotSeconds: 0.3, targetSeconds: 3 },
  repeats: 5,
  repeatSeconds: 0.4,
  samplingSeconds: 2,
};

/** The plan for tests: every part of the page, at sizes and times that keep the section within a few seconds. */
export const QUICK_PLAN: BackendBenchPlan = {
  sizes: [
    { d: 4, blockSizes: [8, 8, 16], role: 'the RISK check at quick effort' },
    { d: 8, blockSizes: [16, 16, 32], role: 'a larger prompt' },
  ],
  kernels: BENCH_KERNELS,
  cpu: { pilotSeconds: 0.01, targetSeconds: 0.05 },
  webgpu: { pilotSeconds: 0.01, targetSeconds: 0.05 },
  repeats: 3,
  repeatSeconds: 0.02,
  samplingSeconds: 0.05,
};

/** A WebGPU measurement of one row, or why there is none. */
export type WebGpuCell =
  | (Extract<KernelTiming, { kind: 'measured' }> & {
      /** Mean of the per-prompt values over the prompts that WebGPU and CPU 1 core both ran. */
      readonly agreement: { readonly prompts: number; readonly webgpuMean: number; readonly cpuMean: number };
    })
  | Extract<KernelTiming, { kind: 'timed-out' }>
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'skipped'; readonly reason: string };

export interface ThroughputRow {
  readonly kernel: BenchKernel;
  readonly size: BenchSize;
  readonly oneCore: KernelTiming;
  readonly allCores: KernelTiming;
  /** Whether the all-core outputs equal the one-core outputs bit for bit on the common prompts; null when either timed out. */
  readonly sameOutputs: boolean | null;
  readonly webgpu: WebGpuCell;
}

export type WebGpuStatus =
  | { readonly kind: 'available'; readonly description: string; readonly software: boolean }
  | { readonly kind: 'unavailable'; readonly reason: string };

export interface SamplingRow {
  readonly size: BenchSize;
  readonly prompts: number;
  readonly seconds: number;
  readonly tokensPerSecond: number;
}

export interface InnerLoopRow {
  readonly kernel: BenchKernel;
  readonly size: BenchSize;
  /** Multiply-adds per second. */
  readonly rate: RateMeasurement;
}

export interface BackendBenchResults {
  readonly plan: BackendBenchPlan;
  readonly quick: boolean;
  readonly maxSeconds: number;
  /** Workers of "CPU all cores": os.availableParallelism(). */
  readonly workers: number;
  /** 1-minute load average when the section started and when its measurements ended. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly caches: readonly CpuCache[];
  /** One core's multiply-adds per second. */
  readonly peak: RateMeasurement;
  readonly rows: readonly ThroughputRow[];
  readonly sampling: readonly SamplingRow[];
  readonly innerLoops: readonly InnerLoopRow[];
  readonly webgpu: WebGpuStatus;
}

/** Function that opens the WebGPU backend. The tests pass one that fails. */
export type WebGpuOpener = () => Promise<WebGpuBackend>;

async function openDefaultWebGpu(): Promise<WebGpuBackend> {
  // Imported on demand, so a webgpu package that fails to load ends the WebGPU part of the page, not the bench.
  const { createWebGpuBackend } = await import('../backend/webgpu.ts');
  return createWebGpuBackend();
}

/** Returns true for adapters that run shaders on the CPU: Mesa's llvmpipe/lavapipe, SwiftShader, or any fallback adapter. */
export function isSoftwareAdapter(adapter: WebGpuBackend['adapter']): boolean {
  const text = [adapter.vendor, adapter.architecture, adapter.device, adapter.description].join(' ');
  return adapter.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader|software/i.test(text);
}

export interface BackendThroughputOptions {
  readonly plan?: BackendBenchPlan;
  readonly openWebGpu?: WebGpuOpener;
}

/**
 * Builds the benchmark section of the numeric backends: throughput of the
 * RISK kernel and the GLA scan on CPU 1 core, CPU all cores and WebGPU, the
 * roofline, and the two CPU targets. A WebGPU backend that fails to open or
 * to run is reported on the page. A failing CPU kernel stops the bench.
 */
export function backendThroughputSection(options: BackendThroughputOptions = {}): BenchSection {
  return {
    name: 'backend-throughput',
    title: 'Numeric backends: throughput and roofline',
    async run(context) {
      const plan = options.plan ?? (context.quick ? QUICK_PLAN : FULL_PLAN);
      const results = await measureBackends(plan, context, options.openWebGpu ?? openDefaultWebGpu);
      return renderBackendThroughput(results);
    },
  };
}

async function measureBackends(plan: BackendBenchPlan, context: BenchContext, openWebGpu: WebGpuOpener): Promise<BackendBenchResults> {
  const loadAtStart = loadavg()[0];
  const workers = availableParallelism();

  const peak = measureMultiplyAddPeak(plan.repeatSeconds, plan.repeats);
  context.log(`backend: one core's multiply-add peak ${(peak.best / 1e9).toFixed(2)} GFMA/s`);

  const cpuRows = await measureCpu(plan, context, workers);
  const sampling = plan.sizes.map((size) => measureSamplingRow(size, cpuRows, plan, context));
  const innerLoops = plan.sizes.flatMap((size) =>
    plan.kernels.map((kernel) => {
      const rate = measureInnerLoop(kernel, size, plan.repeatSeconds, plan.repeats);
      context.log(`backend: ${kernel} inner loop, ${sizeLabel(size)}: ${(rate.best / 1e9).toFixed(2)} GFMA/s`);
      return { kernel, size, rate };
    }),
  );
  const { status, cells } = await measureWebGpu(plan, context, openWebGpu, cpuRows);
  const rows = cpuRows.map((row, index) => ({ ...row, webgpu: cells[index] }));

  const loadAverage = { start: loadAtStart, end: loadavg()[0] };
  return { plan, quick: context.quick, maxSeconds: context.maxSeconds, workers, loadAverage, caches: dataCaches(), peak, rows, sampling, innerLoops, webgpu: status };
}

type CpuRow = Omit<ThroughputRow, 'webgpu'>;

async function measureCpu(plan: BackendBenchPlan, context: BenchContext, workers: number): Promise<CpuRow[]> {
  const timing: TimingPlan = { ...plan.cpu, limitSeconds: context.maxSeconds };
  const oneCore = createCpuBackend({ workers: 1 });
  const allCores = createCpuBackend({ workers });
  const rows: CpuRow[] = [];
  try {
    for (const size of plan.sizes) {
      for (const kernel of plan.kernels) {
        const n = exampleCount(size);
        const one = await timeKernel((prompts) => runKernel(oneCore, kernel, size, prompts), n, timing);
        context.log(`backend: ${kernel}, ${sizeLabel(size)}, CPU 1 core: ${describeTiming(one)}`);
        const all = await timeKernel((prompts) => runKernel(allCores, kernel, size, prompts), n, timing);
        context.log(`backend: ${kernel}, ${sizeLabel(size)}, CPU ${workers} workers: ${describeTiming(all)}`);
        rows.push({ kernel, size, oneCore: one, allCores: all, sameOutputs: sameOnCommonPrompts(one, all) });
      }
    }
  } finally {
    await allCores.dispose();
    await oneCore.dispose();
  }
  return rows;
}

function sameOnCommonPrompts(a: KernelTiming, b: KernelTiming): boolean | null {
  if (a.kind !== 'measured' || b.kind !== 'measured') return null;
  const common = Math.min(a.output.length, b.output.length);
  for (let p = 0; p < common; p++) if (!Object.is(a.output[p], b.output[p])) return false;
  return true;
}

/** Times sampling alone for about samplingSeconds, sized from the one-core RISK rate at this size. */
function measureSamplingRow(size: BenchSize, rows: readonly CpuRow[], plan: BackendBenchPlan, context: BenchContext): SamplingRow {
  const n = exampleCount(size);
  const risk = rows.find((row) => row.size === size && row.kernel === 'risk')?.oneCore;
  const seconds = Math.min(plan.samplingSeconds, 0.8 * context.maxSeconds);
  const prompts = risk?.kind === 'measured' ? Math.max(1, Math.round((risk.tokensPerSecond * seconds) / n)) : 1;
  const measured = measureSampling(size, prompts);
  context.log(`backend: sampling alone, ${sizeLabel(size)}: ${(measured.tokensPerSecond / 1e6).toFixed(3)} M tokens/s`);
  return { size, prompts, ...measured };
}

async function measureWebGpu(
  plan: BackendBenchPlan,
  context: BenchContext,
  openWebGpu: WebGpuOpener,
  cpuRows: readonly CpuRow[],
): Promise<{ status: WebGpuStatus; cells: WebGpuCell[] }> {
  let backend: WebGpuBackend;
  try {
    backend = await withinLimit(openWebGpu, context.maxSeconds);
  } catch (error) {
    const reason = messageOf(error);
    context.log(`backend: WebGPU not measured: ${reason}`);
    return { status: { kind: 'unavailable', reason }, cells: cpuRows.map(() => ({ kind: 'skipped', reason: 'no WebGPU adapter' })) };
  }

  const status: WebGpuStatus = { kind: 'available', description: backend.description, software: isSoftwareAdapter(backend.adapter) };
  context.log(`backend: WebGPU adapter: ${backend.description}`);
  const timing: TimingPlan = { ...plan.webgpu, limitSeconds: context.maxSeconds };
  const cells: WebGpuCell[] = [];
  let stopped: string | null = null;
  for (const row of cpuRows) {
    if (stopped !== null) {
      cells.push({ kind: 'skipped', reason: stopped });
      continue;
    }
    const cell = await measureWebGpuRow(backend, row, timing);
    context.log(`backend: ${row.kernel}, ${sizeLabel(row.size)}, WebGPU: ${describeCell(cell)}`);
    cells.push(cell);
    // A device that failed or hung would fail or queue every later call, so the remaining rows are skipped.
    if (cell.kind === 'failed' || cell.kind === 'timed-out') stopped = `skipped after the WebGPU ${kernelLabel(row.kernel)} run at ${sizeLabel(row.size)} ${cell.kind === 'failed' ? 'failed' : 'timed out'}`;
  }
  await disposeQuietly(backend, context);
  return { status, cells };
}

async function measureWebGpuRow(backend: Backend, row: CpuRow, timing: TimingPlan): Promise<WebGpuCell> {
  let measured: KernelTiming;
  try {
    measured = await timeKernel((prompts) => runKernel(backend, row.kernel, row.size, prompts), exampleCount(row.size), timing);
  } catch (error) {
    return { kind: 'failed', message: messageOf(error) };
  }
  if (measured.kind !== 'measured') return measured;
  const reference = row.oneCore.kind === 'measured' ? row.oneCore.output : new Float64Array(0);
  const prompts = Math.min(reference.length, measured.output.length);
  return { ...measured, agreement: { prompts, webgpuMean: meanOf(measured.output, prompts), cpuMean: meanOf(reference, prompts) } };
}

/** Releases the device. A device that hung may never settle the call, so the wait is bounded by the limit. */
async function disposeQuietly(backend: Backend, context: BenchContext): Promise<void> {
  try {
    await withinLimit(() => backend.dispose(), context.maxSeconds);
  } catch (error) {
    context.log(`backend: WebGPU device was not released: ${messageOf(error)}`);
  }
}

function meanOf(values: Float64Array, count: number): number {
  let sum = 0;
  for (let p = 0; p < count; p++) sum += values[p];
  return count === 0 ? Number.NaN : sum / count;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeTiming(timing: KernelTiming): string {
  if (timing.kind === 'timed-out') return `${timing.prompts} prompts did not finish within ${timing.limitSeconds} s`;
  return `${timing.prompts} prompts in ${timing.seconds.toFixed(2)} s, ${(timing.tokensPerSecond / 1e6).toFixed(3)} M tokens/s`;
}

function describeCell(cell: WebGpuCell): string {
  if (cell.kind === 'failed') return `failed: ${cell.message}`;
  if (cell.kind === 'skipped') return cell.reason;
  return describeTiming(cell);
}
