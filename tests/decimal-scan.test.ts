import { fraction, type Fraction } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { rationalField } from '../src/algebra/field.ts';
import type { CheckContext, Metric } from '../src/claims/types.ts';
import { InputError } from '../src/core/errors.ts';
import { Random } from '../src/data/random.ts';
import { ExactDecimal, MAX_PARSED_DIGITS, parseDecimal } from '../src/exact/decimal.ts';
import {
  geometricPrompt,
  glaScanDecimal,
  matchesGeometricSum,
  parseDecimalPrompt,
  predictScanCost,
  requireDecimalPrompt,
  SCAN_LIMITS,
  wpgdDecimal,
  type DecimalPrompt,
  type WpgdDecimal,
} from '../src/exact/decimal-scan.ts';
import { constructionC } from '../src/models/construction.ts';
import { glaPredict, promptTokens } from '../src/models/gla.ts';
import { longDecimalCheck } from '../proofs/support/gla-long-exact.ts';

const d = (text: string) => parseDecimal(text);

/** The exact value as a mathjs Fraction, read from its plain decimal text. */
const asFraction = (value: ExactDecimal): Fraction => fraction(value.toString());

/** Captures what a call throws, so that each property of the error gets its own assertion. */
function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

// Σ_{k=1}^{n} 0.999^k = 999 (1 − 0.999^n), written out to 38 decimals by
// 80-digit decimal arithmetic (Python's decimal module), outside this toolkit.
const GEOMETRIC_2000 = '863.93527452789782052914763400809521017197';
const GEOMETRIC_20000 = '998.99999796140944442462503515769526787394';

describe('parseDecimal', () => {
  it.each([
    ['0.999', 999n, 3],
    ['-1.25', -125n, 2],
    ['+7', 7n, 0],
    ['1e-3', 1n, 3],
    ['2.5E+2', 250n, 0],
    ['0012.50', 1250n, 2],
  ])('reads %s exactly', (text, units, scale) => {
    const value = parseDecimal(text);
    expect(value.units).toBe(units);
    expect(value.scale).toBe(scale);
  });

  it('reads every zero as ZERO with scale 0', () => {
    for (const text of ['0', '-0.000', '0e5']) {
      expect(parseDecimal(text).isZero()).toBe(true);
      expect(parseDecimal(text).scale).toBe(0);
    }
  });

  it.each(['', ' 1', '1 ', '1.', '.5', 'NaN', 'Infinity', '0x10', '1/3', '1,5', '1e', '--1', '1e2.5'])('rejects %j', (text) => {
    const error = thrown(() => parseDecimal(text, 'gamma[3]'));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).input).toBe('gamma[3]');
    expect((error as InputError).message).toContain('is not a decimal number');
    expect((error as InputError).fix).toContain('"0.999"');
  });

  it('rejects a number, which may already be rounded', () => {
    expect(() => parseDecimal(0.1 as unknown as string)).toThrow(/is not a decimal string/);
  });

  it('rejects values beyond the digit and exponent limit', () => {
    expect(() => parseDecimal(`1e-${MAX_PARSED_DIGITS + 1}`)).toThrow(InputError);
    expect(() => parseDecimal(`1e${MAX_PARSED_DIGITS + 1}`)).toThrow(InputError);
    expect(() => parseDecimal(`0.${'9'.repeat(MAX_PARSED_DIGITS)}`)).toThrow(/more than 10000 digits/);
    expect(parseDecimal(`0.${'9'.repeat(MAX_PARSED_DIGITS - 1)}`).scale).toBe(MAX_PARSED_DIGITS - 1);
  });
});

describe('ExactDecimal arithmetic', () => {
  it('0.1 + 0.2 equals 0.3 exactly', () => {
    expect(d('0.1').add(d('0.2')).equals(d('0.3'))).toBe(true);
    expect(d('0.1').add(d('0.2')).equals(d('0.30000000000000004'))).toBe(false);
  });

  it('equal values with different scales are equal', () => {
    expect(d('0.30').equals(d('0.3'))).toBe(true);
    expect(d('12').equals(d('1.2e1'))).toBe(true);
  });

  it('products add scales', () => {
    const product = d('0.999').mul(d('0.999'));
    expect(product.units).toBe(998001n);
    expect(product.scale).toBe(6);
    expect(d('0.5').pow(3).equals(d('0.125'))).toBe(true);
    expect(d('0.5').pow(0).equals(ExactDecimal.ONE)).toBe(true);
  });

  it('a difference of equal values is ZERO', () => {
    const difference = d('1.250').sub(d('1.25'));
    expect(difference.isZero()).toBe(true);
    expect(difference.scale).toBe(0);
  });

  it('compare and sign order values', () => {
    expect(d('0.999').compare(d('1'))).toBe(-1);
    expect(d('1.000').compare(d('1'))).toBe(0);
    expect(d('-0.5').sign()).toBe(-1);
  });

  it('agrees with mathjs fractions on random polynomials', () => {
    const random = new Random(11);
    for (let trial = 0; trial < 50; trial++) {
      const values = Array.from({ length: 6 }, () => ExactDecimal.of(BigInt(random.integer(-99999, 99999)), random.integer(0, 6)));
      const [a, b, c, e, f, g] = values;
      const decimal = a.mul(b).sub(c.mul(e).mul(f)).add(g.pow(3));
      const [qa, qb, qc, qe, qf, qg] = values.map(asFraction);
      const rational = qa.mul(qb).sub(qc.mul(qe).mul(qf)).add(qg.pow(3));
      expect(asFraction(decimal).equals(rational)).toBe(true);
    }
  });

  it.each([
    ['0.129', 2, '0.12'],
    ['-0.129', 2, '-0.12'],
    ['-0.001', 2, '0.00'],
    ['12', 3, '12.000'],
    ['0.05', 0, '0'],
    ['123.456', 1, '123.4'],
  ])('toFixed truncates %s to %i places as %s', (text, places, expected) => {
    expect(d(text).toFixed(places)).toBe(expected);
  });

  it('toString writes every decimal', () => {
    expect(d('-0.0500').toString()).toBe('-0.0500');
    expect(d('1e-3').toString()).toBe('0.001');
  });
});

describe('exact GLA scan and WPGD, d = 1', () => {
  // Gates (0.5, 0.25, 0.2, 0.125), y = (1, 10, 100), x_i = x = P = 1:
  // ω = (0.00625, 0.025, 0.125), so ŷ = 0.00625 + 0.25 + 12.5 = 12.75625.
  const handPrompt = parseDecimalPrompt({ X: ['1', '1', '1'], y: ['1', '10', '100'], x: '1', P: '1', gamma: ['0.5', '0.25', '0.2', '0.125'] });

  it('hand example gives 12.75625 on both sides', () => {
    expect(glaScanDecimal(handPrompt).equals(d('12.75625'))).toBe(true);
    expect(wpgdDecimal(handPrompt).prediction.equals(d('12.75625'))).toBe(true);
    expect(wpgdDecimal(handPrompt).omega1.equals(d('0.00625'))).toBe(true);
  });

  it('matches the generic GLA recurrence in mathjs fractions', () => {
    const random = new Random(5);
    const draw = () => ExactDecimal.of(BigInt(random.integer(-999, 999)), random.integer(0, 3));
    const gates = ['0', '1', '0.5', '0.999', '0.25', '1'];
    for (let trial = 0; trial < 40; trial++) {
      const n = random.integer(1, 8);
      const prompt: DecimalPrompt = {
        X: Array.from({ length: n }, draw),
        y: Array.from({ length: n }, draw),
        x: draw(),
        P: draw(),
        gamma: Array.from({ length: n + 1 }, () => d(gates[random.integer(0, gates.length - 1)])),
      };
      const F = rationalField;
      const layer = constructionC(F, [[asFraction(prompt.P)]], 'scalar', (_z, position) => [asFraction(prompt.gamma[position - 1])]);
      const tokens = promptTokens(F, prompt.X.map((xi) => [asFraction(xi)]), prompt.y.map(asFraction), [asFraction(prompt.x)]);
      const rational = glaPredict(F, layer, tokens);
      expect(asFraction(glaScanDecimal(prompt)).equals(rational)).toBe(true);
      expect(asFraction(wpgdDecimal(prompt).prediction).equals(rational)).toBe(true);
    }
  });

  it('a zero query gate gives exactly 0', () => {
    const prompt = { ...handPrompt, gamma: [d('0.5'), d('0.25'), d('0.2'), ExactDecimal.ZERO] };
    expect(glaScanDecimal(prompt).isZero()).toBe(true);
    expect(wpgdDecimal(prompt).prediction.isZero()).toBe(true);
    expect(wpgdDecimal(prompt).omega1.isZero()).toBe(true);
  });

  it('a zero gate removes every earlier example', () => {
    // γ_3 = 0, so ω_1 = ω_2 = 0 and only y_3 = 100 with ω_3 = 0.125 is left.
    const prompt = { ...handPrompt, gamma: [d('0.5'), d('0.25'), ExactDecimal.ZERO, d('0.125')] };
    expect(glaScanDecimal(prompt).equals(d('12.5'))).toBe(true);
    expect(wpgdDecimal(prompt).prediction.equals(d('12.5'))).toBe(true);
  });

  it("the first token's gate does not matter", () => {
    const withZero = { ...handPrompt, gamma: [ExactDecimal.ZERO, ...handPrompt.gamma.slice(1)] };
    expect(glaScanDecimal(withZero).equals(glaScanDecimal(handPrompt))).toBe(true);
  });

  it('Σ 0.999^k with n = 2000 has the known digits on both sides', () => {
    const g = d('0.999');
    const prompt = geometricPrompt(g, 2000);
    const gla = glaScanDecimal(prompt);
    const wpgd = wpgdDecimal(prompt);
    expect(gla.toFixed(38)).toBe(GEOMETRIC_2000);
    expect(gla.equals(wpgd.prediction)).toBe(true);
    expect(matchesGeometricSum(g, 2000, gla)).toBe(true);
    expect(wpgd.omega1.numeratorDigits()).toBe(6000);
  });

  it('stated 17-decimal strings as roundings', () => {
    const g = d('0.999');
    // Closed form 999 (1 − 0.999^n), because 1 / (1 − 0.999) = 1000 is a decimal.
    const closedForm = (n: number) => d('999').mul(ExactDecimal.ONE.sub(g.pow(n)));
    expect(closedForm(20000).toFixed(38)).toBe(GEOMETRIC_20000);
    expect(closedForm(20000).toFixed(17)).toBe('998.99999796140944442');
    expect(closedForm(20000).toRounded(17)).toBe('998.99999796140944442');
    // The string printed for n = 2000, 863.93527452789782053, is this value rounded, not truncated.
    expect(closedForm(2000).toFixed(17)).toBe('863.93527452789782052');
    expect(closedForm(2000).toRounded(17)).toBe('863.93527452789782053');
    expect(d('-0.125').toRounded(2)).toBe('-0.13');
    expect(d('0.124').toRounded(2)).toBe('0.12');
    expect(g.pow(20000).numeratorDigits()).toBe(59992);
  });

  it('closed form rejects a sum off by 10^-6003', () => {
    const g = d('0.999');
    const sum = glaScanDecimal(geometricPrompt(g, 2000));
    expect(matchesGeometricSum(g, 2000, sum.add(ExactDecimal.of(1n, 6003)))).toBe(false);
    expect(matchesGeometricSum(ExactDecimal.ONE, 5, d('5'))).toBe(true);
    expect(matchesGeometricSum(ExactDecimal.ONE, 5, d('4'))).toBe(false);
  });
});

describe('prompt validation and size limit', () => {
  it('names the bad entry of a text prompt', () => {
    const error = thrown(() => parseDecimalPrompt({ X: ['1'], y: ['1'], x: '1', P: '1', gamma: ['1', '0,5'] }));
    expect((error as InputError).input).toBe('gamma[1]');
  });

  it('rejects gates outside [0, 1]', () => {
    for (const gate of ['1.001', '-0.001']) {
      const prompt = parseDecimalPrompt({ X: ['1'], y: ['1'], x: '1', P: '1', gamma: ['1', gate] });
      expect(() => requireDecimalPrompt(prompt)).toThrow(/gamma\[1\] is outside \[0, 1\]/);
    }
  });

  it('rejects mismatched lengths', () => {
    expect(() => requireDecimalPrompt(parseDecimalPrompt({ X: ['1', '2'], y: ['1'], x: '1', P: '1', gamma: ['1', '1', '1'] }))).toThrow(/y has 1 entries but X has 2/);
    expect(() => requireDecimalPrompt(parseDecimalPrompt({ X: ['1'], y: ['1'], x: '1', P: '1', gamma: ['1'] }))).toThrow(/needs n \+ 1/);
  });

  it('predicted cost bounds the real numerator', () => {
    const prompt = geometricPrompt(d('0.999'), 2000);
    expect(predictScanCost(prompt).numeratorDigits).toBeGreaterThanOrEqual(glaScanDecimal(prompt).numeratorDigits());
  });

  it('rejects too many digit steps before running', () => {
    // 400000 gates of 0.999: about 2.4e11 digit steps, above the limit of 1e11.
    const prompt = geometricPrompt(d('0.999'), 400_000);
    expect(predictScanCost(prompt).digitSteps).toBeGreaterThan(SCAN_LIMITS.digitSteps);
    const started = performance.now();
    for (const side of [glaScanDecimal, wpgdDecimal] as const) {
      const error = thrown(() => side(prompt));
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toContain('above the exact-scan limit');
      expect((error as InputError).fix).toContain('shorten the prompt');
    }
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('rejects a numerator above the digit limit', () => {
    // 200 gates of 9999 decimals each would give ω_1 about 2e6 digits.
    const prompt = geometricPrompt(d(`0.${'9'.repeat(9999)}`), 200);
    expect(predictScanCost(prompt).numeratorDigits).toBeGreaterThan(SCAN_LIMITS.numeratorDigits);
    expect(() => glaScanDecimal(prompt)).toThrow(/numerator of about \d+ digits, above the exact-scan limit of 1000000/);
  });
});

function quickContext(seed: number): CheckContext {
  return {
    effort: 'quick',
    seed,
    runSeed: seed,
    claimId: 'GLA-1',
    checkId: 'exact-long-decimal',
    progress: () => {},
    replayCommand: `npm run verify -- --claim GLA-1 --seed ${seed} --effort quick`,
  };
}

function metric(metrics: readonly Metric[], name: string): Metric {
  const found = metrics.find((entry) => entry.name.startsWith(name));
  if (!found) throw new Error(`no metric named ${name}`);
  return found;
}

/** Wrong on purpose: ω_i = Π_{j=i}^{n+1} γ_j includes the example's own gate γ_i. */
function inclusiveWeightsWpgd(prompt: DecimalPrompt): WpgdDecimal {
  let omega = ExactDecimal.ONE;
  let sum = ExactDecimal.ZERO;
  for (let i = prompt.X.length; i >= 1; i--) {
    omega = prompt.gamma[i].mul(omega);
    sum = sum.add(prompt.gamma[i - 1].mul(omega).mul(prompt.X[i - 1]).mul(prompt.y[i - 1]));
  }
  return { prediction: prompt.x.mul(prompt.P).mul(sum), omega1: prompt.gamma[0].mul(omega) };
}

describe('exact-long-decimal check', () => {
  it('quick run agrees exactly within budget', async () => {
    const result = await longDecimalCheck().run(quickContext(1));
    expect(metric(result.metrics, 'GLA ≠ WPGD').value).toBe(0);
    expect(metric(result.metrics, 'scan ≠ generic GLA recurrence').value).toBe(0);
    expect(metric(result.metrics, 'geometric closed form failures').value).toBe(0);
    expect(metric(result.metrics, 'mixed prompts over their time budget').value).toBe(0);
    expect(metric(result.metrics, 'ω_1 numerator digits, n = 2000').value).toBe(6000);
    const seconds = metric(result.metrics, 'seconds, Σ 0.999^k with n = 2000');
    expect(Number(seconds.value)).toBeLessThanOrEqual(Number(seconds.threshold));
    expect(result.counterexample).toBeUndefined();
    expect(result.certificates).toHaveLength(4);
    expect(result.status).toBe('verified');
  });

  it('an inclusive-weight WPGD side fails with a shrunk counterexample', async () => {
    const result = await longDecimalCheck({ wpgd: inclusiveWeightsWpgd }).run(quickContext(1));
    expect(result.status).toBe('failed');
    expect(Number(metric(result.metrics, 'GLA ≠ WPGD').value)).toBeGreaterThan(0);
    expect(result.counterexample?.replay).toBe('npm run verify -- --claim GLA-1 --seed 1 --effort quick');
    expect(result.counterexample?.input).toMatchObject({ keptExamples: 1 });
    expect(result.counterexample?.failure).toContain('≠ WPGD');
  });

  it('same seed draws the same prompts', async () => {
    const first = await longDecimalCheck().run(quickContext(3));
    const second = await longDecimalCheck().run(quickContext(3));
    const values = (result: typeof first) => (result.details.instances as { gla: string }[]).map((row) => row.gla);
    expect(values(second)).toEqual(values(first));
  });
});
