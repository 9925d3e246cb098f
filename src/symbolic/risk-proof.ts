import { InputError } from '../core/errors.ts';
import { GaussianExpectation, correlationEntry, noiseVariance, sigmaEntry } from './gaussian.ts';
import { Polynomial } from './polynomial.ts';

/**
 * Symbolic proof of the WPGD risk closed form for fixed sizes d and n, with
 * every entry of Σ, R, P, ω and σ² a symbol:
 *
 *   E[(y − ŷ)²] = tr Σ + σ² − 2 (ωᵀr) tr(Σ P Σ) + tr(Pᵀ Σ P (a Σ² + b Σ)),
 *   a = ωᵀ R_n ω + ‖ω‖²,  b = ‖ω‖² (tr Σ + σ²),
 *
 * where y = xᵀβ + ξ, y_i = x_iᵀβ_i + ξ_i, ŷ = xᵀ P Σ_i ω_i x_i y_i and
 * r_i = R_{i,n+1}. The left side is expanded as a polynomial and its
 * expectation taken by Isserlis' theorem, so the closed form is proved exactly
 * when the difference of the two sides is the zero polynomial.
 */

type PolynomialMatrix = Polynomial[][];

export interface RiskProofOptions {
  /**
   * Coefficient of the cross term (ωᵀr) tr(Σ P Σ) in the closed form, 2 in the
   * theorem. Another value gives a wrong closed form, which the proof must reject.
   */
  readonly crossTermCoefficient?: number;
}

export interface RiskProof {
  readonly d: number;
  readonly n: number;
  /** E[loss] − closed form, the zero polynomial exactly when the closed form is correct. */
  readonly difference: Polynomial;
  readonly expectation: Polynomial;
  readonly closedForm: Polynomial;
  /** Terms of the expanded loss (y − ŷ)². */
  readonly monomials: number;
  /** Perfect matchings summed by Isserlis' theorem over all loss terms. */
  readonly matchings: number;
  /** Pairings the memoised recursion expanded. */
  readonly pairingSteps: number;
  readonly milliseconds: number;
}

/** y_i = x_iᵀ β_i + ξ_i for example i, or the query label when `sample` is 'q'. */
export function labelPolynomial(sample: number | 'q', d: number): Polynomial {
  const feature = (c: number) => (sample === 'q' ? `xq_${c}` : `x_${sample}_${c}`);
  const task = (c: number) => (sample === 'q' ? `betaq_${c}` : `beta_${sample}_${c}`);
  let label = Polynomial.variable(sample === 'q' ? 'xiq' : `xi_${sample}`);
  for (let c = 1; c <= d; c += 1) {
    label = label.add(Polynomial.variable(feature(c)).mul(Polynomial.variable(task(c))));
  }
  return label;
}

/** ŷ = xᵀ P Σ_i ω_i x_i y_i with symbols P_a_b and w_i. */
export function wpgdPrediction(d: number, n: number): Polynomial {
  const examples = Array.from({ length: n }, (_, i) => i + 1);
  const coordinates = Array.from({ length: d }, (_, c) => c + 1);
  const weightedLabels = examples.map((i) => Polynomial.variable(`w_${i}`).mul(labelPolynomial(i, d)));
  // (Xᵀ(ω ⊙ y))_b = Σ_i x_i_b ω_i y_i, summed in one pass per coordinate.
  const weightedSum = coordinates.map((b) => Polynomial.sum(examples.map((i) => Polynomial.variable(`x_${i}_${b}`).mul(weightedLabels[i - 1]))));
  return Polynomial.sum(
    coordinates.flatMap((a) => coordinates.map((b) => Polynomial.variable(`xq_${a}`).mul(Polynomial.variable(`P_${a}_${b}`)).mul(weightedSum[b - 1]))),
  );
}

/** Builds the squared loss (y − ŷ)² as a polynomial in the random variables and the symbols. */
export function wpgdLoss(d: number, n: number): Polynomial {
  return labelPolynomial('q', d).sub(wpgdPrediction(d, n)).pow(2);
}

/** Builds the closed form of the risk with the given cross-term coefficient (2 in the theorem). */
export function closedFormRisk(d: number, n: number, crossTermCoefficient = 2): Polynomial {
  const sigma = symbolMatrix(d, (a, b) => sigmaEntry(a, b));
  const preconditioner = symbolMatrix(d, (a, b) => Polynomial.variable(`P_${a}_${b}`));
  const omega = Array.from({ length: n }, (_, i) => Polynomial.variable(`w_${i + 1}`));

  const traceSigma = trace(sigma);
  const indices = Array.from({ length: n }, (_, i) => i + 1);
  const omegaDotR = Polynomial.sum(indices.map((i) => omega[i - 1].mul(correlationEntry(i, n + 1))));
  const omegaNormSquared = Polynomial.sum(indices.map((i) => omega[i - 1].pow(2)));
  // ωᵀRω has n² terms: one collecting pass, since n² add() calls would copy the growing sum each time.
  const omegaROmega = Polynomial.sum(indices.flatMap((i) => indices.map((j) => omega[i - 1].mul(correlationEntry(i, j)).mul(omega[j - 1]))));
  const a = omegaROmega.add(omegaNormSquared);
  const b = omegaNormSquared.mul(traceSigma.add(noiseVariance));

  const sigmaSquared = matrixProduct(sigma, sigma);
  const crossTrace = trace(matrixProduct(matrixProduct(sigma, preconditioner), sigma));
  const weighting = matrixSum(matrixScale(sigmaSquared, a), matrixScale(sigma, b));
  const quadraticTrace = trace(
    matrixProduct(matrixProduct(matrixProduct(transpose(preconditioner), sigma), preconditioner), weighting),
  );

  return traceSigma
    .add(noiseVariance)
    .sub(omegaDotR.mul(crossTrace).scale(crossTermCoefficient))
    .add(quadraticTrace);
}

/** Derives E[(y − ŷ)²] by Isserlis' theorem and subtracts the closed form. */
export function proveRisk(d: number, n: number, options: RiskProofOptions = {}): RiskProof {
  requireSize('d', d);
  requireSize('n', n);
  const crossTermCoefficient = options.crossTermCoefficient ?? 2;
  if (!Number.isInteger(crossTermCoefficient)) {
    throw new InputError('crossTermCoefficient', 'is not an integer', crossTermCoefficient, 'pass an integer such as 2');
  }

  const started = performance.now();
  const loss = wpgdLoss(d, n);
  const engine = new GaussianExpectation({ queryIndex: n + 1 });
  const result = engine.expect(loss);
  const closedForm = closedFormRisk(d, n, crossTermCoefficient);
  const difference = result.expectation.sub(closedForm);
  const milliseconds = performance.now() - started;

  return {
    d,
    n,
    difference,
    expectation: result.expectation,
    closedForm,
    monomials: result.monomials,
    matchings: result.matchings,
    pairingSteps: result.pairingSteps,
    milliseconds,
  };
}

function requireSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InputError(name, 'is not a positive integer', value, `pass ${name} ≥ 1`);
  }
}

function symbolMatrix(d: number, entry: (a: number, b: number) => Polynomial): PolynomialMatrix {
  return Array.from({ length: d }, (_, row) => Array.from({ length: d }, (_, column) => entry(row + 1, column + 1)));
}

function matrixProduct(left: PolynomialMatrix, right: PolynomialMatrix): PolynomialMatrix {
  return left.map((row) =>
    right[0].map((_, column) => {
      let sum = Polynomial.zero();
      for (let k = 0; k < row.length; k += 1) sum = sum.add(row[k].mul(right[k][column]));
      return sum;
    }),
  );
}

function matrixSum(left: PolynomialMatrix, right: PolynomialMatrix): PolynomialMatrix {
  return left.map((row, i) => row.map((entry, j) => entry.add(right[i][j])));
}

function matrixScale(matrix: PolynomialMatrix, factor: Polynomial): PolynomialMatrix {
  return matrix.map((row) => row.map((entry) => entry.mul(factor)));
}

function transpose(matrix: PolynomialMatrix): PolynomialMatrix {
  return matrix[0].map((_, column) => matrix.map((row) => row[column]));
}

function trace(matrix: PolynomialMatrix): Polynomial {
  let sum = Polynomial.zero();
  for (let k = 0; k < matrix.length; k += 1) sum = sum.add(matrix[k][k]);
  return sum;
}
