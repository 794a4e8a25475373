const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const SQRT_PI = Math.sqrt(Math.PI);
/**
 * Below this the series, above it the continued fraction. The series' terms are all
 * positive (no cancellation), and erfc = 1 - erf loses under 2 digits below 1.5
 * (erfc(1.5) = 0.034); the continued fraction needs more terms the smaller x is, about
 * 100 at 1.5. Checked against mpmath on a 0.01 grid: relative error under 1.1e-14 to x = 10.
 */
const SERIES_LIMIT = 1.5;
const MAX_TERMS = 500;
/** Lentz's guard against a zero denominator. */
const TINY = 1e-300;

/** erf(x) for x ≥ 0 by Abramowitz & Stegun 7.1.6: 2/√π · e^(−x²) · Σ 2^n x^(2n+1) / (1·3·…·(2n+1)). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < MAX_TERMS; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * Number.EPSILON) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * erfc(x) for x ≥ SERIES_LIMIT by the continued fraction of Abramowitz & Stegun 7.1.14,
 * √π · e^(x²) · erfc(x) = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))), evaluated
 * by the modified Lentz method (Numerical Recipes, 3rd ed., 5.2).
 */
function erfcFraction(x: number): number {
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < MAX_TERMS; k++) {
    const a = k / 2;
    d = x + a * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = x + a / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < Number.EPSILON) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** z of a two-sided 95 % normal interval: Φ⁻¹(0.975). */
export const Z_95 = 1.959963984540054;

/**
 * The complementary error function, to about 1e-14 relative error everywhere, tails
 * included (where p-values live), rather than the 1.5e-7 absolute error of the usual
 * A&S 7.1.26 polynomial, which would make a p-value of 1e-8 meaningless.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  // The fraction's recurrence would be ∞/∞ here.
  if (x === Number.POSITIVE_INFINITY) return 0;
  return x < SERIES_LIMIT ? 1 - erfSeries(x) : erfcFraction(x);
}

/** Φ(x), the standard normal CDF: erfc(−x/√2) / 2, from the tail that keeps its precision. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}
