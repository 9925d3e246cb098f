import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { backendHandle } from '../backend/handle.ts';
import { runBench } from '../bench/runner.ts';
import { benchSections } from '../bench/sections.ts';
import { CLAIMS } from '../claims/registry.ts';
import type { Effort } from '../claims/types.ts';
import { writeFileAtomic } from '../report/atomic-write.ts';
import { writeReports } from '../report/write.ts';
import { exitCodeFor, verify } from '../runner/verify.ts';
import { parseEffort } from './options.ts';
import { summaryTable } from './summary.ts';

/**
 * The GPU suite that scripts/device-check.sh runs on a machine with a real
 * GPU, bundled into one JavaScript file so that machine needs no npm
 * packages: the large-case checks and the CPU/GPU agreement on the WebGPU
 * backend, then the backend benchmark.
 */

/** The claims and checks that exercise the numeric backend. */
export const DEVICE_CLAIMS = ['RISK', 'GLA-1', 'GLA-key'];
export const DEVICE_CHECKS = ['monte-carlo-backend', 'scan-backend', 'backend-agreement'];

interface SuiteFlags {
  out: string;
  effort: Effort;
  bench: boolean;
}

async function runSuite(flags: SuiteFlags): Promise<void> {
  mkdirSync(flags.out, { recursive: true });
  const backend = backendHandle('webgpu');
  const started = performance.now();
  try {
    await backend.get();
    process.stderr.write(`WebGPU adapter: ${backend.description()}\n`);
    const run = await verify({ effort: flags.effort, seed: 1, claimIds: DEVICE_CLAIMS, checkIds: DEVICE_CHECKS, claims: CLAIMS, backend });
    await writeReports(run, join(flags.out, 'reports'), CLAIMS.map((claim) => claim.id));
    process.stdout.write(`${summaryTable(run, false)}\n`);
    process.exitCode = exitCodeFor(run);
  } finally {
    await backend.dispose();
  }
  process.stderr.write(`Checks finished in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  if (!flags.bench) return;
  const sections = benchSections().filter((section) => section.name.startsWith('backend'));
  const page = await runBench({
    command: 'scripts/device-check.sh',
    sections,
    quick: false,
    maxSeconds: 120,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  writeFileAtomic(join(flags.out, 'BENCHMARKS-device.md'), page);
  process.stderr.write(`Wrote ${join(flags.out, 'BENCHMARKS-device.md')}\n`);
}

const program = new Command('device-suite')
  .description('Run the WebGPU large-case checks, the CPU/GPU agreement and the backend benchmark, and write them to a folder.')
  .addOption(new Option('--out <DIR>', 'folder for reports/ and BENCHMARKS-device.md').default('device-results'))
  .addOption(new Option('--effort <level>', 'sizes of the large-case checks').argParser(parseEffort).default('thorough'))
  .option('--no-bench', 'skip the backend benchmark')
  .action(runSuite);

await program.parseAsync(process.argv);
