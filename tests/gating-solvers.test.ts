import type { Fraction } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { q, rationalIdentity, rationalSolve, rationalToNumbers } from '../src/algebra/rational-matrix.ts';
import { InputError } from '../src/core/errors.ts';
import { blockCorrelation, makeCorrelation } from '../src/data/correlation.ts';
import { diagonalCovariance, isotropicCovariance } from '../src/data/covariance.ts';
import { randomCorrelation, randomRationalCorrelation, rationalBlockCorrelation, rationalRiskInputs, rotatedCovariance, spreadEigenvalues } from '../src/data/instances.ts';
import { Random } from '../src/data/random.ts';
import { boundConstrainedQp, floatArithmetic, rationalArithmetic } from '../src/gating/active-set.ts';
import { inScalarCone, inSignedScalarCone, rationalInScalarCone, rationalInSignedScalarCone, scalarConeMargin } from '../src/gating/cone.ts';
import { coneCurveSearch, coneCurveSides, coneFirstOrderResidual } from '../src/gating/cone-curve.ts';
import { coneMultistart, coneStarts } from '../src/gating/cone-descent.ts';
import { CONE_KKT_RTOL, coneQuadraticMax, rationalConeQuadraticMax } from '../src/gating/cone-qp.ts';
import { gatingOptima, linearOptimum, rationalIsotropicOptima, scalarOptimum, splitIntoConeChannels, vectorOptimum, wpgdOptimum } from '../src/gating/optima.ts';
import { landscapeProblem } from '../src/optim/landscape.ts';
import { rationalReducedRisk } from '../src/theory/risk-rational.ts';
import { makeTask, reducedRisk } from '../src/theory/risk.ts';

/** Q = R_n + μ I as floats. */
function shifted(Rn: readonly (readonly number[])[], mu: number): number[][] {
  return Rn.map((row, i) => row.map((value, j) => (i === j ? value + mu : value)));
}

function rationalShifted(Rn: readonly (readonly Fraction[])[], mu: Fraction): Fraction[][] {
  return Rn.map((row, i) => row.map((value, j) => (i === j ? value.add(mu) : value)));
}

function split(R: Fraction[][]): { Rn: Fraction[][]; r: Fraction[] } {
  const n = R.length - 1;
  return { Rn: R.slice(0, n).map((row) => row.slice(0, n)), r: R.slice(0, n).map((row) => row[n]) };
}

function ratio(Q: readonly (readonly number[])[], r: readonly number[], omega: readonly number[]): number {
  const s = omega.reduce((acc, value, i) => acc + value * r[i], 0);
  const quadratic = omega.reduce((acc, value, i) => acc + value * Q[i].reduce((inner, entry, j) => inner + entry * omega[j], 0), 0);
  return (s * s) / quadratic;
}

/** Largest ratio over a grid of cone points with ω_n = 1: n = 2 uses (a, 1), n = 3 uses (a, b, 1) with 0 ≤ a ≤ b ≤ 1. */
function bruteForceRatio(Q: number[][], r: number[], steps: number): number {
  const n = r.length;
  let best = ratio(Q, r, new Array<number>(n).fill(1));
  if (n === 2) {
    for (let i = 0; i <= steps; i++) best = Math.max(best, ratio(Q, r, [i / steps, 1]));
  } else {
    for (let i = 0; i <= steps; i++) {
      for (let j = i; j <= steps; j++) best = Math.max(best, ratio(Q, r, [i / steps, j / steps, 1]));
    }
  }
  return best;
}

describe('scalar cone membership', () => {
  it('accepts nondecreasing nonnegative weights', () => {
    expect(inScalarCone([0, 0, 0.5, 0.5, 1], 0)).toBe(true);
    expect(inScalarCone([], 0)).toBe(true);
    expect(inScalarCone([0.2, 0.1], 0)).toBe(false);
    expect(inScalarCone([-1e-3, 1], 0)).toBe(false);
  });

  it('tolerance is relative to the largest weight', () => {
    expect(inScalarCone([-1e-13, 1], 1e-12)).toBe(true);
    expect(inScalarCone([-1e-13, 1e-3], 1e-12)).toBe(false);
  });

  it('signed variant accepts ω or −ω', () => {
    expect(inSignedScalarCone([0, -0.5, -1], 0)).toBe(true);
    expect(inSignedScalarCone([-1, 0.5, 0], 0)).toBe(false);
    expect(rationalInSignedScalarCone([q(0), q(-1, 2), q(-1)])).toBe(true);
    expect(rationalInSignedScalarCone([q(-1), q(1, 2), q(0)])).toBe(false);
  });

  it('exact test decides ties and zeros exactly', () => {
    expect(rationalInScalarCone([q(0), q(1, 3), q(1, 3)])).toBe(true);
    expect(rationalInScalarCone([q(1, 3), q(333333, 1000000)])).toBe(false);
    expect(rationalInScalarCone([q(-1, 10 ** 9), q(1)])).toBe(false);
  });

  it('margin is positive inside and negative outside', () => {
    expect(scalarConeMargin([0.25, 0.5, 1])).toBeCloseTo(0.25, 15);
    expect(scalarConeMargin([0, 1])).toBe(0);
    expect(scalarConeMargin([1, 0.5])).toBeLessThan(0);
  });

  it('rejects a negative tolerance', () => {
    expect(() => inScalarCone([1], -1)).toThrow(InputError);
  });
});

describe('active-set method', () => {
  it('float and exact runs agree on a small NNLS problem', () => {
    // minimise ½δᵀHδ − cᵀδ, δ ≥ 0; the unconstrained minimiser (5/3, −4/3) is infeasible.
    const H = [
      [2, 1],
      [1, 2],
    ];
    const c = [2, -1];
    const float = boundConstrainedQp(floatArithmetic, H, c);
    expect(float.delta).toEqual([1, 0]);
    const exact = boundConstrainedQp(
      rationalArithmetic,
      H.map((row) => row.map((value) => q(value))),
      c.map((value) => q(value)),
    );
    expect(exact.delta.map((value) => value.toFraction())).toEqual(['1', '0']);
    expect(exact.converged).toBe(true);
  });
});

describe('cone program, known cases', () => {
  it('n = 1: ratio r²/Q and the sign of r', () => {
    const solution = coneQuadraticMax([[3]], [-2]);
    expect(solution.ratio).toBeCloseTo(4 / 3, 15);
    expect(solution.sign).toBe(-1);
    expect(solution.omega).toEqual([1]);
    expect(solution.kkt.certified).toBe(true);
    const exact = rationalConeQuadraticMax([[q(3)]], [q(-2)]);
    expect(exact.ratio.toFraction()).toBe('4/3');
    expect(exact.sign).toBe(-1);
    expect(exact.sides.plus.feasible).toBe(false);
  });

  it('interior optimum is ω ∝ r', () => {
    // Q = I and r = (1, 2): ω ∝ r lies in the cone, with ratio ‖r‖² = 5.
    const solution = coneQuadraticMax(
      [
        [1, 0],
        [0, 1],
      ],
      [1, 2],
    );
    expect(solution.ratio).toBeCloseTo(5, 14);
    expect(solution.omega[0]).toBeCloseTo(0.5, 14);
    expect(solution.omega[1]).toBe(1);
    expect(solution.kkt.activeSet).toEqual([]);
  });

  it('decreasing r: the optimum is the flat ω = 1 (boundary)', () => {
    const solution = coneQuadraticMax(
      [
        [1, 0],
        [0, 1],
      ],
      [2, 1],
    );
    expect(solution.omega).toEqual([1, 1]);
    expect(solution.ratio).toBeCloseTo(4.5, 14);
    expect(solution.kkt.activeSet).toEqual([1]);
  });

  it('r = 0: ratio 0, sign 0, every ω optimal', () => {
    const solution = coneQuadraticMax(
      [
        [2, 0.5],
        [0.5, 2],
      ],
      [0, 0],
    );
    expect(solution.ratio).toBe(0);
    expect(solution.sign).toBe(0);
    expect(solution.kkt.certified).toBe(true);
    const exact = rationalConeQuadraticMax(rationalIdentity(3, q(2)), [q(0), q(0), q(0)]);
    expect(exact.sign).toBe(0);
    expect(exact.ratio.equals(0)).toBe(true);
    expect(exact.certified).toBe(true);
  });

  it('exact tie across the two sign sides', () => {
    // Q = R_n + 3I with R_n = [[1, 1/2], [1/2, 1]], r = (1/2, −1/5): ω = 1 and ω = e_2 both give 1/100.
    const Q = [
      [q(4), q(1, 2)],
      [q(1, 2), q(4)],
    ];
    const exact = rationalConeQuadraticMax(Q, [q(1, 2), q(-1, 5)]);
    expect(exact.tie).toBe(true);
    expect(exact.certified).toBe(true);
    expect(exact.sides.plus.omega.map((value) => value.toFraction())).toEqual(['1', '1']);
    expect(exact.sides.minus.omega.map((value) => value.toFraction())).toEqual(['0', '1']);
    expect(exact.ratio.toFraction()).toBe('1/100');
  });

  it('rejects a Q that is not positive definite', () => {
    expect(() =>
      coneQuadraticMax(
        [
          [1, 2],
          [2, 1],
        ],
        [1, 1],
      ),
    ).toThrow(InputError);
    expect(() =>
      rationalConeQuadraticMax(
        [
          [q(1), q(1)],
          [q(1), q(1)],
        ],
        [q(1), q(1)],
      ),
    ).toThrow(/not positive definite/);
  });
});

describe('cone program against brute force', () => {
  for (const n of [2, 3]) {
    it(`grid search agrees for n = ${n}`, () => {
      const random = new Random(10 + n);
      const steps = n === 2 ? 4000 : 300;
      for (let trial = 0; trial < 40; trial++) {
        const rho = [2 * random.uniform() - 1, 2 * random.uniform() - 1];
        const sizes = n === 2 ? [1, 1] : [1, 2];
        const correlation = trial % 3 === 0 ? blockCorrelation(sizes, rho) : randomCorrelation(random, n);
        const Q = shifted(correlation.Rn, 0.1 + 5 * random.uniform());
        const solution = coneQuadraticMax(Q, correlation.r);
        expect(solution.kkt.certified).toBe(true);
        const brute = bruteForceRatio(Q, correlation.r, steps);
        expect(brute).toBeLessThanOrEqual(solution.ratio * (1 + 1e-12));
        // The grid must come close to the optimum too. The 2% allowance is an estimate of the
        // grid's worst shortfall (spacing 1/steps, smooth ratio, min eig(Q) ≥ 0.1).
        expect(brute).toBeGreaterThanOrEqual(solution.ratio * (1 - 2e-2));
        expect(inScalarCone(solution.omega, 1e-12)).toBe(true);
        if (solution.sign !== 0) {
          const s = solution.omega.reduce((acc, value, i) => acc + value * correlation.r[i], 0);
          expect(Math.sign(s)).toBe(solution.sign);
        }
      }
    });
  }
});

describe('exact cone program', () => {
  it('agrees with float64 on random rational correlations, singular ones included', () => {
    const random = new Random(7);
    for (let trial = 0; trial < 25; trial++) {
      const n = random.integer(1, 6);
      const R = randomRationalCorrelation(random, n, random.integer(1, n + 1));
      const { Rn, r } = split(R);
      const mu = q(random.integer(1, 8), random.integer(1, 3));
      const Q = rationalShifted(Rn, mu);
      const exact = rationalConeQuadraticMax(Q, r);
      expect(exact.certified).toBe(true);
      expect(rationalInScalarCone(exact.omega)).toBe(true);
      const float = coneQuadraticMax(rationalToNumbers(Q), r.map((value) => value.valueOf()));
      expect(Math.abs(float.ratio - exact.ratio.valueOf())).toBeLessThanOrEqual(1e-12 * Math.max(1, exact.ratio.valueOf()));
      if (!exact.tie) float.omega.forEach((value, i) => expect(Math.abs(value - exact.omega[i].valueOf())).toBeLessThan(1e-9));
    }
  });

  it('exact KKT holds on singular block models', () => {
    const rho = [q(1, 2), q(-1, 3), q(1), q(0)];
    const sizes = [2, 3, 1, 2];
    const { Rn, r } = split(rationalBlockCorrelation(sizes, rho));
    const exact = rationalConeQuadraticMax(rationalShifted(Rn, q(3)), r);
    expect(exact.certified).toBe(true);
    for (const side of [exact.sides.plus, exact.sides.minus]) {
      expect(side.nu.every((value) => !value.lt(0))).toBe(true);
      expect(side.delta.every((value, i) => value.mul(side.nu[i]).equals(0))).toBe(true);
    }
  });

  it('exact ratio beats every cone vertex direction e_k + … + e_n', () => {
    const random = new Random(8);
    for (let trial = 0; trial < 10; trial++) {
      const n = random.integer(2, 5);
      const { Rn, r } = split(randomRationalCorrelation(random, n));
      const Q = rationalShifted(Rn, q(2));
      const exact = rationalConeQuadraticMax(Q, r);
      for (let k = 0; k < n; k++) {
        const omega = Array.from({ length: n }, (_, i) => (i >= k ? q(1) : q(0)));
        const s = omega.reduce((acc, value, i) => acc.add(value.mul(r[i])), q(0));
        const quadratic = omega.reduce((acc, value, i) => acc.add(value.mul(Q[i].reduce((inner, entry, j) => inner.add(entry.mul(omega[j])), q(0)))), q(0));
        expect(s.mul(s).div(quadratic).lte(exact.ratio)).toBe(true);
      }
    }
  });
});

describe('optimal risks of the gating families', () => {
  it('exact isotropic optima are ordered and match the rational reduced risk', () => {
    const random = new Random(9);
    for (let trial = 0; trial < 15; trial++) {
      const n = random.integer(1, 5);
      const d = random.integer(1, 4);
      const sigma2 = q(random.integer(0, 4), random.integer(1, 3));
      const R = trial % 2 === 0 ? randomRationalCorrelation(random, n, random.integer(1, n + 1)) : rationalBlockCorrelation([n], [q(random.integer(-3, 3), 3)]);
      const optima = rationalIsotropicOptima(d, R, sigma2);
      expect(optima.wpgd.risk.lte(optima.scalar.risk)).toBe(true);
      expect(optima.scalar.risk.lte(optima.lin.risk)).toBe(true);
      const inputs = rationalRiskInputs(rationalIdentity(d), R, sigma2);
      expect(rationalReducedRisk(inputs, optima.lin.omega).equals(optima.lin.risk)).toBe(true);
      if (optima.scalar.sign !== 0) expect(rationalReducedRisk(inputs, optima.scalar.omega).equals(optima.scalar.risk)).toBe(true);
      if (optima.wpgd.omega.some((value) => !value.equals(0))) expect(rationalReducedRisk(inputs, optima.wpgd.omega).equals(optima.wpgd.risk)).toBe(true);
    }
  });

  it('exact WPGD optimum solves (R_n + (d+1+σ²)I) ω = r', () => {
    const R = rationalBlockCorrelation([2, 1], [q(1, 2), q(3, 4)]);
    const optima = rationalIsotropicOptima(2, R, q(1, 2));
    const { Rn, r } = split(R);
    const expected = rationalSolve(rationalShifted(Rn, q(7, 2)), r);
    expect(optima.wpgd.omega.map((value) => value.toFraction())).toEqual(expected.map((value) => value.toFraction()));
    // ρ increasing: the unconstrained optimum lies in the cone, so scalar gating is optimal.
    expect(optima.scalar.risk.equals(optima.wpgd.risk)).toBe(true);
  });

  it('rejects an R that is not positive semidefinite', () => {
    const R = [
      [q(1), q(1), q(-1)],
      [q(1), q(1), q(1)],
      [q(-1), q(1), q(1)],
    ];
    expect(() => rationalIsotropicOptima(1, R, q(0))).toThrow(/not positive semidefinite/);
  });

  it('isotropic float scalar optimum equals the exact one', () => {
    const sizes = [2, 2, 2];
    const rho = [q(3, 4), q(1, 4), q(1, 2)];
    const exact = rationalIsotropicOptima(3, rationalBlockCorrelation(sizes, rho), q(1, 2));
    const task = makeTask(isotropicCovariance(3), blockCorrelation(sizes, [0.75, 0.25, 0.5]), 0.5);
    const float = scalarOptimum(task);
    expect(float.certified).toBe(true);
    expect(Math.abs(float.risk - exact.scalar.risk.valueOf())).toBeLessThan(1e-13);
    expect(float.risk).toBeGreaterThan(wpgdOptimum(task).risk + 1e-6);
  });

  it('general Σ: μ-search meets the multistart and first-order KKT', () => {
    const random = new Random(11);
    for (let trial = 0; trial < 6; trial++) {
      const d = random.integer(2, 4);
      const n = random.integer(2, 6);
      const task = makeTask(rotatedCovariance(random, spreadEigenvalues(d, 2.5)), randomCorrelation(random, n), random.uniform());
      const optimum = scalarOptimum(task, { starts: 6, seed: trial });
      expect(optimum.certified).toBe(true);
      expect(optimum.firstOrderResidual).toBeLessThan(1e-8);
      expect(inScalarCone(optimum.omega, 1e-12)).toBe(true);
      // Any cone point bounds L*_scalar from above, so the multistart may tie but not win.
      expect(optimum.multistart!.gap).toBeGreaterThan(-1e-12 * (task.d + 10));
    }
  });

  it('general Σ: certificate covers both sign sides at μ', () => {
    const random = new Random(13);
    for (let trial = 0; trial < 4; trial++) {
      const task = makeTask(rotatedCovariance(random, spreadEigenvalues(3, 3)), randomCorrelation(random, 5), 0.3);
      const optimum = scalarOptimum(task, { starts: 0 });
      const Q = shifted(task.correlation.Rn, optimum.mu);
      const atMu = coneQuadraticMax(Q, task.correlation.r);
      expect(optimum.certified).toBe(true);
      expect(optimum.uncertifiedGridSides).toBe(0);
      // The reported KKT report is the combined one, certified only when both sides are.
      expect(optimum.kkt!.certified).toBe(atMu.sides.plus.kkt.certified && atMu.sides.minus.kkt.certified);
      expect(optimum.kkt!.dualFeasibility).toBe(Math.max(atMu.sides.plus.kkt.dualFeasibility, atMu.sides.minus.kkt.dualFeasibility));
    }
  });

  it('cone curve counts feasible sides that fail KKT', () => {
    const task = makeTask(diagonalCovariance([0.5, 4]), blockCorrelation([2, 2], [0.8, -0.4]), 0.2);
    const problem = landscapeProblem(task);
    const sides = coneCurveSides(problem, 3);
    const solution = coneQuadraticMax(shifted(task.correlation.Rn, 3), task.correlation.r);
    const feasible = [solution.sides.plus, solution.sides.minus].filter((side) => side.feasible);
    expect(sides.uncertifiedSides).toBe(feasible.filter((side) => !side.kkt.certified).length);
    expect(sides.points.map((point) => point.sign)).toEqual(feasible.filter((side) => side.omega.length > 0).map((side) => side.sign));
    expect(coneCurveSearch(problem).uncertifiedGridSides).toBe(0);
  });

  it('general Σ: the order L*_WPGD = L*_vec ≤ L*_scalar ≤ L*_lin', () => {
    const random = new Random(12);
    for (let trial = 0; trial < 5; trial++) {
      const task = makeTask(diagonalCovariance([0.1, 1, 10]), randomCorrelation(random, 4), 0.2);
      const optima = gatingOptima(task, { starts: 4 });
      const c = 11.1 + 0.2;
      expect(Math.abs(optima.vec.risk - optima.wpgd.risk)).toBeLessThan(1e-12 * c);
      expect(optima.wpgd.risk).toBeLessThanOrEqual(optima.scalar.risk + 1e-12 * c);
      expect(optima.scalar.risk).toBeLessThanOrEqual(optima.lin.risk + 1e-12 * c);
    }
  });

  it('value-vector channels are cone sequences whose difference is ω', () => {
    const omega = [0.5, -1, 2, 2, -0.25];
    const { plus, minus } = splitIntoConeChannels(omega);
    expect(inScalarCone(plus, 0)).toBe(true);
    expect(inScalarCone(minus, 0)).toBe(true);
    plus.forEach((value, i) => expect(value - minus[i]).toBeCloseTo(omega[i], 15));
    const task = makeTask(isotropicCovariance(2), makeCorrelation([
      [1, 0.2, 0.5],
      [0.2, 1, -0.3],
      [0.5, -0.3, 1],
    ]), 0.1);
    expect(Math.abs(vectorOptimum(task).risk - wpgdOptimum(task).risk)).toBeLessThan(1e-14);
    expect(linearOptimum(task).omega).toEqual([1, 1]);
  });

  it('projected-gradient descent converges to a first-order point', () => {
    const task = makeTask(diagonalCovariance([0.2, 5]), blockCorrelation([2, 3], [0.9, 0.3]), 0.3);
    const problem = landscapeProblem(task);
    const result = coneMultistart(problem, coneStarts(new Random(3), 5, 4));
    expect(result.converged).toBe(4);
    expect(coneFirstOrderResidual(problem, result.best.omega)).toBeLessThan(1e-8);
    expect(Math.abs(reducedRisk(task, result.best.omega) - result.best.risk)).toBeLessThan(1e-13);
  });

  it('KKT tolerance is the documented constant', () => {
    expect(coneQuadraticMax([[1]], [1]).kkt.tolerance).toBe(CONE_KKT_RTOL);
  });
});
