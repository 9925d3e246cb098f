/** One-dimensional float64 searches used by the curve search. */

const INVERSE_GOLDEN = (Math.sqrt(5) - 1) / 2;

/**
 * Golden-section search for a maximum of f on [low, high]. Stops when the
 * bracket is narrower than `tolerance` or after `maxIterations`. Near a smooth
 * maximum f changes by O(δ²) over a step δ, so in float64 the location is only
 * resolved to about √ε relative; callers that need more polish with a root of f'.
 */
export function goldenSectionMax(
  f: (x: number) => number,
  low: number,
  high: number,
  tolerance: number,
  maxIterations = 200,
): { x: number; value: number; low: number; high: number } {
  let a = low;
  let b = high;
  let x1 = b - INVERSE_GOLDEN * (b - a);
  let x2 = a + INVERSE_GOLDEN * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let iteration = 0; iteration < maxIterations && b - a > tolerance; iteration++) {
    if (f1 >= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - INVERSE_GOLDEN * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + INVERSE_GOLDEN * (b - a);
      f2 = f(x2);
    }
  }
  return f1 >= f2 ? { x: x1, value: f1, low: a, high: b } : { x: x2, value: f2, low: a, high: b };
}

/**
 * Root of g on [low, high] with g(low) and g(high) of opposite signs, by the
 * Illinois variant of regula falsi with a bisection step whenever a step fails
 * to halve the bracket. The bracket always keeps the sign change.
 */
export function bracketedRoot(
  g: (x: number) => number,
  low: number,
  high: number,
  tolerance: number,
  maxIterations = 200,
): { x: number; low: number; high: number; iterations: number } {
  let a = low;
  let b = high;
  let ga = g(a);
  let gb = g(b);
  if (ga === 0) return { x: a, low: a, high: a, iterations: 0 };
  if (gb === 0) return { x: b, low: b, high: b, iterations: 0 };
  if (Math.sign(ga) === Math.sign(gb)) throw new RangeError('bracketedRoot: g has the same sign at both ends');
  let side = 0;
  let iterations = 0;
  while (b - a > tolerance && iterations < maxIterations) {
    iterations++;
    const width = b - a;
    let x = (a * gb - b * ga) / (gb - ga);
    if (!(x > a && x < b)) x = 0.5 * (a + b);
    const gx = g(x);
    if (gx === 0) return { x, low: x, high: x, iterations };
    if (Math.sign(gx) === Math.sign(ga)) {
      a = x;
      ga = gx;
      if (side === -1) gb /= 2;
      side = -1;
    } else {
      b = x;
      gb = gx;
      if (side === 1) ga /= 2;
      side = 1;
    }
    if (b - a > 0.5 * width) {
      const middle = 0.5 * (a + b);
      const gm = g(middle);
      if (gm === 0) return { x: middle, low: middle, high: middle, iterations };
      if (Math.sign(gm) === Math.sign(ga)) {
        a = middle;
        ga = gm;
      } else {
        b = middle;
        gb = gm;
      }
      side = 0;
    }
  }
  return { x: Math.abs(ga) <= Math.abs(gb) ? a : b, low: a, high: b, iterations };
}
