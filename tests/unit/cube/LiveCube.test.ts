import { describe, expect, it } from "vitest";
import { monthName, monthOf, parseMonth } from "../../../engine/cube/calendarMonth.js";
import {
  CHANNELS,
  CUBE_MEASURES,
  CUBE_MONTHS,
  Rejection,
  type CubeAnswer,
  type CubeDimension,
  type CubeRow,
  type EventInput,
  type LifecyclePolicy,
} from "../../../engine/index.js";
import { Rng } from "../../../simulator/Rng.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

const CONFIG = `
engine:
  maxCustomers: 1000
  allowedLateness: 2d
  lifecycle: { newFor: 10d, atRiskAfter: 15d, churnedAfter: 40d }
metrics:
  valueTiers: { medium: 200, high: 600 }
segments:
  - id: big-spender
    when: revenue >= 300
  - id: detractor
    when: lastNps <= 6
  - id: complainer
    when: complaints > 0 and purchases >= 2
`;
const TIERS = { medium: 200, high: 600 };
const SEGMENTS: Record<string, (c: Customer) => boolean> = {
  "big-spender": (c) => c.revenue >= 300,
  detractor: (c) => c.npsLast <= 6,
  complainer: (c) => c.complaints > 0 && c.purchases >= 2,
};
const RESPONSES = ["impression", "click", "accept", "decline", "convert"] as const;

/** The wall clock well ahead, so the streams' event times are never "in the future". */
function driver(yaml = CONFIG): EngineDriver {
  const d = new EngineDriver({ yaml });
  d.clock.set(T0 + 3 * 365 * DAY);
  return d;
}

/** `count` events over `spanDays` from `start`, mostly in time order, some late (a few beyond the allowed lateness). */
function randomStream(seed: number, customers: number, count: number, start: number, spanDays: number): EventInput[] {
  const rng = new Rng(seed);
  const events: EventInput[] = [];
  for (let i = 0; i < count; i++) {
    const late = rng.next();
    const ts = Math.round(start + (i / count) * spanDays * DAY - (late < 0.1 ? rng.next() * DAY : late < 0.13 ? 5 * DAY : 0));
    const customerId = `C${Math.floor(rng.next() ** 2 * customers)}`;
    const channel = CHANNELS[Math.floor(rng.next() * CHANNELS.length)]!;
    const base = { customerId, ts, channel, cost: Math.round(rng.next() * 50) / 10 };
    const pick = rng.next();
    if (pick < 0.25) events.push(anEvent("purchase", { ...base, amount: Math.round(20 + rng.next() * 200) }));
    else if (pick < 0.28) events.push(anEvent("refund", { ...base, amount: 15 }));
    else if (pick < 0.31) events.push(anEvent("payment", { ...base, amount: 40 }));
    else if (pick < 0.45) events.push(anEvent("web_visit", base));
    else if (pick < 0.53) events.push(anEvent("survey", { ...base, survey: "nps", score: Math.floor(rng.next() * 11) }));
    else if (pick < 0.58) events.push(anEvent("signup", base));
    else if (pick < 0.64) events.push(anEvent("cancel", base));
    else if (pick < 0.68) events.push(anEvent("profile", { ...base, plan: "basic" }));
    else if (pick < 0.74) events.push(anEvent("complaint", { ...base, reason: "billing" }));
    else if (pick < 0.78) events.push(anEvent("complaint_resolved", base));
    else events.push(anEvent("offer_response", { ...base, response: RESPONSES[Math.floor(rng.next() * RESPONSES.length)]! }));
  }
  return events;
}

interface Customer {
  firstSeen: number;
  lastActive: number;
  signup: number;
  cancel: number;
  openComplaints: number;
  complaints: number;
  purchases: number;
  npsLast: number;
  npsTs: number;
  revenue: number;
  months: Set<number>;
}

/** One event as the reference files it: the customer's dimensions before it, and what it adds. */
interface Fact {
  segments: string[];
  channel: string;
  lifecycleStage: string;
  valueTier: string;
  npsClass: string;
  month: string;
  revenue: number;
  cost: number;
  purchase: number;
  cancellation: number;
  response: number;
  positive: number;
  firstInMonth: number;
}

const cancelled = (c: Customer) => c.cancel > 0 && c.cancel >= c.signup;

/** The lifecycle stage at `now`, as docs/rules.md defines it, written out plainly. */
function stageOf(c: Customer | undefined, now: number, policy: LifecyclePolicy): string {
  if (c === undefined) return "new";
  if (cancelled(c)) return "churned";
  const activeSince = c.lastActive > 0 ? c.lastActive : c.firstSeen;
  const inactive = now - activeSince;
  if (inactive > policy.churnedAfterMs) return "churned";
  if (inactive > policy.atRiskAfterMs || c.openComplaints > 0 || c.npsLast <= 6) return "at-risk";
  return now - (c.signup > 0 ? c.signup : c.firstSeen) < policy.newForMs ? "new" : "active";
}

/** Replays the log in order, customer by customer, and files each event with the dimensions its customer had before it. */
function facts(events: readonly EventInput[], policy: LifecyclePolicy): Fact[] {
  const customers = new Map<string, Customer>();
  const out: Fact[] = [];
  for (const e of events) {
    const before = customers.get(e.customerId);
    const c: Customer = before ?? {
      firstSeen: 0, lastActive: 0, signup: 0, cancel: 0, openComplaints: 0, complaints: 0, purchases: 0,
      npsLast: Number.NaN, npsTs: 0, revenue: 0, months: new Set(),
    };
    customers.set(e.customerId, c);
    const month = new Date(e.ts).toISOString().slice(0, 7);
    const fact: Fact = {
      segments: before === undefined ? [] : Object.keys(SEGMENTS).filter((id) => SEGMENTS[id]!(c)),
      channel: e.channel,
      lifecycleStage: stageOf(before, e.ts, policy),
      valueTier: c.revenue >= TIERS.high ? "high" : c.revenue >= TIERS.medium ? "medium" : "low",
      npsClass: Number.isNaN(c.npsLast) ? "unknown" : c.npsLast >= 9 ? "promoter" : c.npsLast >= 7 ? "passive" : "detractor",
      month,
      revenue: 0,
      cost: e.cost ?? 0,
      purchase: e.type === "purchase" ? 1 : 0,
      cancellation: 0,
      response: e.type === "offer_response" ? 1 : 0,
      positive: e.type === "offer_response" && (e.response === "accept" || e.response === "convert") ? 1 : 0,
      firstInMonth: c.months.has(monthOf(e.ts)) ? 0 : 1,
    };
    c.months.add(monthOf(e.ts));
    const wasCancelled = before !== undefined && cancelled(c);
    const amount = "amount" in e && typeof e.amount === "number" ? e.amount : 0;
    if (c.firstSeen === 0 || e.ts < c.firstSeen) c.firstSeen = e.ts;
    const active = e.type !== "profile" && !(e.type === "offer_response" && e.response === "impression");
    if (active && e.ts > c.lastActive) c.lastActive = e.ts;
    if (e.type === "signup") c.signup = Math.max(c.signup, e.ts);
    if (e.type === "cancel") c.cancel = Math.max(c.cancel, e.ts);
    if (e.type === "purchase") c.purchases++;
    if (e.type === "complaint") [c.complaints, c.openComplaints] = [c.complaints + 1, c.openComplaints + 1];
    if (e.type === "complaint_resolved" && c.openComplaints > 0) c.openComplaints--;
    if (e.type === "survey" && e.survey === "nps" && e.ts >= c.npsTs) [c.npsLast, c.npsTs] = [e.score, e.ts];
    fact.revenue = e.type === "purchase" || e.type === "payment" ? amount : e.type === "refund" ? -amount : 0;
    c.revenue += fact.revenue;
    fact.cancellation = !wasCancelled && cancelled(c) ? 1 : 0;
    out.push(fact);
  }
  return out;
}

type Filter = Partial<Record<CubeDimension, string | string[]>>;

/** The group-by the slow way: every fact (once per segment when segments are asked for), grouped and summed. */
function batch(all: readonly Fact[], dimensions: readonly CubeDimension[], filter: Filter = {}): Map<string, Record<string, number | null>> {
  const bySegment = dimensions.includes("segment") || filter.segment !== undefined;
  const groups = new Map<string, Record<string, number>>();
  for (const fact of all) {
    for (const segment of bySegment ? fact.segments : [""]) {
      const values: Record<string, string> = { ...fact, segment } as unknown as Record<string, string>;
      const kept = Object.entries(filter).every(([dimension, wanted]) => [wanted].flat().includes(values[dimension]!));
      if (!kept) continue;
      const key = dimensions.map((d) => values[d]).join("|");
      const sums = groups.get(key) ?? { customers: 0, events: 0, revenue: 0, cost: 0, purchases: 0, cancellations: 0, offerResponses: 0, positiveResponses: 0 };
      sums.customers! += fact.firstInMonth;
      sums.events!++;
      sums.revenue! += fact.revenue;
      sums.cost! += fact.cost;
      sums.purchases! += fact.purchase;
      sums.cancellations! += fact.cancellation;
      sums.offerResponses! += fact.response;
      sums.positiveResponses! += fact.positive;
      groups.set(key, sums);
    }
  }
  const rows = new Map<string, Record<string, number | null>>();
  for (const [key, s] of groups) {
    rows.set(key, {
      ...s,
      profit: s.revenue! - s.cost!,
      churnRate: s.customers === 0 ? null : s.cancellations! / s.customers!,
      responseRate: s.offerResponses === 0 ? null : s.positiveResponses! / s.offerResponses!,
    });
  }
  return rows;
}

function answer(d: EngineDriver, query: unknown): CubeAnswer {
  const result = d.engine.queryCube(query);
  if (result instanceof Rejection) throw new Error(`query rejected: ${result.message}`);
  return result;
}

function expectRowsToMatch(rows: readonly CubeRow[], dimensions: readonly CubeDimension[], expected: Map<string, Record<string, number | null>>): void {
  expect(rows.map((row) => dimensions.map((d) => row[d]).join("|")).sort()).toEqual([...expected.keys()].sort());
  for (const row of rows) {
    const want = expected.get(dimensions.map((d) => row[d]).join("|"))!;
    for (const measure of CUBE_MEASURES) {
      if (want[measure] === null) expect(row[measure], measure).toBeNull();
      else expect(row[measure], `${measure} of ${JSON.stringify(row)}`).toBeCloseTo(want[measure]!, 6);
    }
  }
}

const QUERIES: { dimensions: CubeDimension[]; filter?: Filter }[] = [
  { dimensions: [] },
  { dimensions: ["month"] },
  { dimensions: ["channel", "lifecycleStage"] },
  { dimensions: ["segment", "month"] },
  { dimensions: ["valueTier", "npsClass", "channel"] },
  { dimensions: ["month", "lifecycleStage", "valueTier", "npsClass", "channel", "segment"] },
  { dimensions: ["segment"], filter: { channel: "web" } },
  { dimensions: ["month", "segment"], filter: { month: "2026-10", segment: ["big-spender", "detractor"] } },
  { dimensions: ["lifecycleStage"], filter: { npsClass: "detractor", valueTier: ["low", "high"] } },
  { dimensions: ["npsClass"], filter: { month: ["2026-09", "2026-11"], lifecycleStage: "at-risk" } },
];

describe("the live cube", () => {
  const d = driver();
  // Mid-August to the end of November 2026: four calendar months.
  const events = randomStream(7, 150, 6_000, T0 - 80 * DAY, 108);
  for (const event of events) d.send(event);
  const reference = facts(events, d.config.engine.lifecycle);

  it("takes every event of the stream", () => {
    expect(d.rejected).toEqual([]);
    expect(answer(d, {}).rows[0]!.events).toBe(events.length);
  });

  it.each(QUERIES)("answers $dimensions filtered by $filter as a batch group-by over the event log says", ({ dimensions, filter }) => {
    const result = answer(d, { dimensions, measures: [...CUBE_MEASURES], ...(filter === undefined ? {} : { filter }) });
    expect(result.dimensions).toEqual(dimensions);
    const expected = batch(reference, dimensions, filter);
    expect(expected.size).toBeGreaterThan(0);
    expectRowsToMatch(result.rows, dimensions, expected);
  });

  it("has cancellations, responses and segment members to measure, so the rates are tested on something", () => {
    const [total] = answer(d, { measures: ["cancellations", "positiveResponses", "churnRate", "responseRate"] }).rows;
    expect(total!.cancellations).toBeGreaterThan(20);
    expect(total!.positiveResponses).toBeGreaterThan(20);
    expect(total!.churnRate).toBeGreaterThan(0);
    expect(total!.responseRate).toBeGreaterThan(0);
    const bySegment = answer(d, { dimensions: ["segment"], measures: ["events"] }).rows;
    expect(bySegment.map((row) => row.segment)).toEqual(["big-spender", "detractor", "complainer"]);
  });

  it("counts a customer once per month in 'customers', whatever the grouping", () => {
    const perMonth = answer(d, { dimensions: ["month"], measures: ["customers"] }).rows;
    for (const row of perMonth) {
      const distinct = new Set(events.filter((e) => new Date(e.ts).toISOString().startsWith(row.month as string)).map((e) => e.customerId));
      expect(row.customers).toBe(distinct.size);
    }
    const byChannel = answer(d, { dimensions: ["month", "channel"], measures: ["customers"] }).rows;
    const summed = (month: string) => byChannel.filter((row) => row.month === month).reduce((sum, row) => sum + (row.customers as number), 0);
    for (const row of perMonth) expect(summed(row.month as string)).toBe(row.customers);
  });

  it("lists only the asked measures, in the asked order, and orders rows by the dimensions' values", () => {
    const result = answer(d, { dimensions: ["month"], measures: ["profit", "revenue"] });
    expect(result.months).toEqual({ from: "2024-12", to: "2026-11" });
    expect(result.rows.map((row) => Object.keys(row))).toEqual(result.rows.map(() => ["month", "profit", "revenue"]));
    expect(result.rows.map((row) => row.month)).toEqual(["2026-08", "2026-09", "2026-10", "2026-11"]);
    expect(answer(d, { filter: { month: "2023-01" } }).rows).toEqual([]);
  });

  it("comes back identical from a checkpoint, and goes on like an engine that never stopped", () => {
    const half = events.length / 2;
    const first = driver();
    for (const event of events.slice(0, half)) first.send(event);
    const cut = first.engine.beginCheckpoint();
    const restored = driver();
    restored.engine.restoreCheckpoint(cut.engine);
    for (const customerId of cut.customerIds) restored.engine.restoreCustomer(customerId, first.engine.captureCustomer(cut, customerId));
    first.engine.abortCheckpoint(cut);
    for (const { dimensions, filter } of QUERIES) {
      const query = { dimensions, ...(filter === undefined ? {} : { filter }) };
      expect(restored.engine.queryCube(query)).toEqual(first.engine.queryCube(query));
    }
    // Sparse: only cells with events are written.
    const written = cut.engine.cube!.blocks.reduce((sum, block) => sum + block.length, 0);
    expect(written).toBeLessThan(4 * 4 * 336 * 10);
    let seq = half;
    for (const event of events.slice(half)) restored.send(event, { seq: ++seq });
    for (const { dimensions, filter } of QUERIES) {
      const query = { dimensions, ...(filter === undefined ? {} : { filter }) };
      expect(restored.engine.queryCube(query)).toEqual(d.engine.queryCube(query));
    }
  });

  it("after a restart under other segment definitions, keeps the cells of all customers and starts the segments' cells over", () => {
    const cut = d.engine.beginCheckpoint();
    d.engine.abortCheckpoint(cut);
    const changed = driver(CONFIG.replace("revenue >= 300", "revenue >= 400"));
    changed.engine.restoreCheckpoint(cut.engine);
    expect(changed.engine.queryCube({ dimensions: ["month"] })).toEqual(d.engine.queryCube({ dimensions: ["month"] }));
    expect(answer(changed, { dimensions: ["segment"] }).rows).toEqual([]);
  });

  it.each([
    [{ dimensions: ["month", "region"] }, 'unknown dimension "region"'],
    [{ measures: ["revenue", "margin"] }, 'unknown measure "margin"'],
    [{ filter: { plan: "basic" } }, 'unknown filter dimension "plan"'],
    [{ filter: { channel: "fax" } }, 'unknown channel "fax" in the filter; channel is one of: web, app'],
    [{ filter: { segment: "vip" } }, 'unknown segment "vip" in the filter; segment is one of: big-spender, detractor, complainer'],
    [{ filter: { month: "2026-13" } }, 'month "2026-13" in the filter is not YYYY-MM'],
    [{ dimensions: ["month", "month"] }, 'dimension "month" is asked twice'],
    [{ dimensions: "month" }, "a cube query is"],
    [{ dimensions: [], groupBy: ["month"] }, "a cube query is"],
    [[], "a cube query is"],
  ])("rejects %j naming the problem", (query, message) => {
    const result = d.engine.queryCube(query);
    expect(result).toBeInstanceOf(Rejection);
    expect((result as Rejection).code).toBe("invalid_value");
    expect((result as Rejection).message).toContain(message);
  });
});

describe("the cube's months", () => {
  it("keep the newest 24 calendar months: older ones fall out, and older events are not counted", () => {
    const d = driver();
    const start = Date.UTC(2024, 0, 15);
    // One purchase a month for 30 months, January 2024 to June 2026.
    for (let m = 0; m < 30; m++) d.send(anEvent("purchase", { customerId: "A", ts: Date.UTC(2024, m, 15), amount: 10, cost: 1 }));
    const months = answer(d, { dimensions: ["month"], measures: ["events", "customers"] });
    expect(months.months).toEqual({ from: "2024-07", to: "2026-06" });
    expect(months.rows).toHaveLength(CUBE_MONTHS);
    expect(months.rows[0]).toEqual({ month: "2024-07", events: 1, customers: 1 });
    d.send(anEvent("purchase", { customerId: "A", ts: start, amount: 10 }));
    expect(answer(d, { measures: ["events"] }).rows).toEqual([{ events: 24 }]);
    // A late event in a month still held counts; the customer was counted there already.
    d.send(anEvent("purchase", { customerId: "A", ts: Date.UTC(2024, 6, 20), amount: 10 }));
    expect(answer(d, { dimensions: ["month"], filter: { month: "2024-07" } }).rows[0]).toMatchObject({ events: 2, customers: 1, revenue: 20 });
  });

  it("are computed by arithmetic exactly as the calendar says", () => {
    for (let ts = Date.UTC(1999, 11, 31, 23); ts < Date.UTC(2101, 0, 1); ts += 7 * DAY + 3_600_001) {
      const date = new Date(ts);
      const month = monthOf(ts);
      expect(monthName(month)).toBe(date.toISOString().slice(0, 7));
      expect(parseMonth(monthName(month))).toBe(month);
    }
    expect(monthOf(Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toBe(monthOf(Date.UTC(2024, 1, 1)));
    expect(monthOf(Date.UTC(2024, 2, 1))).toBe(monthOf(Date.UTC(2024, 1, 1)) + 1);
  });
});
