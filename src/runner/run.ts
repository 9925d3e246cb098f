import type { BackendHandle } from '../backend/handle.ts';
import type { BackendName } from '../backend/types.ts';
import { combineStatuses } from '../claims/results.ts';
import type { Check, CheckContext, CheckResult, Claim, Effort, Status } from '../claims/types.ts';
import { runProbe, unprobedRecord } from './probes.ts';
import type { CheckRecord, ClaimRecord, HypothesisRecord } from './records.ts';
import { deriveSeed } from './seed.ts';

export interface RunOptions {
  effort: Effort;
  seed: number;
  /** Called when a check starts and as it reports progress. */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * When aborted, the runner stops the current check at its next progress
   * report (or when it returns), drops that check's result and marks the
   * claim incomplete.
   */
  signal?: StopSignal;
  /** The numeric backend for large-case checks; the CPU when absent. */
  backend?: BackendHandle;
}

/** A stop request that the runner polls: an AbortSignal, or a flag that another thread sets. */
export interface StopSignal {
  readonly aborted: boolean;
}

/**
 * Error thrown from a check's progress report once a stop is requested, so a
 * long check ends within one progress step. Whatever the check does with it,
 * the runner drops the check's result.
 */
export class RunInterrupted extends Error {
  constructor() {
    super('the run was interrupted');
    this.name = 'RunInterrupted';
  }
}

export interface ProgressEvent {
  claimId: string;
  checkId: string;
  /** Progress of this check in [0, 1]. */
  fraction: number;
  /** Index of this check among all checks of the run, 0-based. */
  checkIndex: number;
  totalChecks: number;
}

/** Returns the command a reader pastes to rerun one claim with the same seed, effort and backend. */
export function replayCommand(claimId: string, seed: number, effort: Effort, backend: BackendName = 'cpu'): string {
  const backendFlag = backend === 'cpu' ? '' : ` --backend ${backend}`;
  return `npm run verify -- --claim ${claimId} --seed ${seed} --effort ${effort}${backendFlag}`;
}

/**
 * Runs one check. An exception escaping a check is a defect in the check or
 * in the library under test, so it fails the check with the error shown
 * rather than being swallowed.
 */
async function runCheck(check: Check, context: CheckContext): Promise<CheckRecord> {
  const started = performance.now();
  let result: CheckResult;
  try {
    result = await check.run(context);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    result = {
      status: 'failed',
      summary: `The check threw an exception: ${message}`,
      metrics: [],
      details: { stack: error instanceof Error ? (error.stack ?? '') : '' },
      counterexample: {
        input: null,
        failure: message,
        replay: context.replayCommand,
        hints: ['Rerun the replay command to see the full stack trace in results.json.', 'An exception is a defect: fix the code, not the tolerance.'],
      },
    };
  }
  return { id: check.id, kind: check.kind, title: check.title, seed: context.seed, ...result, seconds: (performance.now() - started) / 1000 };
}

/** Number of steps the runner takes for a claim: its checks, then its hypothesis probes. */
function stepCount(claim: Claim): number {
  return claim.checks.length + claim.hypotheses.filter((hypothesis) => hypothesis.probe).length;
}

/**
 * Runs every check of every claim in order, then the claim's hypothesis
 * probes, and returns one record per claim. Probes do not decide a claim's
 * status unless one throws: that is a defect and fails the claim.
 */
export async function runClaims(claims: readonly Claim[], options: RunOptions): Promise<ClaimRecord[]> {
  const totalChecks = claims.reduce((acc, claim) => acc + stepCount(claim), 0);
  let checkIndex = 0;
  const records: ClaimRecord[] = [];
  const report = (claim: Claim, stepId: string, fraction: number, index = checkIndex) =>
    options.onProgress?.({ claimId: claim.id, checkId: stepId, fraction, checkIndex: index, totalChecks });
  const contextFor = (claim: Claim, stepId: string): CheckContext => {
    const index = checkIndex;
    const progress = (fraction: number) => {
      if (options.signal?.aborted) throw new RunInterrupted();
      report(claim, stepId, fraction, index);
    };
    return {
      effort: options.effort,
      seed: deriveSeed(options.seed, claim.id, stepId),
      runSeed: options.seed,
      claimId: claim.id,
      checkId: stepId,
      progress,
      replayCommand: replayCommand(claim.id, options.seed, options.effort, options.backend?.name),
      backend: options.backend,
    };
  };
  // Reports the step as started and returns its context.
  const startStep = (claim: Claim, stepId: string): CheckContext => {
    report(claim, stepId, 0);
    return contextFor(claim, stepId);
  };
  for (const claim of claims) {
    const started = performance.now();
    const checks: CheckRecord[] = [];
    const hypotheses: HypothesisRecord[] = [];
    let interrupted = false;
    let notRun: string[] = [];
    for (const [position, check] of claim.checks.entries()) {
      // Checks run synchronously, so give the event loop a turn between them:
      // otherwise a SIGINT handler on this thread never runs before the whole run has finished.
      await yieldToEventLoop();
      const record = options.signal?.aborted ? undefined : await runCheck(check, startStep(claim, check.id));
      // A check stopped by the interrupt, or finishing after it, did not run to its own end, so its result is dropped.
      if (record === undefined || options.signal?.aborted) {
        interrupted = true;
        notRun = claim.checks.slice(position).map((unrun) => unrun.id);
        break;
      }
      checks.push(record);
      report(claim, check.id, 1);
      checkIndex++;
    }
    for (const hypothesis of claim.hypotheses) {
      if (!hypothesis.probe) {
        hypotheses.push(unprobedRecord(hypothesis));
        continue;
      }
      await yieldToEventLoop();
      const stepId = `hypothesis:${hypothesis.id}`;
      const record = interrupted || options.signal?.aborted ? undefined : await runProbe(hypothesis, startStep(claim, stepId));
      if (record === undefined || options.signal?.aborted) {
        interrupted = true;
        hypotheses.push({ ...unprobedRecord(hypothesis), verdict: 'incomplete', summary: 'The run was interrupted before this probe finished.' });
        continue;
      }
      hypotheses.push(record);
      report(claim, stepId, 1);
      checkIndex++;
    }
    const probeError = hypotheses.some((hypothesis) => hypothesis.verdict === 'error');
    const status: Status | 'incomplete' = interrupted
      ? 'incomplete'
      : probeError
        ? 'failed'
        : combineStatuses(checks.map((check) => check.status));
    records.push(claimRecord(claim, status, checks, hypotheses, (performance.now() - started) / 1000, interrupted ? notRun : undefined));
    if (interrupted) break;
  }
  // Claims that never started are listed as incomplete too, so the report shows what is missing.
  for (const claim of claims.slice(records.length)) {
    const hypotheses = claim.hypotheses.map((hypothesis) => ({ ...unprobedRecord(hypothesis), verdict: 'incomplete' as const, summary: 'The run was interrupted before this claim started.' }));
    records.push(claimRecord(claim, 'incomplete', [], hypotheses, 0, claim.checks.map((check) => check.id)));
  }
  return records;
}

function claimRecord(
  claim: Claim,
  status: ClaimRecord['status'],
  checks: CheckRecord[],
  hypotheses: HypothesisRecord[],
  seconds: number,
  notRun?: string[],
): ClaimRecord {
  const { id, title, paperResult, statement, remark } = claim;
  return { id, title, paperResult, statement, hypotheses, remark, status, checks, ...(notRun === undefined ? {} : { notRun }), seconds };
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
