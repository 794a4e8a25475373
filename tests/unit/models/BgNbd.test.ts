import { describe, expect, it } from "vitest";
import { fitBgNbd, logGamma, logLikelihood, probabilityAlive, type BgNbdParameters, type RepeatHistory } from "../../../engine/models/BgNbd.js";
import { simulateBuyers } from "../../helpers/bgNbdSimulation.js";

/** The parameters the paper estimated on the CDNOW data (weeks). */
const CDNOW: BgNbdParameters = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

/** The histories of simulated buyers, as the model reads them. */
function simulate(p: BgNbdParameters, customers: number, seed: number): RepeatHistory[] {
  return simulateBuyers(p, customers, seed).map(({ purchases, T }) => ({ x: purchases.length - 1, tx: purchases.at(-1)!, T }));
}

describe("BG/NBD", () => {
  it("computes ln Γ to about 15 digits", () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 12);
    expect(logGamma(1.243)).toBeCloseTo(logGamma(0.243) + Math.log(0.243), 12); // Γ(x + 1) = x Γ(x)
  });

  it("gives the probability of being alive as the share of the likelihood in which the customer has not dropped out", () => {
    const h = { x: 2, tx: 30.43, T: 38.86 };
    // Equation 6's two terms, written out again here.
    const { r, alpha, a, b } = CDNOW;
    const lb = (p: number, q: number) => logGamma(p) + logGamma(q) - logGamma(p + q);
    const alive = Math.exp(lb(a, b + h.x) - (r + h.x) * Math.log(alpha + h.T));
    const dropped = Math.exp(lb(a + 1, b + h.x - 1) - (r + h.x) * Math.log(alpha + h.tx));
    expect(probabilityAlive(CDNOW, h)).toBeCloseTo(alive / (alive + dropped), 12);
    // Longer silence since the last purchase, lower odds of being alive; no repeat purchase at all, alive by the model.
    expect(probabilityAlive(CDNOW, { x: 2, tx: 5, T: 38.86 })).toBeLessThan(probabilityAlive(CDNOW, h));
    expect(probabilityAlive(CDNOW, { x: 0, tx: 0, T: 38.86 })).toBe(1);
    const ll = logLikelihood(CDNOW, h);
    expect(ll).toBeCloseTo(logGamma(r + h.x) - logGamma(r) + r * Math.log(alpha) - lb(a, b) + Math.log(alive + dropped), 10);
  });

  it("recovers the parameters of a simulated base: buying rate and dropout near the truth, likelihood at least the truth's", () => {
    const histories = simulate(CDNOW, 6_000, 11);
    const fit = fitBgNbd(histories);
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(6_000);
    const truth = histories.reduce((sum, h) => sum + logLikelihood(CDNOW, h), 0);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(truth - 1e-6);
    const { r, alpha, a, b } = fit.parameters;
    // The mean buying rate r/α and the mean dropout a/(a+b) are what the data pin down best.
    expect(r / alpha / (CDNOW.r / CDNOW.alpha)).toBeGreaterThan(0.85);
    expect(r / alpha / (CDNOW.r / CDNOW.alpha)).toBeLessThan(1.15);
    expect(a / (a + b) / (CDNOW.a / (CDNOW.a + CDNOW.b))).toBeGreaterThan(0.7);
    expect(a / (a + b) / (CDNOW.a / (CDNOW.a + CDNOW.b))).toBeLessThan(1.3);
  });

  it("refuses to fit nothing", () => {
    expect(() => fitBgNbd([])).toThrow("no purchase histories to fit the BG/NBD model to");
  });
});
