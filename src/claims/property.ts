import fc from 'fast-check';
import type { CheckContext, CheckResult, Json } from './types.ts';

/** Outcome of one property evaluation: the error achieved and the error allowed. */
export interface PropertyOutcome {
  error: number;
  allowed: number;
  /** Extra facts about this input, shown with a counterexample. */
  note?: string;
}

export interface PropertySpec<T> {
  arbitrary: fc.Arbitrary<T>;
  /** Evaluates the property on one input; the input passes when error ≤ allowed. */
  evaluate: (input: T) => PropertyOutcome;
  numRuns: number;
  /** Tolerance and its reason, printed in the report. */
  tolerance: string;
  /** Converts an input to JSON for the report. */
  describe: (input: T) => Json;
  /** What was compared, e.g. "GLA prediction vs xᵀ P Xᵀ (ω ⊙ y)". */
  compared: string;
}

/** Highest progress a property reports while it runs; the runner reports 1 when the check returns. */
const PROGRESS_CAP = 0.99;

/**
 * Runs a fast-check property seeded from the check's seed. A failure is shrunk
 * by fast-check, then replayed once from its seed and path: if the replay
 * passes, the result is marked "flaky" instead of reporting a stale counterexample.
 */
export function runProperty<T>(context: CheckContext, spec: PropertySpec<T>): CheckResult {
  let worst: PropertyOutcome | undefined;
  let worstRatio = -Infinity;
  let evaluated = 0;
  const property = fc.property(spec.arbitrary, (input) => {
    // Reported before the evaluation, so a stop request thrown here skips it. Shrinking runs past numRuns, hence the cap.
    context.progress(Math.min(evaluated++ / spec.numRuns, PROGRESS_CAP));
    const outcome = spec.evaluate(input);
    const ratio = outcome.error / outcome.allowed;
    if (!(ratio <= worstRatio) && Number.isFinite(ratio)) {
      worstRatio = ratio;
      worst = outcome;
    }
    return outcome.error <= outcome.allowed;
  });
  const details = fc.check(property, { seed: context.seed, numRuns: spec.numRuns });
  const base = {
    seed: context.seed,
    numRuns: spec.numRuns,
    compared: spec.compared,
    tolerance: spec.tolerance,
  };
  if (!details.failed) {
    return {
      status: 'verified',
      summary: `${details.numRuns} random inputs agree: ${spec.compared}.`,
      metrics: [
        { name: 'runs', value: details.numRuns },
        { name: 'worst error / allowed', value: worst ? worstRatio : 0, threshold: 1, comparison: '<=' },
      ],
      details: { ...base, worstError: worst?.error ?? 0, allowedAtWorst: worst?.allowed ?? 0 },
    };
  }
  const counterexample = details.counterexample![0];
  const outcome = evaluateSafely(spec, counterexample);
  const path = details.counterexamplePath ?? '';
  const replay = fc.check(property, { seed: details.seed, path, numRuns: 1 });
  const flaky = !replay.failed;
  // fast-check wraps a `false` return in an Error too, so the message comes from re-evaluating the input.
  const failure = `error ${outcome.error.toExponential(3)} > allowed ${outcome.allowed.toExponential(3)}${outcome.note ? ` (${outcome.note})` : ''}`;
  return {
    status: flaky ? 'inconclusive' : 'failed',
    summary: flaky
      ? `A failure seen during the search did not reproduce on replay (flaky): ${failure}.`
      : `Counterexample after ${details.numRuns} runs and ${details.numShrinks} shrinks: ${failure}.`,
    metrics: [
      { name: 'runs before failure', value: details.numRuns },
      { name: 'error', value: outcome.error, threshold: outcome.allowed, comparison: '<=' },
    ],
    details: { ...base, fastCheckSeed: details.seed, path },
    counterexample: {
      input: spec.describe(counterexample),
      failure,
      replay: `${context.replayCommand}   # fast-check seed ${details.seed}, path "${path}"`,
      flaky,
      hints: [
        'Rerun the replay command; the same seed and effort reproduce the same counterexample.',
        'Evaluate both sides on the input above in exact arithmetic to tell a formula error from round-off.',
        'If round-off explains the gap, state why before changing the tolerance, and keep the counterexample as a test.',
      ],
    },
  };
}

/** Evaluates a counterexample outside fast-check, turning an exception into an infinite error. */
function evaluateSafely<T>(spec: PropertySpec<T>, input: T): PropertyOutcome {
  try {
    return spec.evaluate(input);
  } catch (error) {
    return { error: Infinity, allowed: 0, note: `threw ${error instanceof Error ? error.message : String(error)}` };
  }
}
