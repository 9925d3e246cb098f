import type fc from 'fast-check';
import { fraction, type Fraction } from 'mathjs';
import { expandSymbolic, rationalField, symbol, symbolicField, type Symbolic } from '../../src/algebra/field.ts';
import { byEffort } from '../../src/claims/effort.ts';
import { runProperty } from '../../src/claims/property.ts';
import type { Check, CheckContext, CheckResult, Effort, Json } from '../../src/claims/types.ts';
import { Random } from '../../src/data/random.ts';
import type { FloatComparison } from './gla-float.ts';
import type { Identity, IdentityCase, InputSource, SideOptions, SidePair } from './gla-identities.ts';

/**
 * Check builders shared by the four GLA = WPGD identities: a symbolic proof
 * per size (nerdamer) and an exact check on random rational instances.
 */

/** Wraps a value maker so that each name gets one value, however often it is asked for. */
function memoised<T>(make: (name: string, kind: 'real' | 'gate') => T): InputSource<T> & { values: Map<string, T> } {
  const values = new Map<string, T>();
  const get = (name: string, kind: 'real' | 'gate'): T => {
    let value = values.get(name);
    if (value === undefined) {
      value = make(name, kind);
      values.set(name, value);
    }
    return value;
  };
  return { values, real: (name) => get(name, 'real'), gate: (name) => get(name, 'gate') };
}

/** Makes every input a nerdamer symbol of the same name. */
export function symbolSource(): InputSource<Symbolic> & { values: Map<string, Symbolic> } {
  return memoised((name) => symbol(name));
}

/**
 * Random small rationals: reals p/q with |p| ≤ 9, 1 ≤ q ≤ 9; gates exactly 0
 * (15 %), exactly 1 (20 %) or k/m with 1 ≤ k < m ≤ 9.
 */
export function rationalSource(random: Random): InputSource<Fraction> & { values: Map<string, Fraction> } {
  return memoised((_name, kind) => {
    if (kind === 'real') return fraction(random.integer(-9, 9), random.integer(1, 9));
    const draw = random.uniform();
    if (draw < 0.15) return fraction(0);
    if (draw < 0.35) return fraction(1);
    const m = random.integer(2, 9);
    return fraction(random.integer(1, m - 1), m);
  });
}

/** Random points tried before a difference that did not expand to 0 is called inconclusive. */
const CONFIRMATION_POINTS = 8;

/** Generic rational points for confirming a nonzero difference: reals ±p/q with p, q in 1..9, gates k/m strictly inside (0, 1). */
function genericRationalSource(random: Random): InputSource<Fraction> & { values: Map<string, Fraction> } {
  return memoised((_name, kind) => {
    if (kind === 'real') return fraction(random.integer(1, 9) * (random.uniform() < 0.5 ? -1 : 1), random.integer(1, 9));
    const m = random.integer(2, 9);
    return fraction(random.integer(1, m - 1), m);
  });
}

/** Number of monomials of an expanded nerdamer expression (0 for the zero polynomial). */
export function monomialCount(expanded: Symbolic): number {
  const count = (node: { group: number; power: unknown; multiplier: unknown; symbols?: object }): number => {
    const isSum = (node.group === 8 || node.group === 6) && String(node.power) === '1';
    if (isSum && node.symbols) {
      return Object.values(node.symbols).reduce((total: number, child) => total + count(child), 0);
    }
    return String(node.multiplier) === '0' ? 0 : 1;
  };
  return count((expanded as unknown as { symbol: Parameters<typeof count>[0] }).symbol);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function describeCase(instance: IdentityCase): string {
  const parts = [`n = ${instance.n}`, `d = ${instance.d}`];
  if (instance.L !== undefined) parts.push(`L = ${instance.L}`);
  if (instance.family !== undefined) parts.push(`gating ${instance.family}`);
  if (instance.gates !== undefined) parts.push(`${instance.gates} gates`);
  return parts.join(', ');
}

/** "n ≤ 3, d ≤ 2, L ≤ 2": the largest value of each size parameter among the cases. */
function sizeRange(cases: readonly IdentityCase[]): string {
  const largest = (pick: (instance: IdentityCase) => number | undefined) => Math.max(...cases.map((instance) => pick(instance) ?? 0));
  const parts = [`n ≤ ${largest((instance) => instance.n)}`, `d ≤ ${largest((instance) => instance.d)}`];
  if (cases.some((instance) => instance.L !== undefined)) parts.push(`L ≤ ${largest((instance) => instance.L)}`);
  return parts.join(', ');
}

function latexCase(instance: IdentityCase): string {
  const parts = [`n=${instance.n}`, `d=${instance.d}`];
  if (instance.L !== undefined) parts.push(`L=${instance.L}`);
  return parts.join(',\\ ');
}

function caseJson(instance: IdentityCase): { [key: string]: Json } {
  return Object.fromEntries(Object.entries(instance).filter(([, value]) => value !== undefined)) as { [key: string]: Json };
}

function valuesJson<T>(values: Map<string, T>, show: (value: T) => string): { [key: string]: Json } {
  return Object.fromEntries([...values].map(([name, value]) => [name, show(value)]));
}

export interface SymbolicCheckSpec {
  identity: Identity;
  /** The sizes to prove at each effort. */
  cases: Record<Effort, IdentityCase[]>;
  /** The scope that ends each certificate after "the identity holds", e.g. "for every gate map at this size". */
  certificateScope: (instance: IdentityCase) => string;
}

/**
 * Proves the identity for each listed size: every input is a symbol, both
 * sides are built by the generic model code, and expand(lhs − rhs) must be 0
 * for every compared quantity. A difference that does not expand to 0 is a
 * failure only when a rational point confirms it is nonzero; otherwise the
 * check is inconclusive (simplification can miss a zero).
 */
export function symbolicIdentityCheck(spec: SymbolicCheckSpec): Check {
  return {
    id: 'symbolic',
    kind: 'symbolic',
    title: `expand(GLA − WPGD) = 0 with every input and gate value a symbol, for every size up to the largest listed`,
    run(context: CheckContext): CheckResult {
      const cases = byEffort(context.effort, spec.cases);
      const sizes: Json[] = [];
      const certificates: string[] = [];
      let largest = 0;
      for (const [index, instance] of cases.entries()) {
        const started = performance.now();
        const source = symbolSource();
        // The largest size takes seconds, so report within it too: a stop request is noticed at each report.
        const within = (part: number) => context.progress((index + part) / cases.length);
        const pairs = spec.identity.sides(symbolicField, instance, source, { normalise: expandSymbolic });
        within(0.3);
        // Expand each side to a sum of monomials, then their difference (a cheap merge of like terms).
        const expanded = pairs.map((pair, position) => {
          const sides = { label: pair.label, gla: expandSymbolic(pair.gla), wpgd: expandSymbolic(pair.wpgd) };
          within(0.3 + (0.6 * (position + 1)) / pairs.length);
          return sides;
        });
        const nonzero = expanded
          .map((pair) => ({ label: pair.label, difference: expandSymbolic(symbolicField.sub(pair.gla, pair.wpgd)) }))
          .filter((entry) => entry.difference.toString() !== '0');
        const monomials = monomialCount(expanded[0].gla);
        const ms = performance.now() - started;
        largest = Math.max(largest, monomials);
        context.progress((index + 1) / cases.length);
        if (nonzero.length > 0) return symbolicMismatch(spec, context, instance, nonzero, sizes);
        sizes.push({ ...caseJson(instance), symbols: source.values.size, monomials, quantities: pairs.length, ms: Math.round(ms) });
        const intermediate = spec.identity.latexIntermediate;
        const others = pairs.length - 1;
        const quantities =
          others > 0 && intermediate ? `, and so ${others === 1 ? 'does' : 'do'} ${plural(others, 'difference')} $${intermediate}$,` : '';
        certificates.push(
          `$${latexCase(instance)}$${instance.family === 'none' ? ' (no gating, $\\omega = \\mathbf 1$)' : ''}: ` +
            `$\\hat y_{\\mathrm{GLA}} - \\big(${spec.identity.latexWpgd}\\big)$ expands to $0$${quantities} ` +
            `in $\\mathbb{Q}[${spec.identity.latexInputs(instance)}]$ ` +
            `(${source.values.size} indeterminates; $\\hat y_{\\mathrm{GLA}}$ expands to ${plural(monomials, 'monomial')}), ` +
            `so the identity holds ${spec.certificateScope(instance)}.`,
        );
      }
      return {
        status: 'verified',
        summary: `Proved symbolically for ${cases.length} sizes (${sizeRange(cases)}).`,
        metrics: [
          { name: 'sizes proved', value: cases.length, threshold: cases.length, comparison: '==' },
          { name: 'largest expanded ŷ_GLA (monomials)', value: largest },
        ],
        details: {
          sizes,
          method:
            'both sides built by the generic model code over nerdamer symbols, each expanded to a sum of monomials ' +
            '(multilayer: tokens and residuals expanded between layers), then the difference expanded and compared with 0',
        },
        certificates,
      };
    },
  };
}

/** A difference that did not expand to 0: evaluate both sides at a rational point to tell a real gap from a missed simplification. */
function symbolicMismatch(
  spec: SymbolicCheckSpec,
  context: CheckContext,
  instance: IdentityCase,
  nonzero: { label: string; difference: Symbolic }[],
  provedBefore: Json[],
): CheckResult {
  // A nonzero polynomial vanishes only on a thin set, so a few generic points (no zero inputs, no 0/1 gates) expose it.
  const random = new Random(context.seed);
  let confirmed: { pair: SidePair<Fraction>; values: Map<string, Fraction> } | undefined;
  for (let point = 0; point < CONFIRMATION_POINTS && !confirmed; point++) {
    const source = genericRationalSource(random);
    const pair = spec.identity.sides(rationalField, instance, source).find((entry) => !entry.gla.equals(entry.wpgd));
    if (pair) confirmed = { pair, values: source.values };
  }
  const shown = nonzero[0].difference.toString();
  const difference = shown.length > 2000 ? `${shown.slice(0, 2000)} … (${shown.length} characters)` : shown;
  const details = { provedBefore, unprovedSize: caseJson(instance), quantity: nonzero[0].label, difference };
  if (!confirmed) {
    return {
      status: 'inconclusive',
      summary:
        `At ${describeCase(instance)} the difference of ${nonzero[0].label} did not expand to 0, but both sides agree at ` +
        `${CONFIRMATION_POINTS} random rational points: simplification may have missed a zero.`,
      metrics: [{ name: 'quantities not shown equal', value: nonzero.length, threshold: 0, comparison: '==' }],
      details,
    };
  }
  const { pair, values } = confirmed;
  return {
    status: 'failed',
    summary:
      `At ${describeCase(instance)} the two sides of ${pair.label} differ: the difference does not expand to 0 ` +
      'and is nonzero at a rational point.',
    metrics: [{ name: 'quantities not shown equal', value: nonzero.length, threshold: 0, comparison: '==' }],
    details,
    counterexample: {
      input: { ...caseJson(instance), values: valuesJson(values, (value) => value.toFraction()) },
      failure: `${pair.label}: GLA ${pair.gla.toFraction()} ≠ WPGD ${pair.wpgd.toFraction()}`,
      replay: context.replayCommand,
      hints: [
        'Evaluate both sides at the rational point above by hand for the smallest size that fails.',
        'Compare the weight convention: ω_i must include the query gate γ_{n+1} and exclude γ_i.',
      ],
    },
  };
}

export interface ExactCheckSpec {
  identity: Identity;
  /** Instances at each effort. */
  instances: Record<Effort, number>;
  /** Draws the size and variant of instance `index`; index 0 should be the largest size. */
  drawCase: (random: Random, index: number) => IdentityCase;
  /** Largest sizes the draws reach, for the title. */
  maxSizes: string;
  /** Content gates for GLA-L instances with `gates: 'content'`. */
  options?: SideOptions<Fraction>;
}

function denominatorDigits(value: Fraction): number {
  return value.d.toString().length;
}

/**
 * Random rational instances, both sides in exact arithmetic (BigInt
 * fractions), every compared quantity checked for exact equality.
 */
export function exactIdentityCheck(spec: ExactCheckSpec): Check {
  return {
    id: 'exact',
    kind: 'exact',
    title: `GLA and WPGD agree exactly on random rational instances (${spec.maxSizes}), gates 0 and 1 included`,
    run(context: CheckContext): CheckResult {
      const random = new Random(context.seed);
      const count = byEffort(context.effort, spec.instances);
      let digits = 0;
      let comparisons = 0;
      const maxima = { n: 0, d: 0, L: 0 };
      const variants: Record<string, number> = {};
      for (let index = 0; index < count; index++) {
        const instance = spec.drawCase(random, index);
        const source = rationalSource(random);
        const pairs = spec.identity.sides(rationalField, instance, source, spec.options);
        maxima.n = Math.max(maxima.n, instance.n);
        maxima.d = Math.max(maxima.d, instance.d);
        maxima.L = Math.max(maxima.L, instance.L ?? 0);
        const variant = [instance.family, instance.gates].filter(Boolean).join(' ') || 'default';
        variants[variant] = (variants[variant] ?? 0) + 1;
        for (const pair of pairs) {
          comparisons++;
          digits = Math.max(digits, denominatorDigits(pair.gla), denominatorDigits(pair.wpgd));
          if (!pair.gla.equals(pair.wpgd)) {
            return {
              status: 'failed',
              summary:
                `Instance ${index + 1} (${describeCase(instance)}): ${pair.label} differs, ` +
                `GLA ${pair.gla.toFraction()} vs WPGD ${pair.wpgd.toFraction()}.`,
              metrics: [
                { name: 'instances before failure', value: index },
                { name: 'mismatches', value: 1, threshold: 0, comparison: '==' },
              ],
              details: { seed: context.seed },
              counterexample: {
                input: { ...caseJson(instance), values: valuesJson(source.values, (value) => value.toFraction()) },
                failure: `${pair.label}: GLA ${pair.gla.toFraction()} ≠ WPGD ${pair.wpgd.toFraction()} in exact arithmetic`,
                replay: context.replayCommand,
                hints: [
                  'Exact arithmetic rules out round-off: the difference is a formula or code error.',
                  'Shrink by hand: drop examples and coordinates from the instance while the two sides still differ.',
                ],
              },
            };
          }
        }
        context.progress((index + 1) / count);
      }
      return {
        status: 'verified',
        summary:
          `${count} random rational instances (up to n = ${maxima.n}, d = ${maxima.d}${maxima.L ? `, L = ${maxima.L}` : ''}) ` +
          `agree exactly in ${comparisons} compared quantities.`,
        metrics: [
          { name: 'instances', value: count },
          { name: 'mismatches', value: 0, threshold: 0, comparison: '==' },
          { name: 'largest denominator (digits)', value: digits },
        ],
        details: {
          seed: context.seed,
          maxN: maxima.n,
          maxD: maxima.d,
          ...(maxima.L ? { maxL: maxima.L } : {}),
          variants,
          comparisons,
          inputs: 'reals p/q with |p| ≤ 9, 1 ≤ q ≤ 9; gates 0 (15 %), 1 (20 %) or k/m with 1 ≤ k < m ≤ 9',
        },
      };
    },
  };
}

export interface FloatCheckSpec<I> {
  arbitrary: fc.Arbitrary<I>;
  compare: (instance: I) => FloatComparison;
  runs: Record<Effort, number>;
  tolerance: string;
  compared: string;
  title: string;
}

/**
 * Random float64 instances through fast-check: the generic GLA recurrence in
 * floatField against the float WPGD path, within a stated error bound. A
 * failing input is shrunk and replayed before it is reported.
 */
export function floatIdentityCheck<I>(spec: FloatCheckSpec<I>): Check {
  return {
    id: 'property',
    kind: 'property',
    title: spec.title,
    run(context: CheckContext): CheckResult {
      return runProperty(context, {
        arbitrary: spec.arbitrary,
        numRuns: byEffort(context.effort, spec.runs),
        tolerance: spec.tolerance,
        compared: spec.compared,
        describe: (instance) => instance as unknown as Json,
        evaluate: (instance) => {
          const result = spec.compare(instance);
          return {
            error: result.error,
            allowed: result.allowed,
            note: `${result.quantity}: GLA ${result.gla}, WPGD ${result.wpgd}`,
          };
        },
      });
    },
  };
}
