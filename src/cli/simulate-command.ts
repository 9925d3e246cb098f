import { reportExpectedError } from './errors.ts';
import { Command, InvalidArgumentError, Option } from 'commander';
import { backendHandle } from '../backend/handle.ts';
import type { BackendName } from '../backend/types.ts';
import { readInstanceFile, readJsonFile } from '../instances/parse.ts';
import { parsePredictor, SOLUTION_FAMILIES, type SolutionFamily } from '../instances/predictor.ts';
import { simulateInstance, Z_BOUND, type Simulation } from '../instances/simulation.ts';
import { formatValue } from '../instances/text.ts';
import { compactJson } from '../report/format.ts';
import { toolPackage } from '../runner/environment.ts';
import { parseBackend, parseSeed } from './options.ts';

interface SimulateFlags {
  predictor: string;
  use?: SolutionFamily;
  prompts: number;
  seed: number;
  backend: BackendName;
  json: boolean;
}

/** Maximum prompts per run: the backends count prompts with a 32-bit counter, and 10^9 prompts take hours on a CPU. */
const MAX_PROMPTS = 1_000_000_000;

function parsePrompts(value: string): number {
  const prompts = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(prompts) || prompts < 2 || prompts > MAX_PROMPTS) {
    throw new InvalidArgumentError(`prompts "${value}" is not an integer from 2 to ${MAX_PROMPTS}.`);
  }
  return prompts;
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description('Estimate the risk of a WPGD predictor (P, ω) on an instance by Monte Carlo and compare it with the closed form L(P, ω) as a z-score.')
    .argument('<instance>', 'instance JSON file (schema: schemas/instance.schema.json)')
    .requiredOption('--predictor <FILE>', 'predictor JSON file: { "P": d×d, "omega": n weights } (schemas/predictor.schema.json), or a file written by solve --out')
    .addOption(new Option('--use <optimum>', 'which optimum of a solve output to simulate (default: wpgd; only for a solve output)').choices(SOLUTION_FAMILIES))
    .addOption(new Option('--prompts <N>', 'number of sampled prompts, an integer from 2 to 10^9; the standard error falls like 1/√N').argParser(parsePrompts).default(100_000))
    .addOption(new Option('--seed <N>', 'sampling seed, an integer from 0 to 2147483647; the same seed gives the same prompts and output').argParser(parseSeed).default(1))
    .addOption(
      new Option('--backend <name>', 'numeric backend for block-model instances: cpu (float64, worker threads) or webgpu (float32 WGSL kernels; needs a Vulkan driver). An explicit R always uses the float64 CPU sampler and needs cpu')
        .argParser(parseBackend)
        .default('cpu'),
    )
    .option('--json', 'print the result as JSON instead of text', false)
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .addHelpText(
      'after',
      `\nRisks are expected squared errors of the query prediction (units of y²).\nExit status: 0 |z| ≤ ${Z_BOUND} (the estimate agrees with the closed form), 1 |z| > ${Z_BOUND}, 2 invalid input.`,
    )
    .action(runSimulate);
}

interface SimulationDocument {
  kind: 'gla-wpgd-verify simulation';
  tool: { name: string; version: string };
  instanceFile: string;
  predictor: string;
  simulation: Simulation;
}

function simulationText(document: SimulationDocument): string {
  const { simulation } = document;
  const lines = [
    `Instance ${document.instanceFile}, predictor ${document.predictor}`,
    `Prompts: ${simulation.prompts}, seed ${simulation.seed}, ${simulation.pathDescription}`,
    `Monte Carlo risk:       ${formatValue(simulation.mean)} ± ${simulation.standardError.toExponential(3)} (standard error)`,
    `Closed form L(P, ω):    ${formatValue(simulation.closedForm)}`,
    simulation.z === null
      ? 'z: undefined (zero standard error)'
      : `z = ${simulation.z.toFixed(2)}: ${simulation.consistent ? `consistent with the closed form (|z| ≤ ${Z_BOUND})` : `DISAGREES with the closed form (|z| > ${Z_BOUND}; a correct formula and sampler exceed it with probability 6.8e-6)`}`,
  ];
  if (simulation.backend !== undefined) lines.push(`Backend: ${simulation.backend.description}`);
  for (const note of simulation.notes) lines.push(`Note: ${note}`);
  return `${lines.join('\n')}\n`;
}

async function runSimulate(instancePath: string, flags: SimulateFlags): Promise<void> {
  const backend = backendHandle(flags.backend);
  let document: SimulationDocument;
  try {
    const instance = readInstanceFile(instancePath);
    const predictor = parsePredictor(readJsonFile(flags.predictor, 'predictor file'), flags.predictor, instance, flags.use);
    const simulation = await simulateInstance(instance, predictor, { prompts: flags.prompts, seed: flags.seed, backend });
    document = { kind: 'gla-wpgd-verify simulation', tool: toolPackage(), instanceFile: instancePath, predictor: predictor.label, simulation };
  } catch (error) {
    if (reportExpectedError(error)) return;
    throw error;
  } finally {
    await backend.dispose();
  }
  process.stdout.write(flags.json ? `${compactJson(document)}\n` : simulationText(document));
  process.exitCode = document.simulation.consistent ? 0 : 1;
}
