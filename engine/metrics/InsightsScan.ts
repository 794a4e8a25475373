import type { CustomerState } from "../state/CustomerState.js";
import type { AliveInsight, DetractorDriversInsight, InsightScan, ProfitabilityInsight } from "./BaseInsights.js";

export const INSIGHT_NAMES = ["profitability", "detractorDrivers", "probabilityAlive"] as const;
export type InsightName = (typeof INSIGHT_NAMES)[number];

export interface Insights {
  profitability?: ProfitabilityInsight;
  detractorDrivers?: DetractorDriversInsight;
  /** null: asked for without a configured model. */
  probabilityAlive?: AliveInsight | null;
}

/**
 * Insights over the customers in memory when the scan began, read in slices: each
 * `step` reads up to its budget, so a scan of a large base (packed customers are
 * decoded to be read, about 15 µs each) can leave the event loop to events and
 * requests between slices. A customer is read as it is when its turn comes; one that
 * left memory since is skipped.
 */
export class InsightsScan {
  readonly #customerIds: readonly string[];
  readonly #read: (customerId: string) => CustomerState | undefined;
  /** null: wanted, with nothing to compute (no model). */
  readonly #scans: ReadonlyMap<InsightName, InsightScan<Insights[InsightName]> | null>;
  #next = 0;

  constructor(
    customerIds: readonly string[],
    read: (customerId: string) => CustomerState | undefined,
    scans: ReadonlyMap<InsightName, InsightScan<Insights[InsightName]> | null>,
  ) {
    this.#customerIds = customerIds;
    this.#read = read;
    this.#scans = scans;
  }

  /** Reads up to `budget` customers; returns the insights once every customer is read, null before. */
  step(budget = Number.POSITIVE_INFINITY): Insights | null {
    const end = Math.min(this.#customerIds.length, this.#next + budget);
    const scans = [...this.#scans.values()].filter((scan) => scan !== null);
    for (let i = this.#next; i < end; i++) {
      const state = this.#read(this.#customerIds[i]!);
      if (state !== undefined) for (const scan of scans) scan.add(state);
    }
    this.#next = end;
    if (end < this.#customerIds.length) return null;
    const insights: Insights = {};
    for (const [name, scan] of this.#scans) (insights as Record<InsightName, unknown>)[name] = scan === null ? null : scan.finish();
    return insights;
  }
}
