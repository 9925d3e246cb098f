import { Command } from 'commander';

// TODO: the simulate command is not built yet; it exits with status 2.
export function simulateCommand(): Command {
  return new Command('simulate').description('(not built yet)').action(() => {
    process.stderr.write('error: the simulate command is not built yet\n');
    process.exitCode = 2;
  });
}
