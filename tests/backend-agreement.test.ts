import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendAgreementCheck, type AgreementKind } from '../proofs/support/backend-agreement.ts';
import { backendHandle, type BackendHandle } from '../src/backend/handle.ts';
import type { Backend, ScanOutput } from '../src/backend/types.ts';
import type { CheckContext, CheckResult } from '../src/claims/types.ts';

const SKIP = process.env.GLA_SKIP_WEBGPU === '1';
if (SKIP) {
  console.warn('tests/backend-agreement.test.ts: WebGPU checks skipped because GLA_SKIP_WEBGPU=1 is set');
}

const KINDS: readonly AgreementKind[] = ['risk', 'scalar-scan', 'vector-scan'];
const RELATIVE_ERROR = 1e-4;

function context(backend?: BackendHandle): CheckContext {
  return { effort: 'quick', seed: 5, runSeed: 1, claimId: 'RISK', checkId: 'backend-agreement', progress: () => {}, replayCommand: 'replay', backend };
}

/**
 * Wraps the base handle's backend so that its outputs pass through `edit`.
 * Disposing the wrapper leaves the base backend open for other tests.
 */
function editedHandle(base: BackendHandle, edit: (backend: Backend) => Partial<Backend>): BackendHandle {
  return {
    name: base.name,
    get: async () => {
      const backend = await base.get();
      // Bound methods, because a class-based backend keeps them on its prototype, which a spread drops.
      const plain: Backend = {
        name: backend.name,
        precision: backend.precision,
        description: backend.description,
        normals: (seed, prompt, stream, count) => backend.normals(seed, prompt, stream, count),
        risk: (job) => backend.risk(job),
        scan: (job) => backend.scan(job),
        dispose: async () => {},
      };
      return { ...plain, ...edit(backend) };
    },
    dispose: async () => {},
    description: () => base.description(),
  };
}

/** Scales every per-prompt output by 1 + RELATIVE_ERROR. */
function perturbed(base: BackendHandle): BackendHandle {
  const scale = (values: Float64Array) => values.map((value) => value * (1 + RELATIVE_ERROR));
  return editedHandle(base, (backend) => ({
    risk: async (job) => ({ losses: scale((await backend.risk(job)).losses) }),
    scan: async (job) => {
      const output = await backend.scan(job);
      return { ...output, gla: scale(output.gla), wpgd: scale(output.wpgd), labels: scale(output.labels) };
    },
  }));
}

/** Moves one value to the next float64 up, by one unit in the last place. */
function nextUp(value: number): number {
  const view = new Float64Array([value]);
  const bits = new BigInt64Array(view.buffer);
  bits[0] += value >= 0 ? 1n : -1n;
  return view[0];
}

/** Changes the output of prompt `prompt` (when the batch contains it) in its last bit. */
function lastBitAt(values: Float64Array, firstPrompt: number, prompt: number): Float64Array {
  const index = prompt - firstPrompt;
  if (index < 0 || index >= values.length) return values;
  const copy = Float64Array.from(values);
  copy[index] = nextUp(copy[index]);
  return copy;
}

function failingMetrics(result: CheckResult): string[] {
  return result.metrics.filter((metric) => metric.comparison === '==' ? metric.value !== metric.threshold : Number(metric.value) > Number(metric.threshold)).map((metric) => `${metric.name}: ${metric.value}`);
}

describe('backend agreement on the CPU', () => {
  for (const kind of KINDS) {
    it(`${kind} is bitwise equal across workers`, async () => {
      const result = await backendAgreementCheck(kind).run(context());
      expect(result.status, result.summary).toBe('verified');
      expect(result.details.precision).toBe('float64');
    });
  }

  it('fails on a last-bit loss change', async () => {
    const base = backendHandle('cpu');
    const handle = editedHandle(base, (backend) => ({
      risk: async (job) => ({ losses: lastBitAt((await backend.risk(job)).losses, job.batch.firstPrompt, 17) }),
    }));
    try {
      const result = await backendAgreementCheck('risk').run(context(handle));
      expect(result.status, result.summary).toBe('failed');
      expect(result.counterexample?.input).toMatchObject({ prompt: 17, output: 'loss' });
      expect(result.counterexample?.flaky).toBeUndefined();
      expect(failingMetrics(result)).toEqual(['loss: prompts not bitwise equal: 1']);
    } finally {
      await base.dispose();
    }
  });

  it('fails on a last-bit GLA change', async () => {
    const base = backendHandle('cpu');
    const handle = editedHandle(base, (backend) => ({
      scan: async (job): Promise<ScanOutput> => {
        const output = await backend.scan(job);
        return { ...output, gla: lastBitAt(output.gla, job.batch.firstPrompt, 3) };
      },
    }));
    try {
      const result = await backendAgreementCheck('vector-scan').run(context(handle));
      expect(result.status, result.summary).toBe('failed');
      expect(result.counterexample?.input).toMatchObject({ prompt: 3, output: 'GLA ŷ' });
    } finally {
      await base.dispose();
    }
  });

  it('fails on a miscounted zero weight', async () => {
    const base = backendHandle('cpu');
    const handle = editedHandle(base, (backend) => ({
      scan: async (job) => {
        const output = await backend.scan(job);
        return { ...output, zeroWeights: output.zeroWeights - 1 };
      },
    }));
    try {
      const result = await backendAgreementCheck('scalar-scan').run(context(handle));
      expect(result.status, result.summary).toBe('failed');
      expect(result.counterexample?.failure).toMatch(/weights exactly 0/);
    } finally {
      await base.dispose();
    }
  });

  it('reports a non-reproducing difference as flaky', async () => {
    const base = backendHandle('cpu');
    let calls = 0;
    const handle = editedHandle(base, (backend) => ({
      risk: async (job) => {
        const { losses } = await backend.risk(job);
        calls++;
        return { losses: calls === 1 ? lastBitAt(losses, job.batch.firstPrompt, 0) : losses };
      },
    }));
    try {
      const result = await backendAgreementCheck('risk').run(context(handle));
      expect(result.status, result.summary).toBe('inconclusive');
      expect(result.counterexample?.flaky).toBe(true);
    } finally {
      await base.dispose();
    }
  });
});

describe.skipIf(SKIP)(SKIP ? 'backend agreement on WebGPU (skipped: GLA_SKIP_WEBGPU=1)' : 'backend agreement on WebGPU', () => {
  // Without an adapter every test below fails with WebGpuUnavailableError and its install advice.
  const gpu = backendHandle('webgpu');

  beforeAll(async () => {
    await gpu.get();
  });

  afterAll(async () => {
    await gpu.dispose();
  });

  for (const kind of KINDS) {
    it(`${kind} stays within the float32 bound`, async () => {
      const result = await backendAgreementCheck(kind).run(context(gpu));
      expect(result.status, result.summary).toBe('verified');
      expect(result.details.precision).toBe('float32');
      console.info(`${kind} on WebGPU: ${result.summary}`);
    });

    it(`${kind} fails on a 1e-4 relative error`, async () => {
      const result = await backendAgreementCheck(kind).run(context(perturbed(gpu)));
      expect(result.status, result.summary).toBe('failed');
      console.info(`${kind} with outputs scaled by 1 + 1e-4: ${failingMetrics(result).join('; ')}`);
      // Each output on its own exceeds its bound somewhere, not only the most sensitive one.
      const outsideCounts = result.metrics.filter((metric) => metric.name.endsWith('prompts with |Δ| > bound'));
      expect(outsideCounts).toHaveLength(kind === 'risk' ? 1 : 3);
      for (const metric of outsideCounts) expect(metric.value, metric.name).toBeGreaterThan(0);
    });
  }

  it('vector scan fails on a miscounted flag', async () => {
    const handle = editedHandle(gpu, (backend) => ({
      scan: async (job) => {
        const output = await backend.scan(job);
        return { ...output, weightsOutOfRange: output.weightsOutOfRange + 1 };
      },
    }));
    const result = await backendAgreementCheck('vector-scan').run(context(handle));
    expect(result.status, result.summary).toBe('failed');
    expect(result.counterexample?.failure).toMatch(/below the smallest normal/);
  });
});
