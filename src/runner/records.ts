import type { CheckKind, CheckResult, Effort, Hypothesis, Status } from '../claims/types.ts';

/** A finished check as stored in results.json. */
export interface CheckRecord extends CheckResult {
  id: string;
  kind: CheckKind;
  title: string;
  seed: number;
  /** Wall-clock seconds; the only field that differs between runs with the same seed. */
  seconds: number;
}

export interface ClaimRecord {
  id: string;
  title: string;
  paperResult: string;
  statement: string;
  hypotheses: Hypothesis[];
  remark?: string;
  /** `incomplete` only when the run was interrupted before this claim finished. */
  status: Status | 'incomplete';
  checks: CheckRecord[];
  seconds: number;
}

export interface RunRecord {
  tool: { name: string; version: string };
  paper: string;
  seed: number;
  effort: Effort;
  /** The command that reproduces this run. */
  command: string;
  versions: Record<string, string>;
  counts: Record<Status | 'incomplete', number>;
  claims: ClaimRecord[];
  seconds: number;
}
