import { InputError } from './errors.ts';

/** Throws unless every entry of `values` is a finite number. */
export function requireFinite(input: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isFinite(value)) {
      throw new InputError(
        `${input}[${i}]`,
        'is not a finite number',
        value,
        'pass finite numbers only (no NaN or ±Infinity)',
      );
    }
  }
}

/** Throws unless every entry of `matrix` is a finite number. */
export function requireFiniteMatrix(input: string, matrix: readonly (readonly number[])[]): void {
  matrix.forEach((row, i) => requireFinite(`${input}[${i}]`, row));
}

/** Throws unless `values` has exactly `length` entries. */
export function requireLength(input: string, values: ArrayLike<unknown>, length: number, meaning: string): void {
  if (values.length !== length) {
    throw new InputError(input, `has ${values.length} entries but ${meaning} needs ${length}`, values.length, `pass ${length} entries`);
  }
}

/** Throws unless `matrix` is rows × cols. */
export function requireShape(
  input: string,
  matrix: readonly (readonly unknown[])[],
  rows: number,
  cols: number,
): void {
  const actualCols = matrix.length === 0 ? 0 : matrix[0].length;
  const ragged = matrix.some((row) => row.length !== actualCols);
  if (matrix.length !== rows || actualCols !== cols || ragged) {
    const shape = ragged ? 'ragged' : `${matrix.length}×${actualCols}`;
    throw new InputError(input, `has shape ${shape}, expected ${rows}×${cols}`, shape, `pass a ${rows}×${cols} matrix`);
  }
}

/** Throws unless every gate value lies in [0, 1]. NaN is rejected here too. */
export function requireGates(input: string, gates: ArrayLike<number>): void {
  for (let i = 0; i < gates.length; i++) {
    const gate = gates[i];
    if (!(gate >= 0 && gate <= 1)) {
      throw new InputError(`${input}[${i}]`, 'is outside [0, 1]', gate, 'gate values must lie in [0, 1]');
    }
  }
}

/** Throws unless `value` is a positive integer. */
export function requirePositiveInteger(input: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InputError(input, 'is not a positive integer', value, 'pass an integer ≥ 1');
  }
}

/** Throws unless the noise variance is finite and nonnegative. */
export function requireNoiseVariance(sigma2: number): void {
  if (!Number.isFinite(sigma2) || sigma2 < 0) {
    throw new InputError('σ²', 'must be a finite number ≥ 0', sigma2, 'pass the label noise variance, 0 for noiseless labels');
  }
}
