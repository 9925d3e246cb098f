import { Command, InvalidArgumentError, Option } from 'commander';
import { InputError } from '../core/errors.ts';
import { writeFileAtomic } from '../report/atomic-write.ts';
import { invocationCommand } from './environment.ts';
import { runBench } from './runner.ts';
import { benchSections } from './sections.ts';

// `npm run bench`: measures every benchmark section and writes the page atomically,
// so an interrupted or failed run leaves the previous page in place.

interface BenchFlags {
  out: string;
  section?: string;
  maxSeconds: number;
  quick: boolean;
}

const sections = benchSections();

const program = new Command('bench')
  .description('Measure the cost of the toolkit\'s engines and write the benchmark page.')
  .addOption(new Option('--out <FILE>', 'markdown file to write').default('reports/BENCHMARKS.md'))
  .addOption(new Option('--section <NAME>', 'run only this section; the page then holds only it').choices(sections.map((section) => section.name)))
  .addOption(new Option('--max-seconds <N>', 'wall-clock limit of one measurement, in seconds').argParser(parseSeconds).default(60))
  .option('--quick', 'measure a small grid, for tests; the page says so', false)
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
  .action(runCommand);

await program.parseAsync(process.argv);

async function runCommand(flags: BenchFlags): Promise<void> {
  let page: string;
  try {
    page = await runBench({
      command: invocationCommand(),
      sections,
      sectionName: flags.section,
      quick: flags.quick,
      maxSeconds: flags.maxSeconds,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    process.stderr.write(`error: ${error.message}\nThe benchmark stopped, so ${flags.out} was not written.\n`);
    process.exitCode = error instanceof InputError ? 2 : 1;
    return;
  }
  writeFileAtomic(flags.out, page);
  process.stderr.write(`Wrote ${flags.out}\n`);
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new InvalidArgumentError(`max-seconds "${value}" is not a positive number of seconds.`);
  }
  return seconds;
}
