import { afterEach, describe, expect, it, vi } from 'vitest';
import { adjugate, cofactorDeterminant } from '../src/algebra/cofactors.ts';
import type { CheckContext } from '../src/claims/types.ts';
import { Polynomial } from '../src/symbolic/polynomial.ts';
import { polynomialField } from '../src/symbolic/polynomial-field.ts';

// Doubles b = ‖ω‖²(tr Σ + σ²) in the RISK coefficients when MUTATE_B is set, as
// an edit to theory/risk-field.ts would; the derived expectations are untouched.
vi.mock('../src/theory/risk-field.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/theory/risk-field.ts')>();
  return {
    ...original,
    fieldRiskCoefficients: (...args: Parameters<typeof original.fieldRiskCoefficients>) => {
      const coefficients = original.fieldRiskCoefficients(...args);
      return process.env.MUTATE_B === '1' ? { ...coefficients, b: args[0].add(coefficients.b, coefficients.b) } : coefficients;
    },
  };
});

const { provePreconditionerOptimum } = await import('../src/symbolic/preconditioner-proof.ts');
const { compositions, proveBlockOptimum, theoremDenominator } = await import('../src/symbolic/block-optimum-proof.ts');
const { proveKeyVectorDecoupling } = await import('../src/symbolic/key-vector-proof.ts');
const { derivedPreconditionerCheck } = await import('../proofs/support/pstar-symbolic.ts');
const { blockOptimumSymbolicCheck } = await import('../proofs/support/block-symbolic.ts');

const variable = Polynomial.variable;
const allZero = (proof: { identities: readonly { remainder: Polynomial }[] }) => proof.identities.every((entry) => entry.remainder.isZero());

function context(claimId: string): CheckContext {
  return { effort: 'quick', seed: 1, runSeed: 1, claimId, checkId: 'symbolic', progress: () => {}, replayCommand: 'replay' };
}

afterEach(() => {
  delete process.env.MUTATE_B;
});

describe('polynomial calculus', () => {
  it('differentiates term by term', () => {
    const f = variable('x').pow(3).mul(variable('y')).add(variable('y').scale(5));
    expect(f.derivative('x').toString()).toBe('3*x^2*y');
    expect(f.derivative('y').equals(variable('x').pow(3).add(Polynomial.constant(5)))).toBe(true);
    expect(f.derivative('z').isZero()).toBe(true);
  });

  it('substitutes polynomials for variables', () => {
    const f = variable('x').pow(2).add(variable('x').mul(variable('y')));
    const g = f.substitute(new Map([['x', variable('y').add(Polynomial.constant(1))]]));
    expect(g.equals(variable('y').add(Polynomial.constant(1)).pow(2).add(variable('y').add(Polynomial.constant(1)).mul(variable('y'))))).toBe(true);
    expect(f.variables()).toEqual(['x', 'y']);
  });

  it('adjugate of a symbolic 3×3', () => {
    const A = [1, 2, 3].map((i) => [1, 2, 3].map((j) => variable(`a_${i}_${j}`)));
    const det = cofactorDeterminant(polynomialField, A);
    const adj = adjugate(polynomialField, A);
    expect(det.termCount).toBe(6);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const entry = A[i].reduce((sum, value, k) => sum.add(value.mul(adj[k][j])), Polynomial.zero());
        expect(entry.equals(i === j ? det : Polynomial.zero())).toBe(true);
      }
    }
  });
});

describe('P-STAR from the derived risk', () => {
  it('proves d = 2, n ≤ 3', () => {
    for (const n of [1, 2, 3]) expect(allZero(provePreconditionerOptimum(2, n))).toBe(true);
  });

  it('fails when b in the RISK coefficients is doubled', async () => {
    process.env.MUTATE_B = '1';
    const proof = provePreconditionerOptimum(2, 1);
    expect(allZero(proof)).toBe(false);
    const result = await derivedPreconditionerCheck.run(context('P-STAR'));
    expect(result.status).toBe('failed');
    expect(result.counterexample?.failure).toMatch(/= .*sigma2/);
  });
});

describe('BLOCK-OPT and SINGLE-TASK as rational functions', () => {
  it('lists the 2^(n−1) block structures', () => {
    expect(compositions(3)).toEqual([[1, 1, 1], [1, 2], [2, 1], [3]]);
  });

  it('proves every block structure with n ≤ 3 and the single-task case', () => {
    for (const sizes of [...compositions(1), ...compositions(2), ...compositions(3)]) expect(allZero(proveBlockOptimum(sizes))).toBe(true);
    expect(allZero(proveBlockOptimum([4], true))).toBe(true);
  });

  it('rejects block weights without the +1 in d + 1 + σ²', async () => {
    const wrong = (m: number, rho: Polynomial, mu: Polynomial) => theoremDenominator(m, rho, mu).sub(Polynomial.constant(1));
    expect(allZero(proveBlockOptimum([1, 2], false, wrong))).toBe(false);
    expect(allZero(proveBlockOptimum([2], false, wrong))).toBe(false);
    expect((await blockOptimumSymbolicCheck.run(context('BLOCK-OPT'))).status).toBe('verified');
  });

  it('refuses sizes the cofactor expansion is not meant for', () => {
    expect(() => proveBlockOptimum([4, 3])).toThrow(/at most 6/);
    expect(() => proveBlockOptimum([0])).toThrow(/positive integers/);
  });
});

describe('KEY-VEC-ISOTROPIC decoupling', () => {
  it('finds no cross terms for Σ = I', () => {
    expect(allZero(proveKeyVectorDecoupling(2, 2))).toBe(true);
    expect(allZero(proveKeyVectorDecoupling(3, 2))).toBe(true);
  });

  it('finds cross terms when Σ stays symbolic', () => {
    const proof = proveKeyVectorDecoupling(2, 1, false);
    expect(proof.identities[0].remainder.isZero()).toBe(false);
  });

  it('fails when b in the RISK coefficients is doubled', () => {
    process.env.MUTATE_B = '1';
    const proof = proveKeyVectorDecoupling(2, 1);
    expect(proof.identities[0].remainder.isZero()).toBe(true);
    expect(allZero(proof)).toBe(false);
  });
});
