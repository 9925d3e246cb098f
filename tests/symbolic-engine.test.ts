import { describe, expect, it } from 'vitest';
import { InputError } from '../src/core/errors.ts';
import { GaussianExpectation, correlationEntry, noiseVariance, sigmaEntry } from '../src/symbolic/gaussian.ts';
import { Polynomial, rational } from '../src/symbolic/polynomial.ts';
import { labelPolynomial, proveRisk } from '../src/symbolic/risk-proof.ts';

const v = (name: string) => Polynomial.variable(name);
const product = (...names: string[]) => names.map(v).reduce((left, right) => left.mul(right), Polynomial.constant(1));

describe('polynomial arithmetic', () => {
  it('collects like terms and cancels exactly', () => {
    const sum = v('a').add(v('b')).sub(v('a'));
    expect(sum.toString()).toBe('b');
    expect(v('a').sub(v('a')).isZero()).toBe(true);
  });

  it('orders terms by degree then key', () => {
    const polynomial = v('b').mul(v('a')).add(Polynomial.constant(3)).add(v('z')).scale(-1);
    expect(polynomial.toString()).toBe('-3 - z - a*b');
  });

  it('expands a binomial square', () => {
    const square = v('x').add(v('y')).pow(2);
    expect(square.toString()).toBe('x^2 + 2*x*y + y^2');
    expect(square.termCount).toBe(3);
  });

  it('keeps rational coefficients exact', () => {
    const third = Polynomial.constant(rational(1, 3));
    const sum = third.add(third).add(third);
    expect(sum.equals(Polynomial.constant(1))).toBe(true);
    expect(v('x').scale(rational(-2, 4)).toString()).toBe('-1/2*x');
  });

  it('rejects invalid input', () => {
    expect(() => v('1x')).toThrow(InputError);
    expect(() => v('x').pow(-1)).toThrow(InputError);
    expect(() => rational(1, 0)).toThrow(InputError);
  });
});

describe('Gaussian expectation by Isserlis', () => {
  const engine = new GaussianExpectation({ queryIndex: 5 });
  const expectation = (polynomial: Polynomial) => engine.expect(polynomial).expectation;

  it('second moment is the variance', () => {
    expect(expectation(v('x_1_1').pow(2)).equals(v('S_1_1'))).toBe(true);
    expect(expectation(v('xi_2').pow(2)).equals(noiseVariance)).toBe(true);
    expect(expectation(v('beta_3_2').pow(2)).equals(Polynomial.constant(1))).toBe(true);
  });

  it('fourth moment is three variances squared', () => {
    expect(expectation(v('x_1_1').pow(4)).equals(v('S_1_1').pow(2).scale(3))).toBe(true);
    expect(expectation(v('xq_2').pow(4)).equals(v('S_2_2').pow(2).scale(3))).toBe(true);
  });

  it('sixth moment is fifteen variances cubed', () => {
    const result = engine.expect(v('x_1_2').pow(6));
    expect(result.expectation.equals(v('S_2_2').pow(3).scale(15))).toBe(true);
    expect(result.matchings).toBe(15);
  });

  it('four correlated features sum three matchings', () => {
    const result = engine.expect(product('x_1_1', 'x_1_2', 'x_1_3', 'x_1_4'));
    const wick = product('S_1_2', 'S_3_4').add(product('S_1_3', 'S_2_4')).add(product('S_1_4', 'S_2_3'));
    expect(result.expectation.equals(wick)).toBe(true);
    expect(result.matchings).toBe(3);
  });

  it('four correlated tasks use R and the query index', () => {
    const moment = expectation(product('beta_1_1', 'beta_2_1', 'beta_3_1', 'betaq_1'));
    const wick = product('R_1_2', 'R_3_5').add(product('R_1_3', 'R_2_5')).add(product('R_1_5', 'R_2_3'));
    expect(moment.equals(wick)).toBe(true);
  });

  it('mixed repeated variables', () => {
    // E[a²b²] = E[a²]E[b²] + 2 E[ab]², Isserlis with multiplicities.
    const moment = expectation(product('x_1_1', 'x_1_1', 'x_1_2', 'x_1_2'));
    const expected = product('S_1_1', 'S_2_2').add(v('S_1_2').pow(2).scale(2));
    expect(moment.equals(expected)).toBe(true);
  });

  it('odd moments vanish', () => {
    expect(expectation(v('x_1_1')).isZero()).toBe(true);
    expect(expectation(v('x_1_1').pow(3)).isZero()).toBe(true);
    expect(expectation(product('x_1_1', 'x_1_2', 'x_1_3')).isZero()).toBe(true);
    expect(expectation(product('beta_1_1', 'beta_2_1', 'betaq_1')).isZero()).toBe(true);
    expect(expectation(v('xiq').pow(5)).isZero()).toBe(true);
  });

  it('independent groups give zero covariance', () => {
    expect(expectation(product('x_1_1', 'x_2_1')).isZero()).toBe(true);
    expect(expectation(product('xq_1', 'x_1_1')).isZero()).toBe(true);
    expect(expectation(product('beta_1_1', 'beta_1_2')).isZero()).toBe(true);
    expect(expectation(product('xi_1', 'xi_2')).isZero()).toBe(true);
    expect(expectation(product('x_1_1', 'beta_1_1')).isZero()).toBe(true);
  });

  it('independent groups factor', () => {
    const moment = expectation(product('x_1_1', 'x_1_1', 'beta_1_1', 'beta_2_1', 'xi_1', 'xi_1'));
    expect(moment.equals(product('S_1_1', 'R_1_2', 'sigma2'))).toBe(true);
  });

  it('symbols pass through', () => {
    const moment = expectation(product('P_1_2', 'w_3', 'x_1_1', 'x_1_2').scale(rational(7, 2)));
    expect(moment.equals(product('P_1_2', 'w_3', 'S_1_2').scale(rational(7, 2)))).toBe(true);
  });

  it('rejects an example index at the query index', () => {
    expect(() => engine.expect(v('x_5_1').pow(2))).toThrow(InputError);
    expect(() => new GaussianExpectation({ queryIndex: 0 })).toThrow(InputError);
  });
});

describe('fourth-moment lemmas, d = 2', () => {
  const d = 2;
  const engine = new GaussianExpectation({ queryIndex: 3 });
  const sigma = (a: number, b: number) => sigmaEntry(a, b);
  const sigmaSquared = (a: number, b: number) => {
    let sum = Polynomial.zero();
    for (let k = 1; k <= d; k += 1) sum = sum.add(sigma(a, k).mul(sigma(k, b)));
    return sum;
  };
  const traceSigma = sigma(1, 1).add(sigma(2, 2));

  it('cross-example moment is R_ij Σ²', () => {
    for (let a = 1; a <= d; a += 1) {
      for (let b = 1; b <= d; b += 1) {
        const integrand = v(`x_1_${a}`).mul(labelPolynomial(1, d)).mul(labelPolynomial(2, d)).mul(v(`x_2_${b}`));
        const expected = correlationEntry(1, 2).mul(sigmaSquared(a, b));
        expect(engine.expect(integrand).expectation.sub(expected).toString()).toBe('0');
      }
    }
  });

  it('same-example moment is 2Σ² + (tr Σ + σ²) Σ', () => {
    for (let a = 1; a <= d; a += 1) {
      for (let b = 1; b <= d; b += 1) {
        const integrand = v(`x_1_${a}`).mul(labelPolynomial(1, d).pow(2)).mul(v(`x_1_${b}`));
        const expected = sigmaSquared(a, b).scale(2).add(traceSigma.add(noiseVariance).mul(sigma(a, b)));
        expect(engine.expect(integrand).expectation.sub(expected).toString()).toBe('0');
      }
    }
  });
});

describe('risk closed form by Isserlis', () => {
  for (const d of [1, 2]) {
    for (const n of [1, 2, 3]) {
      it(`closed form holds exactly, d = ${d}, n = ${n}`, () => {
        const proof = proveRisk(d, n);
        expect(proof.difference.toString()).toBe('0');
        expect(proof.monomials).toBeGreaterThan(0);
        expect(proof.matchings).toBeGreaterThan(0);
      });
    }
  }

  it('wrong cross-term coefficient leaves a nonzero difference', () => {
    for (const d of [1, 2]) {
      for (const n of [1, 2, 3]) {
        const proof = proveRisk(d, n, { crossTermCoefficient: 3 });
        expect(proof.difference.isZero()).toBe(false);
      }
    }
  });

  it('wrong coefficient leaves exactly the cross term', () => {
    const proof = proveRisk(1, 1, { crossTermCoefficient: 3 });
    expect(proof.difference.toString()).toBe('P_1_1*R_1_2*S_1_1^2*w_1');
  });

  it('d = 2, n = 3 runs within 10 s', () => {
    const proof = proveRisk(2, 3);
    console.log(
      `proveRisk(2, 3): ${proof.milliseconds.toFixed(1)} ms, ${proof.monomials} loss terms, ` +
        `${proof.matchings} matchings, ${proof.pairingSteps} pairing steps`,
    );
    expect(proof.difference.isZero()).toBe(true);
    expect(proof.milliseconds).toBeLessThan(10_000);
  });

  it('rejects sizes below 1', () => {
    expect(() => proveRisk(0, 1)).toThrow(InputError);
    expect(() => proveRisk(1, 1.5)).toThrow(InputError);
    expect(() => proveRisk(1, 1, { crossTermCoefficient: 2.5 })).toThrow(InputError);
  });
});
