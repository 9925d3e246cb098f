import { describe, expect, it, vi } from 'vitest';
import type { Field } from '../src/algebra/field.ts';
import type { CheckContext } from '../src/claims/types.ts';
import type { RiskInputs } from '../src/theory/risk-field.ts';

/**
 * The symbolic RISK check rejects every edit of the closed form: each
 * coefficient raised by one, each power of Σ changed, and PᵀΣP replaced by
 * PΣPᵀ. The edited formula replaces theory/risk-field.ts's fieldRisk, as an
 * edit of that file would, and the check must fail with the remainder shown.
 */

/** Every coefficient of L = c₁ tr Σ + c₂ σ² − c₃ s tr(Σ^{k₁} P Σ) + c₄ tr(Pᵀ Σ P (a Σ^{k₂} + b Σ^{k₃})). */
interface Coefficients {
  traceConstant: number;
  noiseConstant: number;
  linear: number;
  aQuadratic: number;
  aNorm: number;
  bTrace: number;
  bNoise: number;
  quadratic: number;
  aPower: number;
  bPower: number;
  linearPower: number;
  transposed: boolean;
}

const FORMULA: Coefficients = { traceConstant: 1, noiseConstant: 1, linear: 2, aQuadratic: 1, aNorm: 1, bTrace: 1, bNoise: 1, quadratic: 1, aPower: 2, bPower: 1, linearPower: 1, transposed: false };

function editedRisk<T>(F: Field<T>, inputs: RiskInputs<T>, P: readonly (readonly T[])[], omega: readonly T[], c: Coefficients): T {
  const times = (A: readonly (readonly T[])[], B: readonly (readonly T[])[]) => A.map((row) => B[0].map((_, j) => row.reduce((sum, value, k) => F.add(sum, F.mul(value, B[k][j])), F.zero)));
  const power = (k: number) => Array.from({ length: k - 1 }).reduce<T[][]>((acc) => times(acc, inputs.Sigma), inputs.Sigma.map((row) => [...row]));
  const trace = (A: readonly (readonly T[])[]) => A.reduce((sum, row, i) => F.add(sum, row[i]), F.zero);
  const dot = (u: readonly T[], v: readonly T[]) => u.reduce((sum, value, i) => F.add(sum, F.mul(value, v[i])), F.zero);
  const n = (k: number) => F.fromInteger(k);
  const transpose = (A: readonly (readonly T[])[]) => A[0].map((_, j) => A.map((row) => row[j]));
  const norm = dot(omega, omega);
  const a = F.add(F.mul(n(c.aQuadratic), dot(omega, inputs.Rn.map((row) => dot(row, omega)))), F.mul(n(c.aNorm), norm));
  const b = F.mul(norm, F.add(F.mul(n(c.bTrace), trace(inputs.Sigma)), F.mul(n(c.bNoise), inputs.sigma2)));
  const s = dot(omega, inputs.r);
  const weighting = power(c.aPower).map((row, i) => row.map((value, j) => F.add(F.mul(a, value), F.mul(b, power(c.bPower)[i][j]))));
  const middle = c.transposed ? times(times(P, inputs.Sigma), transpose(P)) : times(times(transpose(P), inputs.Sigma), P);
  const constant = F.add(F.mul(n(c.traceConstant), trace(inputs.Sigma)), F.mul(n(c.noiseConstant), inputs.sigma2));
  const linear = F.mul(F.mul(n(c.linear), s), trace(times(times(power(c.linearPower), P), inputs.Sigma)));
  return F.add(F.sub(constant, linear), F.mul(n(c.quadratic), trace(times(middle, weighting))));
}

vi.mock('../src/theory/risk-field.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/theory/risk-field.ts')>();
  return {
    ...original,
    fieldRisk: <T>(F: Field<T>, inputs: RiskInputs<T>, P: readonly (readonly T[])[], omega: readonly T[]) => {
      const edit = process.env.RISK_EDIT;
      return edit === undefined ? original.fieldRisk(F, inputs, P, omega) : editedRisk(F, inputs, P, omega, { ...FORMULA, ...JSON.parse(edit) });
    },
  };
});

const { isserlisRiskCheck } = await import('../proofs/support/risk-symbolic.ts');

function context(): CheckContext {
  return { effort: 'quick', seed: 1, runSeed: 1, claimId: 'RISK', checkId: 'symbolic-isserlis', progress: () => {}, replayCommand: 'replay' };
}

const EDITS: Partial<Coefficients>[] = [
  ...(['traceConstant', 'noiseConstant', 'linear', 'aQuadratic', 'aNorm', 'bTrace', 'bNoise', 'quadratic'] as const).map((name) => ({ [name]: FORMULA[name] + 1 })),
  { aPower: 1 },
  { bPower: 2 },
  { linearPower: 2 },
  { transposed: true },
];

describe('symbolic RISK check under edits', () => {
  it('verifies the unedited formula', async () => {
    process.env.RISK_EDIT = '{}';
    try {
      expect((await isserlisRiskCheck.run(context())).status).toBe('verified');
    } finally {
      delete process.env.RISK_EDIT;
    }
  });

  it.each(EDITS.map((edit) => [JSON.stringify(edit), edit]))('rejects %s', async (_, edit) => {
    process.env.RISK_EDIT = JSON.stringify(edit);
    try {
      const result = await isserlisRiskCheck.run(context());
      expect(result.status).toBe('failed');
      expect(result.counterexample?.failure).toMatch(/E\[loss\] − L\(P, ω\) = \S/);
    } finally {
      delete process.env.RISK_EDIT;
    }
  });
});
