import type { Polynomial } from './polynomial.ts';

/** One polynomial identity of a proof, kept as its remainder: left side minus right side. */
export interface ProvedIdentity {
  /** The identity in words, e.g. "D·∂E/∂P_1_2 at P*". */
  readonly identity: string;
  /** Zero exactly when the identity holds. */
  readonly remainder: Polynomial;
}
