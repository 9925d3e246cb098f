import { InputError } from '../core/errors.ts';
import { childPointer, formatJsonValue, InstanceError, type InstanceIssue } from './issues.ts';
import type { Instance } from './parse.ts';
import { schemaIssues } from './schema.ts';

/** The predictor schema in schemas/. */
export const PREDICTOR_SCHEMA = 'predictor.schema.json';

/** The `kind` field that marks a solve output (see SolutionDocument). */
export const SOLUTION_KIND = 'gla-wpgd-verify solution';

/** Optima of a solve output that simulate can read. */
export const SOLUTION_FAMILIES = ['wpgd', 'vector', 'scalar', 'linear'] as const;
export type SolutionFamily = (typeof SOLUTION_FAMILIES)[number];

/** A WPGD predictor ŷ = xᵀ P Xᵀ (ω ⊙ y), checked against an instance's d and n. */
export interface Predictor {
  P: number[][];
  omega: number[];
  /** Origin, e.g. "examples/x.solution.json, optimum wpgd". */
  label: string;
  /** Set when a solve output was computed for an instance with another name, σ² or tr Σ. */
  otherInstance?: string;
}

/**
 * Reads a predictor from a parsed JSON document: either `{ "P": …, "omega": … }`
 * (schemas/predictor.schema.json) or a solve output, from which `use` picks the
 * optimum. Checks the schema, then that P is d×d and ω has n entries for the
 * instance. Throws an InputError (an InstanceError listing every problem).
 */
export function parsePredictor(json: unknown, source: string, instance: Instance, use: SolutionFamily | undefined): Predictor {
  const isSolution = typeof json === 'object' && json !== null && !Array.isArray(json) && (json as { kind?: unknown }).kind === SOLUTION_KIND;
  let candidate: unknown = json;
  let pointerBase = '';
  let label = source;
  if (isSolution) {
    const family = use ?? 'wpgd';
    pointerBase = `/solution/${family}`;
    candidate = extractOptimum(json as { solution?: unknown }, family, source);
    label = `${source}, optimum ${family}`;
  } else if (use !== undefined) {
    throw new InputError('--use', 'applies only to a solve output', use, `drop --use, or pass a file written by solve --out (its "kind" is "${SOLUTION_KIND}")`);
  }
  const issues = schemaIssues(PREDICTOR_SCHEMA, candidate).map((issue) => ({ ...issue, pointer: pointerBase + issue.pointer }));
  if (issues.length > 0) throw new InstanceError(`predictor ${label}`, issues);
  const predictor = candidate as { P: number[][]; omega: number[]; name?: string };
  const sizeIssues = shapeIssues(predictor, pointerBase, instance);
  if (sizeIssues.length > 0) throw new InstanceError(`predictor ${label}`, sizeIssues);
  const otherInstance = isSolution ? instanceMismatch((json as { solution?: { instance?: unknown } }).solution?.instance, instance) : undefined;
  return { P: predictor.P, omega: predictor.omega, label: predictor.name ? `${predictor.name} (${label})` : label, otherInstance };
}

/**
 * Compares the instance summary of a solve output with the instance being
 * simulated. Any (P, ω) of the right size is a valid predictor, so a
 * mismatch is reported, not rejected.
 */
function instanceMismatch(summary: unknown, instance: Instance): string | undefined {
  const solved = (summary ?? {}) as { name?: unknown; sigma2?: unknown; nullRisk?: unknown };
  const traceSigma = instance.covariance.eigenvalues.reduce((sum, value) => sum + value, 0);
  const nullRisk = traceSigma + instance.sigma2;
  const differences: string[] = [];
  if (solved.name !== instance.name) differences.push(`name ${formatJsonValue(solved.name)} vs ${formatJsonValue(instance.name)}`);
  if (solved.sigma2 !== instance.sigma2) differences.push(`σ² ${formatJsonValue(solved.sigma2)} vs ${instance.sigma2}`);
  if (typeof solved.nullRisk !== 'number' || Math.abs(solved.nullRisk - nullRisk) > 1e-12 * nullRisk) differences.push(`tr Σ + σ² ${formatJsonValue(solved.nullRisk)} vs ${nullRisk}`);
  return differences.length > 0 ? `the solve output was computed for another instance (${differences.join(', ')})` : undefined;
}

/** Picks { P, omega } of one optimum from a solve output. */
function extractOptimum(document: { solution?: unknown }, family: SolutionFamily, source: string): unknown {
  const solution = document.solution as { [name: string]: { P?: unknown; omega?: unknown } | undefined } | undefined;
  const optimum = solution?.[family];
  if (optimum === undefined || optimum === null || typeof optimum !== 'object') {
    throw new InputError(`predictor ${source}`, `has no optimum "${family}" under /solution`, formatJsonValue(Object.keys(solution ?? {})), `pass a file written by solve --out, with --use one of ${SOLUTION_FAMILIES.join(', ')}`);
  }
  return { P: optimum.P, omega: optimum.omega };
}

function shapeIssues(predictor: { P: number[][]; omega: number[] }, base: string, instance: Instance): InstanceIssue[] {
  const issues: InstanceIssue[] = [];
  const { d, n } = instance;
  if (predictor.P.length !== d) {
    issues.push({ pointer: `${base}/P`, problem: `has ${predictor.P.length} rows but the instance has d = ${d}`, value: `${predictor.P.length} rows`, fix: `pass a ${d}×${d} preconditioner` });
  }
  predictor.P.forEach((row, i) => {
    if (row.length !== d) {
      issues.push({ pointer: childPointer(`${base}/P`, i), problem: `has ${row.length} entries but the instance has d = ${d}`, value: formatJsonValue(row), fix: `pass ${d} numbers per row` });
    }
  });
  if (predictor.omega.length !== n) {
    issues.push({ pointer: `${base}/omega`, problem: `has ${predictor.omega.length} entries but the instance has n = ${n}`, value: formatJsonValue(predictor.omega), fix: `pass one weight per in-context example (${n})` });
  }
  return issues;
}
