import type { OnProgress } from '../core/progress.ts';
import type { BigNumber, MathJsInstance } from 'mathjs';
import { blockCorrelation } from '../data/correlation.ts';
import { diagonalCovariance } from '../data/covariance.ts';
import { makeTask, type Task } from '../theory/risk.ts';
import { curveProblem, globalCurveSearch, type CurvePeak, type CurveProblem } from './curve.ts';
import { highPrecisionBlockProblem, maximizePhiBig, type BlockInstance, type HighPrecisionProblem, type PeakBig } from './high-precision.ts';

/**
 * A one-parameter family of block-model instances with a spiked covariance
 *   Σ = diag(1, ε, …, ε) (d − 1 copies of ε),  blocks (m_1, m_2),  ρ = (ρ_1, t),  σ²,
 * where the parameter t is the query correlation of the second block. A short block with
 * high ρ_1 next to a long block with lower ρ_2 and one large feature eigenvalue among many
 * small ones is where φ(μ) = −L(ω((R_n + μI)^{-1} r)) can have two peaks.
 */
export interface SpikedBlockFamily {
  name: string;
  d: number;
  /** Small eigenvalue ε, a decimal string so the BigNumber instance is exactly this number. */
  epsilon: string;
  sizes: [number, number];
  rho1: string;
  sigma2: string;
  /** Range of t = ρ_2 to scan. */
  range: [number, number];
}

/**
 * Search regions known to hold witnesses. The search below re-derives every witness
 * from scratch inside them on each run; this list only keeps the search small.
 */
export const KNOWN_REGIONS: readonly SpikedBlockFamily[] = [
  { name: 'spiked-100/blocks-1-130', d: 100, epsilon: '0.02', sizes: [1, 130], rho1: '0.85', sigma2: '0', range: [0.3, 0.4] },
  { name: 'spiked-60/blocks-1-130', d: 60, epsilon: '0.03', sizes: [1, 130], rho1: '0.8', sigma2: '0', range: [0.3, 0.4] },
];

export function familyEigenvalues(family: SpikedBlockFamily): number[] {
  return [1, ...new Array<number>(family.d - 1).fill(Number(family.epsilon))];
}

/** The float64 Task at parameter t. */
export function familyTask(family: SpikedBlockFamily, t: number): Task {
  return makeTask(diagonalCovariance(familyEigenvalues(family)), blockCorrelation(family.sizes, [Number(family.rho1), t]), Number(family.sigma2));
}

/** The same instance in BigNumber, t given exactly (a BigNumber or decimal string). */
export function familyBlockInstance(family: SpikedBlockFamily, t: string): BlockInstance {
  return {
    lambda: [
      { value: '1', count: 1 },
      { value: family.epsilon, count: family.d - 1 },
    ],
    sigma2: family.sigma2,
    sizes: [...family.sizes],
    rho: [family.rho1, t],
  };
}

export interface ScanPoint {
  t: number;
  problem: CurveProblem;
  peaks: CurvePeak[];
}

/** Curve search at `steps` evenly spaced values of t in the family's range (ends included). */
export function scanFamily(family: SpikedBlockFamily, steps: number, gridPoints: number, onProgress?: OnProgress): ScanPoint[] {
  const [low, high] = family.range;
  return Array.from({ length: steps }, (_, i) => {
    const t = low + ((high - low) * i) / Math.max(1, steps - 1);
    const problem = curveProblem(familyTask(family, t));
    const point = { t, problem, peaks: globalCurveSearch(problem, { gridPoints }).peaks };
    onProgress?.((i + 1) / steps);
    return point;
  });
}

/** The two peaks of a two-peak scan point ordered by μ: A (smaller μ) and B (larger μ). */
export function orderedPeaks(point: ScanPoint): [CurvePeak, CurvePeak] | undefined {
  if (point.peaks.length !== 2) return undefined;
  const [first, second] = point.peaks;
  return first.mu < second.mu ? [first, second] : [second, first];
}

/** Adjacent scan points, both with exactly two peaks, where sign(φ_A − φ_B) changes. */
export function findSwap(scan: readonly ScanPoint[]): [ScanPoint, ScanPoint] | undefined {
  for (let i = 0; i + 1 < scan.length; i++) {
    const left = orderedPeaks(scan[i]);
    const right = orderedPeaks(scan[i + 1]);
    if (!left || !right) continue;
    if (Math.sign(left[0].phi - left[1].phi) * Math.sign(right[0].phi - right[1].phi) < 0) return [scan[i], scan[i + 1]];
  }
  return undefined;
}

export interface PeakPairBig {
  t: BigNumber;
  problem: HighPrecisionProblem;
  A: PeakBig;
  B: PeakBig;
  /** φ_A − φ_B. */
  difference: BigNumber;
}

/** Both peaks in BigNumber at parameter t, golden section around the given centres. */
export function peakPairBig(
  big: MathJsInstance,
  family: SpikedBlockFamily,
  t: BigNumber,
  centers: { A: BigNumber; B: BigNumber },
  relativeHalfWidth: number,
  relativeTolerance: BigNumber,
): PeakPairBig {
  const problem = highPrecisionBlockProblem(big, familyBlockInstance(family, t.toString()));
  const A = maximizePhiBig(problem, centers.A, relativeHalfWidth, relativeTolerance);
  const B = maximizePhiBig(problem, centers.B, relativeHalfWidth, relativeTolerance);
  return { t, problem, A, B, difference: A.phi.minus(B.phi) };
}

export interface TieBracket {
  low: PeakPairBig;
  high: PeakPairBig;
  /** Bisection steps taken. */
  steps: number;
  width: BigNumber;
  /** False when a golden-section search hit the end of its bracket (result untrustworthy). */
  allInterior: boolean;
}

/**
 * Bisection in t on the sign of φ_A(t) − φ_B(t), all in BigNumber, until the bracket is
 * narrower than `targetWidth`. Each step re-maximises both peaks, centred on the last
 * values of μ_A and μ_B with a half-width that tracks the bracket (the peaks move by
 * O(|dμ/dt| · width)).
 */
export function bisectTie(big: MathJsInstance, family: SpikedBlockFamily, low: PeakPairBig, high: PeakPairBig, targetWidth: BigNumber, relativeTolerance: BigNumber): TieBracket {
  let lo = low;
  let hi = high;
  let steps = 0;
  let allInterior = lo.A.interior && lo.B.interior && hi.A.interior && hi.B.interior;
  const lowSign = lo.difference.isNegative() ? -1 : 1;
  while (hi.t.minus(lo.t).gt(targetWidth) && steps < 400) {
    steps++;
    const width = hi.t.minus(lo.t);
    const middle = lo.t.plus(hi.t).div(2);
    const halfWidth = Math.min(0.2, Math.max(1e-8, 200 * width.toNumber()));
    const pair = peakPairBig(big, family, middle, { A: lo.A.mu, B: lo.B.mu }, halfWidth, relativeTolerance);
    allInterior = allInterior && pair.A.interior && pair.B.interior;
    const sign = pair.difference.isNegative() ? -1 : 1;
    if (sign === lowSign) lo = pair;
    else hi = pair;
  }
  return { low: lo, high: hi, steps, width: hi.t.minus(lo.t), allInterior };
}
