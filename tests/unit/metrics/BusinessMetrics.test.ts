import { describe, expect, it } from "vitest";
import { EventOutcomeIndex } from "../../../engine/EngineStats.js";
import { CHANNELS, EVENT_TYPES, type EventInput, type GroupReport } from "../../../engine/index.js";
import { TrafficSimulator } from "../../../simulator/TrafficSimulator.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

/** Sixty days of realistic traffic in time order: signups, cancellations, purchases, surveys, complaints. */
function history(count: number, customers: number): EventInput[] {
  const simulator = new TrafficSimulator({ seed: 31, customers, runId: "biz" });
  const span = 60 * DAY;
  return Array.from({ length: count }, (_, i) => simulator.nextEvent(T0 - span + Math.floor((i * span) / count)));
}

const dayOf = (ts: number) => Math.floor(ts / DAY);

/** The same metrics computed the slow way, straight from the events, for the days `firstDay` through `lastDay`. */
function reference(events: readonly EventInput[], firstDay: number, lastDay: number) {
  const inWindow = events.filter((e) => dayOf(e.ts) >= firstDay && dayOf(e.ts) <= lastDay);
  const amount = (e: EventInput) => ("amount" in e && typeof e.amount === "number" ? e.amount : 0);
  const revenue = inWindow.reduce((sum, e) => sum + (e.type === "purchase" || e.type === "payment" ? amount(e) : e.type === "refund" ? -amount(e) : 0), 0);
  const cost = inWindow.reduce((sum, e) => sum + ("cost" in e && typeof e.cost === "number" ? e.cost : 0), 0);
  // The base at a time: customers seen before it whose last signup is not older than their last cancel.
  const baseBefore = (day: number) => {
    const status = new Map<string, { signup: number; cancel: number }>();
    for (const e of events) {
      if (dayOf(e.ts) >= day) continue;
      const s = status.get(e.customerId) ?? { signup: 0, cancel: 0 };
      if (e.type === "signup") s.signup = Math.max(s.signup, e.ts);
      if (e.type === "cancel") s.cancel = Math.max(s.cancel, e.ts);
      status.set(e.customerId, s);
    }
    return [...status.values()].filter((s) => !(s.cancel > 0 && s.cancel >= s.signup)).length;
  };
  const signedUpBefore = new Set(events.filter((e) => e.type === "signup" && dayOf(e.ts) < firstDay).map((e) => e.customerId));
  const acquired = new Set(inWindow.filter((e) => e.type === "signup" && !signedUpBefore.has(e.customerId)).map((e) => e.customerId)).size;
  const surveys = (kind: string) => inWindow.filter((e) => e.type === "survey" && e.survey === kind).map((e) => (e as { score: number }).score);
  // Cancellations that ended an active relationship, replaying each customer's status.
  let lost = 0;
  const status = new Map<string, { signup: number; cancel: number }>();
  const cancelled = (s: { signup: number; cancel: number }) => s.cancel > 0 && s.cancel >= s.signup;
  for (const e of events) {
    const s = status.get(e.customerId) ?? { signup: 0, cancel: 0 };
    const before = status.has(e.customerId) && cancelled(s);
    if (e.type === "signup") s.signup = Math.max(s.signup, e.ts);
    if (e.type === "cancel") s.cancel = Math.max(s.cancel, e.ts);
    status.set(e.customerId, s);
    if (!before && cancelled(s) && dayOf(e.ts) >= firstDay && dayOf(e.ts) <= lastDay) lost++;
  }
  const nps = surveys("nps");
  const csat = surveys("csat");
  return {
    atStart: baseBefore(firstDay),
    now: baseBefore(lastDay + 1),
    acquired,
    lost,
    revenue,
    cost,
    purchases: inWindow.filter((e) => e.type === "purchase").length,
    promoters: nps.filter((s) => s >= 9).length,
    detractors: nps.filter((s) => s <= 6).length,
    npsResponses: nps.length,
    csat: csat.reduce((a, b) => a + b, 0) / csat.length,
    complaintsOpened: inWindow.filter((e) => e.type === "complaint").length,
    webEvents: inWindow.filter((e) => e.channel === "web").length,
  };
}

type Group = { atStart: number; now: number; acquired: number; lost: number; revenue: number; cost: number; purchases: number };

/** Totals by group name, each created empty on first use. */
function groupTotals(): { groups: Map<string, Group>; group: (name: string) => Group } {
  const groups = new Map<string, Group>();
  const group = (name: string) => {
    if (!groups.has(name)) groups.set(name, { atStart: 0, now: 0, acquired: 0, lost: 0, revenue: 0, cost: 0, purchases: 0 });
    return groups.get(name)!;
  };
  return { groups, group };
}

/** Each reported group equals the reference's (a group the reference never saw is empty). */
function expectGroupsToMatch(reported: Readonly<Record<string, GroupReport>>, expected: ReadonlyMap<string, Group>): void {
  for (const [name, group] of Object.entries(reported)) {
    const want = expected.get(name) ?? groupTotals().group(name);
    expect({ name, ...group.customers, ...group.value }).toMatchObject({
      name,
      atStart: want.atStart,
      now: want.now,
      acquired: want.acquired,
      lost: want.lost,
      purchases: want.purchases,
    });
    expect(group.value.revenue).toBeCloseTo(want.revenue, 6);
    expect(group.value.cost).toBeCloseTo(want.cost, 6);
    const meanSize = (want.atStart + want.now) / 2;
    if (meanSize === 0) expect(group.value.profitPerCustomer).toBeNull();
    else expect(group.value.profitPerCustomer).toBeCloseTo(group.value.profit / meanSize, 9);
  }
}

/**
 * The NPS-class and complaint-history breakdowns the slow way: replays every customer
 * through the time-ordered log, takes each group's members just before `firstDay` and at
 * the end, and files each event's value under the groups its customer is in after it.
 */
function groupReference(events: readonly EventInput[], firstDay: number, tiers: { medium: number; high: number }) {
  interface Customer { signup: number; cancel: number; nps: number; npsTs: number; complaints: number; open: number; revenue: number }
  const customers = new Map<string, Customer>();
  const inBase = (c: Customer) => !(c.cancel > 0 && c.cancel >= c.signup);
  const npsClass = (c: Customer) => (Number.isNaN(c.nps) ? "unknown" : c.nps >= 9 ? "promoter" : c.nps >= 7 ? "passive" : "detractor");
  const complaintHistory = (c: Customer) => (c.open > 0 ? "open" : c.complaints > 0 ? "resolved" : "none");
  const valueTier = (c: Customer) => (c.revenue >= tiers.high ? "high" : c.revenue >= tiers.medium ? "medium" : "low");
  const { groups, group } = groupTotals();
  const count = (field: "atStart" | "now") => {
    for (const c of customers.values()) if (inBase(c)) for (const name of [npsClass(c), complaintHistory(c), valueTier(c)]) group(name)[field]++;
  };
  let counted = false;
  for (const e of events) {
    if (!counted && dayOf(e.ts) >= firstDay) {
      count("atStart");
      counted = true;
    }
    const known = customers.get(e.customerId);
    const c = known ?? { signup: 0, cancel: 0, nps: Number.NaN, npsTs: 0, complaints: 0, open: 0, revenue: 0 };
    customers.set(e.customerId, c);
    const wasActive = known !== undefined && inBase(c);
    const hadSignup = c.signup > 0;
    const amount = "amount" in e && typeof e.amount === "number" ? e.amount : 0;
    if (e.type === "signup") c.signup = Math.max(c.signup, e.ts);
    if (e.type === "cancel") c.cancel = Math.max(c.cancel, e.ts);
    if (e.type === "survey" && e.survey === "nps" && e.ts >= c.npsTs) [c.nps, c.npsTs] = [e.score, e.ts];
    if (e.type === "complaint") [c.complaints, c.open] = [c.complaints + 1, c.open + 1];
    if (e.type === "complaint_resolved" && c.open > 0) c.open--;
    const revenue = e.type === "purchase" || e.type === "payment" ? amount : e.type === "refund" ? -amount : 0;
    c.revenue += revenue;
    if (dayOf(e.ts) < firstDay) continue;
    for (const g of [npsClass(c), complaintHistory(c), valueTier(c)].map(group)) {
      if (e.type === "signup" && !hadSignup) g.acquired++;
      if ((known === undefined || wasActive) && !inBase(c)) g.lost++;
      g.revenue += revenue;
      g.cost += "cost" in e && typeof e.cost === "number" ? e.cost : 0;
      if (e.type === "purchase") g.purchases++;
    }
  }
  count("now");
  return groups;
}

/**
 * Non-contractual attrition the slow way: each customer's purchases in time order; a gap
 * of at least the inactivity period is a lapse (on the day the period ran out) and a
 * return, and the last purchase lapses once its period has run out by `today`.
 */
function inactivityReference(events: readonly EventInput[], periodMs: number, firstDay: number, today: number) {
  const purchases = new Map<string, number[]>();
  for (const e of events) if (e.type === "purchase") purchases.set(e.customerId, [...(purchases.get(e.customerId) ?? []), e.ts]);
  const inWindow = (day: number) => day >= firstDay && day <= today;
  let firstPurchases = 0;
  let lapsed = 0;
  let returned = 0;
  let activeAtStart = 0;
  let activeNow = 0;
  for (const times of purchases.values()) {
    times.sort((a, b) => a - b);
    if (inWindow(dayOf(times[0]!))) firstPurchases++;
    times.forEach((ts, i) => {
      const next = times[i + 1];
      const lapseDay = dayOf(ts + periodMs);
      if (next !== undefined && next < ts + periodMs) return;
      if (inWindow(lapseDay)) lapsed++;
      if (next !== undefined && inWindow(dayOf(next))) returned++;
    });
    const lastBefore = times.filter((ts) => dayOf(ts) < firstDay).at(-1);
    if (lastBefore !== undefined && dayOf(lastBefore + periodMs) >= firstDay) activeAtStart++;
    if (dayOf(times.at(-1)! + periodMs) > today) activeNow++;
  }
  return { firstPurchases, lapsed, returned, activeAtStart, activeNow };
}

/** The growth index the slow way: every purchase against what its customer had bought before it. */
function growthReference(events: readonly EventInput[], firstDay: number, maxCategories: number) {
  const bought = new Map<string, { purchases: number; amount: number; categories: Set<string> }>();
  let repeat = 0;
  let crossSellPurchases = 0;
  let crossSell = 0;
  let upSell = 0;
  for (const e of events) {
    if (e.type !== "purchase") continue;
    const b = bought.get(e.customerId) ?? { purchases: 0, amount: 0, categories: new Set<string>() };
    bought.set(e.customerId, b);
    const newCategory = e.category !== "" && !b.categories.has(e.category) && b.categories.size < maxCategories;
    if (dayOf(e.ts) >= firstDay && b.purchases > 0) {
      repeat += e.amount;
      if (newCategory) {
        crossSellPurchases++;
        crossSell += e.amount;
      } else {
        upSell += Math.max(0, e.amount - b.amount / b.purchases);
      }
    }
    b.purchases++;
    b.amount += e.amount;
    if (newCategory) b.categories.add(e.category);
  }
  return { repeat, crossSellPurchases, crossSell, upSell };
}

/**
 * The lifecycle-stage breakdown the slow way: each customer's facts replayed through the
 * time-ordered log, its stage read at the end of a day as the engine defines it (cancelled
 * or inactive past churnedAfter: churned; inactive past atRiskAfter, a complaint open or
 * a last NPS answer of 6 or less: at risk; within newFor of its signup: new; else active).
 */
function lifecycleReference(events: readonly EventInput[], firstDay: number, policy: { newForMs: number; atRiskAfterMs: number; churnedAfterMs: number }) {
  interface Facts { firstSeen: number; lastActive: number; signup: number; cancel: number; open: number; nps: number; npsTs: number }
  const customers = new Map<string, Facts>();
  const inBase = (f: Facts) => !(f.cancel > 0 && f.cancel >= f.signup);
  const stageAt = (f: Facts, day: number) => {
    const now = (day + 1) * DAY - 1;
    if (!inBase(f)) return "churned";
    const inactive = now - (f.lastActive > 0 ? f.lastActive : f.firstSeen);
    if (inactive > policy.churnedAfterMs) return "churned";
    if (inactive > policy.atRiskAfterMs || f.open > 0 || f.nps <= 6) return "at-risk";
    return now - (f.signup > 0 ? f.signup : f.firstSeen) < policy.newForMs ? "new" : "active";
  };
  const { groups, group } = groupTotals();
  const count = (field: "atStart" | "now", day: number) => {
    for (const f of customers.values()) if (inBase(f)) group(stageAt(f, day))[field]++;
  };
  let counted = false;
  let today = 0;
  for (const e of events) {
    if (!counted && dayOf(e.ts) >= firstDay) {
      count("atStart", firstDay - 1);
      counted = true;
    }
    today = Math.max(today, dayOf(e.ts));
    const known = customers.get(e.customerId);
    const f = known ?? { firstSeen: e.ts, lastActive: 0, signup: 0, cancel: 0, open: 0, nps: Number.NaN, npsTs: 0 };
    customers.set(e.customerId, f);
    const wasActive = known !== undefined && inBase(f);
    const hadSignup = f.signup > 0;
    f.firstSeen = Math.min(f.firstSeen, e.ts);
    const initiated = e.type !== "profile" && !(e.type === "offer_response" && e.response === "impression");
    if (initiated) f.lastActive = Math.max(f.lastActive, e.ts);
    if (e.type === "signup") f.signup = Math.max(f.signup, e.ts);
    if (e.type === "cancel") f.cancel = Math.max(f.cancel, e.ts);
    if (e.type === "complaint") f.open++;
    if (e.type === "complaint_resolved" && f.open > 0) f.open--;
    if (e.type === "survey" && e.survey === "nps" && e.ts >= f.npsTs) [f.nps, f.npsTs] = [e.score, e.ts];
    if (dayOf(e.ts) < firstDay) continue;
    const g = group(stageAt(f, today));
    const amount = "amount" in e && typeof e.amount === "number" ? e.amount : 0;
    if (e.type === "signup" && !hadSignup) g.acquired++;
    if ((known === undefined || wasActive) && !inBase(f)) g.lost++;
    g.revenue += e.type === "purchase" || e.type === "payment" ? amount : e.type === "refund" ? -amount : 0;
    g.cost += "cost" in e && typeof e.cost === "number" ? e.cost : 0;
    if (e.type === "purchase") g.purchases++;
  }
  count("now", today);
  return groups;
}

/** Events in a slightly shuffled order: each moved by less than half the allowed lateness, so none is late. */
function shuffledWithin(events: readonly EventInput[], maxShiftMs: number, seed: number): EventInput[] {
  let x = seed;
  const random = () => ((x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  return events
    .map((event) => ({ event, at: event.ts + random() * maxShiftMs }))
    .sort((a, b) => a.at - b.at)
    .map(({ event }) => event);
}

describe("business metrics", () => {
  const events = history(12_000, 400);
  const driver = new EngineDriver();
  for (const event of events) driver.send(event);
  const now = driver.engine.watermark;

  it.each([7, 30, 45])("over %i days equal the same metrics computed from the events directly", (days) => {
    const report = driver.engine.businessReport(days);
    const expected = reference(events, dayOf(now) - days + 1, dayOf(now));
    expect(report.windowDays).toBe(days);
    expect(report.to).toBe(now);
    expect(report.customers.atStart).toBe(expected.atStart);
    expect(report.customers.now).toBe(expected.now);
    expect(report.customers.acquired).toBe(expected.acquired);
    expect(report.customers.acquisitionRate).toBeCloseTo(expected.acquired / expected.atStart, 12);
    expect(report.customers.lost).toBe(expected.lost);
    expect(expected.lost).toBeGreaterThan(0);
    expect(report.customers.attritionRate).toBeCloseTo(expected.lost / expected.atStart, 12);
    expect(report.value.revenue).toBeCloseTo(expected.revenue, 6);
    expect(report.value.cost).toBeCloseTo(expected.cost, 6);
    expect(report.value.profit).toBeCloseTo(expected.revenue - expected.cost, 6);
    expect(report.value.purchases).toBe(expected.purchases);
    expect(report.attitude.promoters).toBe(expected.promoters);
    expect(report.attitude.detractors).toBe(expected.detractors);
    expect(report.attitude.nps).toBeCloseTo((100 * (expected.promoters - expected.detractors)) / expected.npsResponses, 9);
    expect(report.attitude.csat).toBeCloseTo(expected.csat, 9);
    expect(report.complaints.opened).toBe(expected.complaintsOpened);
    expect(report.byChannel.web.events).toBe(expected.webEvents);
    expect(CHANNELS.reduce((sum, c) => sum + report.byChannel[c].revenue, 0)).toBeCloseTo(expected.revenue, 6);
  });

  it.each([7, 45])("over %i days, by NPS class, complaint history and value tier, equal the same breakdowns computed from the events", (days) => {
    const report = driver.engine.businessReport(days);
    const expected = groupReference(events, dayOf(now) - days + 1, driver.config.engine.valueTiers);
    const groups = { ...report.byNpsClass, ...report.byComplaintHistory, ...report.byValueTier };
    expect(Object.keys(groups).sort()).toEqual(["detractor", "high", "low", "medium", "none", "open", "passive", "promoter", "resolved", "unknown"]);
    expectGroupsToMatch(groups, expected);
    // Every group is populated by this history, so a wrong attribution cannot hide in an empty one.
    expect(report.byNpsClass.detractor.customers.now).toBeGreaterThan(0);
    expect(report.byComplaintHistory.open.customers.now).toBeGreaterThan(0);
    expect(report.byValueTier.high.customers.now).toBeGreaterThan(0);
    expect(report.byValueTier.medium.customers.now).toBeGreaterThan(0);
    expect(report.byNpsClass.detractor.customers.lost + report.byNpsClass.promoter.customers.lost).toBeGreaterThan(0);
  });

  it("split the 45-day window into calendar months that add up to it, each equal to the events of its days", () => {
    const report = driver.engine.businessReport(45);
    expect(report.byMonth.map((m) => m.month)).toEqual(["2026-09", "2026-10", "2026-11"]);
    for (const month of report.byMonth) {
      const expected = reference(events, dayOf(month.from), dayOf(month.to));
      expect(month.customers).toMatchObject({ atStart: expected.atStart, acquired: expected.acquired, lost: expected.lost });
      expect(month.value.revenue).toBeCloseTo(expected.revenue, 6);
      expect(month.value.purchases).toBe(expected.purchases);
      expect(month.npsResponses).toBe(expected.npsResponses);
    }
    expect(report.byMonth[0]!.from).toBe(report.from);
    expect(report.byMonth.at(-1)!.to).toBe(report.to);
    const total = (read: (m: (typeof report.byMonth)[number]) => number) => report.byMonth.reduce((sum, m) => sum + read(m), 0);
    expect(total((m) => m.customers.acquired)).toBe(report.customers.acquired);
    expect(total((m) => m.value.revenue)).toBeCloseTo(report.value.revenue, 6);
  });

  it("with events out of order inside the allowed lateness, equal the in-order totals, and every breakdown adds up to them", () => {
    const shuffled = new EngineDriver();
    const lateness = shuffled.config.engine.allowedLatenessMs;
    const arrival = shuffledWithin(events, lateness / 2, 7);
    expect(arrival.some((event, i) => i > 0 && event.ts < arrival[i - 1]!.ts)).toBe(true);
    for (const event of arrival) shuffled.send(event);
    const late = EVENT_TYPES.reduce((sum, _, t) => sum + CHANNELS.reduce((s, __, c) => s + shuffled.engine.stats.eventCount(t, c, EventOutcomeIndex.late), 0), 0);
    expect(late).toBe(0);
    for (const days of [7, 30, 45]) {
      const report = shuffled.engine.businessReport(days);
      const inOrder = driver.engine.businessReport(days);
      expect(report.value).toEqual({ ...inOrder.value, revenue: expect.closeTo(inOrder.value.revenue, 6), cost: expect.closeTo(inOrder.value.cost, 6), profit: expect.closeTo(inOrder.value.profit, 6) });
      expect(report.customers.now).toBe(inOrder.customers.now);
      expect(report.attitude).toEqual(inOrder.attitude);
      expect(report.complaints.opened).toBe(inOrder.complaints.opened);
      expect(report.byChannel).toEqual(inOrder.byChannel);
      for (const breakdown of [report.byNpsClass, report.byComplaintHistory, report.byValueTier, report.byLifecycleStage]) {
        const groups = Object.values(breakdown);
        const total = (read: (g: (typeof groups)[number]) => number) => groups.reduce((sum, g) => sum + read(g), 0);
        expect(total((g) => g.customers.now)).toBe(report.customers.now);
        expect(total((g) => g.customers.atStart)).toBe(report.customers.atStart);
        expect(total((g) => g.customers.acquired)).toBe(report.customers.acquired);
        expect(total((g) => g.customers.lost)).toBe(report.customers.lost);
        expect(total((g) => g.value.revenue)).toBeCloseTo(report.value.revenue, 6);
        expect(total((g) => g.value.cost)).toBeCloseTo(report.value.cost, 6);
        expect(total((g) => g.value.purchases)).toBe(report.value.purchases);
      }
    }
  });

  it.each([7, 30, 45])("over %i days count customers who stopped buying for the inactivity period, as the purchases say", (days) => {
    const d = new EngineDriver({ yaml: "metrics:\n  purchaseInactivity: 14d\n" });
    for (const event of events) d.send(event);
    const today = dayOf(d.engine.watermark);
    const expected = inactivityReference(events, 14 * DAY, today - days + 1, today);
    const purchasing = d.engine.businessReport(days).purchasing;
    expect(purchasing).toEqual({ inactivityDays: 14, ...expected, attritionRate: expected.lapsed / expected.activeAtStart });
    expect(expected.lapsed).toBeGreaterThan(0);
    expect(expected.returned).toBeGreaterThan(0);
  });

  it("count a lapse once its inactivity period has run out in event time, and a purchase after it as a return", () => {
    const d = new EngineDriver({ yaml: "metrics:\n  purchaseInactivity: 10d\n" });
    d.send(anEvent("purchase", { customerId: "A", ts: T0 - 30 * DAY }));
    d.send(anEvent("purchase", { customerId: "B", ts: T0 - 30 * DAY }));
    d.send(anEvent("purchase", { customerId: "B", ts: T0 - 25 * DAY })); // inside A's and its own period: B stays active
    expect(d.engine.businessReport(30).purchasing).toMatchObject({ activeNow: 2, lapsed: 0 });
    // Time passes on other customers' events: A's period ran out 20 days ago, B's 15.
    d.send(anEvent("web_visit", { customerId: "C", ts: T0 - 14 * DAY }));
    expect(d.engine.businessReport(30).purchasing).toMatchObject({ activeNow: 0, lapsed: 2, firstPurchases: 2, returned: 0 });
    d.send(anEvent("purchase", { customerId: "A", ts: T0 - 13 * DAY }));
    expect(d.engine.businessReport(30).purchasing).toMatchObject({ activeNow: 1, lapsed: 2, returned: 1 });
    // Five days from T0 - 17 days: after A's lapse (inactive at the start, returned inside), before B's.
    expect(d.engine.businessReport(5).purchasing).toMatchObject({ activeAtStart: 1, activeNow: 1, lapsed: 1, returned: 1, attritionRate: 1 });
  });

  it.each([7, 45])("over %i days measure cross-sell and up-sell to existing customers, as each purchase against the customer's history says", (days) => {
    const growth = driver.engine.businessReport(days).growth;
    const expected = growthReference(events, dayOf(now) - days + 1, driver.config.engine.maxProductsPerCustomer);
    expect(growth.repeatPurchaseAmount).toBeCloseTo(expected.repeat, 6);
    expect(growth.crossSell.purchases).toBe(expected.crossSellPurchases);
    expect(growth.crossSell.amount).toBeCloseTo(expected.crossSell, 6);
    expect(growth.upSellAmount).toBeCloseTo(expected.upSell, 6);
    expect(growth.index).toBeCloseTo((expected.crossSell + expected.upSell) / expected.repeat, 9);
    expect(expected.crossSellPurchases).toBeGreaterThan(0);
    expect(expected.upSell).toBeGreaterThan(0);
  });

  it("after a restart with new value-tier thresholds, move customers from the tier they were counted in", () => {
    const cut = driver.engine.beginCheckpoint();
    const restarted = new EngineDriver({ yaml: "metrics:\n  valueTiers: { medium: 100, high: 300 }\n" });
    restarted.engine.restoreCheckpoint(cut.engine);
    for (const customerId of cut.customerIds) restarted.engine.restoreCustomer(customerId, driver.engine.captureCustomer(cut, customerId));
    driver.engine.abortCheckpoint(cut);
    // One more event for every customer: each moves to its tier under the new thresholds.
    let seq = 1_000_000;
    for (const customerId of cut.customerIds) restarted.send(anEvent("web_visit", { customerId, ts: now }), { seq: ++seq });
    const tiers = restarted.engine.businessReport(30).byValueTier;
    const counts = { low: 0, medium: 0, high: 0 };
    for (const customerId of cut.customerIds) {
      const s = restarted.engine.customerState(customerId)!;
      if (!s.cancelled) counts[s.revenue >= 300 ? "high" : s.revenue >= 100 ? "medium" : "low"]++;
    }
    expect({ low: tiers.low.customers.now, medium: tiers.medium.customers.now, high: tiers.high.customers.now }).toEqual(counts);
  });

  it.each([7, 45])("over %i days, by lifecycle stage, follow stages that change with time alone, as a day-by-day replay says", (days) => {
    const d = new EngineDriver({ yaml: "engine:\n  lifecycle: { newFor: 5d, atRiskAfter: 10d, churnedAfter: 20d }\n" });
    for (const event of events) d.send(event);
    const report = d.engine.businessReport(days);
    const expected = lifecycleReference(events, dayOf(now) - days + 1, d.config.engine.lifecycle);
    expectGroupsToMatch(report.byLifecycleStage, expected);
    // Time alone moved customers: churned by inactivity (cancelled ones leave the base), and new ones grown out of it.
    const stages = report.byLifecycleStage;
    expect(stages.churned.customers.now).toBeGreaterThan(0);
    expect(stages["at-risk"].customers.now).toBeGreaterThan(0);
    expect(stages.active.customers.now).toBeGreaterThan(0);
    if (days === 45) expect(stages.new.customers.atStart).toBeGreaterThan(stages.new.customers.now);
  });

  it("come back identical from a checkpoint", () => {
    const cut = driver.engine.beginCheckpoint();
    driver.engine.abortCheckpoint(cut);
    const restored = new EngineDriver();
    restored.engine.restoreCheckpoint(cut.engine);
    for (const days of [7, 30, 365]) expect(restored.engine.businessReport(days)).toEqual(driver.engine.businessReport(days));
  });

  it("count an event too late for the windows in no day, but in the base", () => {
    const d = new EngineDriver();
    d.send(anEvent("purchase", { customerId: "A", ts: T0, amount: 50 }));
    const lateTs = T0 - d.config.engine.allowedLatenessMs - 1;
    d.send(anEvent("purchase", { customerId: "B", ts: lateTs, amount: 70 }));
    const report = d.engine.businessReport(30);
    expect(report.value.revenue).toBe(50);
    expect(report.customers.now).toBe(2);
    expect(report.customers.atStart).toBe(1); // B counts as a customer from before the window
  });

  it("track complaints to their resolution and the time it took", () => {
    const d = new EngineDriver();
    const HOUR = 3_600_000;
    d.send(anEvent("complaint", { customerId: "A", ts: T0 - 3 * HOUR }));
    d.send(anEvent("complaint", { customerId: "A", ts: T0 - 3 * HOUR + 1_000 }));
    d.send(anEvent("complaint", { customerId: "B", ts: T0 - 3 * HOUR + 2_000 }));
    d.send(anEvent("complaint_resolved", { customerId: "A", ts: T0 - 2 * HOUR }));
    expect(d.engine.businessReport(7).complaints).toEqual({ opened: 3, resolutions: 0, meanHoursToResolve: null, openNow: 2 });
    d.send(anEvent("complaint_resolved", { customerId: "A", ts: T0 - HOUR }));
    expect(d.engine.businessReport(7).complaints).toEqual({ opened: 3, resolutions: 1, meanHoursToResolve: 2, openNow: 1 });
    expect(d.rejected).toEqual([]);
  });

  it("count a signup after a cancellation as a reactivation, not an acquisition", () => {
    const d = new EngineDriver();
    d.send(anEvent("signup", { customerId: "A", ts: T0 - 3 * DAY }));
    d.send(anEvent("signup", { customerId: "B", ts: T0 - 3 * DAY }));
    d.send(anEvent("cancel", { customerId: "A", ts: T0 - 2 * DAY }));
    // Windows end at the watermark, the day of the cancellation here.
    expect(d.engine.businessReport(1).customers).toMatchObject({ atStart: 2, now: 1, acquired: 0, lost: 1 });
    d.send(anEvent("signup", { customerId: "A", ts: T0 - 60_000 }));
    expect(d.engine.businessReport(7).customers).toMatchObject({ atStart: 0, now: 2, acquired: 2, lost: 1, reactivated: 1 });
    expect(d.engine.businessReport(1).customers).toMatchObject({ atStart: 1, now: 2, acquired: 0, lost: 0, reactivated: 1 });
  });

  it("report no rate while there is nothing to divide by, and refuse a window beyond the longest configured", () => {
    const d = new EngineDriver();
    d.send(anEvent("signup", { customerId: "A" }));
    const report = d.engine.businessReport(30);
    expect(report.customers).toMatchObject({ atStart: 0, now: 1, acquired: 1, acquisitionRate: null, attritionRate: null });
    expect(report.attitude.nps).toBeNull();
    const longest = Math.max(...d.config.engine.businessWindowDays);
    expect(() => d.engine.businessReport(longest + 1)).toThrow(`window must be 1 to ${longest} whole days, got ${longest + 1}`);
  });
});
