import { reportError, reportExpectedError } from './errors.ts';
import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { BackendName } from '../backend/types.ts';
import { CLAIMS } from '../claims/registry.ts';
import { selectChecks, selectClaims } from '../claims/select.ts';
import type { Effort } from '../claims/types.ts';
import { prepareOutputFolder } from '../report/output-folder.ts';
import { writeReports } from '../report/write.ts';
import { compareRuns, exitCodeAgainstBaseline, REGRESSION_EXIT_CODE } from '../runner/baseline.ts';
import type { RunRecord } from '../runner/records.ts';
import { readRunRecord } from '../runner/results-file.ts';
import { exitCodeFor } from '../runner/verify.ts';
import { baselineWarnings, renderBaselineDiff } from './baseline-output.ts';
import { collect, parseBackend, parseEffort, parseSeed } from './options.ts';
import { createProgress } from './progress.ts';
import { summaryTable } from './summary.ts';
import { verifyInWorker } from './verify-in-worker.ts';

/** Default report folders: one for a full run, one for a run of selected claims without --out. */
const FULL_REPORTS = 'reports';
const SELECTED_REPORTS = 'reports/selected';

interface VerifyFlags {
  effort: Effort;
  seed: number;
  claim: string[];
  check: string[];
  out?: string;
  baseline?: string;
  json: boolean;
  quiet: boolean;
  list: boolean;
  backend: BackendName;
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description('Check the encoded claims and write markdown reports and results.json.')
    .addOption(
      new Option('--effort <level>', 'instance counts and sizes, any letter case: quick (under a minute), standard (about 10 minutes on 2 cores), thorough (longer)')
        .argParser(parseEffort)
        .default('standard'),
    )
    .addOption(new Option('--seed <N>', 'run seed, an integer from 0 to 2147483647; the same seed and effort give the same results').argParser(parseSeed).default(1))
    .addOption(new Option('--claim <ID>', 'run only this claim (repeatable, any letter case); see --list').argParser(collect).default([], 'all claims'))
    .addOption(
      new Option('--backend <name>', 'numeric backend of the large-case Monte Carlo and scan checks: cpu (float64, worker threads) or webgpu (float32 WGSL kernels; needs a Vulkan driver)')
        .argParser(parseBackend)
        .default('cpu'),
    )
    .addOption(new Option('--check <ID>', 'run only the checks with this id within the selected claims (repeatable), without hypothesis probes; e.g. monte-carlo-backend').argParser(collect).default([], 'all checks'))
    .addOption(new Option('--out <DIR>', `folder for README.md, <ID>.md, figures/ and results.json (default: ${FULL_REPORTS}, or ${SELECTED_REPORTS} with --claim)`))
    .addOption(
      new Option(
        '--baseline <FILE>',
        'results.json of an earlier run to compare this run with: status changes, claims and checks added or removed, metrics that moved beyond tolerance; read before any claim runs, so it may be the results.json this run replaces (default: no comparison)',
      ),
    )
    .addOption(new Option('--json', 'print results.json to stdout instead of the table; with --baseline it holds the comparison in its "baseline" field').default(false, 'off'))
    .addOption(new Option('--quiet', 'print only claims that are not verified, and regressions against --baseline').default(false, 'off'))
    .addOption(new Option('--list', 'list the claim ids and exit').default(false, 'off'))
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .addHelpText(
      'after',
      '\nExit status: 0 all verified, 1 a claim failed, 2 invalid arguments, 3 inconclusive without failures, ' +
        `${REGRESSION_EXIT_CODE} no failure but a regression against --baseline, 130 interrupted.`,
    )
    .action(runVerify);
}

async function runVerify(flags: VerifyFlags): Promise<void> {
  if (flags.list) {
    const width = Math.max(...CLAIMS.map((claim) => claim.id.length));
    for (const claim of CLAIMS) process.stdout.write(`${claim.id.padEnd(width)}  ${claim.title}\n`);
    return;
  }
  let run: RunRecord;
  let folder: string;
  let baseline: RunRecord | undefined;
  const progress = createProgress(process.stderr, flags.quiet || flags.json);
  try {
    // Read before anything runs or is written, since the baseline may be the results.json this run replaces.
    if (flags.baseline !== undefined) baseline = readRunRecord(flags.baseline, '--baseline');
    // Fail on an unknown claim or check id before the folder is touched or a worker starts.
    selectChecks(flags.check, selectClaims(flags.claim, CLAIMS));
    const requested = flags.out ?? (flags.claim.length > 0 ? SELECTED_REPORTS : FULL_REPORTS);
    const existed = existsSync(requested);
    folder = prepareOutputFolder(requested);
    const reportsFolder = folder;
    // An abort writes nothing, so a folder this run created would be left empty.
    const onAbort = () => {
      progress.stop();
      if (!existed) removeIfEmpty(reportsFolder);
    };
    const outcome = await verifyInWorker(
      { effort: flags.effort, seed: flags.seed, claimIds: flags.claim, checkIds: flags.check, backend: flags.backend },
      (event) => progress.update(event),
      onAbort,
    );
    if ('error' in outcome) {
      progress.stop();
      reportError(outcome.error);
      return;
    }
    run = outcome.run;
  } catch (error) {
    progress.stop();
    if (reportExpectedError(error)) return;
    throw error;
  }
  progress.stop();
  if (baseline !== undefined) run.baseline = { file: flags.baseline!, ...compareRuns(baseline, run) };
  const written = await writeReports(
    run,
    folder,
    CLAIMS.map((claim) => claim.id),
  );
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  } else if (flags.quiet && run.counts.verified === run.claims.length) {
    process.stdout.write(run.claims.length === 1 ? `${run.claims[0].id} verified.\n` : `All ${run.claims.length} claims verified.\n`);
  } else {
    process.stdout.write(`${summaryTable(run, flags.quiet)}\n`);
    if (!flags.quiet) process.stdout.write(`\nReports: ${written.length} files in ${folder} (index: ${folder}/README.md)\n`);
  }
  if (run.baseline === undefined) {
    process.exitCode = exitCodeFor(run);
    return;
  }
  for (const warning of baselineWarnings(run.baseline)) process.stderr.write(`${warning}\n`);
  if (!flags.json) process.stdout.write(`\n${renderBaselineDiff(run.baseline, flags.quiet)}\n`);
  process.exitCode = exitCodeAgainstBaseline(exitCodeFor(run), run.baseline);
}

/** Removes a folder if it is empty. Any failure leaves the folder in place. */
function removeIfEmpty(folder: string): void {
  try {
    if (readdirSync(folder).length === 0) rmdirSync(folder);
  } catch {
    // Best effort: the process is ending.
  }
}
