import { InputError } from '../core/errors.ts';
import { proveRisk, type RiskProof } from '../symbolic/risk-proof.ts';

/**
 * One measurement of the symbolic RISK proof, the JSON line that a worker
 * prints. Memory figures describe the whole process, so they are per size only
 * when the process measured nothing before.
 */
export interface ProofMeasurement {
  readonly d: number;
  readonly n: number;
  /** Time of the proof alone: loss expansion, Isserlis expectation, closed form and difference. */
  readonly ms: number;
  /** Peak resident set size of the process (`process.resourceUsage().maxRSS`), start-up included. */
  readonly maxRssMiB: number;
  /** V8 heap in use right after the proof, while its polynomials are still reachable. */
  readonly heapUsedMiB: number;
  /** Terms of the expanded loss (y − ŷ)². */
  readonly lossMonomials: number;
  /** Perfect matchings that Isserlis' theorem sums over all loss terms. */
  readonly matchings: number;
  /** Terms of E[(y − ŷ)²] as a polynomial in the symbols. */
  readonly expectationTerms: number;
}

/** Function that builds the RISK proof for sizes d and n: `proveRisk`, or a wrong prover injected by a test. */
export type RiskProver = (d: number, n: number) => RiskProof;

/** The RISK proof left a nonzero difference, so the engine or the closed form has a bug. */
export class ProofFailedError extends Error {
  constructor(d: number, n: number, differenceTerms: number) {
    super(
      `the RISK proof at d = ${d}, n = ${n} failed: E[(y − ŷ)²] minus the closed form has ${differenceTerms} nonzero terms; ` +
        'run the RISK claim to see the difference before benchmarking the engine',
    );
    this.name = 'ProofFailedError';
  }
}

const FIELDS = ['d', 'n', 'ms', 'maxRssMiB', 'heapUsedMiB', 'lossMonomials', 'matchings', 'expectationTerms'] as const;

/**
 * Runs the RISK proof at (d, n) in this process and measures it. Throws
 * ProofFailedError when the difference is not the zero polynomial, because a
 * time for a proof that does not hold measures nothing worth recording.
 */
export function measureProof(d: number, n: number, prover: RiskProver = proveRisk): ProofMeasurement {
  const proof = prover(d, n);
  if (!proof.difference.isZero()) throw new ProofFailedError(d, n, proof.difference.termCount);
  return {
    d,
    n,
    ms: proof.milliseconds,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
    lossMonomials: proof.monomials,
    matchings: proof.matchings,
    expectationTerms: proof.expectation.termCount,
  };
}

/** Parses the worker's JSON line and checks that it describes the requested sizes. */
export function parseProofMeasurement(stdout: string, d: number, n: number): ProofMeasurement {
  const lines = stdout.trim().split('\n');
  const last = lines[lines.length - 1];
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    throw new InputError('worker output', 'is not a JSON line', last, 'check that the worker prints only its measurement to stdout');
  }
  const record = parsed as Record<string, unknown>;
  for (const field of FIELDS) {
    const value = record[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InputError(`worker output field ${field}`, 'is missing or not a finite number', String(value), 'print every ProofMeasurement field');
    }
  }
  if (record.d !== d || record.n !== n) {
    throw new InputError('worker output', 'describes other sizes', `d = ${String(record.d)}, n = ${String(record.n)}`, `measure d = ${d}, n = ${n}`);
  }
  return record as unknown as ProofMeasurement;
}
