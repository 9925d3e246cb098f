import { backendThroughputSection } from './backend-throughput.ts';
import type { BenchSection } from './section.ts';
import { symbolicRiskSection } from './symbolic-risk.ts';

/** Returns the sections of the benchmark page, in page order. */
export function benchSections(): BenchSection[] {
  return [symbolicRiskSection(), backendThroughputSection()];
}
