import { InputError } from '../core/errors.ts';
import { requirePositiveInteger } from '../core/validate.ts';

/**
 * Token layout of a block-model prompt with delimiter tokens:
 *
 *   [block 1 examples, delimiter 1, block 2 examples, delimiter 2, …, block K examples, delimiter K, query].
 *
 * Every token is z = (x, y, f) ∈ R^D with D = d + 1 + F and F = K. Example
 * tokens are (x_i, y_i, 0); delimiter k is (0, 0, e_k), the one-hot index of
 * its block; the query is (x, 0, 0). Delimiters add nothing to a WPGD sum
 * because their x and y are zero, but a gate that reads f acts once per block.
 */
export interface DelimitedLayout {
  /** Feature dimension. */
  d: number;
  /** Block sizes m_1..m_K in prompt order. */
  sizes: number[];
  /** Number of blocks, also the number of delimiter features F. */
  K: number;
  /** Number of in-context examples n = Σ m_k. */
  n: number;
  /** Embedding dimension d + 1 + K. */
  D: number;
  /** Number of tokens n + K + 1. */
  T: number;
  /** Index of the label coordinate y inside a token (= d). */
  labelIndex: number;
  /** Index of the first delimiter feature inside a token (= d + 1). */
  featureIndex: number;
  /** Token position (0-based) of example i. */
  examplePosition: Int32Array;
  /** Token position (0-based) of delimiter k. */
  delimiterPosition: Int32Array;
  /** Block index k(i) of example i. */
  blockOf: Int32Array;
  /** Token position of the query (= T − 1). */
  queryPosition: number;
}

/** Builds the layout for d features and the given block sizes. */
export function delimitedLayout(d: number, sizes: readonly number[]): DelimitedLayout {
  requirePositiveInteger('d', d);
  if (sizes.length === 0) {
    throw new InputError('block sizes', 'are empty', '[]', 'pass at least one block');
  }
  sizes.forEach((size, k) => requirePositiveInteger(`block size m[${k}]`, size));
  const K = sizes.length;
  const n = sizes.reduce((total, size) => total + size, 0);

  const examplePosition = new Int32Array(n);
  const delimiterPosition = new Int32Array(K);
  const blockOf = new Int32Array(n);
  let position = 0;
  let i = 0;
  sizes.forEach((size, k) => {
    for (let t = 0; t < size; t++) {
      examplePosition[i] = position++;
      blockOf[i++] = k;
    }
    delimiterPosition[k] = position++;
  });

  return {
    d,
    sizes: [...sizes],
    K,
    n,
    D: d + 1 + K,
    T: n + K + 1,
    labelIndex: d,
    featureIndex: d + 1,
    examplePosition,
    delimiterPosition,
    blockOf,
    queryPosition: position,
  };
}

/**
 * Writes the T×D token matrix (row-major) of one prompt into `Z`: example
 * rows (x_i, y_i, 0), delimiter rows (0, 0, e_k) and the query row (x, 0, 0).
 */
export function writeTokens(
  layout: DelimitedLayout,
  X: readonly (readonly number[])[],
  y: readonly number[],
  x: readonly number[],
  Z: Float64Array,
): void {
  const { d, D, n, K } = layout;
  Z.fill(0);
  for (let i = 0; i < n; i++) {
    const row = layout.examplePosition[i] * D;
    const xi = X[i];
    for (let c = 0; c < d; c++) Z[row + c] = xi[c];
    Z[row + layout.labelIndex] = y[i];
  }
  for (let k = 0; k < K; k++) Z[layout.delimiterPosition[k] * D + layout.featureIndex + k] = 1;
  const query = layout.queryPosition * D;
  for (let c = 0; c < d; c++) Z[query + c] = x[c];
}
