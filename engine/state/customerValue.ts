import { probabilityAlive, type BgNbdParameters, type RepeatHistory } from "../models/BgNbd.js";
import { DAY_MS, type CustomerState } from "./CustomerState.js";

const MONTH_MS = 30.4375 * DAY_MS;

/**
 * How a customer's future is valued: the simple retention model of customer lifetime
 * value (Gupta and Lehmann), CLV = m × r / (1 + d − r), with m the customer's mean
 * monthly profit so far, r the base's monthly retention and d the monthly discount rate.
 */
export interface Valuation {
  /** Share of the base that stays from one month to the next: 1 − the 30-day attrition rate. */
  readonly monthlyRetention: number;
  readonly monthlyDiscountRate: number;
}

/** Estimated lifetime value of a customer still in the base; 0 once cancelled. */
export function lifetimeValue(state: CustomerState, nowTs: number, valuation: Valuation): number {
  if (state.cancelled) return 0;
  const r = valuation.monthlyRetention;
  return (monthlyProfit(state, nowTs) * r) / (1 + valuation.monthlyDiscountRate - r);
}

/** Profit (revenue less cost to serve) per month of tenure, a partial month counting as one. */
export function monthlyProfit(state: CustomerState, nowTs: number): number {
  const tenureMonths = Math.max(1, (state.tenureDays(nowTs) * DAY_MS) / MONTH_MS);
  return (state.revenue - state.cost) / tenureMonths;
}

/** The BG/NBD model in use: its parameters (time in weeks) and the probability below which a customer counts as lost. */
export interface AliveModel {
  readonly parameters: BgNbdParameters;
  readonly threshold: number;
}

const WEEK_MS = 7 * DAY_MS;

/** Repeat purchases, last purchase and age since the first purchase, in weeks; null for a customer who never bought. */
export function repeatHistoryOf(state: CustomerState, nowTs: number): RepeatHistory | null {
  if (state.purchases === 0) return null;
  const first = state.firstPurchaseTs;
  return { x: state.purchases - 1, tx: (state.lastPurchaseTs - first) / WEEK_MS, T: Math.max(0, nowTs - first) / WEEK_MS };
}

/** P(alive) of a customer who has bought; null without a purchase or without a model. A cancelled customer is not alive. */
export function probabilityAliveOf(state: CustomerState, nowTs: number, model: AliveModel | null): number | null {
  const history = model === null ? null : repeatHistoryOf(state, nowTs);
  if (history === null) return null;
  return state.cancelled ? 0 : probabilityAlive(model!.parameters, history);
}
