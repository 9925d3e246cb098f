import { scalarConeMargin } from '../gating/cone.ts';
import { formatEntry } from './text.ts';
import { firstConeViolation, floatOrderedField, type OrderedField } from '../gating/synthesis.ts';

/**
 * Whether scalar gating reaches the WPGD optimum, by SCALAR-IFF:
 * L*_scalar = L*_WPGD iff some global minimiser ω* has ω* or −ω* in the cone
 * K = {0 ≤ ω_1 ≤ … ≤ ω_n}. The cone test decides; the risk gap corroborates it.
 */

/**
 * Cone slack relative to max_i |ω_i|: the curve search returns ω* to about
 * 1e-14, and a block model puts exact ties inside each block that round-off
 * turns into differences of ±1e-16, so those must count as equal.
 */
export const CONE_RTOL = 1e-9;

/**
 * Risk tolerance relative to c = tr Σ + σ²: the optimal risks are sums of
 * positive terms evaluated at polished minimisers, accurate to about 1e-14 c,
 * so a gap below 1e-10 c is not resolved in float64.
 */
export const GAP_RTOL = 1e-10;

/**
 * Cone violations v (relative) with v² · (c − L*_WPGD)/c above this are
 * expected to open a gap of at least 3·GAP_RTOL·c: outside K the gap grows like
 * the square of the violation times the WPGD gain. This factor is an estimate
 * that held on the sampled instances of the SCALAR-IFF claim, not a bound.
 */
const CLEAR_VIOLATION_SCALE = 1e-8;

export interface ConeViolation {
  /** 1-based index i of the first violation of 0 ≤ ω_1 ≤ … ≤ ω_n. */
  index: number;
  /** '+' for ω*, '−' for −ω*: the sign whose violation is smaller. */
  sign: '+' | '−';
  /** The violation in words, e.g. "ω*_3 is larger than ω*_4 (0.8 > 0.5)". */
  text: string;
}

export interface ScalarVerdict {
  /** True: scalar gating is optimal; false: it is not; undefined: float64 cannot tell, or the two tests disagree. */
  optimal: boolean | undefined;
  reason: string;
  /** The first cone violation of the minimiser closest to the cone, when none is inside. */
  violation?: ConeViolation;
  /** The larger cone margin of ±ω* over the minimisers (min of ω_1, ω_{i+1} − ω_i, relative; negative outside K). */
  margin: number;
  /** L*_scalar − L*_WPGD. */
  gap: number;
  /** gap / (tr Σ + σ²). */
  relativeGap: number;
}

export interface VerdictInputs {
  /** Every global minimiser of L found (one per orbit; several only for tied peaks). */
  minimisers: readonly (readonly number[])[];
  /** True when r = 0, where every ω is a global minimiser. */
  rZero: boolean;
  wpgdRisk: number;
  scalarRisk: number;
  /** c = tr Σ + σ². */
  nullRisk: number;
}

/** Builds a float field whose comparisons treat numbers within `slack` as equal. */
function tolerantField(slack: number): OrderedField<number> {
  return { ...floatOrderedField, compare: (a, b) => (Math.abs(a - b) <= slack ? 0 : a - b), show: formatEntry };
}

/** Finds the first cone violation of the better of ±ω, ignoring differences within CONE_RTOL · max|ω_i|. */
export function firstSignedViolation(omega: readonly number[]): ConeViolation | undefined {
  const largest = omega.reduce((acc, value) => Math.max(acc, Math.abs(value)), 0);
  const negated = omega.map((value) => -value);
  const positive = scalarConeMargin(omega) >= scalarConeMargin(negated);
  const field = tolerantField(CONE_RTOL * largest);
  const violation = firstConeViolation(field, positive ? omega : negated);
  if (violation === undefined) return undefined;
  const name = positive ? 'ω*' : '−ω*';
  const problem = violation.problem.replace(/ω_/g, `${name}_`);
  return { index: violation.index, sign: positive ? '+' : '−', text: `${name}_${violation.index} ${problem} (${violation.value})` };
}

export function scalarVerdict(inputs: VerdictInputs): ScalarVerdict {
  const gap = inputs.scalarRisk - inputs.wpgdRisk;
  const relativeGap = gap / inputs.nullRisk;
  if (inputs.rZero) {
    return { optimal: true, reason: 'r = 0: every ω is a global minimiser, the cone point 1 included', margin: 0, gap, relativeGap };
  }
  const margins = inputs.minimisers.map((omega) => Math.max(scalarConeMargin(omega), scalarConeMargin(omega.map((value) => -value))));
  const best = margins.reduce((acc, margin, k) => (margin > margins[acc] ? k : acc), 0);
  const margin = margins[best];
  const gapResolved = gap > GAP_RTOL * inputs.nullRisk;
  const several = inputs.minimisers.length > 1 ? ` (best of ${inputs.minimisers.length} tied minimisers)` : '';

  if (margin >= -CONE_RTOL) {
    if (gapResolved) {
      return {
        optimal: undefined,
        reason: `the two tests disagree: ±ω* lies in the cone${several}, yet L*_scalar − L*_WPGD = ${gap.toExponential(3)} > ${GAP_RTOL}·(tr Σ + σ²); the scalar search may have missed its optimum`,
        margin,
        gap,
        relativeGap,
      };
    }
    return { optimal: true, reason: `±ω* is nonnegative and nondecreasing up to ${CONE_RTOL} relative${several}, so scalar gates reach it`, margin, gap, relativeGap };
  }

  const violation = firstSignedViolation(inputs.minimisers[best]);
  const gain = (inputs.nullRisk - inputs.wpgdRisk) / inputs.nullRisk;
  const clearlyOutside = margin * margin * gain >= CLEAR_VIOLATION_SCALE;
  const where = violation ? violation.text : `cone margin ${margin.toExponential(3)}`;
  if (clearlyOutside && !gapResolved) {
    return {
      optimal: undefined,
      reason: `the two tests disagree: ${where}${several}, yet L*_scalar − L*_WPGD = ${gap.toExponential(3)} is not above ${GAP_RTOL}·(tr Σ + σ²)`,
      violation,
      margin,
      gap,
      relativeGap,
    };
  }
  const gapText = gapResolved ? `L*_scalar − L*_WPGD = ${formatEntry(gap)}` : `the gap L*_scalar − L*_WPGD is of second order in the violation and below float64 resolution here`;
  return { optimal: false, reason: `±ω* leaves the cone: ${where}${several}; ${gapText}`, violation, margin, gap, relativeGap };
}
