import type { Random } from '../../src/data/random.ts';
import type { IdentityCase } from './gla-identities.ts';

/** Lists every (n, d) up to the given maxima: the symbolic sizes of the one-layer vector-gate claims. */
export function sizesUpTo(maxN: number, maxD: number): IdentityCase[] {
  const cases: IdentityCase[] = [];
  for (let d = 1; d <= maxD; d++) {
    for (let n = 1; n <= maxN; n++) cases.push({ n, d });
  }
  return cases;
}

/** Draws the exact-check sizes of the one-layer vector-gate claims: instance 0 is the largest (n = 8, d = 4), then random sizes. */
export function drawOneLayerCase(random: Random, index: number): IdentityCase {
  if (index === 0) return { n: 8, d: 4 };
  return { n: random.integer(1, 8), d: random.integer(1, 4) };
}
