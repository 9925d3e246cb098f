import type { BackendHandle } from '../backend/handle.ts';
import { selectChecks, selectClaims } from '../claims/select.ts';
import type { Claim, Effort, Status } from '../claims/types.ts';
import { dependencyVersions, toolPackage } from './environment.ts';
import type { ClaimRecord, RunRecord } from './records.ts';
import { runClaims, type ProgressEvent, type StopSignal } from './run.ts';

export interface VerifyOptions {
  effort: Effort;
  seed: number;
  claimIds: string[];
  /** Check ids to run within the selected claims (all when empty or absent). */
  checkIds?: string[];
  onProgress?: (event: ProgressEvent) => void;
  signal?: StopSignal;
  /** The claims to choose from, normally the registry's CLAIMS. */
  claims: readonly Claim[];
  /** The numeric backend for large-case checks; the CPU when absent. */
  backend?: BackendHandle;
}

export const PAPER = 'arXiv 2504.04308';

/** Returns the `npm run verify` command line that reproduces a run. */
export function verifyCommand(options: Pick<VerifyOptions, 'effort' | 'seed' | 'claimIds' | 'checkIds' | 'backend'>): string {
  const claims = [...options.claimIds.map((id) => ` --claim ${id}`), ...(options.checkIds ?? []).map((id) => ` --check ${id}`)].join('');
  const backend = options.backend === undefined || options.backend.name === 'cpu' ? '' : ` --backend ${options.backend.name}`;
  return `npm run verify -- --effort ${options.effort} --seed ${options.seed}${claims}${backend}`;
}

export function countStatuses(claims: readonly ClaimRecord[]): Record<Status | 'incomplete', number> {
  const counts = { verified: 0, failed: 0, inconclusive: 0, incomplete: 0 };
  for (const claim of claims) counts[claim.status]++;
  return counts;
}

/** Runs the selected claims and assembles the machine-readable run record. */
export async function verify(options: VerifyOptions): Promise<RunRecord> {
  const claims = selectChecks(options.checkIds ?? [], selectClaims(options.claimIds, options.claims));
  const started = performance.now();
  const records = await runClaims(claims, options);
  return {
    tool: toolPackage(),
    paper: PAPER,
    seed: options.seed,
    effort: options.effort,
    command: verifyCommand(options),
    backend: { name: options.backend?.name ?? 'cpu', description: options.backend?.description() ?? 'not used by the checks that ran' },
    versions: dependencyVersions(),
    counts: countStatuses(records),
    claims: records,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Process exit code for a run: 0 all verified, 1 any failed, 3 inconclusive without failures, 130 interrupted. */
export function exitCodeFor(run: RunRecord): number {
  if (run.counts.failed > 0) return 1;
  if (run.counts.incomplete > 0) return 130;
  if (run.counts.inconclusive > 0) return 3;
  return 0;
}
