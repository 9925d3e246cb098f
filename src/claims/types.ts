import type { BackendHandle } from '../backend/handle.ts';

/**
 * The shapes every claim shares: a claim is data (statement, hypotheses,
 * checks) and each check returns a typed result with its evidence.
 */

/** Outcome of a check or a claim. `inconclusive`: the check could not decide (e.g. an optimiser did not converge). */
export type Status = 'verified' | 'failed' | 'inconclusive';

/** Kind of evidence a check produces. */
export type CheckKind = 'symbolic' | 'exact' | 'property' | 'monte-carlo' | 'optimisation';

/** Instance counts and sizes: `quick` for the test suite, `standard` for the committed reports, `thorough` for long runs. */
export type Effort = 'quick' | 'standard' | 'thorough';

/** JSON-serialisable data, so evidence goes into results.json unchanged. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One measured quantity next to the bound it must meet. */
export interface Metric {
  name: string;
  /** Measured value; a string for exact values (e.g. a rational) or non-finite ones. */
  value: number | string;
  /** The bound, when the metric is compared with one. */
  threshold?: number | string;
  /** Relation `value` must have to `threshold` for the check to pass. */
  comparison?: '<=' | '<' | '>=' | '>' | '==';
}

/** A failing input, kept as data, with the command that replays it. */
export interface Counterexample {
  /** The smallest failing input found (shrunk where the check can shrink). */
  input: Json;
  /** Description of the failure on this input, e.g. "relative error 3e-3 > 1e-10". */
  failure: string;
  /** Shell command that reruns exactly this check. */
  replay: string;
  /** Numbered suggestions for what to try next. */
  hints: string[];
  /** True when the failure did not reproduce on a replay. */
  flaky?: boolean;
}

export interface CheckResult {
  status: Status;
  /** One sentence a reader can take at a glance. */
  summary: string;
  metrics: Metric[];
  /** Kind-specific evidence (sizes, expressions, seeds, witnesses). */
  details: { [key: string]: Json };
  counterexample?: Counterexample;
  /** Numerical caveats that belong in the report, not in a console warning. */
  caveats?: string[];
  /** LaTeX or markdown certificates, printed verbatim in the report. */
  certificates?: string[];
  /** Figures drawn from this check's data; the report writer renders each to SVG. */
  figures?: Figure[];
}

/**
 * A figure as data: a Vega-Lite specification with its data inline. The
 * report writer compiles it to SVG, so results.json alone can redraw it.
 */
export interface Figure {
  /** File-name stem, unique within the claim, e.g. "risk-vs-order". */
  id: string;
  /** Caption under the figure; it names the instance and the seed. */
  caption: string;
  /** Vega-Lite specification (schema v6) with `data: { values: [...] }`. */
  spec: { [key: string]: Json };
}

/** Context the runner passes to a running check. */
export interface CheckContext {
  effort: Effort;
  /** Seed for this check, derived from the run seed, the claim id and the check id. */
  seed: number;
  /** The run seed the user passed (for replay commands). */
  runSeed: number;
  claimId: string;
  checkId: string;
  /** Reports progress in [0, 1] to the runner's progress display. */
  progress: (fraction: number) => void;
  /** The command that reruns this claim with the same seed and effort. */
  replayCommand: string;
  /**
   * The numeric backend chosen with --backend, for the large-case checks.
   * Absent in contexts built by hand (tests), where those checks use the CPU.
   */
  backend?: BackendHandle;
}

export interface Check {
  /** Short id, unique within its claim, e.g. "symbolic-small-sizes". */
  id: string;
  kind: CheckKind;
  /** One-line statement of what the check establishes. */
  title: string;
  run(context: CheckContext): CheckResult | Promise<CheckResult>;
}

/** Whether dropping a hypothesis broke the conclusion on some sampled instance. */
export type HypothesisVerdict = 'needed' | 'not shown needed';

/** The result of sampling instances that violate one hypothesis. */
export interface ProbeResult {
  verdict: HypothesisVerdict;
  /** One sentence: what was sampled and what happened to the conclusion. */
  summary: string;
  /** Instances sampled that violate the hypothesis. */
  instances: number;
  /** The smallest instance on which the conclusion fails; required when the verdict is `needed`. */
  counterexample?: Counterexample;
  details: { [key: string]: Json };
}

/** Samples instances that violate one hypothesis (and keep the others) and tests the conclusion on them. */
export interface HypothesisProbe {
  /** The violation sampled, e.g. "unequal block sizes, ρ nondecreasing". */
  violation: string;
  run(context: CheckContext): ProbeResult | Promise<ProbeResult>;
}

export interface Hypothesis {
  id: string;
  /** The hypothesis in markdown with LaTeX. */
  statement: string;
  /** Tests whether the conclusion needs this hypothesis. */
  probe?: HypothesisProbe;
  /**
   * Why no probe exists, when none can: e.g. the hypothesis defines the objects
   * the statement speaks of, so violating it leaves nothing to test.
   */
  notProbed?: string;
}

export interface Claim {
  /** Stable id, e.g. "GLA-1". */
  id: string;
  title: string;
  /** The paper result this claim encodes, in words. */
  paperResult: string;
  /** The statement in markdown with LaTeX ($…$). */
  statement: string;
  hypotheses: Hypothesis[];
  checks: Check[];
  /** Markdown shown at the top of the report, e.g. to say a claim refutes an unconditional statement. */
  remark?: string;
}
