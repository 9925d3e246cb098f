/** Receives the fraction done, in [0, 1], of a long loop. */
export type OnProgress = (fraction: number) => void;

/**
 * Samples between two progress reports of a Monte Carlo loop: a report costs
 * a function call, and a stop request is noticed at the next one.
 */
export const SAMPLES_PER_REPORT = 1024;

/** Reports progress after sample t (0-based) of `samples`, every SAMPLES_PER_REPORT samples. */
export function reportSample(onProgress: OnProgress | undefined, t: number, samples: number): void {
  if (onProgress !== undefined && (t + 1) % SAMPLES_PER_REPORT === 0) onProgress((t + 1) / samples);
}

/** Maps a part's own fraction in [0, 1] onto [start, end] of the whole. */
export function progressSlice(onProgress: OnProgress, start: number, end: number): OnProgress {
  return (fraction) => onProgress(start + (end - start) * fraction);
}
