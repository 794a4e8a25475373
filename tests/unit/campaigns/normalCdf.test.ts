import { describe, expect, it } from "vitest";
import { erfc, normalCdf } from "../../../engine/campaigns/normalCdf.js";

/** |actual - expected| / expected: the tails need relative precision, not absolute. */
const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe("normalCdf", () => {
  it("gives the textbook values Φ(0) = 0.5, Φ(1.96) = 0.975002, Φ(-1) = 0.158655", () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.96)).toBeCloseTo(0.975002, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });

  // Reference values from mpmath (ncdf, erfc) at 30 digits.
  it.each([
    [1.96, 0.97500210485177956],
    [-1, 0.15865525393145705],
    [-3, 0.0013498980316300945],
    [-5, 2.8665157187919391e-7],
    [-8, 6.2209605742717841e-16],
  ])("computes Φ(%s) = %s to 1e-13 relative error, deep tails included", (x, expected) => {
    expect(relativeError(normalCdf(x), expected)).toBeLessThan(1e-13);
  });

  it.each([
    [0.5, 0.47950012218695346],
    [1, 0.15729920705028513],
    [1.5, 0.033894853524689273],
    [2, 0.0046777349810472658],
    [3, 2.2090496998585441e-5],
    [5, 1.5374597944280349e-12],
    [10, 2.0884875837625448e-45],
  ])("computes erfc(%s) = %s to 1e-13 relative error on both sides of the series/fraction switch", (x, expected) => {
    expect(relativeError(erfc(x), expected)).toBeLessThan(1e-13);
    expect(relativeError(erfc(-x), 2 - expected)).toBeLessThan(1e-15);
  });

  it("is symmetric, monotone and NaN for NaN", () => {
    for (let x = -6; x <= 6; x += 0.25) {
      expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 14);
      expect(normalCdf(x + 0.25)).toBeGreaterThan(normalCdf(x));
    }
    expect(normalCdf(Number.NaN)).toBeNaN();
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
  });
});
