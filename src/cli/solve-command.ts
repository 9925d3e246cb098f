import { Command } from 'commander';

// TODO: the solve command is not built yet; it exits with status 2.
export function solveCommand(): Command {
  return new Command('solve').description('(not built yet)').action(() => {
    process.stderr.write('error: the solve command is not built yet\n');
    process.exitCode = 2;
  });
}
