import { InputError } from '../core/errors.ts';
import { makeCorrelation, validateBlockModel, type Correlation } from '../data/correlation.ts';
import { diagonalCovariance, makeCovariance, type Covariance } from '../data/covariance.ts';
import { maxAbs } from '../linalg/dense.ts';
import { SYMMETRY_RTOL } from '../linalg/symmetric.ts';
import { childPointer, formatJsonValue, type InstanceIssue } from './issues.ts';

/**
 * The checks of an instance that JSON Schema cannot express: sizes that must
 * agree with d and n, symmetry, unit diagonal, definiteness and conditioning.
 * They run on a document that already passed the schema, so every field has
 * its type.
 */

/** An instance document that passed schemas/instance.schema.json. */
export interface InstanceJson {
  $schema?: string;
  name?: string;
  description?: string;
  d: number;
  n: number;
  Sigma?: number[][];
  sigmaEigenvalues?: number[];
  sigma2: number;
  R?: number[][];
  blocks?: { sizes: number[]; rho: number[] };
}

/** Largest n with an explicit R: validating R takes an eigendecomposition of size n + 1 (0.6 s at n = 256 on a 2-core x86 VM). */
export const MAX_EXPLICIT_R_EXAMPLES = 256;

/**
 * Largest condition number λ_max/λ_min of Σ. Beyond it float64
 * eigendecompositions of Σ keep fewer than eight correct digits, and the
 * claims' property checks draw Σ only up to this condition number.
 */
export const MAX_SIGMA_CONDITION = 1e8;

/**
 * Smallest eigenvalue of Σ. Below it the risk terms λ_k² and λ_k³ of the
 * closed form and the curve search underflow towards float64's limits (at
 * λ = 1e-300 the curve search finds no peak at all). Rescaling Σ and σ² by one
 * factor t scales every risk by t and keeps the optimal weights, so users can
 * always rescale into range.
 */
export const MIN_SIGMA_EIGENVALUE = 1e-6;

/**
 * Smallest magnitude of a nonzero correlation (ρ_k, or R_ij off the diagonal).
 * The optima square ωᵀr, and the square of a correlation below 1e-154
 * underflows, which turned a correlation of 5e-324 into ω* = 0 and NaN
 * weights. Such a correlation is 0 for every practical purpose.
 */
export const MIN_NONZERO_CORRELATION = 1e-100;

/** Adds an issue when 0 < |value| < MIN_NONZERO_CORRELATION. */
function checkTinyCorrelation(pointer: string, value: number, issues: InstanceIssue[]): void {
  if (value !== 0 && Math.abs(value) < MIN_NONZERO_CORRELATION) {
    issues.push({ pointer, problem: `is nonzero but below ${MIN_NONZERO_CORRELATION} in magnitude`, value: String(value), fix: 'pass 0 instead: float64 squares of such a correlation underflow' });
  }
}

/** Allowed |R_ii − 1|, the tolerance makeCorrelation applies: round-off of a normalised Gram matrix stays far below it. */
const UNIT_DIAGONAL_TOL = 1e-12;

/** The validated Σ and, for an explicit R, the validated correlation, or the issues found. */
export interface SemanticResult {
  issues: InstanceIssue[];
  covariance?: Covariance;
  correlation?: Correlation;
}

export function semanticIssues(json: InstanceJson): SemanticResult {
  const issues: InstanceIssue[] = [];
  const covariance = json.Sigma !== undefined ? checkSigma(json.Sigma, json.d, issues) : checkEigenvalues(json.sigmaEigenvalues ?? [], json.d, issues);
  let correlation: Correlation | undefined;
  if (json.R !== undefined) correlation = checkCorrelation(json.R, json.n, issues);
  if (json.blocks !== undefined) checkBlocks(json.blocks, json.n, issues);
  return { issues, covariance, correlation };
}

/** Checks that `matrix` is size×size, adding one issue per wrong row count or row length; true when it is. */
function checkSquare(pointer: string, matrix: readonly (readonly number[])[], size: number, meaning: string, issues: InstanceIssue[]): boolean {
  let square = true;
  if (matrix.length !== size) {
    issues.push({ pointer, problem: `has ${matrix.length} rows but ${meaning}`, value: `${matrix.length} rows`, fix: `pass ${size} rows of ${size} numbers` });
    square = false;
  }
  matrix.forEach((row, i) => {
    if (row.length !== size) {
      issues.push({ pointer: childPointer(pointer, i), problem: `has ${row.length} entries but ${meaning}`, value: formatJsonValue(row), fix: `pass ${size} numbers per row` });
      square = false;
    }
  });
  return square;
}

/**
 * Adds one issue per pair i > j with |A_ij − A_ji| > SYMMETRY_RTOL·max|A|, the
 * relative tolerance of the library's requireSymmetric; true when there is none.
 */
function checkSymmetric(pointer: string, matrix: readonly (readonly number[])[], issues: InstanceIssue[]): boolean {
  const allowed = SYMMETRY_RTOL * maxAbs(matrix);
  let symmetric = true;
  for (let i = 0; i < matrix.length; i++) {
    for (let j = 0; j < i; j++) {
      if (Math.abs(matrix[i][j] - matrix[j][i]) > allowed) {
        issues.push({
          pointer: childPointer(childPointer(pointer, i), j),
          problem: `differs from its mirror entry ${childPointer(childPointer(pointer, j), i)}`,
          value: `${matrix[i][j]} vs ${matrix[j][i]}`,
          fix: `pass a symmetric matrix (allowed difference ${SYMMETRY_RTOL} times the largest entry)`,
        });
        symmetric = false;
      }
    }
  }
  return symmetric;
}

/** Turns an InputError of a library constructor into an issue at `pointer`; other errors propagate. */
function libraryIssue<T>(pointer: string, build: () => T, issues: InstanceIssue[]): T | undefined {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // InputError's message is "<input> <problem> (got <value>); <fix>": keep the problem, the rest has its own fields.
    const start = error.input.length + 1;
    const end = error.message.indexOf(` (got ${error.value}); `);
    const problem = end > start ? error.message.slice(start, end) : error.message;
    issues.push({ pointer, problem, value: error.value, fix: error.fix });
    return undefined;
  }
}

function checkCondition(pointer: string, eigenvalues: readonly number[], issues: InstanceIssue[]): void {
  const smallest = eigenvalues[0];
  const largest = eigenvalues[eigenvalues.length - 1];
  if (smallest < MIN_SIGMA_EIGENVALUE) {
    issues.push({
      pointer,
      problem: `has smallest eigenvalue ${smallest}, below the limit ${MIN_SIGMA_EIGENVALUE}`,
      value: `eigenvalues from ${smallest} to ${largest}`,
      fix: 'multiply Σ and σ² by one factor t ≥ 1: every risk scales by t and the optimal weights stay the same',
    });
  }
  if (largest > MAX_SIGMA_CONDITION * smallest) {
    issues.push({
      pointer,
      problem: `has condition number ${(largest / smallest).toExponential(3)}, above the limit ${MAX_SIGMA_CONDITION.toExponential(0).replace('+', '')}`,
      value: `eigenvalues from ${smallest} to ${largest}`,
      fix: 'rescale or regularise Σ (add a multiple of I); float64 results beyond this condition number keep fewer than eight digits',
    });
  }
}

function checkSigma(Sigma: number[][], d: number, issues: InstanceIssue[]): Covariance | undefined {
  if (!checkSquare('/Sigma', Sigma, d, `d = ${d}`, issues)) return undefined;
  if (!checkSymmetric('/Sigma', Sigma, issues)) return undefined;
  const covariance = libraryIssue('/Sigma', () => makeCovariance(Sigma), issues);
  if (covariance !== undefined) checkCondition('/Sigma', covariance.eigenvalues, issues);
  return covariance;
}

function checkEigenvalues(eigenvalues: number[], d: number, issues: InstanceIssue[]): Covariance | undefined {
  if (eigenvalues.length !== d) {
    issues.push({ pointer: '/sigmaEigenvalues', problem: `has ${eigenvalues.length} entries but d = ${d}`, value: formatJsonValue(eigenvalues), fix: `pass ${d} positive eigenvalues, one per feature` });
    return undefined;
  }
  checkCondition('/sigmaEigenvalues', [...eigenvalues].sort((a, b) => a - b), issues);
  return diagonalCovariance(eigenvalues);
}

function checkCorrelation(R: number[][], n: number, issues: InstanceIssue[]): Correlation | undefined {
  if (n > MAX_EXPLICIT_R_EXAMPLES) {
    issues.push({
      pointer: '/n',
      problem: `is above ${MAX_EXPLICIT_R_EXAMPLES}, the limit with an explicit R`,
      value: String(n),
      fix: `pass n ≤ ${MAX_EXPLICIT_R_EXAMPLES}, or describe R by a block model (blocks), which allows n ≤ 4096`,
    });
    return undefined;
  }
  if (!checkSquare('/R', R, n + 1, `n + 1 = ${n + 1} (the examples and the query)`, issues)) return undefined;
  let valid = true;
  R.forEach((row, i) => {
    if (!(Math.abs(row[i] - 1) <= UNIT_DIAGONAL_TOL)) {
      issues.push({ pointer: `/R/${i}/${i}`, problem: 'is not 1', value: String(row[i]), fix: 'a correlation matrix has unit diagonal' });
      valid = false;
    }
  });
  R.forEach((row, i) => row.forEach((value, j) => {
    if (i !== j) checkTinyCorrelation(`/R/${i}/${j}`, value, issues);
  }));
  if (!checkSymmetric('/R', R, issues) || !valid) return undefined;
  return libraryIssue('/R', () => makeCorrelation(R), issues);
}

function checkBlocks(blocks: { sizes: number[]; rho: number[] }, n: number, issues: InstanceIssue[]): void {
  const { sizes, rho } = blocks;
  let valid = true;
  if (rho.length !== sizes.length) {
    issues.push({ pointer: '/blocks/rho', problem: `has ${rho.length} entries but /blocks/sizes has ${sizes.length} blocks`, value: formatJsonValue(rho), fix: 'pass one ρ_k per block' });
    valid = false;
  }
  const before = issues.length;
  rho.forEach((value, k) => checkTinyCorrelation(`/blocks/rho/${k}`, value, issues));
  if (issues.length > before) valid = false;
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total !== n) {
    issues.push({ pointer: '/blocks/sizes', problem: `sums to ${total} but n = ${n}`, value: formatJsonValue(sizes), fix: 'pass block sizes that sum to the number of examples n' });
    valid = false;
  }
  // The schema has checked sizes and ρ one by one; this guards against a drift between the two.
  if (valid) libraryIssue('/blocks', () => validateBlockModel(sizes, rho), issues);
}
