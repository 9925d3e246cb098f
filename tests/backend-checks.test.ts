import { describe, expect, it } from 'vitest';
import { backendRiskCheck } from '../proofs/support/backend-risk.ts';
import { backendScanCheck } from '../proofs/support/backend-scan.ts';
import { createCpuBackend } from '../src/backend/cpu.ts';
import type { BackendHandle } from '../src/backend/handle.ts';
import type { Backend } from '../src/backend/types.ts';
import type { CheckContext } from '../src/claims/types.ts';
import { blockCorrelation } from '../src/data/correlation.ts';
import { diagonalCovariance } from '../src/data/covariance.ts';
import { blockOptimalPreconditioner, blockRisk, blockRiskCoefficients } from '../src/theory/block-risk.ts';
import { makeTask, optimalPreconditioner, risk, riskCoefficients } from '../src/theory/risk.ts';

/** Builds a handle whose backend is the CPU one with its outputs passed through `edit`. */
function editedHandle(edit: (backend: Backend) => Partial<Backend>): BackendHandle {
  const backend = createCpuBackend({ workers: 1 });
  const edited: Backend = { ...backend, ...edit(backend) };
  return { name: 'cpu', get: async () => edited, dispose: () => backend.dispose(), description: () => backend.description };
}

function context(claimId: string, backend?: BackendHandle): CheckContext {
  return { effort: 'quick', seed: 3, runSeed: 1, claimId, checkId: 'backend', progress: () => {}, replayCommand: 'replay', backend };
}

describe('block-model closed form', () => {
  const task = { lambda: [0.5, 1, 2], blockSizes: [2, 3, 1], rho: [0.9, -0.3, 0.5], sigma2: 0.25 };
  const full = makeTask(diagonalCovariance(task.lambda), blockCorrelation(task.blockSizes, task.rho), task.sigma2);
  const omega = [0.1, 0.5, -0.2, 1, 0.3, 0.7];
  const P = [
    [1, 0.2, 0],
    [0.1, 0.5, 0.3],
    [0, -0.4, 0.8],
  ];

  it('coefficients match the full R', () => {
    const block = blockRiskCoefficients(task, omega);
    const general = riskCoefficients(full, omega);
    expect(block.a).toBeCloseTo(general.a, 13);
    expect(block.b).toBeCloseTo(general.b, 13);
    expect(block.s).toBeCloseTo(general.s, 13);
  });

  it('risk and P* match the full R', () => {
    expect(blockRisk(task, P, omega)).toBeCloseTo(risk(full, P, omega), 12);
    const blockP = blockOptimalPreconditioner(task, omega);
    const generalP = optimalPreconditioner(full, omega);
    blockP.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(generalP[i][j], 13)));
  });
});

describe('large-case backend checks', () => {
  it('RISK verifies on the CPU backend', async () => {
    const result = await backendRiskCheck.run(context('RISK'));
    expect(result.status).toBe('verified');
  });

  it('RISK fails when losses are 10% high', async () => {
    const handle = editedHandle((backend) => ({ risk: async (job) => ({ losses: (await backend.risk(job)).losses.map((loss) => 1.1 * loss) }) }));
    const result = await backendRiskCheck.run(context('RISK', handle));
    await handle.dispose();
    expect(result.status).toBe('failed');
  });

  it('scan verifies, scalar and vector', async () => {
    expect((await backendScanCheck('scalar').run(context('GLA-1'))).status).toBe('verified');
    expect((await backendScanCheck('vector').run(context('GLA-key'))).status).toBe('verified');
  });

  it('scan fails on a 1e-9 relative WPGD error', async () => {
    const handle = editedHandle((backend) => ({
      scan: async (job) => {
        const output = await backend.scan(job);
        return { ...output, wpgd: output.wpgd.map((value) => value * (1 + 1e-9)) };
      },
    }));
    const result = await backendScanCheck('scalar').run(context('GLA-1', handle));
    await handle.dispose();
    expect(result.status).toBe('failed');
  });

  it('scan fails when zero weights are miscounted', async () => {
    const handle = editedHandle((backend) => ({ scan: async (job) => ({ ...(await backend.scan(job)), zeroWeights: 0 }) }));
    const result = await backendScanCheck('scalar').run(context('GLA-1', handle));
    await handle.dispose();
    expect(result.status).toBe('failed');
  });
});
