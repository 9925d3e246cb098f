import type { CheckKind, CheckResult, Effort, HypothesisVerdict, ProbeResult, Status } from '../claims/types.ts';
import type { BaselineComparison } from './baseline.ts';

/** A finished check as stored in results.json. */
export interface CheckRecord extends CheckResult {
  id: string;
  kind: CheckKind;
  title: string;
  seed: number;
  /** Wall-clock seconds; the only field that differs between runs with the same seed. */
  seconds: number;
}

/** A hypothesis as stored in results.json, with what its probe found. */
export interface HypothesisRecord {
  id: string;
  statement: string;
  /** The violation the probe sampled. Absent when no probe exists. */
  violation?: string;
  /**
   * `not probed` carries the reason in `summary`; `incomplete` when the run was
   * interrupted first; `error` when the probe threw or broke its contract (a
   * defect, which fails the claim).
   */
  verdict: HypothesisVerdict | 'not probed' | 'incomplete' | 'error';
  summary: string;
  instances?: number;
  counterexample?: ProbeResult['counterexample'];
  details?: ProbeResult['details'];
  seed?: number;
  seconds?: number;
}

export interface ClaimRecord {
  id: string;
  title: string;
  paperResult: string;
  statement: string;
  hypotheses: HypothesisRecord[];
  remark?: string;
  /** `incomplete` only when the run was interrupted before this claim finished. */
  status: Status | 'incomplete';
  checks: CheckRecord[];
  /** Ids of the selected checks an interruption kept from running; present only on `incomplete` claims. */
  notRun?: string[];
  seconds: number;
}

export interface RunRecord {
  tool: { name: string; version: string };
  paper: string;
  seed: number;
  effort: Effort;
  /** The command that reproduces this run. */
  command: string;
  /** The numeric backend of the large-case checks, and the adapter or CPU it ran on. */
  backend?: { name: string; description: string };
  versions: Record<string, string>;
  counts: Record<Status | 'incomplete', number>;
  claims: ClaimRecord[];
  seconds: number;
  /** The comparison with the run given to `verify --baseline`; absent without that option. */
  baseline?: BaselineComparison;
}
