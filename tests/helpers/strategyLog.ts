import { writeFileSync } from "node:fs";
import { Rng } from "../../simulator/Rng.js";
import { EngineDriver, T0 } from "./EngineDriver.js";

const MINUTE = 60_000;

/** Two offers whose true response rates depend on the customer's region. */
export const TRUE_MODEL: Readonly<Record<string, { readonly north: number; readonly south: number; readonly revenue: number }>> = {
  "north-offer": { north: 0.5, south: 0.1, revenue: 30 },
  "south-offer": { north: 0.15, south: 0.4, revenue: 40 },
};

const catalog = (north: string | undefined, south: string | undefined, exploration = 0) => `
version: strategy
arbitration: { exploration: ${exploration} }
segments: []
triggers: []
actions:
  - { id: north-offer, kind: offer, channels: [web], value: 10${north === undefined ? "" : `, eligibility: '${north}'`} }
  - { id: south-offer, kind: offer, channels: [web], value: 10${south === undefined ? "" : `, eligibility: '${south}'`} }
`;

/** The strategies of the test: targeting by region, the opposite, and the logging policy's own ranking (north-offer first). */
export const STRATEGIES = {
  good: catalog('region == "north"', 'region == "south"'),
  bad: catalog('region == "south"', 'region == "north"'),
  greedy: catalog(undefined, undefined),
} as const;

export interface SyntheticLog {
  readonly moments: number;
  /** Events the recording engine rejected: none, or the log is not what it seems. */
  readonly rejected: number;
  /** Expected responses and revenue over the logged moments had each strategy decided, under the true model. */
  readonly truth: Readonly<Record<keyof typeof STRATEGIES, { readonly responses: number; readonly revenue: number }>>;
}

/**
 * Writes an NDJSON log as an engine would have recorded it: customers with a region,
 * then rounds of a page view, a `cx.decide.web` request answered by an engine with the
 * greedy catalog and exploration 0.5 (north-offer 0.75, south-offer 0.25), and the
 * customer's response drawn from TRUE_MODEL. Returns what each strategy is truly worth
 * on those moments.
 */
export function writeStrategyLog(file: string, options: { customers: number; rounds: number; seed: number }): SyntheticLog {
  const rng = new Rng(options.seed);
  const driver = new EngineDriver({ yaml: catalog(undefined, undefined, 0.5), settings: { maxCustomers: 100_000 } });
  const lines: string[] = [];
  const send = (event: Record<string, unknown>) => {
    // The recording engine's clock follows the log, so no event is ahead of it.
    driver.clock.set(event.ts as number);
    driver.send(event as never);
    lines.push(JSON.stringify(event));
  };
  const regions = Array.from({ length: options.customers }, () => (rng.chance(0.5) ? "north" : "south") as "north" | "south");
  let ts = T0;
  regions.forEach((region, c) => send({ id: `p${c}`, type: "profile", customerId: `C${c}`, channel: "web", ts: (ts += 1_000), region }));
  const truth = { good: { responses: 0, revenue: 0 }, bad: { responses: 0, revenue: 0 }, greedy: { responses: 0, revenue: 0 } };
  const credit = (strategy: keyof typeof truth, actionId: string, region: "north" | "south") => {
    const model = TRUE_MODEL[actionId]!;
    truth[strategy].responses += model[region];
    truth[strategy].revenue += model[region] * model.revenue;
  };
  let moments = 0;
  for (let round = 0; round < options.rounds; round++) {
    regions.forEach((region, c) => {
      const customerId = `C${c}`;
      send({ id: `v${round}-${c}`, type: "page_view", customerId, channel: "web", ts: (ts += MINUTE), page: "/offers" });
      const decision = driver.decide("web", { customerId, requestId: `r${round}`, limit: 1 });
      lines.push(JSON.stringify(decision));
      moments++;
      credit("good", region === "north" ? "north-offer" : "south-offer", region);
      credit("bad", region === "north" ? "south-offer" : "north-offer", region);
      credit("greedy", "north-offer", region);
      const offer = decision.actions[0]!.actionId;
      const accepted = rng.chance(TRUE_MODEL[offer]![region]);
      send({
        id: `a${round}-${c}`,
        type: "offer_response",
        customerId,
        channel: "web",
        ts: ts + 30_000,
        offerId: offer,
        decisionId: decision.decisionId,
        response: accepted ? "accept" : "decline",
        ...(accepted ? { amount: TRUE_MODEL[offer]!.revenue } : {}),
      });
    });
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
  return { moments, rejected: driver.rejected.length, truth };
}
