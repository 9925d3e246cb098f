import { rationalToNumber } from './exact.ts';
import type { FamilySolution, Solution } from './solution.ts';
import { formatEntry, formatTable, formatValue, formatVector } from './text.ts';

/** The solve command's human-readable output. */

/** Largest d for which P is printed as a matrix; larger ones only in the JSON. */
const MAX_PRINTED_DIMENSION = 6;

function familyRows(solution: Solution): string[][] {
  const row = (symbol: string, family: string, entry: FamilySolution) => [symbol, family, formatValue(entry.risk), entry.status, entry.method];
  return [
    ['risk', 'family', 'optimum', 'status', 'method'],
    row('L*_WPGD', 'any weights ω', solution.wpgd),
    row('L*_vec', 'value-vector gates', solution.vector),
    row('L*_scalar', 'scalar gates', solution.scalar),
    row('L*_lin', 'linear attention', solution.linear),
    ['tr Σ + σ²', 'predicting 0', formatValue(solution.instance.nullRisk), '', ''],
  ];
}

function matrixLines(label: string, P: readonly (readonly number[])[]): string[] {
  if (P.length > MAX_PRINTED_DIMENSION) return [`${label}: ${P.length}×${P.length} (printed by --json)`];
  const cells = P.map((row) => row.map(formatEntry));
  const width = Math.max(...cells.flat().map((cell) => cell.length));
  return [`${label}:`, ...cells.map((row) => `  [ ${row.map((cell) => cell.padStart(width)).join('  ')} ]`)];
}

function verdictLine(solution: Solution): string {
  const verdict = solution.scalarGatingOptimal;
  let answer = 'undetermined';
  if (verdict.optimal !== undefined) answer = verdict.optimal ? 'yes' : 'no';
  return `Scalar gating optimal: ${answer}. ${verdict.reason}.`;
}

function gateLines(solution: Solution): string[] {
  const lines: string[] = [];
  const scalar = solution.scalar;
  lines.push(`Scalar-gating optimum ω (in the cone; P = P*(ω) absorbs the sign ${scalar.sign < 0 ? '−1' : '+1'}): ${formatVector(scalar.omega)}`);
  if (scalar.gates !== undefined) {
    lines.push(`  scalar gates γ_1..γ_${solution.instance.n + 1} (query last; layer preconditioner ${formatValue(scalar.gates.scale)}·P): ${formatVector(scalar.gates.gamma)}`);
  }
  const vector = solution.vector.gates;
  lines.push(`Value-vector gates for ω* (v_i = y_i on channels D and D − 1, readout +${formatValue(vector.readoutScale)} and −${formatValue(vector.readoutScale)}; other channels gate 1):`);
  lines.push(`  channel D:     ${formatVector(vector.positive)}`);
  lines.push(`  channel D − 1: ${formatVector(vector.negative)}`);
  lines.push(`  L at the weights these gates apply: ${formatValue(vector.riskAtGates)} (max weight error ${vector.maxWeightError.toExponential(1)})`);
  return lines;
}

function checkLines(solution: Solution): string[] {
  const lines: string[] = [];
  for (const check of solution.closedForms) {
    const verdict = check.agrees ? 'agrees' : 'DISAGREES';
    lines.push(`${check.claim} (${check.formula}): ${verdict}, difference ${check.difference.toExponential(1)} (allowed ${check.tolerance})`);
  }
  const exact = solution.exact;
  if (exact !== undefined) {
    lines.push(
      `Exact (Σ = I, the file's decimals as exact rationals): L*_WPGD = ${formatRational(exact.wpgdRisk)}, L*_scalar = ${formatRational(exact.scalarRisk)}, L*_lin = ${formatRational(exact.linearRisk)}; ` +
        `scalar gating ${exact.scalarOptimal ? 'optimal' : 'not optimal'} exactly; float64 optima within ${(exact.maxFloatDifference ?? 0).toExponential(1)}`,
    );
    const short = exact.omega.every((text) => text.length <= MAX_FRACTION_CHARACTERS);
    const omega = short ? formatVector(exact.omega, String) : `${formatVector(exact.omega.map(rationalToNumber))} (rounded; the exact fractions are in --json)`;
    lines.push(`  ω* = (R_n + (d + 1 + σ²) I)^{-1} r = ${omega}`);
  } else if (solution.exactSkipped !== undefined && !solution.exactSkipped.startsWith('exact optima need Σ = I')) {
    lines.push(`Exact optima skipped: ${solution.exactSkipped}`);
  }
  return lines;
}

/** Longest exact fraction printed as is; longer ones print as a decimal, and --json keeps every digit. */
const MAX_FRACTION_CHARACTERS = 40;

function formatRational(text: string): string {
  if (text.length <= MAX_FRACTION_CHARACTERS) return text;
  return `≈${formatValue(rationalToNumber(text))} (a ${text.length}-character fraction, in full in --json)`;
}

function noteLines(solution: Solution): string[] {
  const entries: [string, FamilySolution][] = [
    ['L*_WPGD', solution.wpgd],
    ['L*_vec', solution.vector],
    ['L*_scalar', solution.scalar],
    ['L*_lin', solution.linear],
  ];
  return entries.flatMap(([label, entry]) => entry.notes.map((note) => `${label}: ${note}`));
}

export function solutionText(solution: Solution): string {
  const { instance } = solution;
  const header = `${instance.name ?? 'instance'}: d = ${instance.d}, n = ${instance.n}, σ² = ${instance.sigma2}, ${instance.covariance}, ${instance.correlation}`;
  const sections = [
    header,
    formatTable(familyRows(solution)),
    verdictLine(solution),
    [`ω* (max |ω_i| = 1, ω*ᵀr ≥ 0): ${formatVector(solution.wpgd.omega)}`, ...matrixLines('P*(ω*)', solution.wpgd.P)].join('\n'),
    gateLines(solution).join('\n'),
  ];
  const checks = checkLines(solution);
  if (checks.length > 0) sections.push(checks.join('\n'));
  const notes = noteLines(solution);
  if (notes.length > 0) sections.push(['Notes:', ...notes.map((note) => `  ${note}`)].join('\n'));
  if (!solution.conclusive) {
    sections.push('INCONCLUSIVE: an optimum is uncertified, a cross-check failed, or the scalar-gating verdict is undetermined; see the status column and the notes.');
  }
  return `${sections.join('\n\n')}\n`;
}
