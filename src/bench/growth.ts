import { InputError } from '../core/errors.ts';

/** One measured size of a row: the varied size and its time. */
export interface TimedSize {
  readonly size: number;
  readonly ms: number;
}

/** Least-squares line y ≈ slope·x + intercept with its coefficient of determination R². */
export interface LineFit {
  readonly slope: number;
  readonly intercept: number;
  readonly rSquared: number;
}

/** Returns the median, which is the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new InputError('values', 'is empty', values, 'pass at least one measurement');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Fits y ≈ slope·x + intercept by ordinary least squares, which needs two distinct x. */
export function fitLine(xs: readonly number[], ys: readonly number[]): LineFit {
  if (xs.length !== ys.length || xs.length < 2) {
    throw new InputError('xs, ys', 'do not hold two or more pairs', [xs.length, ys.length], 'pass equally long arrays with at least two points');
  }
  const count = xs.length;
  const meanX = xs.reduce((sum, x) => sum + x, 0) / count;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / count;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < count; i += 1) {
    sxx += (xs[i] - meanX) ** 2;
    sxy += (xs[i] - meanX) * (ys[i] - meanY);
    syy += (ys[i] - meanY) ** 2;
  }
  if (sxx === 0) throw new InputError('xs', 'has no two distinct values', xs, 'pass points at different sizes');
  const slope = sxy / sxx;
  const residual = syy - slope * sxy;
  return { slope, intercept: meanY - slope * meanX, rSquared: syy === 0 ? 1 : 1 - residual / syy };
}

/**
 * Fits ln t = ln c + size·ln g, so g is the factor by which time grows per unit
 * of size (per added example when the size is n).
 */
export function fitExponential(points: readonly TimedSize[]): { factor: number; rSquared: number } {
  const fit = fitLine(
    points.map((point) => point.size),
    points.map((point) => Math.log(point.ms)),
  );
  return { factor: Math.exp(fit.slope), rSquared: fit.rSquared };
}

/** Fits ln t = ln c + k·ln size, so time grows like size^k. */
export function fitPowerLaw(points: readonly TimedSize[]): { exponent: number; rSquared: number } {
  const fit = fitLine(
    points.map((point) => Math.log(point.size)),
    points.map((point) => Math.log(point.ms)),
  );
  return { exponent: fit.slope, rSquared: fit.rSquared };
}

/**
 * Predicts the time at `nextSize` from the last two measurements of a row by
 * the power law through them: t_next = t_last · (next/last)^k with
 * k = ln(t_last/t_previous) / ln(last/previous). On a grid with a constant
 * step ratio this is the previous time times the growth factor observed over
 * the last step.
 */
export function predictMs(previous: TimedSize, last: TimedSize, nextSize: number): number {
  if (!(previous.size < last.size && last.size < nextSize)) {
    throw new InputError('sizes', 'are not increasing', [previous.size, last.size, nextSize], 'pass previous < last < next');
  }
  if (previous.ms <= 0 || last.ms <= 0) {
    throw new InputError('times', 'are not positive', [previous.ms, last.ms], 'pass measured times in milliseconds above 0');
  }
  const exponent = Math.log(last.ms / previous.ms) / Math.log(last.size / previous.size);
  return last.ms * (nextSize / last.size) ** exponent;
}
