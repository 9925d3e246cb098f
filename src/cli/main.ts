import { Command } from 'commander';
import { toolPackage } from '../runner/environment.ts';
import { reportCommand } from './report-command.ts';
import { simulateCommand } from './simulate-command.ts';
import { solveCommand } from './solve-command.ts';
import { verifyCommand } from './verify-command.ts';

const program = new Command('gla-wpgd-verify')
  .description('Verify the theory of gated linear attention as weighted preconditioned gradient descent (arXiv 2504.04308).')
  .version(toolPackage().version)
  .exitOverride((error) => {
    // commander exits with 1 on usage errors; keep 1 for failed claims and use 2 for invalid arguments.
    process.exit(error.exitCode === 0 ? 0 : 2);
  })
  .addCommand(verifyCommand())
  .addCommand(solveCommand())
  .addCommand(simulateCommand())
  .addCommand(reportCommand());

// Output piped into a reader that closes early (`… --list | head -1`) is not an error of this tool.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

await program.parseAsync(process.argv);
