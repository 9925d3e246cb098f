import type { Claim } from '../src/claims/types.ts';
import { vectorInstance } from './support/gla-arbitraries.ts';
import { compareValueVector, ONE_LAYER_TOLERANCE } from './support/gla-float.ts';
import { valueVectorIdentity } from './support/gla-identities.ts';
import { exactIdentityCheck, floatIdentityCheck, symbolicIdentityCheck } from './support/identity-checks.ts';
import { drawOneLayerCase, sizesUpTo } from './support/identity-sizes.ts';
import { gateRangeProbe, queryLabelProbe } from './support/identity-probes.ts';

export const claim: Claim = {
  id: 'GLA-value',
  title: 'Value-vector gating with a readout is WPGD with effective weights',
  paperResult:
    'A one-layer gated linear attention model with vector gates implements weighted preconditioned gradient descent; ' +
    'gates on the value channels, combined by the readout, give one effective weight per example.',
  statement:
    'Take construction C for $W_k$ and $W_q$, values $v_i = \\alpha y_i$ for a fixed $\\alpha \\in \\mathbb{R}^D$ ' +
    '($W_v = \\alpha e_D^\\top$), a readout $u \\in \\mathbb{R}^D$ ($\\hat y = u^\\top o_{n+1}$) and a value-vector gate map ' +
    '$g: \\mathbb{R}^D \\to [0,1]^D$ ($G(z) = g(z) \\mathbf 1^\\top$, which scales the rows of $S$). For every prompt,\n\n' +
    '$$\\hat y_{\\mathrm{GLA}} = x^\\top P X^\\top (\\omega^{\\mathrm{eff}} \\odot y), \\qquad ' +
    '\\omega^{\\mathrm{eff}}_i = \\sum_{c=1}^{D} u_c \\alpha_c \\prod_{j=i+1}^{n+1} g_c(z_j).$$',
  hypotheses: [
    {
      id: 'construction',
      probe: queryLabelProbe(valueVectorIdentity, {}),
      statement:
        '$k_i = (x_i, 0)$, $q_{n+1} = (P^\\top x, 0)$ as in construction C, $v_i = \\alpha y_i$; the query label is 0, so the ' +
        "query's own term vanishes.",
    },
    {
      id: 'gates',
      probe: gateRangeProbe(valueVectorIdentity, {}),
      statement:
        'Gate values lie in $[0, 1]$; the identity is polynomial in them, so the symbolic and exact checks hold for any values.',
    },
  ],
  checks: [
    symbolicIdentityCheck({
      identity: valueVectorIdentity,
      cases: { quick: sizesUpTo(3, 2), standard: sizesUpTo(4, 3), thorough: sizesUpTo(5, 3) },
      certificateScope: () =>
        'for every prompt, $P$, $\\alpha$, $u$ and every value-vector gate map at this size (a gate map only supplies the values $g_c(z_j)$)',
    }),
    exactIdentityCheck({
      identity: valueVectorIdentity,
      instances: { quick: 100, standard: 1000, thorough: 10000 },
      drawCase: drawOneLayerCase,
      maxSizes: 'n ≤ 8, d ≤ 4',
    }),
    floatIdentityCheck({
      arbitrary: vectorInstance,
      compare: compareValueVector,
      runs: { quick: 200, standard: 2000, thorough: 20000 },
      tolerance: ONE_LAYER_TOLERANCE,
      compared: 'GLA recurrence in float64 (W_v = α e_Dᵀ, readout u) vs xᵀ P Xᵀ (ω^eff ⊙ y) with log-space channel weights',
      title: 'float64 GLA recurrence agrees with effective-weight WPGD within a condition-aware bound (n ≤ 64, d ≤ 8)',
    }),
  ],
};
