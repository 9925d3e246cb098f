import { Command } from 'commander';
import { CLAIMS } from '../claims/registry.ts';
import { InputError } from '../core/errors.ts';
import { writeReports } from '../report/write.ts';
import { exitCodeFor, verify } from '../runner/verify.ts';
import { collect, parseEffort, parseSeed } from './options.ts';
import { createProgress } from './progress.ts';
import { summaryTable } from './summary.ts';

interface VerifyFlags {
  effort: 'quick' | 'standard' | 'thorough';
  seed: number;
  claim: string[];
  out: string;
  json: boolean;
  quiet: boolean;
  list: boolean;
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description('Check the encoded claims and write markdown reports and results.json.')
    .option('--effort <level>', 'instance counts and sizes: quick (about a minute), standard (a few minutes), thorough (long)', parseEffort, 'standard')
    .option('--seed <N>', 'run seed; the same seed and effort give the same results', parseSeed, 1)
    .option('--claim <ID>', 'run only this claim (repeatable); see --list', collect, [])
    .option('--out <DIR>', 'folder for README.md, <ID>.md and results.json', 'reports')
    .option('--json', 'print results.json to stdout instead of the table', false)
    .option('--quiet', 'print only claims that are not verified', false)
    .option('--list', 'list the claim ids and exit', false)
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .addHelpText(
      'after',
      '\nExit status: 0 all verified, 1 a claim failed, 2 invalid arguments, 3 inconclusive without failures, 130 interrupted.',
    )
    .action(async (flags: VerifyFlags) => {
      if (flags.list) {
        for (const claim of CLAIMS) process.stdout.write(`${claim.id.padEnd(12)} ${claim.title}\n`);
        return;
      }
      const controller = new AbortController();
      const onInterrupt = () => {
        process.stderr.write('\nInterrupted: finishing the current check, then writing the finished claims.\n');
        controller.abort();
      };
      process.once('SIGINT', onInterrupt);
      const progress = createProgress(process.stderr, flags.quiet || flags.json);
      let run;
      try {
        run = await verify({
          effort: flags.effort,
          seed: flags.seed,
          claimIds: flags.claim,
          claims: CLAIMS,
          onProgress: (event) => progress.update(event),
          signal: controller.signal,
        });
      } catch (error) {
        progress.stop();
        if (error instanceof InputError) {
          process.stderr.write(`error: ${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw error;
      } finally {
        process.removeListener('SIGINT', onInterrupt);
      }
      progress.stop();
      const written = writeReports(run, flags.out);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      } else {
        process.stdout.write(`${summaryTable(run, flags.quiet)}\n`);
        if (!flags.quiet) process.stdout.write(`\nReports: ${written.length} files in ${flags.out}/ (index: ${flags.out}/README.md)\n`);
      }
      process.exitCode = exitCodeFor(run);
    });
}
