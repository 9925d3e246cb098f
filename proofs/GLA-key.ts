import { backendAgreementCheck } from './support/backend-agreement.ts';
import { backendScanCheck } from './support/backend-scan.ts';
import type { Claim } from '../src/claims/types.ts';
import { vectorInstance } from './support/gla-arbitraries.ts';
import { compareKeyVector, ONE_LAYER_TOLERANCE } from './support/gla-float.ts';
import { keyVectorIdentity } from './support/gla-identities.ts';
import { exactIdentityCheck, floatIdentityCheck, symbolicIdentityCheck } from './support/identity-checks.ts';
import { drawOneLayerCase, sizesUpTo } from './support/identity-sizes.ts';
import { gateRangeProbe, queryLabelProbe } from './support/identity-probes.ts';

export const claim: Claim = {
  id: 'GLA-key',
  title: 'Key-vector gating is WPGD with per-coordinate weights',
  paperResult:
    'A one-layer gated linear attention model with vector gates implements weighted preconditioned gradient descent; ' +
    'gates on the key channels give each feature coordinate its own weight sequence.',
  statement:
    'Under construction C, for every key-vector gate map $g: \\mathbb{R}^D \\to [0,1]^D$ ($G(z) = \\mathbf 1\\, g(z)^\\top$, which scales ' +
    'the columns of $S$) and every prompt,\n\n' +
    '$$\\hat y_{\\mathrm{GLA}} = x^\\top P \\sum_{i=1}^{n} \\operatorname{diag}(\\omega_i[1..d])\\, x_i y_i, \\qquad ' +
    '\\omega_i = \\bigodot_{j=i+1}^{n+1} g(z_j),$$\n\n' +
    "the query's own gate included: matrix-weighted WPGD with diagonal weights $\\Omega_i = \\operatorname{diag}(\\omega_i[1..d])$. " +
    'The gate of the label channel $D$ never matters, because $k_i[D] = 0$.',
  hypotheses: [
    {
      id: 'construction-C',
      probe: queryLabelProbe(keyVectorIdentity, {}),
      statement: 'Construction C: $k_i = (x_i, 0)$, $v_i = (0, y_i)$, $q_{n+1} = (P^\\top x, 0)$, query token $z_{n+1} = (x, 0)$.',
    },
    {
      id: 'gates',
      probe: gateRangeProbe(keyVectorIdentity, {}),
      statement:
        'Gate values lie in $[0, 1]$; the identity is polynomial in them, so the symbolic and exact checks hold for any values.',
    },
  ],
  checks: [
    symbolicIdentityCheck({
      identity: keyVectorIdentity,
      cases: { quick: sizesUpTo(3, 2), standard: sizesUpTo(4, 3), thorough: sizesUpTo(5, 3) },
      certificateScope: () =>
        'for every prompt, every $P$ and every key-vector gate map at this size (a gate map only supplies the values $g_c(z_j)$)',
    }),
    exactIdentityCheck({
      identity: keyVectorIdentity,
      instances: { quick: 100, standard: 1000, thorough: 10000 },
      drawCase: drawOneLayerCase,
      maxSizes: 'n ≤ 8, d ≤ 4',
    }),
    floatIdentityCheck({
      arbitrary: vectorInstance,
      compare: compareKeyVector,
      runs: { quick: 200, standard: 2000, thorough: 20000 },
      tolerance: ONE_LAYER_TOLERANCE,
      compared: 'GLA recurrence in float64 vs xᵀ P Σ_i diag(ω_i[1..d]) x_i y_i with per-coordinate log-space weights',
      title: 'float64 GLA recurrence agrees with per-coordinate WPGD within a condition-aware bound (n ≤ 64, d ≤ 8)',
    }),
    backendScanCheck('vector'),
    backendAgreementCheck('vector-scan'),
  ],
};
