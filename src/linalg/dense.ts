/** Dense float64 vectors and matrices as plain arrays, row-major (`A[i][j]`). */
export type Vector = number[];
export type Matrix = number[][];

export function zeros(rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

export function identity(size: number, scale = 1): Matrix {
  const result = zeros(size, size);
  for (let i = 0; i < size; i++) result[i][i] = scale;
  return result;
}

export function diag(values: readonly number[]): Matrix {
  const result = zeros(values.length, values.length);
  values.forEach((value, i) => (result[i][i] = value));
  return result;
}

export function transpose(A: readonly (readonly number[])[]): Matrix {
  if (A.length === 0) return [];
  return A[0].map((_, j) => A.map((row) => row[j]));
}

export function matmul(A: readonly (readonly number[])[], B: readonly (readonly number[])[]): Matrix {
  const inner = B.length;
  const cols = inner === 0 ? 0 : B[0].length;
  return A.map((row) => {
    const out = new Array<number>(cols).fill(0);
    for (let k = 0; k < inner; k++) {
      const a = row[k];
      if (a === 0) continue;
      const Bk = B[k];
      for (let j = 0; j < cols; j++) out[j] += a * Bk[j];
    }
    return out;
  });
}

export function matvec(A: readonly (readonly number[])[], x: readonly number[]): Vector {
  return A.map((row) => dot(row, x));
}

export function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function add(A: readonly (readonly number[])[], B: readonly (readonly number[])[]): Matrix {
  return A.map((row, i) => row.map((value, j) => value + B[i][j]));
}

export function scale(A: readonly (readonly number[])[], factor: number): Matrix {
  return A.map((row) => row.map((value) => value * factor));
}

export function trace(A: readonly (readonly number[])[]): number {
  let sum = 0;
  for (let i = 0; i < A.length; i++) sum += A[i][i];
  return sum;
}

export function norm2(x: readonly number[]): number {
  return Math.sqrt(dot(x, x));
}

/** Maximum absolute entry, the norm used to scale tolerances. */
export function maxAbs(A: readonly (readonly number[])[]): number {
  let max = 0;
  for (const row of A) for (const value of row) max = Math.max(max, Math.abs(value));
  return max;
}

export function maxAbsDiff(A: readonly (readonly number[])[], B: readonly (readonly number[])[]): number {
  let max = 0;
  A.forEach((row, i) => row.forEach((value, j) => (max = Math.max(max, Math.abs(value - B[i][j])))));
  return max;
}

/** (A + Aᵀ)/2: removes the round-off asymmetry of products such as Q D Qᵀ. */
export function symmetrize(A: readonly (readonly number[])[]): Matrix {
  return A.map((row, i) => row.map((value, j) => 0.5 * (value + A[j][i])));
}

export function outer(a: readonly number[], b: readonly number[]): Matrix {
  return a.map((ai) => b.map((bj) => ai * bj));
}

/** Angle between the lines spanned by u and v, computed as 2 asin(‖u/|u| ∓ v/|v|‖/2): accurate near 0. */
export function lineAngle(u: readonly number[], v: readonly number[]): number {
  const nu = norm2(u);
  const nv = norm2(v);
  const sign = dot(u, v) >= 0 ? 1 : -1;
  const gap = Math.sqrt(u.reduce((acc, value, i) => acc + (value / nu - (sign * v[i]) / nv) ** 2, 0));
  return 2 * Math.asin(Math.min(1, gap / 2));
}
