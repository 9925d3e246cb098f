/**
 * Types for quadprog 1.6.1 (Goldfarb–Idnani dual method, a port of R's
 * quadprog). It minimises −dᵀb + ½ bᵀ D b subject to Aᵀ b ≥ b0, with the first
 * `meq` constraints as equalities. Every array is 1-indexed (entry 0 unused)
 * and Dmat is overwritten by its factorisation.
 */
declare module 'quadprog' {
  export interface QuadprogResult {
    /** Minimiser b, 1-indexed. */
    solution: number[];
    /** Lagrange multipliers, 1-indexed. */
    Lagrangian: number[];
    value: number[];
    unconstrained_solution: number[];
    /** [unused, iterations, constraints dropped after becoming active]. */
    iterations: number[];
    /** 1-based indices of the active constraints, then zeros. */
    iact: number[];
    /** Empty on success, else the reason the call failed. */
    message: string;
  }

  const quadprog: {
    solveQP(Dmat: number[][], dvec: number[], Amat: number[][], bvec: number[], meq?: number, factorized?: number[]): QuadprogResult;
  };
  export default quadprog;
}
