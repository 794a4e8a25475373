import type { BusinessMetrics, BusinessReport } from "./BusinessMetrics.js";

/** The headline business metrics a rule may read with `baseMetric(name, windowDays)`; null figures read as NaN. */
export const BASE_METRICS = {
  nps: (r) => r.attitude.nps,
  csat: (r) => r.attitude.csat,
  ces: (r) => r.attitude.ces,
  attritionRate: (r) => r.customers.attritionRate,
  acquisitionRate: (r) => r.customers.acquisitionRate,
  lapseRate: (r) => r.purchasing.attritionRate,
  revenue: (r) => r.value.revenue,
  profit: (r) => r.value.profit,
  growthIndex: (r) => r.growth.index,
  openComplaints: (r) => r.complaints.openNow,
  customers: (r) => r.customers.now,
} as const satisfies Record<string, (report: BusinessReport) => number | null>;

export type BaseMetric = keyof typeof BASE_METRICS;

const HOUR_MS = 3_600_000;

/**
 * The business metrics of the whole base as rules read them: a report per window, made
 * at the first read in each event-time hour and reused for the rest of it. A metric
 * condition moves slowly, and a report sums up to a year of daily buckets; an hour of
 * event time keeps that off the per-event path while replays stay repeatable (the hour
 * is event time, not the wall clock).
 */
export class BaseMetricReader {
  readonly #business: BusinessMetrics;
  readonly #reports = new Map<number, { readonly hour: number; readonly report: BusinessReport }>();

  constructor(business: BusinessMetrics) {
    this.#business = business;
  }

  value(metric: (report: BusinessReport) => number | null, windowDays: number, nowTs: number): number {
    const hour = Math.floor(nowTs / HOUR_MS);
    let cached = this.#reports.get(windowDays);
    if (cached === undefined || cached.hour !== hour) {
      cached = { hour, report: this.#business.report(windowDays, nowTs) };
      this.#reports.set(windowDays, cached);
    }
    return metric(cached.report) ?? Number.NaN;
  }
}
