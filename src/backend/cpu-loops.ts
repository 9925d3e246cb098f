/**
 * The inner loops of the CPU kernels, over one chunk of sampled examples.
 * Each works on eight columns of the state at a time, held in local
 * variables, and walks the examples in order. Every state entry still gets
 * its terms in example order, so the results are bitwise those of the plain
 * loop (one example at a time over all columns), while the accumulators stay
 * in registers instead of going through the Float64Array on every step.
 */

/** Runs RISK's inner loop over one chunk: g_c += (ω_i y_i) x_{i,c} for examples start .. start + size − 1. */
export function accumulateRiskChunk(
  g: Float64Array,
  omega: Float64Array,
  labels: Float64Array,
  features: Float64Array,
  start: number,
  size: number,
  d: number,
): void {
  if (d < 8) {
    // Too few columns for a block of eight: one example at a time over all columns.
    for (let i = 0; i < size; i++) {
      const weighted = omega[start + i] * labels[i];
      const row = i * d;
      for (let c = 0; c < d; c++) g[c] += weighted * features[row + c];
    }
    return;
  }
  let c = 0;
  for (; c + 8 <= d; c += 8) {
    let g0 = g[c], g1 = g[c + 1], g2 = g[c + 2], g3 = g[c + 3];
    let g4 = g[c + 4], g5 = g[c + 5], g6 = g[c + 6], g7 = g[c + 7];
    for (let i = 0, row = c; i < size; i++, row += d) {
      const weighted = omega[start + i] * labels[i];
      g0 += weighted * features[row];
      g1 += weighted * features[row + 1];
      g2 += weighted * features[row + 2];
      g3 += weighted * features[row + 3];
      g4 += weighted * features[row + 4];
      g5 += weighted * features[row + 5];
      g6 += weighted * features[row + 6];
      g7 += weighted * features[row + 7];
    }
    g[c] = g0; g[c + 1] = g1; g[c + 2] = g2; g[c + 3] = g3;
    g[c + 4] = g4; g[c + 5] = g5; g[c + 6] = g6; g[c + 7] = g7;
  }
  for (; c < d; c++) {
    let total = g[c];
    for (let i = 0, row = c; i < size; i++, row += d) total += omega[start + i] * labels[i] * features[row];
    g[c] = total;
  }
}

/**
 * Runs the scan's inner loop over one chunk: with u = x_{t,c} y_t,
 * s_c ← γ_{t(,c)} s_c + u and g_c += ω_{t(,c)} u, for examples t = start .. start + size − 1.
 */
export function accumulateScanChunk(
  vector: boolean,
  s: Float64Array,
  g: Float64Array,
  gates: Float64Array,
  omega: Float64Array,
  labels: Float64Array,
  features: Float64Array,
  start: number,
  size: number,
  d: number,
): void {
  if (vector) {
    let c = 0;
    for (; c + 4 <= d; c += 4) {
      let s0 = s[c], s1 = s[c + 1], s2 = s[c + 2], s3 = s[c + 3];
      let g0 = g[c], g1 = g[c + 1], g2 = g[c + 2], g3 = g[c + 3];
      for (let i = 0, row = c, index = start * d + c; i < size; i++, row += d, index += d) {
        const y = labels[i];
        const u0 = features[row] * y;
        const u1 = features[row + 1] * y;
        const u2 = features[row + 2] * y;
        const u3 = features[row + 3] * y;
        s0 = gates[index] * s0 + u0;
        s1 = gates[index + 1] * s1 + u1;
        s2 = gates[index + 2] * s2 + u2;
        s3 = gates[index + 3] * s3 + u3;
        g0 += omega[index] * u0;
        g1 += omega[index + 1] * u1;
        g2 += omega[index + 2] * u2;
        g3 += omega[index + 3] * u3;
      }
      s[c] = s0; s[c + 1] = s1; s[c + 2] = s2; s[c + 3] = s3;
      g[c] = g0; g[c + 1] = g1; g[c + 2] = g2; g[c + 3] = g3;
    }
    for (; c < d; c++) scanVectorColumn(c, s, g, gates, omega, labels, features, start, size, d);
    return;
  }
  let c = 0;
  for (; c + 4 <= d; c += 4) {
    let s0 = s[c], s1 = s[c + 1], s2 = s[c + 2], s3 = s[c + 3];
    let g0 = g[c], g1 = g[c + 1], g2 = g[c + 2], g3 = g[c + 3];
    for (let i = 0, row = c; i < size; i++, row += d) {
      const y = labels[i];
      const gamma = gates[start + i];
      const weight = omega[start + i];
      const u0 = features[row] * y;
      const u1 = features[row + 1] * y;
      const u2 = features[row + 2] * y;
      const u3 = features[row + 3] * y;
      s0 = gamma * s0 + u0;
      s1 = gamma * s1 + u1;
      s2 = gamma * s2 + u2;
      s3 = gamma * s3 + u3;
      g0 += weight * u0;
      g1 += weight * u1;
      g2 += weight * u2;
      g3 += weight * u3;
    }
    s[c] = s0; s[c + 1] = s1; s[c + 2] = s2; s[c + 3] = s3;
    g[c] = g0; g[c + 1] = g1; g[c + 2] = g2; g[c + 3] = g3;
  }
  for (; c < d; c++) {
    let state = s[c];
    let total = g[c];
    for (let i = 0, row = c; i < size; i++, row += d) {
      const update = features[row] * labels[i];
      state = gates[start + i] * state + update;
      total += omega[start + i] * update;
    }
    s[c] = state;
    g[c] = total;
  }
}

/**
 * Runs the vector-gated scan's inner loop for two prompts a and b over the same
 * chunk of token positions: for each, s_c ← γ_{t,c} s_c + u_c and
 * g_c += ω_{t,c} u_c with u = x_{t,c} y_t of that prompt. The gates and weights
 * do not depend on the prompt, so each γ_{t,c} and ω_{t,c} is loaded once for
 * both; alone, the loop makes three loads per two multiply-adds and is bound
 * by them. Each prompt's state gets its terms in the order of
 * accumulateScanChunk, so the results are bitwise the same.
 */
export function accumulateVectorScanPair(
  a: ScanPromptChunk,
  b: ScanPromptChunk,
  gates: Float64Array,
  omega: Float64Array,
  start: number,
  size: number,
  d: number,
): void {
  const sa = a.s, ga = a.g, labelsA = a.labels, featuresA = a.features;
  const sb = b.s, gb = b.g, labelsB = b.labels, featuresB = b.features;
  let c = 0;
  for (; c + 2 <= d; c += 2) {
    let sa0 = sa[c], sa1 = sa[c + 1], ga0 = ga[c], ga1 = ga[c + 1];
    let sb0 = sb[c], sb1 = sb[c + 1], gb0 = gb[c], gb1 = gb[c + 1];
    for (let i = 0, row = c, index = start * d + c; i < size; i++, row += d, index += d) {
      const ya = labelsA[i];
      const yb = labelsB[i];
      const gamma0 = gates[index], gamma1 = gates[index + 1];
      const weight0 = omega[index], weight1 = omega[index + 1];
      const ua0 = featuresA[row] * ya, ua1 = featuresA[row + 1] * ya;
      const ub0 = featuresB[row] * yb, ub1 = featuresB[row + 1] * yb;
      sa0 = gamma0 * sa0 + ua0;
      sa1 = gamma1 * sa1 + ua1;
      ga0 += weight0 * ua0;
      ga1 += weight1 * ua1;
      sb0 = gamma0 * sb0 + ub0;
      sb1 = gamma1 * sb1 + ub1;
      gb0 += weight0 * ub0;
      gb1 += weight1 * ub1;
    }
    sa[c] = sa0; sa[c + 1] = sa1; ga[c] = ga0; ga[c + 1] = ga1;
    sb[c] = sb0; sb[c + 1] = sb1; gb[c] = gb0; gb[c + 1] = gb1;
  }
  if (c < d) {
    // d odd: the last column, one prompt after the other.
    for (const { s, g, labels, features } of [a, b]) scanVectorColumn(c, s, g, gates, omega, labels, features, start, size, d);
  }
}

/** Runs the vector-gated scan's inner loop on column c alone: s_c ← γ_{t,c} s_c + u and g_c += ω_{t,c} u with u = x_{t,c} y_t. */
function scanVectorColumn(
  c: number,
  s: Float64Array,
  g: Float64Array,
  gates: Float64Array,
  omega: Float64Array,
  labels: Float64Array,
  features: Float64Array,
  start: number,
  size: number,
  d: number,
): void {
  let state = s[c];
  let total = g[c];
  for (let i = 0, row = c, index = start * d + c; i < size; i++, row += d, index += d) {
    const update = features[row] * labels[i];
    state = gates[index] * state + update;
    total += omega[index] * update;
  }
  s[c] = state;
  g[c] = total;
}

/** One prompt's part of accumulateVectorScanPair: its state s, its weighted sum g, and its sampled chunk. */
export interface ScanPromptChunk {
  readonly s: Float64Array;
  readonly g: Float64Array;
  readonly labels: Float64Array;
  readonly features: Float64Array;
}
