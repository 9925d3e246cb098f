import { requireWritableFile } from './output-file.ts';
import { reportExpectedError } from './errors.ts';
import { Command } from 'commander';
import { readInstanceFile } from '../instances/parse.ts';
import { solutionText } from '../instances/solution-text.ts';
import { solveInstance, type Solution } from '../instances/solution.ts';
import { covarianceScale, MAX_TASK_EXAMPLES } from '../instances/task.ts';
import { writeFileAtomic } from '../report/atomic-write.ts';
import { compactJson } from '../report/format.ts';
import { toolPackage } from '../runner/environment.ts';

interface SolveFlags {
  out?: string;
  json: boolean;
}

/** n above which the anisotropic scalar-gating search takes long enough to warn about (20 s at n = 128 on a 2-core x86 VM). */
const SLOW_SEARCH_EXAMPLES = 64;

/** The JSON document that solve prints with --json and writes with --out; simulate --predictor reads it. */
export interface SolutionDocument {
  kind: 'gla-wpgd-verify solution';
  tool: { name: string; version: string };
  instanceFile: string;
  solution: Solution;
}

export function solveCommand(): Command {
  return new Command('solve')
    .description('Compute the optimal WPGD, value-vector-gating, scalar-gating and linear-attention predictors of an instance file, whether scalar gating is optimal, and gates that realise the optima.')
    .argument('<instance>', `instance JSON file (schema: schemas/instance.schema.json; solve accepts n ≤ ${MAX_TASK_EXAMPLES}); examples/ has some`)
    .option('--out <FILE>', 'also write the solution as JSON to FILE (atomically: a reader never sees a partial file); simulate --predictor reads it (default: print only)')
    .option('--json', 'print the solution as JSON instead of the table', false)
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .addHelpText(
      'after',
      '\nRisks are the expected squared error of the query prediction under the instance (units of y²).\n' +
        'Exit status: 0 solved, 2 invalid input (the message names the field and the fix), 3 solved but inconclusive (an optimum is uncertified or a cross-check failed; the output says which).',
    )
    .action(runSolve);
}

function runSolve(path: string, flags: SolveFlags): void {
  let document: SolutionDocument;
  try {
    if (flags.out !== undefined) requireWritableFile('--out', flags.out);
    const instance = readInstanceFile(path);
    if (instance.n > SLOW_SEARCH_EXAMPLES && instance.n <= MAX_TASK_EXAMPLES && covarianceScale(instance.covariance) === undefined) {
      process.stderr.write(`note: anisotropic Σ with n = ${instance.n}: the scalar-gating μ-search solves hundreds of cone programs of size n and can take minutes.\n`);
    }
    document = { kind: 'gla-wpgd-verify solution', tool: toolPackage(), instanceFile: path, solution: solveInstance(instance) };
  } catch (error) {
    if (reportExpectedError(error)) return;
    throw error;
  }
  const json = `${compactJson(document)}\n`;
  if (flags.out !== undefined) writeFileAtomic(flags.out, json);
  process.stdout.write(flags.json ? json : solutionText(document.solution));
  if (flags.out !== undefined && !flags.json) process.stdout.write(`\nSolution written to ${flags.out}\n`);
  process.exitCode = document.solution.conclusive ? 0 : 3;
}
