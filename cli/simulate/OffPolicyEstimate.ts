import { Z_95 } from "../../engine/index.js";

/** A strategy's value over the logged moments: the expected total, and its 95 % interval's half-width. */
export interface Estimate {
  readonly total: number;
  readonly halfWidth95: number;
}

/** What the log says happened at one moment, and what the reward model predicted there beforehand. */
export interface LoggedOutcome {
  /** The probability the logged action had of being chosen. */
  readonly probability: number;
  readonly responded: boolean;
  readonly revenue: number;
  /** The reward model's P(response) and revenue per response for the logged action. */
  readonly loggedResponse: number;
  readonly loggedRevenuePerResponse: number;
}

/** The strategy's choice at the moment, as far as the estimates need it. */
export interface StrategyChoice {
  /** It chose the logged action on the logged channel. */
  readonly matched: boolean;
  /** The reward model's P(response) and revenue per response for its choice; 0 when it chose nothing. */
  readonly response: number;
  readonly revenuePerResponse: number;
}

/**
 * Off-policy estimates of a deterministic strategy's responses and revenue over the
 * moments of a log whose decisions carry the probability their action was chosen with
 * (Dudík, Langford and Li, "Doubly Robust Policy Evaluation and Learning", 2011):
 * - inverse propensity (IPS): mean over moments of 1[strategy = logged] · r / p;
 * - doubly robust (DR): mean of q̂(strategy's action) + 1[strategy = logged] · (r − q̂(logged action)) / p,
 *   unbiased when either the logged probabilities or the reward model q̂ are right.
 * Totals are n × the mean, the expected count (or revenue) had the strategy decided at
 * every logged moment; intervals are ±1.96 standard errors of the mean, times n.
 */
export class OffPolicyEstimate {
  #moments = 0;
  #matched = 0;
  readonly #ipsResponses = new MeanAccumulator();
  readonly #ipsRevenue = new MeanAccumulator();
  readonly #drResponses = new MeanAccumulator();
  readonly #drRevenue = new MeanAccumulator();

  add(outcome: LoggedOutcome, choice: StrategyChoice): void {
    this.#moments++;
    const r = outcome.responded ? 1 : 0;
    const weight = choice.matched ? 1 / outcome.probability : 0;
    if (choice.matched) this.#matched++;
    this.#ipsResponses.add(weight * r);
    this.#ipsRevenue.add(weight * outcome.revenue);
    this.#drResponses.add(choice.response + weight * (r - outcome.loggedResponse));
    this.#drRevenue.add(
      choice.response * choice.revenuePerResponse + weight * (outcome.revenue - outcome.loggedResponse * outcome.loggedRevenuePerResponse),
    );
  }

  /** Moments where the strategy chose what the log did: the only ones IPS learns from. */
  get matched(): number {
    return this.#matched;
  }

  get moments(): number {
    return this.#moments;
  }

  ipsResponses(): Estimate {
    return this.#ipsResponses.total();
  }

  ipsRevenue(): Estimate {
    return this.#ipsRevenue.total();
  }

  drResponses(): Estimate {
    return this.#drResponses.total();
  }

  drRevenue(): Estimate {
    return this.#drRevenue.total();
  }
}

/** Welford's running mean and variance, reported as a total over the terms. */
class MeanAccumulator {
  #n = 0;
  #mean = 0;
  #m2 = 0;

  add(x: number): void {
    this.#n++;
    const delta = x - this.#mean;
    this.#mean += delta / this.#n;
    this.#m2 += delta * (x - this.#mean);
  }

  total(): Estimate {
    if (this.#n === 0) return { total: 0, halfWidth95: 0 };
    const variance = this.#n > 1 ? this.#m2 / (this.#n - 1) : 0;
    return { total: this.#n * this.#mean, halfWidth95: this.#n * Z_95 * Math.sqrt(variance / this.#n) };
  }
}
