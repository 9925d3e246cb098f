import { InputError } from '../core/errors.ts';
import { collectEnvironment, renderEnvironment } from './environment.ts';
import type { BenchContext, BenchSection } from './section.ts';

export interface BenchOptions {
  /** The command line printed at the top of the page. */
  readonly command: string;
  readonly sections: readonly BenchSection[];
  /** Name of the only section to run, or undefined for all sections. */
  readonly sectionName?: string;
  readonly quick: boolean;
  readonly maxSeconds: number;
  readonly log: (line: string) => void;
}

/**
 * Runs the selected sections in order and returns the benchmark page. An
 * error in a section propagates, so a failed measurement never produces a page.
 */
export async function runBench(options: BenchOptions): Promise<string> {
  if (!(Number.isFinite(options.maxSeconds) && options.maxSeconds > 0)) {
    throw new InputError('maxSeconds', 'is not a positive number', options.maxSeconds, 'pass the per-measurement limit in seconds, for example 60');
  }
  const selected = selectSections(options.sections, options.sectionName);
  const started = new Date();
  const environment = collectEnvironment(options.command, started);
  const context: BenchContext = { quick: options.quick, maxSeconds: options.maxSeconds, log: options.log };

  const bodies: string[] = [];
  for (const section of selected) {
    options.log(`section ${section.name}: started`);
    const body = await section.run(context);
    options.log(`section ${section.name}: finished`);
    bodies.push(`## ${section.title}\n\n${body}`);
  }

  const totalSeconds = (Date.now() - started.getTime()) / 1000;
  const quickNote = options.quick ? ['', 'Quick run: a reduced grid for tests, not a benchmark record.'] : [];
  return ['# Benchmarks', '', renderEnvironment(environment, totalSeconds), ...quickNote, '', bodies.join('\n\n'), ''].join('\n');
}

function selectSections(sections: readonly BenchSection[], name: string | undefined): readonly BenchSection[] {
  if (name === undefined) return sections;
  const section = sections.find((candidate) => candidate.name === name);
  if (section === undefined) {
    throw new InputError('section', 'is not a known section', name, `pass one of ${sections.map((candidate) => candidate.name).join(', ')}`);
  }
  return [section];
}
