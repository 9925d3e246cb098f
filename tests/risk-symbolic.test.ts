import { describe, expect, it, vi } from 'vitest';
import type { CheckContext } from '../src/claims/types.ts';

// Doubles σ² inside the closed form the check compares with, as an edit to
// theory/risk-field.ts would; the derived expectation is left as it is.
vi.mock('../src/theory/risk-field.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/theory/risk-field.ts')>();
  return {
    ...original,
    fieldRisk: (...args: Parameters<typeof original.fieldRisk>) => {
      const [F, inputs, P, omega] = args;
      return process.env.MUTATE_RISK === '1' ? original.fieldRisk(F, { ...inputs, sigma2: F.add(inputs.sigma2, inputs.sigma2) }, P, omega) : original.fieldRisk(F, inputs, P, omega);
    },
  };
});

const { isserlisRiskCheck } = await import('../proofs/support/risk-symbolic.ts');

function context(): CheckContext {
  return { effort: 'quick', seed: 1, runSeed: 1, claimId: 'RISK', checkId: 'symbolic-isserlis', progress: () => {}, replayCommand: 'replay' };
}

describe('RISK by Isserlis', () => {
  it('proves the closed form for d ≤ 2, n ≤ 3', async () => {
    delete process.env.MUTATE_RISK;
    const result = await isserlisRiskCheck.run(context());
    expect(result.status).toBe('verified');
    expect(result.certificates).toHaveLength(6);
  });

  it('fails with the remainder when the closed form is edited', async () => {
    process.env.MUTATE_RISK = '1';
    try {
      const result = await isserlisRiskCheck.run(context());
      expect(result.status).toBe('failed');
      expect(result.counterexample?.failure).toMatch(/sigma2/);
    } finally {
      delete process.env.MUTATE_RISK;
    }
  });
});
