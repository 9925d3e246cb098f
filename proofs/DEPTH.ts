import type { Check, CheckContext, CheckResult, Claim, Json, Metric, Status } from '../src/claims/types.ts';
import { BOUND_NAMES, familyBounds } from '../src/training/bounds.ts';
import { pairedRisk, type PairedDifference } from '../src/training/evaluate.ts';
import { depthFigure } from './support/training-figures.ts';
import { BELOW_FLOOR_Z, evaluateModels, floorTestSamples, floorVerdict, modelDifference, modelJson, NOT_REACHED_Z, replayBelowFloor, round, trainModels } from './support/training-runs.ts';
import { checkSeeds, describeInstance, instanceFor, instanceJson, instanceTask } from './support/training-setup.ts';

/**
 * DEPTH: trained L-layer scalar-gated GLAs, L = 1, 2, 3, on the same
 * instance; the test risk must not increase with L and must drop from L = 1
 * to L = 3, judged by paired differences on common test prompts.
 */

const DEPTHS = [1, 2, 3] as const;

/** z of a paired difference below which the deeper model is significantly better. */
const DECREASE_Z = -3;

/** z of a paired difference above which the deeper model is significantly worse. */
const INCREASE_Z = 3;

/**
 * Test prompts of the depth comparison per test prompt of the one-layer floor
 * check: the differences between depths are what the claim is about, so they
 * get a larger test set than the convergence check of the one-layer model.
 */
const DEPTH_TEST_FACTOR = 4;

function depthCheck(context: CheckContext): CheckResult {
  const instance = instanceFor(context.effort);
  const task = instanceTask(instance);
  const bounds = familyBounds(task);
  const seeds = checkSeeds(context, 'depth');
  const models = trainModels(
    task,
    DEPTHS.map((layers) => ({ family: 'scalar' as const, layers })),
    context.effort,
    seeds,
    context.progress,
    [0, 0.92],
    true,
  );
  const floorSamples = floorTestSamples(models.slice(0, 1));
  const testSamples = DEPTH_TEST_FACTOR * floorSamples;
  const { losses, evaluations } = evaluateModels(task, models, bounds, testSamples, seeds.test, (fraction) => context.progress(0.92 + 0.08 * fraction));
  context.progress(1);

  const steps: { label: string; difference: PairedDifference }[] = [
    { label: 'L = 2 minus L = 1', difference: modelDifference(losses, 1, 0) },
    { label: 'L = 3 minus L = 2', difference: modelDifference(losses, 2, 1) },
    { label: 'L = 3 minus L = 1', difference: modelDifference(losses, 2, 0) },
  ];
  // The one-layer model is judged against its floor on the first floorSamples prompts, the test size of TRAINED-GLA.
  const scalarIndex = BOUND_NAMES.indexOf('scalar');
  const oneLayer = pairedRisk(losses.models[0].subarray(0, floorSamples), losses.predictors[scalarIndex].subarray(0, floorSamples), bounds.scalar.risk);
  const oneLayerVerdict = floorVerdict(oneLayer.z);
  const diverged = models.filter((model) => model.run.diverged).map((model) => model.layers);
  const increases = steps.slice(0, 2).filter((step) => step.difference.z > INCREASE_Z);
  // A rise the test prompts cannot resolve is not evidence of "no increase" either.
  const unresolvedRises = steps.slice(0, 2).filter((step) => step.difference.mean > 0 && !(step.difference.z > INCREASE_Z));
  const decreased = steps[2].difference.z < DECREASE_Z;
  // The one-layer model is bound by L*_scalar (TRAINED-GLA); below it, confirmed on fresh prompts, the floor theorem fails.
  const confirmedBelow = oneLayerVerdict === 'below floor' && replayBelowFloor(task, models[0], bounds, 'scalar', floorSamples, checkSeeds(context, 'depth:replay').test).confirmed;
  const status: Status = confirmedBelow
    ? 'failed'
    : diverged.length === 0 && oneLayerVerdict === 'reached' && increases.length === 0 && unresolvedRises.length === 0 && decreased
      ? 'verified'
      : 'inconclusive';

  const metrics: Metric[] = [
    ...models.map((model, m) => ({
      name: `L = ${model.layers}: test risk (paired estimate against L*_scalar = ${round(bounds.scalar.risk, 6)})`,
      value: `${round(evaluations[m].paired.scalar.estimate, 5)} ± ${round(evaluations[m].paired.scalar.standardError, 2)}`,
    })),
    { name: 'L = 1: paired z against L*_scalar (floor reached up to)', value: round(oneLayer.z, 3), threshold: NOT_REACHED_Z, comparison: '<=' as const },
    { name: 'L = 1: paired z against L*_scalar (floor refuted below)', value: round(oneLayer.z, 3), threshold: BELOW_FLOOR_Z, comparison: '>=' as const },
    ...steps.slice(0, 2).map((step) => ({ name: `z of ${step.label} (no increase)`, value: round(step.difference.z, 3), threshold: INCREASE_Z, comparison: '<=' as const })),
    { name: `z of ${steps[2].label} (strict decrease)`, value: round(steps[2].difference.z, 3), threshold: DECREASE_Z, comparison: '<' as const },
  ];
  const risks = models.map((model, m) => `L = ${model.layers}: ${round(evaluations[m].paired.scalar.estimate, 5)} ± ${round(evaluations[m].paired.scalar.standardError, 2)}`).join(', ');
  const summary =
    status === 'verified'
      ? `Test risk falls with depth on ${describeInstance(instance)} (${risks}); L = 3 minus L = 1 is ${round(steps[2].difference.mean, 4)} (z = ${round(steps[2].difference.z, 2)}).`
      : status === 'failed'
        ? `The one-layer model is below L*_scalar, also on fresh test prompts (z = ${round(oneLayer.z, 2)}): the one-layer floor fails.`
        : `Depth was not shown to help (${risks}): ${inconclusiveReason(diverged, oneLayerVerdict, increases.map((step) => step.label), unresolvedRises.map((step) => step.label), decreased)}.`;
  const caption =
    `${describeInstance(instance)}; scalar-gated GLAs with L = 1, 2, 3 layers trained like TRAINED-GLA (check seed ${context.seed}, training seed ${seeds.train}, ` +
    `test seed ${seeds.test}, ${testSamples} common test prompts). Points: paired estimates against the WPGD predictor of L*_scalar; bars: ±1.96 standard errors; dashed: L*_scalar.`;
  return {
    status,
    summary,
    metrics,
    details: {
      instance: instanceJson(instance),
      bounds: { lin: round(bounds.lin.risk, 8), scalar: round(bounds.scalar.risk, 8), vec: round(bounds.vec.risk, 8) },
      seeds: { check: context.seed, training: seeds.train, validation: seeds.validation, test: seeds.test },
      testSamples,
      oneLayerFloorSamples: floorSamples,
      oneLayerAgainstFloor: { estimate: round(oneLayer.estimate, 6), standardError: round(oneLayer.standardError, 3), z: round(oneLayer.z, 3) },
      models: models.map((model, m) => ({ ...(modelJson(model, evaluations[m]) as object), seconds: round(model.seconds, 3) }) as Json),
      differences: steps.map((step) => ({ step: step.label, mean: round(step.difference.mean, 5), standardError: round(step.difference.standardError, 3), z: round(step.difference.z, 3) })),
      decision:
        `Verified when L = 3 is below L = 1 with paired z < ${DECREASE_Z}, no deeper model has a higher risk estimate than the one before it (a rise with z > ${INCREASE_Z} is called unconverged, a smaller one unresolved), and the one-layer model reaches L*_scalar ` +
        `(paired z in [${BELOW_FLOOR_Z}, ${NOT_REACHED_Z}] on the first ${floorSamples} test prompts, the test size of TRAINED-GLA). A deeper model that is worse did not converge (a layer with W_q = 0 is the identity, so the optimum cannot get worse): ` +
        'inconclusive, never a refutation. Failed only when the one-layer model goes below L*_scalar.',
    },
    caveats: [
      'Each depth continues the trained model one layer shallower, with one layer on top that starts as the identity (W_q = 0): a deeper model starts at the risk of the shallower one. ' +
        'When the continued model does worse than its start on the validation prompts (never the test prompts), the start is kept; the evidence lists both validation losses per depth. ' +
        'Deep models trained from random weights on the same budget were less reliable in our runs: some diverged early, and a 3-layer model often ended above the 2-layer one.',
      'An L-layer GLA is a polynomial of degree 3^L in its inputs, so a deep model can make very large errors on rare prompts (an example with |x_i| near 5 on d = 2); such prompts widen the standard errors of its risk and of the paired differences, and when they dominate the check is inconclusive.',
      `Training prompts per model (a continued model adds its own to those of the model it starts from): ${models.map((model) => `L = ${model.layers}: ${model.run.steps * model.budget.batchSize}`).join(', ')}.`,
    ],
    figures: [depthFigure(models.map((model, m) => ({ layers: model.layers, estimate: evaluations[m].paired.scalar.estimate, standardError: evaluations[m].paired.scalar.standardError })), bounds.scalar, caption)],
  };
}

// NOTE: at quick effort (d = 2, short training) a deeper model sometimes makes
// rare, very large errors, and the check then ends inconclusive (2 of seeds
// 1–8 when last measured); the standard instance shows the decrease clearly.
function inconclusiveReason(diverged: readonly number[], oneLayerVerdict: string, increases: readonly string[], rises: readonly string[], decreased: boolean): string {
  const reasons: string[] = [];
  if (diverged.length > 0) reasons.push(`training diverged for L = ${diverged.join(', ')}`);
  if (oneLayerVerdict !== 'reached') reasons.push(`the one-layer model is ${oneLayerVerdict}`);
  if (increases.length > 0) reasons.push(`a deeper model is worse (${increases.join(', ')}), so its training did not converge`);
  if (rises.length > 0) reasons.push(`the risk estimate rises (${rises.join(', ')} is positive) by less than the test prompts resolve, so "no increase" is not shown`);
  if (!decreased) reasons.push('L = 3 is not significantly below L = 1');
  return reasons.join('; ');
}

const checks: Check[] = [{ id: 'risk-vs-depth', kind: 'monte-carlo', title: 'trained scalar-gated GLAs: risk does not increase with depth and drops from L = 1 to L = 3', run: depthCheck }];

export const claim: Claim = {
  id: 'DEPTH',
  title: 'Deeper trained GLAs reach lower risk',
  paperResult: 'A multilayer gated linear attention model implements several steps of weighted preconditioned gradient descent and so can beat the one-step optimum.',
  statement:
    'Scalar-gated GLAs with $L = 1, 2, 3$ layers and residual connections, every parameter free, trained by the same optimiser on the same block-model instance, ' +
    'each depth starting from the trained model one layer shallower with one more layer that starts as the identity ($W_q = 0$): the test risk does not ' +
    'increase with $L$ (a layer with $W_q = 0$ is the identity, so the optimum cannot get worse) and decreases strictly from $L = 1$ to $L = 3$.',
  hypotheses: [
    {
      id: 'delimiter-gates',
      statement: 'Every layer has a scalar gate that reads the delimiter features of the input tokens only.',
      notProbed: 'The claim is empirical and about depth; content gates change what one layer can do (CONTENT-GATES), not whether depth helps.',
    },
    {
      id: 'instance',
      statement: 'The block-model instance of TRAINED-GLA with $\\Sigma = I_d$, delimiter tokens and fresh training prompts.',
      notProbed: 'The strict decrease is stated for this instance only; on other instances the gain of depth differs in size.',
    },
  ],
  checks,
};
