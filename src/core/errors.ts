/**
 * An invalid input to a model, a formula or a sampler. The message names the
 * input, shows the offending value and states the fix; `input`, `value`
 * and `fix` carry the same facts for programs.
 */
export class InputError extends Error {
  readonly input: string;
  readonly value: string;
  readonly fix: string;

  constructor(input: string, problem: string, value: unknown, fix: string) {
    const shown = formatValue(value);
    super(`${input} ${problem} (got ${shown}); ${fix}`);
    this.name = 'InputError';
    this.input = input;
    this.value = shown;
    this.fix = fix;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const head = value.slice(0, 6).map((entry) => formatValue(entry)).join(', ');
    return value.length > 6 ? `[${head}, … (${value.length} entries)]` : `[${head}]`;
  }
  return String(value);
}
