import type { OnProgress } from '../../src/core/progress.ts';
import type { Json } from '../../src/claims/types.ts';
import { blockCorrelation } from '../../src/data/correlation.ts';
import { diagonalCovariance } from '../../src/data/covariance.ts';
import type { Random } from '../../src/data/random.ts';
import { keyVectorOptimum, type KeyVectorOptimum } from '../../src/gating/key-vector-optimum.ts';
import { wpgdOptimum, type WpgdOptimum } from '../../src/gating/optima.ts';
import { landscapeProblem } from '../../src/optim/landscape.ts';
import { minimizeOnSphere, randomStarts } from '../../src/optim/sphere.ts';
import { makeTask, nullRisk, type Task } from '../../src/theory/risk.ts';

/**
 * Search for two-block instances with diagonal anisotropic Σ on which
 * key-vector gating beats every scalar-weight WPGD: L*_key < L*_WPGD (and so
 * L*_key < L*_scalar, since L*_WPGD ≤ L*_scalar).
 */

/** The large eigenvalue of Σ = diag(10, λ_2). */
export const LARGE_EIGENVALUE = 10;
/** Candidates for the small eigenvalue λ_2 of Σ = diag(10, λ_2). */
export const SMALL_EIGENVALUES = [0.1, 0.25, 0.5, 1, 2];
/** Largest block sizes: n ≤ 20 keeps the Monte Carlo of the GLA cheap. */
export const MAX_FIRST_BLOCK = 14;
export const MAX_SECOND_BLOCK = 6;

export interface KeyGainInstance {
  lambda: number[];
  sizes: number[];
  rho: number[];
  sigma2: number;
  task: Task;
}

/** Grid coordinates of an instance: index of λ_2, m_1, m_2, 10ρ_1, 10ρ_2 and 2σ². */
interface GridPoint {
  smallIndex: number;
  m1: number;
  m2: number;
  rho1: number;
  rho2: number;
  noise: number;
}

const GRID_BOUNDS: Record<keyof GridPoint, [number, number]> = {
  smallIndex: [0, SMALL_EIGENVALUES.length - 1],
  m1: [1, MAX_FIRST_BLOCK],
  m2: [1, MAX_SECOND_BLOCK],
  rho1: [-10, 10],
  rho2: [-10, 10],
  noise: [0, 1],
};

export function describeKeyGainInstance(instance: KeyGainInstance): { [key: string]: Json } {
  return { Sigma: `diag(${instance.lambda.join(', ')})`, sizes: instance.sizes, rho: instance.rho, sigma2: instance.sigma2, n: instance.task.n, d: instance.task.d };
}

export function makeKeyGainInstance(lambda: number[], sizes: number[], rho: number[], sigma2: number): KeyGainInstance {
  return { lambda, sizes, rho, sigma2, task: makeTask(diagonalCovariance(lambda), blockCorrelation(sizes, rho), sigma2) };
}

/** Σ = diag(10, λ_2), blocks of sizes m_1, m_2, ρ_k = rho_k/10, σ² = noise/2. */
function instanceAt(point: GridPoint): KeyGainInstance {
  return makeKeyGainInstance([LARGE_EIGENVALUE, SMALL_EIGENVALUES[point.smallIndex]], [point.m1, point.m2], [point.rho1 / 10, point.rho2 / 10], point.noise / 2);
}

function randomPoint(random: Random): GridPoint {
  const draw = (key: keyof GridPoint) => random.integer(GRID_BOUNDS[key][0], GRID_BOUNDS[key][1]);
  return { smallIndex: draw('smallIndex'), m1: draw('m1'), m2: draw('m2'), rho1: draw('rho1'), rho2: draw('rho2'), noise: draw('noise') };
}

/** Lists the grid points one step away in one coordinate. */
function neighbours(point: GridPoint): GridPoint[] {
  const result: GridPoint[] = [];
  for (const key of Object.keys(GRID_BOUNDS) as (keyof GridPoint)[]) {
    for (const step of [-1, 1]) {
      const value = point[key] + step;
      if (value >= GRID_BOUNDS[key][0] && value <= GRID_BOUNDS[key][1]) result.push({ ...point, [key]: value });
    }
  }
  return result;
}

export interface KeyGainCandidate {
  instance: KeyGainInstance;
  key: KeyVectorOptimum;
  wpgd: WpgdOptimum;
  /** (L*_WPGD − L*_key) / (tr Σ + σ²). */
  relativeGap: number;
}

export function evaluateKeyGain(instance: KeyGainInstance): KeyGainCandidate {
  const key = keyVectorOptimum(instance.task);
  const wpgd = wpgdOptimum(instance.task);
  return { instance, key, wpgd, relativeGap: (wpgd.risk - key.risk) / nullRisk(instance.task) };
}

export interface KeyGainSearch {
  best?: KeyGainCandidate;
  /** Instances evaluated, random starts and hill-climbing steps together. */
  evaluated: number;
  /** Instances skipped because a per-coordinate cone program was not KKT-certified. */
  uncertified: number;
}

/**
 * Draws `starts` random grid points, then climbs from each of the `climbs`
 * best ones: repeatedly move to the neighbour with the largest relative gap
 * until none improves or `budget` evaluations are spent in total. Several
 * climbs guard against a start whose hill is low. Only instances whose
 * per-coordinate cone programs are KKT-certified count: an uncertified L*_key
 * could be too low and fake a gain.
 */
export function searchKeyGain(random: Random, starts: number, budget: number, climbs = 3, onProgress?: OnProgress): KeyGainSearch {
  const search: KeyGainSearch = { evaluated: 0, uncertified: 0 };
  const seen = new Map<string, KeyGainCandidate | undefined>();
  const evaluate = (point: GridPoint): KeyGainCandidate | undefined => {
    const id = JSON.stringify(point);
    if (seen.has(id)) return seen.get(id);
    search.evaluated++;
    // The search ends by `budget` evaluations at the latest (the starts count towards it).
    onProgress?.(Math.min(1, search.evaluated / Math.max(budget, starts)));
    const candidate = evaluateKeyGain(instanceAt(point));
    const counted = candidate.key.certified ? candidate : undefined;
    if (!counted) search.uncertified++;
    seen.set(id, counted);
    return counted;
  };
  const consider = (candidate: KeyGainCandidate | undefined) => {
    if (candidate && (!search.best || candidate.relativeGap > search.best.relativeGap)) search.best = candidate;
  };

  const startPoints: { point: GridPoint; gap: number }[] = [];
  for (let index = 0; index < starts; index++) {
    const point = randomPoint(random);
    const candidate = evaluate(point);
    consider(candidate);
    if (candidate) startPoints.push({ point, gap: candidate.relativeGap });
  }
  startPoints.sort((a, b) => b.gap - a.gap);

  for (const start of startPoints.slice(0, climbs)) {
    let point = start.point;
    let gap = start.gap;
    let improved = true;
    while (improved && search.evaluated < budget) {
      improved = false;
      for (const neighbour of neighbours(point)) {
        if (search.evaluated >= budget) break;
        const candidate = evaluate(neighbour);
        consider(candidate);
        if (candidate && candidate.relativeGap > gap) {
          point = neighbour;
          gap = candidate.relativeGap;
          improved = true;
        }
      }
    }
  }
  return search;
}

/** The best scalar-weight WPGD risk a multistart descent on the sphere found. */
export interface WpgdMultistart {
  /** Smallest reduced risk reached from any start: a real WPGD risk, so an upper bound on L*_WPGD whether or not its run converged. */
  risk: number;
  omega: number[];
  starts: number;
  converged: number;
  /** Which start gave the smallest risk: 'μ-search', 'scalar optimum' or 'random k'. */
  from: string;
}

/**
 * Cross-checks the μ-search for L*_WPGD: minimizeOnSphere from the μ-search's
 * ω*, from the scalar-gating optimum (a WPGD weighting, so L*_WPGD ≤ L*_scalar
 * holds for the value returned) and from `randomCount` Gaussian directions.
 * The gain search maximises L*_WPGD − L*_key, so it favours instances where
 * the μ-search missed the optimum; a lower risk here exposes such a miss.
 */
export function wpgdMultistart(task: Task, seeds: { wpgd: readonly number[]; scalar: readonly number[] }, random: Random, randomCount: number): WpgdMultistart {
  const problem = landscapeProblem(task);
  const starts: { name: string; omega: readonly number[] }[] = [
    { name: 'μ-search', omega: seeds.wpgd },
    { name: 'scalar optimum', omega: seeds.scalar },
    ...randomStarts(random, task.n, randomCount).map((omega, k) => ({ name: `random ${k + 1}`, omega })),
  ];
  let best: WpgdMultistart | undefined;
  let converged = 0;
  for (const start of starts) {
    const minimum = minimizeOnSphere(problem, start.omega);
    if (minimum.converged) converged++;
    if (!best || minimum.risk < best.risk) best = { risk: minimum.risk, omega: minimum.omega, starts: starts.length, converged: 0, from: start.name };
  }
  return { ...best!, converged };
}
