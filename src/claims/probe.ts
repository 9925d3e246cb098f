import type { CheckContext, Json, ProbeResult } from './types.ts';

/** The outcome of a probe on one instance that violates the hypothesis. */
export interface ProbeOutcome {
  /** The instance, as shown in the report. */
  input: Json;
  /** True when the claim's conclusion still holds on this instance. */
  holds: boolean;
  /** The reason the conclusion fails here (shown with the counterexample), or the measured values. */
  note: string;
}

export interface ProbeSearch {
  /** Instances that violate the hypothesis, smallest first: the first failure is the smallest found. */
  instances: Iterable<ProbeOutcome>;
  /** The sampled instance class, e.g. "anisotropic diagonal Σ, two blocks". */
  sampled: string;
  /** Extra evidence for the report, such as the tolerance used. */
  details?: { [key: string]: Json };
}

/**
 * Walks a probe's instances in order and stops at the first on which the
 * conclusion fails: that instance is the counterexample showing the
 * hypothesis needed. Ordering the instances by size makes it the smallest
 * one sampled, which is how these probes shrink.
 */
export function searchProbe(context: CheckContext, search: ProbeSearch): ProbeResult {
  let count = 0;
  const seen: Json[] = [];
  for (const outcome of search.instances) {
    count++;
    // The number of instances is not known up front: the fraction approaches 1 without reaching it.
    context.progress(count / (count + 1));
    if (seen.length < 3) seen.push({ input: outcome.input, holds: outcome.holds, note: outcome.note });
    if (!outcome.holds) {
      return {
        verdict: 'needed',
        summary: `Instance ${count} sampled (${search.sampled}) breaks the conclusion: ${outcome.note}`,
        instances: count,
        counterexample: {
          input: outcome.input,
          failure: outcome.note,
          replay: context.replayCommand,
          hints: [
            'The instance violates only this hypothesis; the conclusion fails on it, so the hypothesis cannot be dropped.',
            'Rerun the replay command to reproduce it from the same seed.',
          ],
        },
        details: { ...search.details, first: seen },
      };
    }
  }
  return {
    verdict: 'not shown needed',
    summary: `The conclusion held on all ${count} instances sampled (${search.sampled}); that does not prove the hypothesis redundant.`,
    instances: count,
    details: { ...search.details, first: seen },
  };
}
