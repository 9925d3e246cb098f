import type { CheckContext, Hypothesis, ProbeResult } from '../claims/types.ts';
import type { HypothesisRecord } from './records.ts';

/** Records a hypothesis without a probe: its reason, or a plain note that none was written. */
export function unprobedRecord(hypothesis: Hypothesis): HypothesisRecord {
  return {
    id: hypothesis.id,
    statement: hypothesis.statement,
    verdict: 'not probed',
    summary: hypothesis.notProbed ?? 'No probe samples instances that violate this hypothesis.',
  };
}

/**
 * Runs one hypothesis probe. A probe that throws, or that calls a hypothesis
 * needed without showing the counterexample, is a defect: it is recorded as
 * `error` with the message, never as a verdict.
 */
export async function runProbe(hypothesis: Hypothesis, context: CheckContext): Promise<HypothesisRecord> {
  const probe = hypothesis.probe!;
  const started = performance.now();
  const base = { id: hypothesis.id, statement: hypothesis.statement, violation: probe.violation, seed: context.seed };
  let result: ProbeResult;
  try {
    result = await probe.run(context);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      ...base,
      verdict: 'error',
      summary: `The probe threw an exception: ${message}`,
      details: { stack: error instanceof Error ? (error.stack ?? '') : '' },
      seconds: (performance.now() - started) / 1000,
    };
  }
  const seconds = (performance.now() - started) / 1000;
  if (result.verdict === 'needed' && !result.counterexample) {
    return { ...base, verdict: 'error', summary: `The probe called the hypothesis needed but gave no counterexample: ${result.summary}`, details: result.details, seconds };
  }
  return { ...base, ...result, seconds };
}
