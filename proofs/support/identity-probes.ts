import { fraction, type Fraction } from 'mathjs';
import { rationalField } from '../../src/algebra/field.ts';
import { showRational } from '../../src/algebra/rational-matrix.ts';
import { byEffort } from '../../src/claims/effort.ts';
import { searchProbe, type ProbeOutcome } from '../../src/claims/probe.ts';
import type { HypothesisProbe } from '../../src/claims/types.ts';
import { Random } from '../../src/data/random.ts';
import type { Identity, IdentityCase, InputSource } from './gla-identities.ts';

/**
 * Probes for the two hypotheses the GLA identities share, in exact rational
 * arithmetic: the prompt format of construction C (query label 0), and gate
 * values in [0, 1].
 */

/** Rationals p/q for reals; gates from `gate`. Every name keeps its first value. */
function source(random: Random, gate: () => Fraction): InputSource<Fraction> & { values: Map<string, Fraction> } {
  const values = new Map<string, Fraction>();
  const draw = (name: string, make: () => Fraction) => {
    if (!values.has(name)) values.set(name, make());
    return values.get(name)!;
  };
  return {
    values,
    real: (name) => draw(name, () => fraction(random.integer(-9, 9), random.integer(1, 9))),
    gate: (name) => draw(name, gate),
  };
}

/** Sizes smallest first: (n, d) = (1, 1), (2, 1), (1, 2), (2, 2), … with the claim's extra fields. */
function probeCases(base: Omit<IdentityCase, 'n' | 'd'>, count: number): IdentityCase[] {
  return Array.from({ length: count }, (_, index) => ({ ...base, n: 1 + (index % 2) + Math.floor(index / 4), d: 1 + (Math.floor(index / 2) % 2) }));
}

function* identityOutcomes(
  identity: Identity,
  cases: readonly IdentityCase[],
  random: Random,
  gate: () => Fraction,
  queryLabel: () => Fraction | undefined,
): Generator<ProbeOutcome> {
  for (const instance of cases) {
    const inputs = source(random, gate);
    const label = queryLabel();
    const pairs = identity.sides(rationalField, instance, inputs, { queryLabel: label });
    const broken = pairs.find((pair) => !pair.gla.equals(pair.wpgd));
    const values = Object.fromEntries([...inputs.values].map(([name, value]) => [name, showRational(value)]));
    yield {
      input: { ...instance, ...(label === undefined ? {} : { queryLabel: showRational(label) }), values },
      holds: broken === undefined,
      note: broken
        ? `${broken.label}: GLA gives ${showRational(broken.gla)}, WPGD gives ${showRational(broken.wpgd)}`
        : `all ${pairs.length} compared quantities agree exactly`,
    };
  }
}

/** Drops "query label 0": the query token carries a nonzero label, so its own term v_{n+1} k_{n+1}ᵀ enters S. */
export function queryLabelProbe(identity: Identity, base: Omit<IdentityCase, 'n' | 'd'>): HypothesisProbe {
  return {
    violation: 'the query token carries a nonzero label, z_{n+1} = (x, y_q) with y_q ≠ 0',
    run: (context) => {
      const random = new Random(context.seed);
      const gate = () => fraction(random.integer(1, 8), 9);
      const label = () => fraction(random.integer(1, 9) * (random.uniform() < 0.5 ? -1 : 1), random.integer(1, 9));
      return searchProbe(context, {
        instances: identityOutcomes(identity, probeCases(base, byEffort(context.effort, { quick: 4, standard: 8, thorough: 16 })), random, gate, label),
        sampled: 'exact rationals, gates in (0, 1), y_q ≠ 0',
      });
    },
  };
}

/** Drops "gates in [0, 1]": gate values from [−3, 3] outside [0, 1]; the identity is polynomial, so it should survive. */
export function gateRangeProbe(identity: Identity, base: Omit<IdentityCase, 'n' | 'd'>): HypothesisProbe {
  return {
    violation: 'gate values outside [0, 1]: rationals in [−3, 0) ∪ (1, 3]',
    run: (context) => {
      const random = new Random(context.seed);
      const gate = () => {
        const magnitude = fraction(random.integer(10, 27), 9);
        return random.uniform() < 0.5 ? magnitude : magnitude.sub(4);
      };
      return searchProbe(context, {
        instances: identityOutcomes(identity, probeCases(base, byEffort(context.effort, { quick: 4, standard: 8, thorough: 16 })), random, gate, () => undefined),
        sampled: 'exact rationals with every gate outside [0, 1]',
      });
    },
  };
}
