/** Number and vector formatting shared by the solve and simulate tables. */

/** Formats a risk or other headline number with 12 significant digits, trailing zeros dropped. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-4 || Math.abs(value) >= 1e9)) return value.toExponential(6);
  return String(Number(value.toPrecision(12)));
}

/** Formats a vector entry with 6 significant digits. */
export function formatEntry(value: number): string {
  if (value !== 0 && (Math.abs(value) < 1e-4 || Math.abs(value) >= 1e6)) return value.toExponential(3);
  return String(Number(value.toPrecision(6)));
}

/** Maximum length of a vector printed in full; longer ones show their head and tail. */
const MAX_SHOWN_ENTRIES = 16;

/** Formats a vector on one line, eliding the middle of long ones: "1, 2, 3, …, 99, 100 (100 entries)". */
export function formatVector<T = number>(values: readonly T[], format: (value: T) => string = formatEntry as unknown as (value: T) => string): string {
  if (values.length <= MAX_SHOWN_ENTRIES) return values.map(format).join(', ');
  const head = values.slice(0, MAX_SHOWN_ENTRIES - 4).map(format);
  const tail = values.slice(-2).map(format);
  return `${head.join(', ')}, …, ${tail.join(', ')} (${values.length} entries)`;
}

/** Pads the cells of each column to a common width, two spaces apart. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => [...(row[column] ?? '')].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column] - [...cell].length))).join('  ')).join('\n');
}

/** Formats a difference with its sign as an operator: "+ 1.2e-3" or "− 1.2e-3". */
export function formatSignedDifference(value: number): string {
  return `${value < 0 ? '−' : '+'} ${Math.abs(value).toExponential(2)}`;
}
