import type { BgNbdParameters } from "../../engine/models/BgNbd.js";

/** Seeded uniform (mulberry32), gamma (Marsaglia-Tsang) and beta draws. */
function sampler(seed: number) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const gamma = (shape: number): number => {
    if (shape < 1) return gamma(shape + 1) * uniform() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = normal();
      const v = (1 + c * z) ** 3;
      if (v > 0 && Math.log(1 - uniform()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  const beta = (a: number, b: number) => {
    const x = gamma(a);
    return x / (x + gamma(b));
  };
  return { uniform, gamma, beta };
}

/** One simulated customer: purchase times in weeks since its first purchase (the first is 0), and its age T. */
export interface SimulatedBuyer {
  readonly purchases: number[];
  readonly T: number;
}

/**
 * Customers drawn from the BG/NBD model itself: each buys at a Poisson rate
 * λ ~ Γ(r, α) and drops out after each repeat purchase with p ~ Beta(a, b); observed for
 * an age T drawn uniformly from whole weeks in [minWeeks, maxWeeks].
 */
export function simulateBuyers(p: BgNbdParameters, customers: number, seed: number, minWeeks = 26, maxWeeks = 52): SimulatedBuyer[] {
  const s = sampler(seed);
  return Array.from({ length: customers }, () => {
    const lambda = s.gamma(p.r) / p.alpha;
    const dropout = s.beta(p.a, p.b);
    const T = minWeeks + Math.floor(s.uniform() * (maxWeeks - minWeeks + 1));
    const purchases = [0];
    for (let t = 0; ; ) {
      t += -Math.log(1 - s.uniform()) / lambda;
      if (t > T) break;
      purchases.push(t);
      if (s.uniform() < dropout) break;
    }
    return { purchases, T };
  });
}
