import { reportExpectedError } from './errors.ts';
import { dirname } from 'node:path';
import { Argument, Command, Option } from 'commander';
import { CLAIMS } from '../claims/registry.ts';
import { prepareOutputFolder } from '../report/output-folder.ts';
import { writeReports } from '../report/write.ts';
import type { RunRecord } from '../runner/records.ts';
import { readRunRecord } from '../runner/results-file.ts';

interface ReportFlags {
  out?: string;
}

export function reportCommand(): Command {
  return new Command('report')
    .description('Rebuild the markdown reports and figures from a results.json that verify wrote, without running any check.')
    .addArgument(new Argument('<RESULTS.json>', 'the results.json of a verify run (for example reports/results.json)'))
    .addOption(new Option('--out <DIR>', 'folder for README.md, <ID>.md, figures/ and a copy of results.json (default: the folder of RESULTS.json)'))
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .addHelpText('after', '\nExit status: 0 reports written, 1 writing a report file failed, 2 invalid arguments or RESULTS.json is not a valid results.json.')
    .action(runReport);
}

async function runReport(resultsPath: string, flags: ReportFlags): Promise<void> {
  let folder: string;
  let run: RunRecord;
  try {
    run = readRunRecord(resultsPath, 'RESULTS.json');
    folder = prepareOutputFolder(flags.out ?? dirname(resultsPath));
  } catch (error) {
    if (reportExpectedError(error)) return;
    throw error;
  }

  let written: string[];
  try {
    // This is the call verify makes, so one run record gives the same files. Like verify, it removes the reports of known claims the run left out.
    written = await writeReports(
      run,
      folder,
      CLAIMS.map((claim) => claim.id),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: writing the reports into ${folder} failed: ${reason}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`Reports: ${written.length} files in ${folder} (index: ${folder}/README.md), rebuilt from ${resultsPath}\n`);
}
