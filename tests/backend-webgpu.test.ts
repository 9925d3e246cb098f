import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../src/core/errors.ts';
import { Random } from '../src/data/random.ts';
import { createCpuBackend } from '../src/backend/cpu.ts';
import { FLOAT32_MIN_NORMAL as CPU_FLOAT32_MIN_NORMAL, scanWeights } from '../src/backend/cpu-kernels.ts';
import {
  FLOAT32_UNIT_ROUNDOFF as EPS,
  NORMAL_TOLERANCE,
  boundedRisk,
  boundedScan,
  deviceNormals,
  float64Normals,
  hostWeightError,
  type Bounded,
} from '../src/backend/float32-bounds.ts';
import { NormalGenerator, normalsOf, philox4x32, philoxKey, uniformFromWord } from '../src/backend/philox.ts';
import { naiveSum32, neumaierSum } from '../src/backend/summation.ts';
import type { Backend, BlockModel, GateSequence, PromptBatch, RiskJob, ScanJob } from '../src/backend/types.ts';
import { createWebGpuBackend, type WebGpuBackend } from '../src/backend/webgpu.ts';
import { WebGpuUnavailableError, dispatchGrid } from '../src/backend/webgpu-device.ts';
import { FLOAT32_MIN_NORMAL, gateWeights, packModel } from '../src/backend/webgpu-inputs.ts';
import { TREE_WIDTH } from '../src/backend/wgsl/reduce.wgsl.ts';

// The float32 tolerances these tests use, and their derivation, are in src/backend/float32-bounds.ts.

const SKIP = process.env.GLA_SKIP_WEBGPU === '1';
if (SKIP) {
  console.warn('tests/backend-webgpu.test.ts: WebGPU checks skipped because GLA_SKIP_WEBGPU=1 is set');
}

/** Both backends of a run, created once for the suite. */
let gpu: WebGpuBackend;
let cpu: Backend;

describe('WebGPU install advice', () => {
  it('names the install script and packages', () => {
    const error = new WebGpuUnavailableError('was not found', 'requestAdapter() returned null');
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('scripts/install-webgpu-cpu.sh');
    expect(error.message).toContain('libvulkan1');
    expect(error.message).toContain('bookworm-backports');
    expect(error.message).toContain('vendor Vulkan driver');
  });
});

describe('dispatch grid', () => {
  it('keeps small dispatches one-dimensional', () => {
    expect(dispatchGrid(1, 65535)).toEqual([1, 1]);
    expect(dispatchGrid(65535, 65535)).toEqual([65535, 1]);
  });

  it('covers large dispatches with a 2-D grid', () => {
    for (const workgroups of [65536, 78125, 1_000_003, 65535 * 65535]) {
      const [x, y] = dispatchGrid(workgroups, 65535);
      expect(x).toBeLessThanOrEqual(65535);
      expect(y).toBeLessThanOrEqual(65535);
      expect(x * y).toBeGreaterThanOrEqual(workgroups);
    }
  });

  it('rejects dispatches beyond the grid', () => {
    expect(() => dispatchGrid(65535 * 65535 + 1, 65535)).toThrow(/split the batch/);
  });
});

describe('WebGPU host inputs', () => {
  it('rejects d above 64', () => {
    const model = blockModel(65, [2], [0.5], 0);
    expect(() => packModel(model)).toThrow(/d ≤ 64 or the CPU backend/);
  });

  it('gate weights match CPU weights', () => {
    const random = new Random(41);
    const n = 3000;
    const d = 3;
    const values = new Float64Array((n + 1) * d);
    for (let t = 0; t <= n; t++) {
      // Coordinate 0 underflows after about 1700 factors, 1 has a zero gate, 2 is random.
      values[t * d] = 0.95;
      values[t * d + 1] = t === 1000 ? 0 : 1;
      values[t * d + 2] = 0.9 + 0.1 * random.uniform();
    }
    for (const gates of [{ kind: 'vector', values }, { kind: 'scalar', values: values.subarray(0, n + 1) }] as GateSequence[]) {
      const ours = gateWeights(gates, n, d);
      const rounded = { kind: gates.kind, values: Float64Array.from(gates.values, Math.fround) };
      const reference = scanWeights(rounded, n, d, true);
      expect(ours.zeros).toBe(reference.zeroWeights);
      expect(ours.outOfRange).toBe(reference.weightsOutOfRange);
      expect(ours.outOfRange).toBeGreaterThan(0);
      for (let j = 0; j < ours.weights.length; j++) {
        expect(Math.abs(ours.weights[j] - reference.omega[j])).toBeLessThanOrEqual(hostWeightError(n) * reference.omega[j]);
      }
    }
    expect(gateWeights({ kind: 'vector', values }, n, d).zeros).toBe(1000);
  });

  it('gate weights never hold subnormals', () => {
    const n = 1000;
    const gate = Math.fround(0.9);
    const weighted = gateWeights({ kind: 'scalar', values: new Float64Array(n + 1).fill(0.9) }, n, 1);
    // ω_i = gate^(n − i) for 0-based i, so it is below 2^−126 once (n − i)·ln(gate) < −126 ln 2.
    let expectedOutOfRange = 0;
    for (let i = 0; i < n; i++) if ((n - i) * Math.log(gate) < -126 * Math.LN2) expectedOutOfRange++;
    expect(expectedOutOfRange).toBeGreaterThan(100);
    expect(weighted.outOfRange).toBe(expectedOutOfRange);
    expect(weighted.zeros).toBe(0);
    for (const weight of weighted.weights) expect(weight === 0 || weight >= FLOAT32_MIN_NORMAL).toBe(true);
    expect(FLOAT32_MIN_NORMAL).toBe(CPU_FLOAT32_MIN_NORMAL);
  });
});

describe.skipIf(SKIP)(SKIP ? 'WebGPU backend (skipped: GLA_SKIP_WEBGPU=1)' : 'WebGPU backend on the default adapter', () => {
  // Without an adapter every test below fails with WebGpuUnavailableError and its install advice.
  let setupError: unknown;

  beforeAll(async () => {
    cpu = createCpuBackend({ workers: 1, round32: true });
    try {
      gpu = await createWebGpuBackend();
      console.info(`WebGPU adapter: ${gpu.description}`);
    } catch (error) {
      setupError = error;
    }
  });

  beforeEach(() => {
    if (setupError !== undefined) throw setupError;
  });

  afterAll(async () => {
    await gpu?.dispose();
    await cpu?.dispose();
  });

  describe('Philox4x32-10', () => {
    it('matches the Random123 known answers', async () => {
      const words = await gpu.philoxWords([
        { counter: [0, 0, 0, 0], key: [0, 0] },
        { counter: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], key: [0xffffffff, 0xffffffff] },
        { counter: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], key: [0xa4093822, 0x299f31d0] },
      ]);
      expect([...words]).toEqual([
        0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8,
        0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd,
        0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1,
      ]);
    });

    it('matches the CPU implementation on random inputs', async () => {
      const random = new Random(7);
      const word = () => random.integer(0, 0xffffffff);
      const inputs = Array.from({ length: 4096 }, () => ({
        counter: [word(), word(), word(), word()] as [number, number, number, number],
        key: [word(), word()] as [number, number],
      }));
      const words = await gpu.philoxWords(inputs);
      inputs.forEach(({ counter, key }, i) => {
        expect([...words.subarray(4 * i, 4 * i + 4)]).toEqual(philox4x32(counter, key));
      });
    });
  });

  describe('normals', () => {
    it('agree with float64 within 2^−20·r', async () => {
      let worst = 0;
      const cases = [
        { seed: 12345, prompt: 7, stream: 0, count: 1 << 18 },
        { seed: 2 ** 40 + 3, prompt: 2 ** 32 - 1, stream: 3, count: 1 << 18 },
        { seed: 0, prompt: 0, stream: 2, count: 1001 },
      ];
      for (const { seed, prompt, stream, count } of cases) {
        const z = await gpu.normals(seed, prompt, stream, count);
        // Pairs (0, 1) and (2, 3) share a radius; a trailing half pair needs its partner.
        const reference = normalsOf(seed, prompt, stream, count + 1);
        expect(z.length).toBe(count);
        for (let t = 0; t < count; t++) {
          const radius = Math.hypot(reference[t], reference[t ^ 1]);
          const ratio = Math.abs(z[t] - reference[t]) / radius;
          worst = Math.max(worst, ratio);
          if (!(ratio <= NORMAL_TOLERANCE)) {
            expect.fail(`normal t = ${t} of seed ${seed}, prompt ${prompt}, stream ${stream}: GPU ${z[t]}, float64 ${reference[t]}, |Δ|/r = ${ratio}`);
          }
        }
      }
      console.info(`normals: max |z_gpu − z|/r = ${worst.toExponential(3)} (tolerance ${NORMAL_TOLERANCE.toExponential(3)})`);
    });

    it('stay accurate at uniform map edges', async () => {
      // k = w >>> 8 at both ends of (0, 1), around the ln u branch at k = 2^23,
      // and angles around every quarter turn of t = 2u − 1.
      const edges = [0, 1, 2, 2 ** 22, 2 ** 23 - 2, 2 ** 23 - 1, 2 ** 23, 2 ** 23 + 1, 2 ** 24 - 2, 2 ** 24 - 1];
      const quarters = [0, 1, 2, 3, 4].flatMap((quarter) => [-2, -1, 0, 1].map((offset) => Math.min(2 ** 24 - 1, Math.max(0, quarter * 2 ** 22 + offset))));
      const words: number[] = [];
      for (const radiusWord of edges) {
        for (const angleWord of quarters) words.push(radiusWord * 256 + 255, angleWord * 256, angleWord * 256 + 17, radiusWord * 256);
      }
      const z = await gpu.boxMuller(Uint32Array.from(words));
      for (let block = 0; block < words.length / 4; block++) {
        for (const pair of [0, 2]) {
          const u0 = uniformFromWord(words[4 * block + pair]);
          const u1 = uniformFromWord(words[4 * block + pair + 1]);
          const radius = Math.sqrt(-2 * Math.log(u0));
          const expected = [radius * Math.cos(2 * Math.PI * u1), radius * Math.sin(2 * Math.PI * u1)];
          expected.forEach((value, lane) => {
            const deviation = Math.abs(z[4 * block + pair + lane] - value);
            if (!(deviation <= NORMAL_TOLERANCE * radius)) {
              expect.fail(`Box–Muller of words ${words[4 * block + pair]}, ${words[4 * block + pair + 1]}: GPU ${z[4 * block + pair + lane]}, float64 ${value}, |Δ|/r = ${deviation / radius}`);
            }
          });
        }
      }
    });

    it('agree with the CPU backend normals', async () => {
      const z = await gpu.normals(99, 3, 1, 4096);
      const reference = await cpu.normals(99, 3, 1, 4097);
      for (let t = 0; t < z.length; t++) {
        const radius = Math.hypot(reference[t], reference[t ^ 1]);
        expect(Math.abs(z[t] - reference[t])).toBeLessThanOrEqual((NORMAL_TOLERANCE + EPS) * radius);
      }
    });
  });

  describe('risk kernel', () => {
    it('matches the CPU reference within bound', async () => {
      const random = new Random(11);
      const model = blockModel(16, [100, 60, 96], [0.9, -0.3, 0.6], 0.25, random);
      const job = riskJob(model, { seed: 2024, firstPrompt: 5, count: 256 }, random);
      const [ours, reference] = await Promise.all([gpu.risk(job), cpu.risk(job)]);
      const bounds = promptsOf(job).map((p) => boundedRisk(job, float64Normals(job.batch.seed, p)).loss);
      compareWithReference('risk loss', ours.losses, reference.losses, bounds);
    });

    it('meets arithmetic bound on device normals', async () => {
      const random = new Random(14);
      const model = blockModel(16, [100, 60, 96], [0.9, -0.3, 0.6], 0.25, random);
      const job = riskJob(model, { seed: 2025, firstPrompt: 0, count: 16 }, random);
      const ours = await gpu.risk(job);
      const bounds = await Promise.all(promptsOf(job).map(async (p) => boundedRisk(job, await deviceNormals(gpu, model, job.batch.seed, p)).loss));
      compareWithBound('risk loss on device normals', ours.losses, bounds);
    });

    it('keeps h compensated at n = 100000', async () => {
      // As in the scan check below: x_i² β terms of one sign, where a plain float32 sum drifts.
      const n = 100_000;
      const model = blockModel(1, [n], [1], 0, new Random(15));
      const job: RiskJob = { model, batch: { seed: 10, firstPrompt: 0, count: 4 }, P: new Float64Array([1 / n]), omega: new Float64Array(n).fill(1) };
      const ours = await gpu.risk(job);
      const bounds = await Promise.all(promptsOf(job).map(async (p) => boundedRisk(job, await deviceNormals(gpu, model, job.batch.seed, p))));
      compareWithBound('compensated risk on device normals', ours.losses, bounds.map((bound) => bound.loss));
      const drift = bounds.map((bound) => Math.abs(bound.plainLoss - bound.loss.v) / bound.loss.e);
      console.info(`risk with a plain float32 sum of h: |error| / bound = ${drift.map((ratio) => ratio.toFixed(1)).join(', ')}`);
      expect(Math.max(...drift)).toBeGreaterThan(1);
    });

    it('handles d = 1, n = 1 and d = 64', async () => {
      const random = new Random(12);
      for (const model of [blockModel(1, [1], [1], 0, random), blockModel(64, [3, 5], [-1, 0.2], 2, random)]) {
        const job = riskJob(model, { seed: 3, firstPrompt: 0, count: 70 }, random);
        const [ours, reference] = await Promise.all([gpu.risk(job), cpu.risk(job)]);
        const bounds = promptsOf(job).map((p) => boundedRisk(job, float64Normals(job.batch.seed, p)).loss);
        compareWithReference(`risk loss d = ${model.d}`, ours.losses, reference.losses, bounds);
      }
    });

    it('rejects d = 65 naming the CPU backend', async () => {
      const model = blockModel(65, [4], [0.5], 0);
      const job = riskJob(model, { seed: 1, firstPrompt: 0, count: 1 }, new Random(1));
      await expect(gpu.risk(job)).rejects.toThrow(/d ≤ 64 or the CPU backend/);
    });

    it('does not depend on batch splitting', async () => {
      const random = new Random(13);
      const model = blockModel(8, [40, 24], [0.7, 0.1], 0.5, random);
      const whole = riskJob(model, { seed: 77, firstPrompt: 0, count: 300 }, random);
      const tail = { ...whole, batch: { seed: 77, firstPrompt: 130, count: 170 } };
      // 37 prompts of (n + 1)·d = 520 token-features per dispatch: 9 dispatches.
      const split = await createWebGpuBackend({ maxTokenFeaturesPerDispatch: 520 * 37 });
      try {
        const [reference, chunked, offset] = await Promise.all([gpu.risk(whole), split.risk(whole), gpu.risk(tail)]);
        expect([...chunked.losses]).toEqual([...reference.losses]);
        expect([...offset.losses]).toEqual([...reference.losses.subarray(130)]);
      } finally {
        await split.dispose();
      }
    });
  });

  describe('scan kernel', () => {
    it('scalar gates near 1 with zeros, n = 100000', async () => {
      const n = 100_000;
      const model = blockModel(4, [60_000, 40_000], [0.5, 0.9], 0.1, new Random(21));
      const gates = new Float64Array(n + 1);
      gates.fill(0.999, 0, 30_000);
      gates.fill(0.99, 30_000, 40_000);
      gates.fill(0.999, 40_000, 60_000);
      gates.fill(0.9999, 60_000);
      gates[10_000] = 0;
      gates[30_000] = 0;
      const job = scanJob(model, { kind: 'scalar', values: gates }, { seed: 5, firstPrompt: 0, count: 8 }, new Random(22));
      const [ours, reference] = await Promise.all([gpu.scan(job), cpu.scan(job)]);

      // A zero gate at token t = 30000 zeroes ω_i for every example i < 30000.
      expect(ours.zeroWeights).toBe(30_000);
      expect(ours.zeroWeights).toBe(reference.zeroWeights);
      // The 0.99 stretch pushes ω_i below 2^−126 for i up to about 33700.
      expect(ours.weightsOutOfRange).toBeGreaterThan(3000);
      expect(ours.weightsOutOfRange).toBe(reference.weightsOutOfRange);
      const bounds = promptsOf(job).map((p) => boundedScan(job, float64Normals(job.batch.seed, p)));
      compareWithReference('scan GLA', ours.gla, reference.gla, bounds.map((bound) => bound.gla));
      compareWithReference('scan WPGD', ours.wpgd, reference.wpgd, bounds.map((bound) => bound.wpgd));
      compareWithReference('scan label', ours.labels, reference.labels, bounds.map((bound) => bound.label));
    });

    it('keeps WPGD compensated at n = 100000', async () => {
      // d = 1, ρ = 1, σ = 0 and all gates 1 make every term ω_i x_i y_i = x_i² β
      // of one sign, where a plain float32 sum drifts like n^1.5·2^−24. With
      // all gates 1 the GLA recurrence s ← s + y_i x_i is such a plain sum.
      const n = 100_000;
      const model = blockModel(1, [n], [1], 0, new Random(23));
      const job = scanJob(model, { kind: 'scalar', values: new Float64Array(n + 1).fill(1) }, { seed: 9, firstPrompt: 0, count: 4 }, new Random(24));
      const ours = await gpu.scan(job);
      const bounds = await Promise.all(promptsOf(job).map(async (p) => boundedScan(job, await deviceNormals(gpu, model, job.batch.seed, p))));
      compareWithBound('compensated WPGD on device normals', ours.wpgd, bounds.map((bound) => bound.wpgd));
      compareWithBound('sequential GLA on device normals', ours.gla, bounds.map((bound) => bound.gla));
      const drift = bounds.map((bound, p) => Math.abs(ours.gla[p] - bound.wpgd.v) / bound.wpgd.e);
      console.info(`plain float32 GLA sum: |error| / Kahan bound = ${drift.map((ratio) => ratio.toFixed(1)).join(', ')}`);
      expect(Math.max(...drift)).toBeGreaterThan(1);
    });

    it('vector gates with zeros and underflow', async () => {
      const n = 20_000;
      const d = 3;
      const model = blockModel(d, [5_000, 15_000], [-0.4, 0.8], 0.3, new Random(31));
      const gates = new Float64Array((n + 1) * d);
      for (let t = 0; t <= n; t++) {
        gates[t * d] = 0.9999;
        gates[t * d + 1] = t === 5_000 ? 0 : 0.999;
        gates[t * d + 2] = t >= 10_000 && t < 12_000 ? 0.9 : 1;
      }
      const job = scanJob(model, { kind: 'vector', values: gates }, { seed: 6, firstPrompt: 11, count: 8 }, new Random(32));
      const [ours, reference] = await Promise.all([gpu.scan(job), cpu.scan(job)]);
      expect(ours.zeroWeights).toBe(5_000);
      expect(ours.weightsOutOfRange).toBeGreaterThan(1000);
      expect(ours.weightsOutOfRange).toBe(reference.weightsOutOfRange);
      const bounds = promptsOf(job).map((p) => boundedScan(job, float64Normals(job.batch.seed, p)));
      compareWithReference('vector scan GLA', ours.gla, reference.gla, bounds.map((bound) => bound.gla));
      compareWithReference('vector scan WPGD', ours.wpgd, reference.wpgd, bounds.map((bound) => bound.wpgd));
    });

    it('flags weights below 1.18e-38', async () => {
      const n = 2000;
      const model = blockModel(2, [n], [1], 0, new Random(41));
      const job = scanJob(model, { kind: 'scalar', values: new Float64Array(n + 1).fill(0.9) }, { seed: 8, firstPrompt: 0, count: 64 }, new Random(42));
      const [ours, reference] = await Promise.all([gpu.scan(job), cpu.scan(job)]);
      const gate = Math.fround(0.9);
      let expectedOutOfRange = 0;
      for (let i = 0; i < n; i++) if ((n - i) * Math.log(gate) < -126 * Math.LN2) expectedOutOfRange++;
      expect(ours.weightsOutOfRange).toBe(expectedOutOfRange);
      expect(reference.weightsOutOfRange).toBe(expectedOutOfRange);
      for (const value of [...ours.gla, ...ours.wpgd]) expect(Number.isFinite(value)).toBe(true);
      const bounds = promptsOf(job).map((p) => boundedScan(job, float64Normals(job.batch.seed, p)).wpgd);
      compareWithReference('underflow scan WPGD', ours.wpgd, reference.wpgd, bounds);
    });
  });

  describe('float32 reductions on the device', () => {
    it('sums 0..9999: sequential 49992896, pairwise 49995000', async () => {
      const values = Float32Array.from({ length: 10_000 }, (_, i) => i);
      const sums = await gpu.sumFloat32(values);
      expect(sums.sequential).toBe(49_992_896);
      expect(sums.pairwise).toBe(49_995_000);
    });

    it('naive mean of 2e7 losses drifts', async () => {
      const count = 20_000_000;
      const sums = await gpu.sumSquaredNormals(31, 0, 0, count);
      const values = sums.values;

      // The device wrote z² for every normal, also past the first row of the
      // 2-D dispatch grid (65535 workgroups of 256 normals, so t ≥ 2^24).
      // δz² and the float32 rounding of z² fit in 2ε·z² + ε.
      const random = new Random(5);
      const reference = new Float64Array(4);
      const generator = new NormalGenerator(philoxKey(31));
      for (let sample = 0; sample < 2000; sample++) {
        const t = sample < 1000 ? random.integer(0, count - 1) : random.integer(16_777_216, count - 1);
        generator.blockInto(0, 0, Math.floor(t / 4), reference, 0);
        const z = reference[t % 4];
        const radius = Math.hypot(reference[t % 4], reference[(t % 4) ^ 1]);
        expect(Math.abs(values[t] - z * z)).toBeLessThanOrEqual(2 * Math.abs(z) * NORMAL_TOLERANCE * radius + 2 * EPS * z * z + EPS);
      }

      // The sequential device sum is the float32 left-to-right sum, bit for bit.
      expect(sums.sequential).toBe(naiveSum32(values));
      // A tree sum errs by at most depth·ε·Σ|v|, and every term is ≥ 0, so Σ|v| = Σ v.
      // Each device pass is a tree of depth log₂(TREE_WIDTH) over zero-padded workgroups.
      let depth = 0;
      for (let remaining = count; remaining > 1; remaining = Math.ceil(remaining / TREE_WIDTH)) depth += Math.log2(TREE_WIDTH);
      const exact = neumaierSum(values);
      expect(Math.abs(sums.pairwise - exact)).toBeLessThanOrEqual(depth * EPS * exact);

      // z² of a standard normal has mean 1 and variance 2.
      const standardError = Math.sqrt(2 / count);
      const naiveZ = (sums.sequential / count - 1) / standardError;
      const pairwiseZ = (sums.pairwise / count - 1) / standardError;
      console.info(`mean of 2e7 χ²₁ losses: sequential float32 z = ${naiveZ.toFixed(1)}, pairwise float32 z = ${pairwiseZ.toFixed(2)}, float64 z = ${((exact / count - 1) / standardError).toFixed(2)}`);
      expect(Math.abs(naiveZ)).toBeGreaterThan(20);
      expect(Math.abs(pairwiseZ)).toBeLessThan(4);
    });
  });
});

// ---------------------------------------------------------------------------
// Jobs

function blockModel(d: number, blockSizes: number[], rho: number[], sigma2: number, random = new Random(d)): BlockModel {
  const lambda = Float64Array.from({ length: d }, () => 0.25 + 2 * random.uniform());
  return { d, lambda, blockSizes, rho: Float64Array.from(rho), sigma2 };
}

function randomPreconditioner(d: number, random: Random): Float64Array {
  const P = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) P[a * d + b] = (a === b ? 1 : 0) / d + (0.2 / d) * random.normal();
  }
  return P;
}

function riskJob(model: BlockModel, batch: PromptBatch, random: Random): RiskJob {
  const n = model.blockSizes.reduce((total, size) => total + size, 0);
  const omega = Float64Array.from({ length: n }, () => (0.5 + random.uniform()) / n);
  return { model, batch, P: randomPreconditioner(model.d, random), omega };
}

function scanJob(model: BlockModel, gates: GateSequence, batch: PromptBatch, random: Random): ScanJob {
  return { model, batch, P: randomPreconditioner(model.d, random), gates };
}

/** Returns the prompt indices of a batch. */
function promptsOf(job: { batch: PromptBatch }): number[] {
  return Array.from({ length: job.batch.count }, (_, index) => job.batch.firstPrompt + index);
}

/**
 * Checks the GPU against the CPU float32 reference prompt by prompt:
 * |ours − reference| ≤ bound.e, and that the bound's own float64 value
 * reproduces the reference, so the bound is about the same numbers.
 */
function compareWithReference(label: string, ours: Float64Array, reference: Float64Array, bounds: Bounded[]): void {
  expect(reference.length).toBe(bounds.length);
  bounds.forEach(({ v, e }, p) => {
    if (!(Math.abs(reference[p] - v) <= e)) expect.fail(`${label} of prompt ${p}: CPU reference ${reference[p]} is not the walked value ${v} ± ${e}`);
  });
  compareWithBound(label, ours, bounds.map(({ e }, p) => ({ v: reference[p], e })));
}

/** Checks |ours − bound.v| ≤ bound.e prompt by prompt and reports the largest ratio. */
function compareWithBound(label: string, ours: Float64Array, bounds: Bounded[]): void {
  expect(ours.length).toBe(bounds.length);
  let worst = 0;
  bounds.forEach(({ v, e }, p) => {
    const deviation = Math.abs(ours[p] - v);
    worst = Math.max(worst, deviation / e);
    if (!(deviation <= e)) expect.fail(`${label} of prompt ${p}: GPU ${ours[p]}, expected ${v}, |Δ| = ${deviation} > bound ${e}`);
  });
  console.info(`${label}: max |Δ| / bound = ${worst.toFixed(4)} over ${ours.length} prompts`);
}
