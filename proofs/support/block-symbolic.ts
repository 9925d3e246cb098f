import { byEffort } from '../../src/claims/effort.ts';
import { identityProofResult, type ProvedInstance } from '../../src/claims/identity-proof.ts';
import type { Check, CheckContext, CheckResult, Effort } from '../../src/claims/types.ts';
import { compositions, proveBlockOptimum, type BlockOptimumProof } from '../../src/symbolic/block-optimum-proof.ts';

/**
 * BLOCK-OPT and SINGLE-TASK proved as rational functions of d, σ² and ρ_k:
 * the Sherman–Morrison form of (R_n + (d + 1 + σ²) I)⁻¹ r, its agreement with
 * Cramer's rule, and the optimal risk, for every block structure up to a size.
 */

/** Largest n proved at each effort: every composition of each n ≤ this into blocks. */
const MAX_N: Record<Effort, number> = { quick: 3, standard: 4, thorough: 5 };

const HINTS = [
  'A Sherman–Morrison remainder means the block weights w_k = ρ_k / ((1 − ρ_k²) m_k + d + 1 + σ²) do not solve (R_n + (d + 1 + σ²) I) ω ∝ r.',
  "A Cramer remainder with a zero Sherman–Morrison remainder would point at the engine's determinant or adjugate, not at the theorem.",
];

const METHOD =
  'polynomials in d, σ², ρ_k with exact rational coefficients; each rational identity cross-multiplied by its denominators; (R_n + μI)⁻¹ r also by Cramer (adjugate and determinant by cofactors); Σ = I so the P-STAR reduced risk is L(ω) = d + σ² − d (ωᵀr)² / ωᵀ(R_n + μI)ω';

function row(proof: BlockOptimumProof): ProvedInstance['row'] {
  return { sizes: [...proof.sizes], identities: proof.identities.length, determinantTerms: proof.determinantTerms, ms: Math.round(proof.milliseconds) };
}

function blockCertificate(proof: BlockOptimumProof): string {
  const n = proof.sizes.reduce((sum, m) => sum + m, 0);
  return (
    `blocks $(${proof.sizes.join(', ')})$, $n = ${n}$, $\\Sigma = I$, symbolic $d, \\sigma^2, \\rho_k$: $(R_n + \\mu I)\\,\\hat\\omega = (D + r^\\top\\hat\\omega)\\, r$ ` +
    `for $\\hat\\omega = D\\,w$ block-constant with $w_k = \\rho_k / ((1 - \\rho_k^2) m_k + \\mu)$, $\\mu = d + 1 + \\sigma^2$, $D = \\prod_k ((1 - \\rho_k^2) m_k + \\mu)$ (Sherman–Morrison, agreeing with Cramer's rule; ` +
    `$\\det(R_n + \\mu I)$ has ${proof.determinantTerms} terms); $${proof.riskLatex}$ (${proof.identities.length} polynomial identities, ${proof.milliseconds.toFixed(0)} ms)`
  );
}

function singleTaskCertificate(proof: BlockOptimumProof): string {
  const n = proof.sizes[0];
  return (
    `$n = ${n}$, $R = \\mathbf 1\\mathbf 1^\\top$, $\\Sigma = I$, symbolic $d, \\sigma^2$: $(\\mathbf 1\\mathbf 1^\\top + \\mu I)\\mathbf 1 = (${n} + \\mu)\\mathbf 1$ so $\\omega^* \\propto \\mathbf 1$; ` +
    `$${proof.riskLatex}$, and at $\\sigma = 0$ $L^* = \\frac{d(d+1)}{${n} + d + 1}$ (${proof.identities.length} polynomial identities, ${proof.milliseconds.toFixed(0)} ms)`
  );
}

function blockCheck(context: CheckContext): CheckResult {
  const maxN = byEffort(context.effort, MAX_N);
  const structures = Array.from({ length: maxN }, (_, k) => compositions(k + 1)).flat();
  const instances = structures.map((sizes, index) => {
    const proof = proveBlockOptimum(sizes);
    context.progress((index + 1) / structures.length);
    return { label: `blocks (${sizes.join(', ')})`, identities: proof.identities, row: row(proof), certificate: blockCertificate(proof) };
  });
  return identityProofResult(context, instances, {
    verified: `For all ${structures.length} block structures with n ≤ ${maxN}, the block weights ρ_k / ((1 − ρ_k²) m_k + d + 1 + σ²) solve (R_n + (d + 1 + σ²) I) ω ∝ r as rational functions of d, σ², ρ_k, and L* = d + σ² − d T/(1 + T).`,
    method: METHOD,
    hints: HINTS,
  });
}

function singleTaskCheck(context: CheckContext): CheckResult {
  const maxN = byEffort(context.effort, { quick: 4, standard: 6, thorough: 6 });
  const instances = Array.from({ length: maxN }, (_, k) => {
    const proof = proveBlockOptimum([k + 1], true);
    context.progress((k + 1) / maxN);
    return { label: `n = ${k + 1}`, identities: proof.identities, row: row(proof), certificate: singleTaskCertificate(proof) };
  });
  return identityProofResult(context, instances, {
    verified: `For n = 1..${maxN}, R = 1 1ᵀ and Σ = I: ω* ∝ 1 and L* = d + σ² − nd/(n + d + 1 + σ²) as rational functions of d and σ² (= d(d + 1)/(n + d + 1) at σ = 0).`,
    method: METHOD,
    hints: HINTS,
  });
}

export const blockOptimumSymbolicCheck: Check = {
  id: 'symbolic-sherman-morrison',
  kind: 'symbolic',
  title: 'Σ = I, every block structure with n ≤ 3, 4, 5 (quick, standard, thorough): block weights and L* as rational functions of d, σ², ρ_k',
  run: blockCheck,
};

export const singleTaskSymbolicCheck: Check = {
  id: 'symbolic-sherman-morrison',
  kind: 'symbolic',
  title: 'R = 1 1ᵀ, Σ = I, n ≤ 4, 6 (quick, standard): ω* ∝ 1 and L* as rational functions of d and σ²',
  run: singleTaskCheck,
};
