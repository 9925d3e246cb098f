import { backendAgreementCheck } from './support/backend-agreement.ts';
import { backendScanCheck } from './support/backend-scan.ts';
import type { Claim } from '../src/claims/types.ts';
import type { Random } from '../src/data/random.ts';
import { scalarInstance } from './support/gla-arbitraries.ts';
import { compareScalar, ONE_LAYER_TOLERANCE } from './support/gla-float.ts';
import { scalarIdentity, type IdentityCase } from './support/gla-identities.ts';
import { exactIdentityCheck, floatIdentityCheck, symbolicIdentityCheck } from './support/identity-checks.ts';
import { gateRangeProbe, queryLabelProbe } from './support/identity-probes.ts';
import { exactLongDecimalCheck } from './support/gla-long-exact.ts';

/** Lists every (n, d) up to the given maxima, with scalar gating and with no gating. */
function sizesUpTo(maxN: number, maxD: number): IdentityCase[] {
  const cases: IdentityCase[] = [];
  for (let d = 1; d <= maxD; d++) {
    for (let n = 1; n <= maxN; n++) {
      cases.push({ n, d, family: 'scalar' }, { n, d, family: 'none' });
    }
  }
  return cases;
}

/** Instance 0 is the largest size with scalar gates, instance 1 the largest without gating; then random sizes, a quarter ungated. */
function drawCase(random: Random, index: number): IdentityCase {
  if (index < 2) return { n: 8, d: 4, family: index === 0 ? 'scalar' : 'none' };
  return { n: random.integer(1, 8), d: random.integer(1, 4), family: random.uniform() < 0.25 ? 'none' : 'scalar' };
}

export const claim: Claim = {
  id: 'GLA-1',
  title: 'Scalar-gated linear attention is one step of weighted preconditioned gradient descent',
  paperResult:
    'A one-layer gated linear attention model with scalar gates implements one step of weighted preconditioned gradient ' +
    'descent (WPGD) whose weights are products of the gates; without gates it is plain preconditioned gradient descent.',
  statement:
    'Under construction C ($`W_k = \\begin{bmatrix} I_d & 0 \\\\ 0 & 0 \\end{bmatrix}`$, $W_v = e_D e_D^\\top$, ' +
    '$`W_q = \\begin{bmatrix} P^\\top & 0 \\\\ 0 & 0 \\end{bmatrix}`$), for every gate map $\\gamma: \\mathbb{R}^D \\to [0,1]$ and every ' +
    'prompt, the scalar-gated GLA layer ($G(z) = \\gamma(z)\\,\\mathbf 1 \\mathbf 1^\\top$) predicts\n\n' +
    '$$\\hat y_{\\mathrm{GLA}} = x^\\top P X^\\top (\\omega \\odot y), \\qquad \\omega_i = \\prod_{j=i+1}^{n+1} \\gamma(z_j),$$\n\n' +
    "the query's own gate $\\gamma(z_{n+1})$ included and $\\gamma(z_i)$ excluded. No gating ($G = \\mathbf 1 \\mathbf 1^\\top$) is " +
    '$\\omega = \\mathbf 1$: linear attention is one step of preconditioned gradient descent from $w_0 = 0$.',
  hypotheses: [
    {
      id: 'construction-C',
      probe: queryLabelProbe(scalarIdentity, { family: 'scalar' }),
      statement:
        'Construction C: $k_i = (x_i, 0)$, $v_i = (0, y_i)$, $q_{n+1} = (P^\\top x, 0)$; the query token is $z_{n+1} = (x, 0)$, ' +
        "so the query's own term $v_{n+1} k_{n+1}^\\top$ vanishes.",
    },
    {
      id: 'gates',
      probe: gateRangeProbe(scalarIdentity, { family: 'scalar' }),
      statement:
        'Gate values lie in $[0, 1]$. The identity is polynomial in the gate values, so the symbolic and exact checks hold for ' +
        'any values; the float path rejects values outside $[0, 1]$ and NaN.',
    },
  ],
  checks: [
    symbolicIdentityCheck({
      identity: scalarIdentity,
      cases: { quick: sizesUpTo(3, 2), standard: sizesUpTo(4, 3), thorough: sizesUpTo(6, 3) },
      certificateScope: ({ family }) =>
        family === 'none'
          ? 'for every prompt and every $P$ at this size'
          : 'for every prompt, every $P$ and every gate map at this size (a gate map only supplies the values $\\gamma_j$)',
    }),
    exactIdentityCheck({
      identity: scalarIdentity,
      instances: { quick: 100, standard: 1000, thorough: 10000 },
      drawCase,
      maxSizes: 'n ≤ 8, d ≤ 4, scalar gating and none',
    }),
    exactLongDecimalCheck,
    floatIdentityCheck({
      arbitrary: scalarInstance,
      compare: compareScalar,
      runs: { quick: 200, standard: 2000, thorough: 20000 },
      tolerance: ONE_LAYER_TOLERANCE,
      compared: 'GLA recurrence in float64 vs xᵀ P Xᵀ (ω ⊙ y) with ω from log-space suffix sums of log γ (ω = 1 without gating)',
      title: 'float64 GLA recurrence agrees with log-space WPGD within a condition-aware bound (n ≤ 64, d ≤ 8, gates 0, 1 and runs near 1)',
    }),
    backendScanCheck('scalar'),
    backendAgreementCheck('scalar-scan'),
  ],
};
