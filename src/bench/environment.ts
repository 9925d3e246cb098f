import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { relative } from 'node:path';
import { getHeapStatistics } from 'node:v8';

/** The machine and code state that a benchmark number depends on. */
export interface BenchEnvironment {
  /** The command line that produced the page. */
  readonly command: string;
  /** Start of the run, ISO 8601 in UTC. */
  readonly date: string;
  /** `git rev-parse HEAD`, or null outside a git checkout. */
  readonly commit: string | null;
  /** Whether `git status --porcelain` listed changes when the run started. */
  readonly uncommittedChanges: boolean;
  readonly nodeVersion: string;
  /** V8's heap limit of this process, which child processes started with the same flags share. */
  readonly heapLimitMiB: number;
  readonly cpuModel: string;
  /** Logical cores that `os.cpus()` lists. */
  readonly cores: number;
  readonly totalMemoryGiB: number;
}

/** Collects the environment facts printed at the top of the benchmark page. */
export function collectEnvironment(command: string, started: Date): BenchEnvironment {
  const processors = cpus();
  const commit = gitOutput(['rev-parse', 'HEAD']);
  const status = gitOutput(['status', '--porcelain']);
  return {
    command,
    date: started.toISOString(),
    commit: commit === null ? null : commit.trim(),
    uncommittedChanges: status !== null && status.trim().length > 0,
    nodeVersion: process.version,
    heapLimitMiB: getHeapStatistics().heap_size_limit / 2 ** 20,
    cpuModel: processors.length > 0 ? processors[0].model.trim() : 'unknown',
    cores: processors.length,
    totalMemoryGiB: totalmem() / 2 ** 30,
  };
}

/**
 * Rebuilds the command line of this process for the page: `npm run bench -- …`
 * when npm started it through the `bench` script, the node command otherwise.
 */
export function invocationCommand(argv: readonly string[] = process.argv): string {
  const args = argv.slice(2).map(quoteArgument);
  if (process.env.npm_lifecycle_event === 'bench') {
    return args.length === 0 ? 'npm run bench' : `npm run bench -- ${args.join(' ')}`;
  }
  const script = argv[1] === undefined ? 'src/bench/main.ts' : relative(process.cwd(), argv[1]);
  return ['node', ...process.execArgv.map(quoteArgument), quoteArgument(script), ...args].join(' ');
}

/** Renders the environment as the opening lines of the page. */
export function renderEnvironment(environment: BenchEnvironment, totalSeconds: number): string {
  const commit =
    environment.commit === null
      ? 'not a git checkout'
      : `\`${environment.commit}\`${environment.uncommittedChanges ? ' (the working tree had uncommitted changes)' : ''}`;
  return [
    `- Command: \`${environment.command}\``,
    `- Date: ${environment.date}`,
    `- Git commit: ${commit}`,
    `- Node.js: ${environment.nodeVersion}, V8 heap limit ${Math.round(environment.heapLimitMiB)} MiB`,
    `- CPU: ${environment.cpuModel}, ${environment.cores} logical cores`,
    `- Memory: ${environment.totalMemoryGiB.toFixed(1)} GiB total`,
    `- Run time of the whole bench: ${totalSeconds.toFixed(1)} s`,
  ].join('\n');
}

function gitOutput(args: string[]): string | null {
  const result = spawnSync('git', args, { encoding: 'utf8' });
  return result.status === 0 ? result.stdout : null;
}

function quoteArgument(argument: string): string {
  return /^[\w./=:@+-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}
