import type { Figure, Json } from '../../src/claims/types.ts';
import { BOUND_LABELS, BOUND_NAMES, type BoundName, type FamilyBound } from '../../src/training/bounds.ts';
import type { CurvePoint } from '../../src/training/train.ts';
import { round } from './training-runs.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Vega's default category colours, in the order of the families none, scalar, value-vector. */
const PALETTE = ['#4c78a8', '#f58518', '#e45756'];

/** Display names of the gate families in figures. */
export const FAMILY_NAMES: Record<string, string> = {
  none: 'linear attention (no gate)',
  scalar: 'scalar gate',
  'value-vector': 'value-vector gate',
  content: 'content gate',
};

/** Learned and optimal normalised block weights of one family. */
export interface BlockWeightRow {
  family: string;
  /** Normalised learned block weights (probe), one per block. */
  learned: number[];
  /** Normalised optimal block weights of the family's floor. */
  optimal: number[];
}

/** Grouped bars: for each family and block, the learned weight next to the optimal one. */
export function blockWeightFigure(rows: readonly BlockWeightRow[], caption: string): Figure {
  const values: Json[] = rows.flatMap((row) =>
    row.learned.flatMap((learned, k) => [
      { family: FAMILY_NAMES[row.family] ?? row.family, block: `block ${k + 1}`, source: 'learned (probe)', weight: round(learned, 5) },
      { family: FAMILY_NAMES[row.family] ?? row.family, block: `block ${k + 1}`, source: 'optimal', weight: round(row.optimal[k], 5) },
    ]),
  );
  return {
    id: 'learned-vs-optimal-weights',
    caption,
    spec: {
      $schema: SCHEMA,
      data: { values },
      mark: { type: 'bar' },
      width: 160,
      height: 220,
      encoding: {
        column: { field: 'family', type: 'nominal', title: null, sort: rows.map((row) => FAMILY_NAMES[row.family] ?? row.family) },
        x: { field: 'block', type: 'nominal', title: null },
        xOffset: { field: 'source', type: 'nominal', sort: ['learned (probe)', 'optimal'] },
        y: { field: 'weight', type: 'quantitative', title: 'normalised block weight' },
        color: { field: 'source', type: 'nominal', title: null, sort: ['learned (probe)', 'optimal'] },
      },
    },
  };
}

/** One training curve of a figure. */
export interface CurveSeries {
  family: string;
  curve: readonly CurvePoint[];
}

/**
 * Training curves (mean minibatch loss per window of steps) with the family
 * floors as horizontal rules. The y axis is clamped to a band around the
 * floors, so the first, much larger losses sit on the top edge.
 */
export function trainingCurveFigure(series: readonly CurveSeries[], bounds: Record<BoundName, FamilyBound>, caption: string): Figure {
  const risks = BOUND_NAMES.map((name) => bounds[name].risk);
  const low = Math.min(...risks);
  const high = Math.max(...risks);
  const spread = Math.max(high - low, 0.05 * high);
  const domain = [round(low - 0.5 * spread, 4), round(high + 1.5 * spread, 4)];
  const values: Json[] = [
    ...series.flatMap((entry) =>
      entry.curve.map((point) => ({ kind: 'curve', model: FAMILY_NAMES[entry.family] ?? entry.family, step: point.step, risk: round(point.loss, 5) })),
    ),
    ...BOUND_NAMES.map((name) => ({ kind: 'bound', model: BOUND_LABELS[name], risk: round(bounds[name].risk, 6) })),
  ];
  const order = [...series.map((entry) => FAMILY_NAMES[entry.family] ?? entry.family), ...BOUND_NAMES.map((name) => BOUND_LABELS[name])];
  // each floor is drawn in the colour of the family it belongs to (none → L*_lin, scalar → L*_scalar, value-vector → L*_vec)
  const colour = { domain: order, range: [...PALETTE.slice(0, series.length), ...PALETTE.slice(0, BOUND_NAMES.length)] };
  return {
    id: 'training-curves',
    caption,
    spec: {
      $schema: SCHEMA,
      data: { values },
      width: 520,
      height: 300,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'curve'" }],
          mark: { type: 'line', clip: true },
          encoding: {
            x: { field: 'step', type: 'quantitative', title: 'training step' },
            y: { field: 'risk', type: 'quantitative', title: 'mean minibatch loss', scale: { domain, clamp: true } },
            color: { field: 'model', type: 'nominal', title: null, scale: colour, legend: { labelLimit: 260 } },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'bound'" }],
          mark: { type: 'rule', strokeDash: [6, 4] },
          encoding: {
            y: { field: 'risk', type: 'quantitative' },
            color: { field: 'model', type: 'nominal', scale: colour },
          },
        },
      ],
    },
  };
}

/** Test risk of the model of each depth, with its error bar. */
export interface DepthPoint {
  layers: number;
  estimate: number;
  standardError: number;
}

/** Risk against depth with ±1.96 SE error bars and L*_scalar (the one-layer floor) as a rule. */
export function depthFigure(points: readonly DepthPoint[], floor: FamilyBound, caption: string): Figure {
  const values: Json[] = [
    ...points.map((point) => ({
      kind: 'model',
      layers: point.layers,
      risk: round(point.estimate, 6),
      low: round(point.estimate - 1.96 * point.standardError, 6),
      high: round(point.estimate + 1.96 * point.standardError, 6),
    })),
    { kind: 'bound', label: `${floor.label} (one-layer floor)`, risk: round(floor.risk, 6) },
  ];
  return {
    id: 'risk-vs-depth',
    caption,
    spec: {
      $schema: SCHEMA,
      data: { values },
      width: 360,
      height: 280,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'model'" }],
          mark: { type: 'rule', strokeWidth: 2 },
          encoding: {
            x: { field: 'layers', type: 'ordinal', title: 'layers L', axis: { labelAngle: 0 } },
            y: { field: 'low', type: 'quantitative', title: 'test risk (paired estimate)', scale: { zero: false } },
            y2: { field: 'high' },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'model'" }],
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x: { field: 'layers', type: 'ordinal' },
            y: { field: 'risk', type: 'quantitative' },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'bound'" }],
          mark: { type: 'rule', strokeDash: [6, 4], color: 'gray' },
          encoding: { y: { field: 'risk', type: 'quantitative' } },
        },
        {
          transform: [{ filter: "datum.kind === 'bound'" }],
          mark: { type: 'text', align: 'right', dx: -4, dy: -6, color: 'gray' },
          encoding: { y: { field: 'risk', type: 'quantitative' }, text: { field: 'label' }, x: { value: 360 } },
        },
      ],
    },
  };
}
