import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { prepareModel, PromptSampler, riskKernel, scanKernel, scanWeights, type PreparedModel } from '../src/backend/cpu-kernels.ts';
import { NormalGenerator, philoxKey } from '../src/backend/philox.ts';
import type { GateSequence } from '../src/backend/types.ts';
import type { WebGpuBackend } from '../src/backend/webgpu.ts';
import { accumulationAccesses, chunkExamples, kernelCounts, philoxBlocksPerPrompt } from '../src/bench/backend-counts.ts';
import { benchModel, exampleCount, BENCH_KERNELS, type BenchSize } from '../src/bench/backend-jobs.ts';
import { accumulateRiskChunk, accumulateScanChunk, innerLoopMultiplyAdds } from '../src/bench/backend-loops.ts';
import { dataCaches, parseBusyCpuSeconds, parseCacheSize } from '../src/bench/backend-machine.ts';
import { renderBackendThroughput } from '../src/bench/backend-page.ts';
import { measureMultiplyAddPeak, multiplyAddSweeps, type RateMeasurement } from '../src/bench/backend-peak.ts';
import {
  backendThroughputSection,
  isSoftwareAdapter,
  QUICK_PLAN,
  type BackendBenchResults,
  type ThroughputRow,
  type WebGpuCell,
} from '../src/bench/backend-throughput.ts';
import { MAX_PROMPTS, nextPilotPrompts, plannedPrompts, timeKernel, type KernelTiming } from '../src/bench/backend-timing.ts';
import { Random } from '../src/data/random.ts';

const execute = promisify(execFile);
const silent = () => {};

/** Awkward shapes: d = 3 with one partial chunk, d = 64 with several chunks and a partial last one, d = 5 with n = 1. */
const SHAPES: readonly BenchSize[] = [
  { d: 3, blockSizes: [5, 2], role: 'odd d' },
  { d: 64, blockSizes: [20, 30], role: 'several chunks' },
  { d: 5, blockSizes: [1], role: 'n = 1' },
];

function prepared(size: BenchSize): PreparedModel {
  return prepareModel(benchModel(size), false);
}

/** xᵀ P v in the operation order of the kernels. */
function bilinear(x: Float64Array, P: Float64Array, v: Float64Array, d: number): number {
  let total = 0;
  for (let a = 0; a < d; a++) {
    let row = 0;
    for (let b = 0; b < d; b++) row += P[a * d + b] * v[b];
    total += x[a] * row;
  }
  return total;
}

function randomArray(random: Random, length: number, low: number, high: number): Float64Array {
  return Float64Array.from({ length }, () => low + (high - low) * random.uniform());
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('kernel counts', () => {
  it.each(SHAPES)('Philox blocks match the kernel at d = $d', (size) => {
    const model = prepared(size);
    const job = { model, key: philoxKey(9), P: new Float64Array(size.d * size.d), omega: new Float64Array(model.n) };
    const blocks = vi.spyOn(NormalGenerator.prototype, 'blockInto');
    riskKernel(job, 0, 1);
    expect(blocks).toHaveBeenCalledTimes(philoxBlocksPerPrompt(size));
  });

  it.each(SHAPES)('normals match the kernel at d = $d', (size) => {
    const model = prepared(size);
    const job = { model, key: philoxKey(9), P: new Float64Array(size.d * size.d), omega: new Float64Array(model.n) };
    const fill = vi.spyOn(NormalGenerator.prototype, 'fill');
    riskKernel(job, 0, 1);
    const drawn = fill.mock.calls.reduce((sum, call) => sum + call[3], 0);
    expect(drawn).toBe(kernelCounts('risk', size).normals);
  });

  it('chunk size comes from PromptSampler', () => {
    for (const size of SHAPES) expect(chunkExamples(size)).toBe(new PromptSampler(prepared(size), philoxKey(0)).chunkExamples);
  });

  it('Philox and Box–Muller counts follow the blocks', () => {
    const size = SHAPES[1];
    const counts = kernelCounts('scan-vector', size);
    expect(counts.philoxProducts).toBe(20 * counts.philoxBlocks);
    expect(counts.philoxXors).toBe(40 * counts.philoxBlocks);
    expect(counts.transcendentals).toBe(8 * counts.philoxBlocks);
  });

  it('inner-loop multiply-adds agree with the counts', () => {
    for (const kernel of BENCH_KERNELS) {
      for (const size of SHAPES) expect(kernelCounts(kernel, size).multiplyAdds.accumulation).toBe(innerLoopMultiplyAdds(kernel, size));
    }
  });

  it('work per prompt grows with d and n', () => {
    const small = kernelCounts('risk', { d: 4, blockSizes: [8], role: '' });
    const large = kernelCounts('risk', { d: 8, blockSizes: [16], role: '' });
    expect(large.multiplyAdds.total).toBeGreaterThan(small.multiplyAdds.total);
    expect(large.loopBytes).toBeGreaterThan(small.loopBytes);
  });

  it('vector working set adds gates and prompt', () => {
    // d weights and gates per token, and a second prompt's scratch.
    const size = SHAPES[1];
    const n = exampleCount(size);
    const { d } = size;
    const K = size.blockSizes.length;
    const chunk = chunkExamples(size);
    const secondPrompt = chunk * d + chunk + (n + 1) + (d + K * d) + K * d + 3 * d;
    const extra = kernelCounts('scan-vector', size).workingSetBytes - kernelCounts('scan-scalar', size).workingSetBytes;
    expect(extra).toBe(8 * ((d - 1) * (2 * n + 1) + secondPrompt));
  });

  it('counts inner-loop accesses by hand', () => {
    // d = 16, n = 256, chunks of 64: 4 chunks.
    expect(accumulationAccesses('risk', 16, 256, 64)).toBe(256 * 2 * 10 + 4 * 2 * 16);
    expect(accumulationAccesses('scan-scalar', 16, 256, 64)).toBe(256 * 4 * 7 + 4 * 4 * 16);
    expect(accumulationAccesses('scan-vector', 16, 256, 64)).toBe(256 * 8 * 5 + 4 * 4 * 16);
    // Leftover columns and the plain loop below d = 8.
    expect(accumulationAccesses('risk', 9, 10, 4)).toBe(10 * (10 + 3) + 3 * 2 * 9);
    expect(accumulationAccesses('risk', 3, 10, 4)).toBe(10 * (2 + 9));
    expect(accumulationAccesses('scan-scalar', 5, 10, 4)).toBe(10 * (7 + 4) + 3 * 4 * 5);
    expect(accumulationAccesses('scan-vector', 5, 10, 4)).toBe(10 * (2 * 5 + 4) + 3 * 4 * 5);
  });
});

describe('inner loops against the kernels', () => {
  it.each(SHAPES)('RISK loop reproduces riskKernel at d = $d', (size) => {
    const random = new Random(11);
    const model = prepared(size);
    const { d, n } = model;
    const P = randomArray(random, d * d, -1, 1);
    const omega = randomArray(random, n, -0.5, 1);
    const key = philoxKey(123);
    const expected = riskKernel({ model, key, P, omega }, 3, 4);

    const sampler = new PromptSampler(model, key);
    for (let index = 0; index < 4; index++) {
      const p = 3 + index;
      sampler.begin(p);
      const g = new Float64Array(d);
      for (let start = 0; start < n; start += sampler.chunkExamples) {
        const size = Math.min(sampler.chunkExamples, n - start);
        sampler.examples(p, start, size);
        accumulateRiskChunk(g, omega, sampler.labels, sampler.features, start, size, d);
      }
      const residual = sampler.queryLabel - bilinear(sampler.x, P, g, d);
      expect(Object.is(residual * residual, expected[index])).toBe(true);
    }
  });

  it.each(
    SHAPES.flatMap((size) => (['scalar', 'vector'] as const).map((kind) => ({ size, kind, d: size.d }))),
  )('scan loop reproduces scanKernel, $kind gates, d = $d', ({ size, kind }) => {
    const random = new Random(17);
    const model = prepared(size);
    const { d, n } = model;
    const width = kind === 'scalar' ? 1 : d;
    const values = randomArray(random, (n + 1) * width, 0.9, 1);
    // An exact zero gate makes every earlier weight exactly 0.
    if (n >= 2) values[Math.floor(n / 2) * width] = 0;
    const gates: GateSequence = { kind, values };
    const { omega } = scanWeights(gates, n, d, false);
    const P = randomArray(random, d * d, -1, 1);
    const key = philoxKey(77);
    const expected = scanKernel({ model, key, P, kind, gates: values, omega }, 0, 3);

    const sampler = new PromptSampler(model, key);
    for (let p = 0; p < 3; p++) {
      sampler.begin(p);
      const s = new Float64Array(d);
      const g = new Float64Array(d);
      for (let start = 0; start < n; start += sampler.chunkExamples) {
        const chunk = Math.min(sampler.chunkExamples, n - start);
        sampler.examples(p, start, chunk);
        accumulateScanChunk(kind === 'vector', s, g, values, omega, sampler.labels, sampler.features, start, chunk, d);
      }
      for (let c = 0; c < d; c++) s[c] *= kind === 'vector' ? values[n * d + c] : values[n];
      expect(Object.is(bilinear(sampler.x, P, s, d), expected.gla[p])).toBe(true);
      expect(Object.is(bilinear(sampler.x, P, g, d), expected.wpgd[p])).toBe(true);
    }
  });
});

describe('multiply-add peak', () => {
  it('sweeps sum a·x over every sweep', () => {
    const x = Float64Array.from({ length: 16 }, (_, i) => i + 1);
    expect(multiplyAddSweeps(x, 2, 3)).toBe(3 * 2 * 136);
  });

  it('reports the best of its runs', () => {
    const peak = measureMultiplyAddPeak(0.005, 3);
    expect(peak.rates).toHaveLength(3);
    expect(peak.best).toBe(Math.max(...peak.rates));
    expect(peak.best).toBeGreaterThan(0);
    expect(peak.longestRepeatSeconds).toBeGreaterThanOrEqual(0.005);
  });
});

describe('prompt-count calibration', () => {
  const plan = { pilotSeconds: 0.3, targetSeconds: 4, limitSeconds: 60 };

  it('scales the pilot to the target time', () => {
    expect(plannedPrompts(100, 0.5, plan)).toBe(800);
  });

  it('keeps the run within 80% of the limit', () => {
    expect(plannedPrompts(100, 0.5, { ...plan, limitSeconds: 2 })).toBe(320);
  });

  it('stays between 1 and MAX_PROMPTS', () => {
    expect(plannedPrompts(1, 100, plan)).toBe(1);
    expect(plannedPrompts(1000, 1e-9, plan)).toBe(MAX_PROMPTS);
  });

  it('grows pilots by 2× to 16×', () => {
    expect(nextPilotPrompts(10, 0.29, plan)).toBe(20);
    expect(nextPilotPrompts(10, 0.03, plan)).toBe(100);
    expect(nextPilotPrompts(10, 0, plan)).toBe(160);
  });

  it('times a run after warm-up and pilots', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const timing = await timeKernel(
      async (prompts) => {
        await sleep(prompts * 0.5);
        return new Float64Array(prompts).fill(prompts);
      },
      10,
      { pilotSeconds: 0.02, targetSeconds: 0.06, limitSeconds: 5 },
    );
    expect(timing.kind).toBe('measured');
    if (timing.kind !== 'measured') return;
    expect(timing.pilotRuns).toBeGreaterThanOrEqual(2);
    expect(timing.output).toHaveLength(timing.prompts);
    expect(timing.tokensPerSecond).toBeCloseTo((timing.prompts * 10) / timing.seconds, 6);
    expect(timing.seconds).toBeGreaterThan(0.02);
    expect(timing.cpuSeconds).toBeGreaterThanOrEqual(0);
  });

  it('repeats a timed run that came out short', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let calls = 0;
    // Slow pilots, then a fast machine: the first timed run takes a tenth of the target.
    const timing = await timeKernel(
      async (prompts) => {
        calls += 1;
        await sleep(calls <= 3 ? prompts * 2 : prompts * 0.2);
        return new Float64Array(prompts);
      },
      10,
      { pilotSeconds: 0.02, targetSeconds: 0.1, limitSeconds: 5 },
    );
    expect(timing.kind).toBe('measured');
    if (timing.kind !== 'measured') return;
    expect(timing.seconds).toBeGreaterThanOrEqual(0.05);
    expect(timing.pilotRuns).toBeGreaterThanOrEqual(4);
  });

  it('reports a run past the limit as timed out', async () => {
    const timing = await timeKernel(() => new Promise<Float64Array>(() => {}), 10, { pilotSeconds: 0.01, targetSeconds: 0.02, limitSeconds: 0.05 });
    expect(timing).toEqual({ kind: 'timed-out', prompts: 1, limitSeconds: 0.05 });
  });

  it('passes kernel errors on', async () => {
    const failing = async (): Promise<Float64Array> => {
      throw new Error('kernel broke');
    };
    await expect(timeKernel(failing, 10, { pilotSeconds: 0.01, targetSeconds: 0.02, limitSeconds: 1 })).rejects.toThrow('kernel broke');
  });
});

describe('machine facts', () => {
  it('parses sysfs cache sizes', () => {
    expect(parseCacheSize('48K')).toBe(48 * 1024);
    expect(parseCacheSize('2M\n')).toBe(2 * 2 ** 20);
    expect(parseCacheSize('512')).toBe(512);
    expect(parseCacheSize('big')).toBeNull();
  });

  it('lists data caches by level', () => {
    const root = mkdtempSync(join(tmpdir(), 'caches-'));
    const entries = [
      ['index0', '1', 'Data', '48K'],
      ['index1', '1', 'Instruction', '32K'],
      ['index2', '3', 'Unified', '32M'],
      ['index3', '2', 'Unified', '2048K'],
    ];
    for (const [name, level, type, size] of entries) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, 'level'), `${level}\n`);
      writeFileSync(join(root, name, 'type'), `${type}\n`);
      writeFileSync(join(root, name, 'size'), `${size}\n`);
    }
    expect(dataCaches(root)).toEqual([
      { level: 1, type: 'Data', bytes: 48 * 1024 },
      { level: 2, type: 'Unified', bytes: 2048 * 1024 },
      { level: 3, type: 'Unified', bytes: 32 * 2 ** 20 },
    ]);
    expect(dataCaches(join(root, 'missing'))).toEqual([]);
  });

  it('reads busy seconds from /proc/stat', () => {
    const stat = 'cpu  100 20 30 4000 50 6 7 8 0 0\ncpu0 50 10 15 2000 25 3 3 4 0 0\n';
    expect(parseBusyCpuSeconds(stat)).toBeCloseTo((100 + 20 + 30 + 6 + 7 + 8) / 100, 12);
    expect(parseBusyCpuSeconds('intr 1 2 3')).toBeNull();
  });

  it('recognises software adapters', () => {
    const llvmpipe = { vendor: 'mesa', architecture: 'software', device: 'llvmpipe', description: 'llvmpipe: Mesa 25', isFallbackAdapter: false };
    const hardware = { vendor: 'nvidia', architecture: 'hopper', device: 'H200', description: 'NVIDIA H200', isFallbackAdapter: false };
    expect(isSoftwareAdapter(llvmpipe)).toBe(true);
    expect(isSoftwareAdapter(hardware)).toBe(false);
    expect(isSoftwareAdapter({ ...hardware, isFallbackAdapter: true })).toBe(true);
  });
});

/** Returns a measured timing of `tokensPerSecond` for prompts of n examples that kept `busy` cores busy, and other processes `othersBusy`. */
function measured(tokensPerSecond: number, n: number, busy = 1, othersBusy: number | null = 0): Extract<KernelTiming, { kind: 'measured' }> {
  const prompts = 1000;
  const seconds = (prompts * n) / tokensPerSecond;
  const otherCpuSeconds = othersBusy === null ? null : othersBusy * seconds;
  return { kind: 'measured', prompts, seconds, tokensPerSecond, cpuSeconds: busy * seconds, otherCpuSeconds, pilotRuns: 3, pilotSeconds: 0.5, output: new Float64Array(prompts).fill(1) };
}

function rate(best: number): RateMeasurement {
  return { best, rates: [best], longestRepeatSeconds: 0.4 };
}

/** Returns results with one RISK row: inner loop at `loopShare` of a 2 GFMA/s peak and all cores at `speedup`. */
function syntheticResults(
  loopShare: number,
  speedup: number,
  workers = 2,
  webgpu: WebGpuCell = { kind: 'skipped', reason: 'no WebGPU adapter' },
  othersBusy: number | null = 0,
): BackendBenchResults {
  const size: BenchSize = { d: 16, blockSizes: [64, 64, 128], role: 'standard' };
  const n = exampleCount(size);
  const row: ThroughputRow = {
    kernel: 'risk',
    size,
    oneCore: measured(1e6, n),
    allCores: measured(speedup * 1e6, n, Math.min(speedup, workers), othersBusy),
    sameOutputs: true,
    webgpu,
  };
  return {
    plan: { ...QUICK_PLAN, sizes: [size], kernels: ['risk'] },
    quick: false,
    maxSeconds: 60,
    workers,
    loadAverage: { start: 0.5, end: 0.7 },
    caches: [],
    peak: rate(2e9),
    rows: [row],
    sampling: [{ size, prompts: 100, seconds: 1, tokensPerSecond: 1.02e6 }],
    innerLoops: [{ kernel: 'risk', size, rate: rate(loopShare * 2e9) }],
    webgpu: webgpu.kind === 'skipped' ? { kind: 'unavailable', reason: 'no adapter in this test' } : { kind: 'available', description: 'WebGPU float32 on mesa software: llvmpipe', software: true },
  };
}

describe('backend page', () => {
  it('says plainly when both targets are missed', () => {
    const page = renderBackendThroughput(syntheticResults(0.23, 1.4));
    expect(page).toContain('| RISK (Backend.risk) | d = 16, n = 256, blocks [64, 64, 128] | 16 | 0.46 GFMA/s | 23% | **no** |');
    expect(page).toContain('**Not met**: the inner loops reach 23% to 23% of the peak, below the 50% asked, in all 1 cases.');
    expect(page).toContain('| 1.00 M | 1.40 M | 1.40× | 1.40 | 0.00 | **no** |');
    expect(page).toContain('**Not met**: of 1 case, **not met** in 1 (speedups 1.40× to 1.40×, 1.70× asked).');
    expect(page).toContain('the process kept 1.40 to 1.40 of 2 cores busy and other processes 0.00 to 0.00 cores.');
    expect(page).toContain('The machine had idle cores in all of them, so the workers themselves left cores unused.');
  });

  it('blames a missed scaling target on contention', () => {
    const page = renderBackendThroughput(syntheticResults(0.6, 1, 2, undefined, 1));
    expect(page).toContain('| 1.00× | 1.00 | 1.00 | no verdict: saturated |');
    expect(page).toContain('**No verdict**: of 1 case, no verdict in 1, where other processes saturated the machine');
    expect(page).toContain('The machine was saturated in all of them, so they measure contention with other processes');
  });

  it('leaves contention open without /proc/stat', () => {
    const page = renderBackendThroughput(syntheticResults(0.6, 1, 2, undefined, null));
    expect(page).toContain('the CPU time of other processes is unknown here.');
  });

  it('says when both targets are met', () => {
    const page = renderBackendThroughput(syntheticResults(0.6, 1.9));
    expect(page).toContain('**Met** in all 1 cases: the inner loops reach 60% to 60% of the peak.');
    expect(page).toContain('**Met** in all 1 cases (speedups 1.90× to 1.90×, 1.70× asked).');
  });

  it('scales the scaling target with the core count', () => {
    expect(renderBackendThroughput(syntheticResults(0.6, 3.5, 4))).toContain('This machine has 4 cores, so 3.40× is asked.');
    expect(renderBackendThroughput(syntheticResults(0.6, 1, 1))).toContain('Not applicable: this machine has one core');
  });

  it('names the missing WebGPU adapter', () => {
    const page = renderBackendThroughput(syntheticResults(0.6, 1.9));
    expect(page).toContain('WebGPU was not measured: no adapter in this test');
    expect(page).toContain('| RISK (Backend.risk) | d = 16, n = 256, blocks [64, 64, 128] | WebGPU | not measured |  |  |  |  |  |');
  });

  it('gives a software adapter no verdict and flags disagreement', () => {
    const n = 256;
    const cell: WebGpuCell = { ...measured(3e6, n), agreement: { prompts: 1000, webgpuMean: 1.01, cpuMean: 1 } };
    const page = renderBackendThroughput(syntheticResults(0.6, 1.9, 2, cell));
    expect(page).toContain('only correctness counts there');
    expect(page).toContain('| 3.00 M | 3.00× | 1.00 | 0.00 |');
    expect(page).toContain('1.0e-2 **disagree**');
  });

  it('reports bitwise differences between worker counts', () => {
    const results = syntheticResults(0.6, 1.9);
    const page = renderBackendThroughput({ ...results, rows: [{ ...results.rows[0], sameOutputs: false }] });
    expect(page).toContain('**The all-core outputs differ from the one-core outputs**');
  });
});

describe('backend-throughput section', () => {
  it('measures the CPU when WebGPU fails to open', async () => {
    const started = performance.now();
    const section = backendThroughputSection({
      openWebGpu: async (): Promise<WebGpuBackend> => {
        throw new Error('WebGPU adapter was not found (test)');
      },
    });
    const page = await section.run({ quick: true, maxSeconds: 60, log: silent });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(page).toContain('WebGPU was not measured: WebGPU adapter was not found (test)');
    expect(page).toContain('| RISK (Backend.risk) | d = 4, n = 32, blocks [8, 8, 16] | CPU 1 core |');
    expect(page).toContain(`| GLA scan, vector gates (Backend.scan) | d = 8, n = 64, blocks [16, 16, 32] | CPU ${availableParallelism()} workers |`);
    expect(page).toMatch(/One core's float64 multiply-add peak: \d+\.\d\d GFMA\/s/);
    expect(page).toContain('**1. The CPU kernel');
    expect(page).toContain('**2. The CPU backend with one worker per core');
    // A quick run is too short for verdicts.
    expect(page).toContain('No verdict: a quick run times each kernel');
    expect(page).toContain('bit for bit on the prompts both ran');
  }, 30_000);

  it('runs from npm run bench with --quick', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-backend-')), 'BENCHMARKS.md');
    await execute('node', ['--import', 'tsx', 'src/bench/main.ts', '--quick', '--section', 'backend-throughput', '--out', out]);
    const page = readFileSync(out, 'utf8');
    expect(page).toContain('## Numeric backends: throughput and roofline');
    expect(page).toContain('Quick run');
    expect(page).toMatch(/Adapter: .+\.|WebGPU was not measured: /);
  }, 60_000);
});
