import { machineBusyCpuSeconds } from './backend-machine.ts';

/**
 * Times one backend kernel call at a prompt count sized from pilot runs. The
 * count grows from one prompt until a run takes the pilot time. The timed run
 * then uses the count that the last pilot's rate predicts for the target
 * time. A first one-prompt run is the warm-up. It and the pilot runs start
 * worker threads, compile GPU pipelines and let V8 optimise the kernels
 * before the timed run.
 */

export interface TimingPlan {
  /** A pilot run this long, in seconds, ends the calibration. */
  readonly pilotSeconds: number;
  /** Intended wall-clock seconds of the timed run. */
  readonly targetSeconds: number;
  /** Wall-clock limit of any one call, in seconds: the bench's --max-seconds. */
  readonly limitSeconds: number;
}

export type KernelTiming =
  | {
      readonly kind: 'measured';
      /** Prompts of the timed run. */
      readonly prompts: number;
      /** Wall-clock seconds of the timed run. */
      readonly seconds: number;
      /** prompts × n / seconds. */
      readonly tokensPerSecond: number;
      /**
       * CPU seconds of the whole process (every thread, user and system)
       * during the timed run. Divided by `seconds` it gives the cores the
       * run kept busy, which other load on the machine lowers.
       */
      readonly cpuSeconds: number;
      /**
       * Busy CPU seconds of all other processes during the timed run: the
       * machine's busy time from /proc/stat minus cpuSeconds, at 10 ms
       * resolution. Null where /proc/stat is not readable.
       */
      readonly otherCpuSeconds: number | null;
      /** Warm-up and pilot runs before the timed run, and their total seconds. */
      readonly pilotRuns: number;
      readonly pilotSeconds: number;
      /** The timed run's per-prompt values, for comparisons between backends. */
      readonly output: Float64Array;
    }
  | { readonly kind: 'timed-out'; readonly prompts: number; readonly limitSeconds: number };

/** Largest prompt count of one timed run; it bounds the memory of the per-prompt outputs (8 bytes each, a few arrays). */
export const MAX_PROMPTS = 2 ** 24;
/** Share of the limit that a timed run may be predicted to take, so that a slower run still ends before the limit. */
const LIMIT_SHARE = 0.8;
/** A timed run shorter than this share of the target is repeated with a count planned from its own rate. */
const SHORT_RUN_SHARE = 0.5;
/** Repeats of a too-short timed run; the last run counts whatever its length. */
const MAX_RETRIES = 2;
/** Bounds on the factor by which a pilot's prompt count grows. */
const MIN_GROWTH = 2;
const MAX_GROWTH = 16;

/** A call that did not settle within its limit. */
export class CallTimedOut extends Error {
  constructor(readonly limitSeconds: number) {
    super(`did not finish within ${limitSeconds} s`);
    this.name = 'CallTimedOut';
  }
}

/**
 * Resolves as `work` does, or rejects with CallTimedOut after `seconds`. A
 * synchronous kernel cannot be interrupted, so the limit only stops the
 * wait for asynchronous ones (worker threads, the GPU).
 */
export async function withinLimit<T>(work: () => Promise<T>, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimedOut(seconds)), seconds * 1000);
    timer.unref();
  });
  try {
    return await Promise.race([work(), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Returns the prompt count whose run the pilot's rate predicts to take the target time, within the limit and MAX_PROMPTS. */
export function plannedPrompts(pilotPrompts: number, pilotSeconds: number, plan: TimingPlan): number {
  const secondsPerPrompt = pilotSeconds / pilotPrompts;
  const seconds = Math.min(plan.targetSeconds, LIMIT_SHARE * plan.limitSeconds);
  const prompts = Math.floor(seconds / Math.max(secondsPerPrompt, Number.MIN_VALUE));
  return Math.min(MAX_PROMPTS, Math.max(1, prompts));
}

/** Returns the pilot's next prompt count: enough to reach the pilot time at the last rate, growing by 2× to 16×. */
export function nextPilotPrompts(prompts: number, seconds: number, plan: TimingPlan): number {
  const growth = seconds > 0 ? plan.pilotSeconds / seconds : MAX_GROWTH;
  return Math.min(MAX_PROMPTS, Math.ceil(prompts * Math.min(MAX_GROWTH, Math.max(MIN_GROWTH, growth))));
}

async function timed(
  run: (prompts: number) => Promise<Float64Array>,
  prompts: number,
  limitSeconds: number,
): Promise<{ seconds: number; cpuSeconds: number; otherCpuSeconds: number | null; output: Float64Array }> {
  const machineBefore = machineBusyCpuSeconds();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const output = await withinLimit(() => run(prompts), limitSeconds);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const machineAfter = machineBusyCpuSeconds();
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const machine = machineBefore === null || machineAfter === null ? null : machineAfter - machineBefore;
  return { seconds, cpuSeconds, otherCpuSeconds: machine === null ? null : Math.max(0, machine - cpuSeconds), output };
}

/**
 * Calibrates and times `run` (one kernel call on prompts 0 .. count − 1)
 * for prompts of n examples. A call past the limit gives 'timed-out', and
 * any other error propagates.
 */
export async function timeKernel(run: (prompts: number) => Promise<Float64Array>, n: number, plan: TimingPlan): Promise<KernelTiming> {
  let prompts = 1;
  let pilotRuns = 0;
  let pilotTotal = 0;
  let last: { seconds: number };
  try {
    // The first run pays for worker start-up and pipeline compilation, so its time predicts nothing.
    const warmUp = await timed(run, prompts, plan.limitSeconds);
    pilotRuns += 1;
    pilotTotal += warmUp.seconds;
    for (;;) {
      last = await timed(run, prompts, plan.limitSeconds);
      pilotRuns += 1;
      pilotTotal += last.seconds;
      if (last.seconds >= plan.pilotSeconds || prompts >= MAX_PROMPTS) break;
      prompts = nextPilotPrompts(prompts, last.seconds, plan);
    }
  } catch (error) {
    if (error instanceof CallTimedOut) return { kind: 'timed-out', prompts, limitSeconds: plan.limitSeconds };
    throw error;
  }

  let planned = plannedPrompts(prompts, last.seconds, plan);
  try {
    for (let attempt = 0; ; attempt++) {
      const { seconds, cpuSeconds, otherCpuSeconds, output } = await timed(run, planned, plan.limitSeconds);
      // When load from other processes eases after the pilots, the timed run comes out too short to trust, so it counts as a pilot.
      const tooShort = seconds < SHORT_RUN_SHARE * plan.targetSeconds && planned < MAX_PROMPTS && attempt < MAX_RETRIES;
      if (!tooShort) {
        const tokensPerSecond = (planned * n) / seconds;
        return { kind: 'measured', prompts: planned, seconds, tokensPerSecond, cpuSeconds, otherCpuSeconds, pilotRuns, pilotSeconds: pilotTotal, output };
      }
      pilotRuns += 1;
      pilotTotal += seconds;
      planned = plannedPrompts(planned, seconds, plan);
    }
  } catch (error) {
    if (error instanceof CallTimedOut) return { kind: 'timed-out', prompts: planned, limitSeconds: plan.limitSeconds };
    throw error;
  }
}
