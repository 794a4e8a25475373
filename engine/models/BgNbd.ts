/**
 * The BG/NBD model of repeat buying in a non-contractual relationship (Fader, Hardie
 * and Lee, "Counting your customers the easy way", 2005): while alive, a customer buys
 * at a Poisson rate (gamma-distributed across customers: r, alpha); after each purchase
 * it drops out with a probability (beta-distributed: a, b). From a customer's repeat
 * purchases x, the time of its last purchase t_x and its age T (both since its first
 * purchase, in the model's time unit) follows the probability that it is still alive.
 */
export interface BgNbdParameters {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
}

/** One customer's purchase history in model time units. */
export interface RepeatHistory {
  /** Repeat purchases: all purchases but the first. */
  readonly x: number;
  /** From the first purchase to the last. */
  readonly tx: number;
  /** From the first purchase to now. */
  readonly T: number;
}

/**
 * P(alive | x, t_x, T). A customer who never bought again is taken as alive, as the
 * model has it: it cannot have dropped out before a repeat purchase.
 */
export function probabilityAlive(p: BgNbdParameters, h: RepeatHistory): number {
  if (h.x === 0) return 1;
  return 1 / (1 + (p.a / (p.b + h.x - 1)) * ((p.alpha + h.T) / (p.alpha + h.tx)) ** (p.r + h.x));
}

/** The log-likelihood of one customer's history (equation 6 of the paper). */
export function logLikelihood(p: BgNbdParameters, h: RepeatHistory): number {
  const { r, alpha, a, b } = p;
  const common = logGamma(r + h.x) - logGamma(r) + r * Math.log(alpha);
  const alive = logBeta(a, b + h.x) - logBeta(a, b) - (r + h.x) * Math.log(alpha + h.T);
  if (h.x === 0) return common + alive;
  const droppedOut = logBeta(a + 1, b + h.x - 1) - logBeta(a, b) - (r + h.x) * Math.log(alpha + h.tx);
  const larger = Math.max(alive, droppedOut);
  return common + larger + Math.log(Math.exp(alive - larger) + Math.exp(droppedOut - larger));
}

export interface BgNbdFit {
  readonly parameters: BgNbdParameters;
  /** Summed over the customers, at the fitted parameters. */
  readonly logLikelihood: number;
  readonly customers: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Maximum-likelihood parameters for the histories: Nelder-Mead on the logarithms of the
 * four parameters (so they stay positive), from the starting point the paper's authors
 * suggest for their spreadsheet (all 1). Histories with equal (x, t_x, T) are counted
 * once with their multiplicity, so a large base costs little more than its distinct
 * histories.
 */
export function fitBgNbd(histories: readonly RepeatHistory[], options: { maxIterations?: number; tolerance?: number } = {}): BgNbdFit {
  if (histories.length === 0) throw new RangeError("no purchase histories to fit the BG/NBD model to");
  const distinct = new Map<string, { history: RepeatHistory; count: number }>();
  for (const h of histories) {
    const key = `${h.x}:${h.tx}:${h.T}`;
    const entry = distinct.get(key);
    if (entry === undefined) distinct.set(key, { history: h, count: 1 });
    else entry.count++;
  }
  const groups = [...distinct.values()];
  const parameters = (v: readonly number[]): BgNbdParameters => ({ r: Math.exp(v[0]!), alpha: Math.exp(v[1]!), a: Math.exp(v[2]!), b: Math.exp(v[3]!) });
  const negative = (v: readonly number[]) => {
    const p = parameters(v);
    let total = 0;
    for (const { history, count } of groups) total += count * logLikelihood(p, history);
    return Number.isFinite(total) ? -total : Number.POSITIVE_INFINITY;
  };
  const result = nelderMead(negative, [0, 0, 0, 0], options.maxIterations ?? 2_000, options.tolerance ?? 1e-9);
  return {
    parameters: parameters(result.point),
    logLikelihood: -result.value,
    customers: histories.length,
    iterations: result.iterations,
    converged: result.converged,
  };
}

/** Minimizes `f` from `start` with the Nelder-Mead simplex (standard coefficients). */
function nelderMead(f: (v: readonly number[]) => number, start: readonly number[], maxIterations: number, tolerance: number) {
  const n = start.length;
  let simplex = [start, ...start.map((_, i) => start.map((v, j) => (i === j ? v + 0.5 : v)))].map((point) => ({ point, value: f(point) }));
  const combine = (from: readonly number[], to: readonly number[], t: number) => from.map((v, i) => v + t * (to[i]! - v));
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((p, q) => p.value - q.value);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (Math.abs(worst.value - best.value) <= tolerance * (Math.abs(best.value) + tolerance)) break;
    const centroid = start.map((_, i) => simplex.slice(0, n).reduce((sum, p) => sum + p.point[i]!, 0) / n);
    const reflected = combine(centroid, worst.point, -1);
    const reflectedValue = f(reflected);
    if (reflectedValue < best.value) {
      const expanded = combine(centroid, worst.point, -2);
      const expandedValue = f(expanded);
      simplex[n] = expandedValue < reflectedValue ? { point: expanded, value: expandedValue } : { point: reflected, value: reflectedValue };
    } else if (reflectedValue < simplex[n - 1]!.value) {
      simplex[n] = { point: reflected, value: reflectedValue };
    } else {
      const contracted = combine(centroid, worst.point, 0.5);
      const contractedValue = f(contracted);
      if (contractedValue < worst.value) {
        simplex[n] = { point: contracted, value: contractedValue };
      } else {
        simplex = simplex.map((p, i) => {
          if (i === 0) return p;
          const shrunk = combine(best.point, p.point, 0.5);
          return { point: shrunk, value: f(shrunk) };
        });
      }
    }
  }
  simplex.sort((p, q) => p.value - q.value);
  return { point: simplex[0]!.point, value: simplex[0]!.value, iterations, converged: iterations < maxIterations };
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

const LANCZOS = [
  0.999_999_999_999_809_9, 676.520_368_121_885_1, -1_259.139_216_722_402_8, 771.323_428_777_653_1, -176.615_029_162_140_6,
  12.507_343_278_686_905, -0.138_571_095_265_720_12, 9.984_369_578_019_572e-6, 1.505_632_735_149_311_6e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
