import { scanMagnitudes } from '../../src/backend/scan-bounds.ts';
import type { Backend, BlockModel, GateSequence, ScanJob, ScanOutput } from '../../src/backend/types.ts';
import { withContextBackend } from '../../src/claims/backend.ts';
import { byEffort } from '../../src/claims/effort.ts';
import { resultFromMetrics } from '../../src/claims/results.ts';
import type { Check, CheckContext, CheckResult, Effort, Json } from '../../src/claims/types.ts';
import { Random } from '../../src/data/random.ts';

/**
 * GLA-1 and GLA-key on 100000-token prompts on the numeric backend: the GLA
 * scan S_t = G_t ⊙ S_{t−1} + v_t k_tᵀ against the WPGD formula with weights
 * from log-space suffix sums, on the same sampled prompts. Gates near 1, runs
 * of exact 1s and an exact 0 make weights that span the float32 range, so in
 * float32 some fall below the smallest normal number and must be flagged.
 */

interface ScanSize {
  d: number;
  prompts: { webgpu: number; cpu: number };
}

/** Tokens per prompt: n examples and the query. */
const N = 100_000;

const SIZES: Record<Effort, ScanSize> = {
  quick: { d: 4, prompts: { webgpu: 2, cpu: 2 } },
  standard: { d: 8, prompts: { webgpu: 8, cpu: 8 } },
  thorough: { d: 16, prompts: { webgpu: 64, cpu: 16 } },
};

const UNIT_ROUNDOFF = { float64: 2 ** -53, float32: 2 ** -24 } as const;
const MIN_NORMAL = { float64: 2.2250738585072014e-308, float32: 1.1754943508222875e-38 } as const;

/**
 * Gate of token t (1-based, N + 1 tokens): 0.9999 up to token 5000, an exact 0
 * at 5001, 0.998 up to 50000 (so the earliest surviving weights are about
 * e^{−90}, below float32's smallest normal), exact 1s up to 70000, then a
 * seeded mix of 0.999, 0.9999, 0.99999, 1 and uniform [0.995, 1]; the query's
 * gate is 0.9995. `shift` varies the mix per key coordinate.
 */
function gateAt(t: number, random: Random): number {
  if (t <= 5000) return 0.9999;
  if (t === 5001) return 0;
  if (t <= 50_000) return 0.998;
  if (t <= 70_000) return 1;
  if (t === N + 1) return 0.9995;
  const draw = random.integer(0, 4);
  if (draw === 4) return 0.995 + 0.005 * random.uniform();
  return [0.999, 0.9999, 0.99999, 1][draw];
}

function gateSequence(kind: GateSequence['kind'], d: number, seed: number): GateSequence {
  const width = kind === 'scalar' ? 1 : d;
  const random = new Random(seed);
  const values = new Float64Array((N + 1) * width);
  for (let t = 1; t <= N + 1; t++) for (let c = 0; c < width; c++) values[(t - 1) * width + c] = gateAt(t, random);
  return { kind, values };
}

/** Draws P with entries in [−1, 1] from the seeded generator. */
function preconditioner(d: number, random: Random): Float64Array {
  return Float64Array.from({ length: d * d }, () => 2 * random.uniform() - 1);
}

interface PromptComparison {
  prompt: number;
  gla: number;
  wpgd: number;
  difference: number;
  allowed: number;
}

/** |ŷ_gla − ŷ_wpgd| against (m + d + 4)·u·A + ν·B per prompt, m = N + 1 scan steps. */
function compare(output: ScanOutput, A: Float64Array, B: Float64Array, precision: Backend['precision'], d: number): PromptComparison[] {
  const u = UNIT_ROUNDOFF[precision];
  const nu = MIN_NORMAL[precision];
  return Array.from(output.gla, (gla, prompt) => {
    const wpgd = output.wpgd[prompt];
    return { prompt, gla, wpgd, difference: Math.abs(gla - wpgd), allowed: (N + 1 + d + 4) * u * A[prompt] + nu * B[prompt] };
  });
}

async function runScan(context: CheckContext, kind: GateSequence['kind']): Promise<CheckResult> {
  const size = byEffort(context.effort, SIZES);
  const random = new Random(context.seed);
  const model: BlockModel = { d: size.d, lambda: new Float64Array(size.d).fill(1), blockSizes: [N / 2, N / 2], rho: Float64Array.from([0.6, 0.9]), sigma2: 0.1 };
  const gates = gateSequence(kind, size.d, context.seed + 1);
  const P = preconditioner(size.d, random);
  return withContextBackend(context, async (backend) => {
    const prompts = size.prompts[backend.name];
    const job: ScanJob = { model, batch: { seed: context.seed, firstPrompt: 0, count: prompts }, P, gates };
    const output = await backend.scan(job);
    context.progress(0.7);
    const { A, B } = scanMagnitudes(job, backend.precision === 'float32');
    const comparisons = compare(output, A, B, backend.precision, size.d);
    const outside = comparisons.filter((entry) => !(entry.difference <= entry.allowed));
    const worstRatio = comparisons.reduce((acc, entry) => Math.max(acc, entry.difference / entry.allowed), 0);
    const expectFlags = backend.precision === 'float32';
    const first = outside[0];
    const rows: Json[] = comparisons.slice(0, 8).map((entry) => ({ ...entry }));
    return resultFromMetrics(
      {
        pass: `${prompts} prompts of ${N} examples, d = ${size.d}, ${kind} gates (${backend.name}, ${backend.precision}): the GLA scan equals WPGD within the rounding bound on every prompt (worst ratio ${worstRatio.toExponential(2)}); ${output.zeroWeights} weights exactly 0, ${output.weightsOutOfRange} below the smallest normal and flagged.`,
        fail: first
          ? `Prompt ${first.prompt}: |ŷ_gla − ŷ_wpgd| = ${first.difference.toExponential(3)} exceeds the bound ${first.allowed.toExponential(3)} (${outside.length} of ${prompts} prompts).`
          : `The weight flags are wrong: ${output.weightsOutOfRange} below the smallest normal, ${output.zeroWeights} exactly 0.`,
      },
      [
        { name: 'prompts outside the rounding bound', value: outside.length, threshold: 0, comparison: '==' },
        { name: 'worst |Δ| / bound', value: worstRatio, threshold: 1, comparison: '<=' },
        // Every example before the zero gate at token 5001 has weight exactly 0.
        { name: 'weights exactly 0', value: output.zeroWeights, threshold: 5000 * (kind === 'scalar' ? 1 : size.d), comparison: '==' },
        // In float32 the weights of the earliest survivors (about e^{−90}) must be flagged; float64 represents them.
        { name: 'weights below the smallest normal, flagged', value: output.weightsOutOfRange, threshold: expectFlags ? 1 : 0, comparison: expectFlags ? '>=' : '==' },
      ],
      {
        backend: backend.description,
        precision: backend.precision,
        n: N,
        d: size.d,
        prompts,
        gates: '0.9999 to token 5000, exact 0 at 5001, 0.998 to 50000, exact 1 to 70000, then a seeded mix of 0.999, 0.9999, 0.99999, 1 and U[0.995, 1]; query gate 0.9995',
        tolerance: `|ŷ_gla − ŷ_wpgd| ≤ (N + 1 + d + 4)·u·A + ν·B per prompt, u = ${UNIT_ROUNDOFF[backend.precision]} the unit roundoff, ν = ${MIN_NORMAL[backend.precision]} the smallest normal number: A = Σ_a|x_a|Σ_b|P_ab|Σ_i ω_i|x_ib y_i| bounds recursive summation over N + 1 steps and the d×d bilinear form, B (every weight 1) bounds the weights left out below ν. A and B are computed in float64 from the same prompts${backend.precision === 'float32' ? ' with inputs rounded to float32' : ''}.`,
        comparisons: rows,
      },
      prompts > 8 ? { caveats: [`Each prompt scans ${N + 1} tokens; only the first 8 of the ${prompts} prompts are listed in the evidence.`] } : {},
    );
  });
}

export function backendScanCheck(kind: GateSequence['kind']): Check {
  return {
    id: 'scan-backend',
    kind: 'property',
    title: `100000-token prompts on the numeric backend (--backend): ${kind}-gated GLA scan vs WPGD from log-space weights, gates near 1 with exact 0s and 1s`,
    run: (context) => runScan(context, kind),
  };
}
