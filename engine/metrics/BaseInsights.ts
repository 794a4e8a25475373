import { CHANNELS } from "../events/Channel.js";
import { WindowSeries, type CustomerState } from "../state/CustomerState.js";
import { lifetimeValue, probabilityAliveOf, type AliveModel, type Valuation } from "../state/customerValue.js";

export interface ProfitDecile {
  /** 1: the most profitable tenth of the customers. */
  readonly decile: number;
  readonly customers: number;
  readonly profit: number;
  readonly minProfit: number;
  readonly maxProfit: number;
  /** This tenth's profit over the whole base's; null when the base's is 0. */
  readonly shareOfProfit: number | null;
}

/** How profit spreads over the customers: the 80/20 view of the seed text. */
export interface ProfitabilityInsight {
  readonly customers: number;
  readonly revenue: number;
  readonly cost: number;
  readonly profit: number;
  readonly deciles: readonly ProfitDecile[];
  /** Share of the total profit earned from the most profitable 10 % of customers. */
  readonly top10Share: number | null;
  /** Share from the least profitable 20 % (negative when they cost more than they bring). */
  readonly bottom20Share: number | null;
  /** Customers whose cost to serve exceeds their revenue. */
  readonly unprofitableCustomers: number;
  readonly lifetimeValue: {
    readonly monthlyRetention: number;
    readonly monthlyDiscountRate: number;
    readonly total: number;
    readonly mean: number | null;
    readonly median: number | null;
    readonly p90: number | null;
  };
  readonly method: string;
}

/** One behaviour and how it moves with being a detractor. */
export interface DetractorDriver {
  readonly feature: string;
  readonly description: string;
  /** Point-biserial correlation with being a detractor: −1 to 1, positive when detractors have more of it. */
  readonly correlation: number;
  readonly detractorMean: number;
  readonly othersMean: number;
  /** Customers with an NPS answer and a value for this behaviour. */
  readonly customers: number;
}

export interface DetractorDriversInsight {
  /** Customers with an NPS answer, and the detractors among them. */
  readonly answered: number;
  readonly detractors: number;
  /** Strongest first, by the absolute correlation. */
  readonly drivers: readonly DetractorDriver[];
  readonly method: string;
}

interface Feature {
  readonly name: string;
  readonly description: string;
  /** NaN: the customer has no value for it (never purchased, never had a complaint resolved). */
  readonly read: (state: CustomerState, nowTs: number) => number;
}

interface FeatureSums {
  n: number;
  sum: number;
  sumSquares: number;
  detractors: number;
  detractorSum: number;
}

const window30d = (series: number) => (state: CustomerState, nowTs: number) => state.windowSum(series, nowTs, 30);

const FEATURES: readonly Feature[] = [
  { name: "serviceCalls30d", description: "service calls in the last 30 days", read: window30d(WindowSeries.serviceCalls) },
  { name: "complaints", description: "complaints ever made", read: (s) => s.complaints },
  { name: "openComplaint", description: "a complaint is open now (1) or not (0)", read: (s) => (s.openComplaints > 0 ? 1 : 0) },
  {
    name: "hoursToResolve",
    description: "hours the last resolution of all open complaints took",
    read: (s) => s.lastResolutionMs / 3_600_000,
  },
  { name: "purchases30d", description: "purchases in the last 30 days", read: window30d(WindowSeries.purchases) },
  { name: "revenue30d", description: "net revenue in the last 30 days", read: window30d(WindowSeries.revenue) },
  { name: "cost30d", description: "cost to serve in the last 30 days", read: window30d(WindowSeries.cost) },
  { name: "digitalVisits30d", description: "web visits and logins in the last 30 days", read: window30d(WindowSeries.digitalVisits) },
  {
    name: "daysSincePurchase",
    description: "days since the last purchase",
    read: (s, now) => (s.lastPurchaseTs === 0 ? Number.NaN : s.daysSince(s.lastPurchaseTs, now)),
  },
  { name: "tenureDays", description: "days since the relationship began", read: (s, now) => s.tenureDays(now) },
  { name: "refunds", description: "amount refunded, ever", read: (s) => s.refunds },
  { name: "offersDeclined", description: "offers declined, ever", read: (s) => s.offersDeclined },
  { name: "decisionsReceived", description: "decisions (contacts) the engine made for the customer", read: (s) => s.contacts.total },
  {
    name: "channelsUsed",
    description: "channels the customer has interacted on",
    read: (s) => CHANNELS.reduce((used, _, c) => used + (s.eventsByChannel[c]! > 0 ? 1 : 0), 0),
  },
];

const PROFITABILITY_METHOD =
  "Profit per customer is lifetime net revenue (purchases and payments less refunds) less cost to serve (the cost carried by every event). " +
  "Customers are ranked by profit and cut into tenths. Lifetime value is CLV = m × r / (1 + d − r) (Gupta and Lehmann): m the customer's " +
  "mean monthly profit over its tenure, r the base's monthly retention (1 − the 30-day attrition rate), d the monthly discount rate; 0 for " +
  "cancelled customers. Over the customers in memory.";

const DRIVERS_METHOD =
  "For each behaviour, the point-biserial correlation between its value and being a detractor (last NPS answer 0-6) over the customers " +
  "with an NPS answer and a value for it, with the mean among detractors and among the others; ranked by the absolute correlation. " +
  "Correlation, not cause: a driver is where to look. Over the customers in memory.";

/**
 * An insight over the base, built from one customer at a time: a scan for a query, cost
 * proportional to the customers, never run per event. A scan may be spread over many
 * turns of the event loop (see Engine.scanInsights).
 */
export interface InsightScan<T> {
  add(state: CustomerState): void;
  finish(): T;
}

/** Profit distribution and lifetime value. */
export class ProfitabilityScan implements InsightScan<ProfitabilityInsight> {
  readonly #nowTs: number;
  readonly #valuation: Valuation;
  readonly #profits: number[] = [];
  readonly #values: number[] = [];
  #revenue = 0;
  #cost = 0;

  constructor(nowTs: number, valuation: Valuation) {
    this.#nowTs = nowTs;
    this.#valuation = valuation;
  }

  add(state: CustomerState): void {
    this.#revenue += state.revenue;
    this.#cost += state.cost;
    this.#profits.push(state.revenue - state.cost);
    this.#values.push(lifetimeValue(state, this.#nowTs, this.#valuation));
  }

  finish(): ProfitabilityInsight {
    return profitabilityOf(this.#profits, this.#values, this.#revenue, this.#cost, this.#valuation);
  }
}

function profitabilityOf(profits: number[], values: number[], revenue: number, cost: number, valuation: Valuation): ProfitabilityInsight {
  const profit = revenue - cost;
  profits.sort((a, b) => b - a);
  values.sort((a, b) => a - b);
  const n = profits.length;
  const share = (part: number) => (profit === 0 ? null : part / profit);
  const sumOf = (from: number, to: number) => profits.slice(from, to).reduce((sum, p) => sum + p, 0);
  const deciles: ProfitDecile[] = [];
  for (let d = 0; d < 10 && n > 0; d++) {
    const from = Math.floor((d * n) / 10);
    const to = Math.floor(((d + 1) * n) / 10);
    if (to === from) continue;
    const decileProfit = sumOf(from, to);
    deciles.push({ decile: d + 1, customers: to - from, profit: decileProfit, minProfit: profits[to - 1]!, maxProfit: profits[from]!, shareOfProfit: share(decileProfit) });
  }
  const totalValue = values.reduce((sum, v) => sum + v, 0);
  const quantile = (q: number) => (n === 0 ? null : values[Math.min(n - 1, Math.floor(q * n))]!);
  return {
    customers: n,
    revenue,
    cost,
    profit,
    deciles,
    top10Share: n === 0 ? null : share(sumOf(0, Math.ceil(n / 10))),
    bottom20Share: n === 0 ? null : share(sumOf(n - Math.ceil(n / 5), n)),
    unprofitableCustomers: profits.filter((p) => p < 0).length,
    lifetimeValue: {
      monthlyRetention: valuation.monthlyRetention,
      monthlyDiscountRate: valuation.monthlyDiscountRate,
      total: totalValue,
      mean: n === 0 ? null : totalValue / n,
      median: quantile(0.5),
      p90: quantile(0.9),
    },
    method: PROFITABILITY_METHOD,
  };
}

/** Which behaviours move with being a detractor, strongest first. */
export class DetractorDriversScan implements InsightScan<DetractorDriversInsight> {
  readonly #nowTs: number;
  // Per feature: n, Σx, Σx², and n and Σx among detractors: enough for the correlation.
  readonly #sums = FEATURES.map(() => ({ n: 0, sum: 0, sumSquares: 0, detractors: 0, detractorSum: 0 }));
  #answered = 0;
  #detractors = 0;

  constructor(nowTs: number) {
    this.#nowTs = nowTs;
  }

  add(state: CustomerState): void {
    const nps = state.nps.last;
    if (Number.isNaN(nps)) return;
    const detractor = nps <= 6;
    this.#answered++;
    if (detractor) this.#detractors++;
    FEATURES.forEach((feature, f) => {
      const x = feature.read(state, this.#nowTs);
      if (!Number.isFinite(x)) return;
      const s = this.#sums[f]!;
      s.n++;
      s.sum += x;
      s.sumSquares += x * x;
      if (detractor) {
        s.detractors++;
        s.detractorSum += x;
      }
    });
  }

  finish(): DetractorDriversInsight {
    return detractorDriversOf(this.#sums, this.#answered, this.#detractors);
  }
}

function detractorDriversOf(sums: readonly FeatureSums[], answered: number, detractors: number): DetractorDriversInsight {
  const drivers: DetractorDriver[] = [];
  FEATURES.forEach((feature, f) => {
    const { n, sum, sumSquares, detractors: n1, detractorSum } = sums[f]!;
    const n0 = n - n1;
    const variance = sumSquares / n - (sum / n) ** 2;
    if (n1 === 0 || n0 === 0 || !(variance > 1e-12)) return;
    const detractorMean = detractorSum / n1;
    const othersMean = (sum - detractorSum) / n0;
    const correlation = ((detractorMean - othersMean) / Math.sqrt(variance)) * Math.sqrt((n1 / n) * (n0 / n));
    drivers.push({ feature: feature.name, description: feature.description, correlation, detractorMean, othersMean, customers: n });
  });
  drivers.sort((a, b) => Math.abs(b.correlation) - Math.abs(a.correlation));
  return { answered, detractors, drivers, method: DRIVERS_METHOD };
}

/** The BG/NBD view of the non-contractual base: how many of those who bought are still alive. */
export interface AliveInsight {
  readonly model: AliveModel;
  /** Customers with at least one purchase. */
  readonly purchasers: number;
  /** Sum of their probabilities of being alive: the expected number of active customers. */
  readonly expectedAlive: number;
  /** Below the threshold: counted as lost. */
  readonly belowThreshold: number;
  readonly lostShare: number | null;
  /** Purchasers by tenth of probability: [0, 0.1), [0.1, 0.2), ..., [0.9, 1]. */
  readonly distribution: readonly number[];
  readonly method: string;
}

const ALIVE_METHOD =
  "BG/NBD (Fader, Hardie and Lee 2005) with the configured parameters, time in weeks: P(alive) from each purchaser's repeat purchases, " +
  "the time of its last purchase and its age since the first; 1 for a customer who never bought again, 0 once cancelled. " +
  "Over the customers in memory.";

/** Probability-alive over the purchasers. */
export class AliveScan implements InsightScan<AliveInsight> {
  readonly #nowTs: number;
  readonly #model: AliveModel;
  readonly #distribution = new Array<number>(10).fill(0);
  #purchasers = 0;
  #expectedAlive = 0;
  #belowThreshold = 0;

  constructor(nowTs: number, model: AliveModel) {
    this.#nowTs = nowTs;
    this.#model = model;
  }

  add(state: CustomerState): void {
    const p = probabilityAliveOf(state, this.#nowTs, this.#model);
    if (p === null) return;
    this.#purchasers++;
    this.#expectedAlive += p;
    if (p < this.#model.threshold) this.#belowThreshold++;
    this.#distribution[Math.min(9, Math.floor(p * 10))]!++;
  }

  finish(): AliveInsight {
    const purchasers = this.#purchasers;
    return {
      model: this.#model,
      purchasers,
      expectedAlive: this.#expectedAlive,
      belowThreshold: this.#belowThreshold,
      lostShare: purchasers === 0 ? null : this.#belowThreshold / purchasers,
      distribution: this.#distribution,
      method: ALIVE_METHOD,
    };
  }
}
