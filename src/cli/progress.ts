import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../runner/run.ts';

export interface ProgressDisplay {
  update(event: ProgressEvent): void;
  stop(): void;
}

/**
 * A progress bar with ETA on a terminal; on a pipe or in CI, one plain line
 * per check as it starts, so logs stay readable.
 */
export function createProgress(stream: NodeJS.WriteStream, quiet: boolean): ProgressDisplay {
  if (quiet) return { update: () => {}, stop: () => {} };
  if (stream.isTTY) return barProgress(stream);
  let lastCheck = -1;
  return {
    update(event) {
      if (event.checkIndex === lastCheck || event.fraction >= 1) return;
      lastCheck = event.checkIndex;
      stream.write(`[${event.checkIndex + 1}/${event.totalChecks}] ${event.claimId} ${event.checkId}\n`);
    },
    stop() {},
  };
}

function barProgress(stream: NodeJS.WriteStream): ProgressDisplay {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {percentage}% | ETA {eta_formatted} | {claim} {check}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(event) {
      const total = event.totalChecks * 1000;
      const value = Math.round((event.checkIndex + Math.min(event.fraction, 1)) * 1000);
      if (!started) {
        bar.start(total, value, { claim: event.claimId, check: event.checkId });
        started = true;
      } else {
        bar.update(value, { claim: event.claimId, check: event.checkId });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
