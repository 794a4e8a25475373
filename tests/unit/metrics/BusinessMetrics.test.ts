import { describe, expect, it } from "vitest";
import { CHANNELS, type EventInput } from "../../../engine/index.js";
import { TrafficSimulator } from "../../../simulator/TrafficSimulator.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

/** Sixty days of realistic traffic in time order: signups, cancellations, purchases, surveys, complaints. */
function history(count: number, customers: number): EventInput[] {
  const simulator = new TrafficSimulator({ seed: 31, customers, runId: "biz" });
  const span = 60 * DAY;
  return Array.from({ length: count }, (_, i) => simulator.nextEvent(T0 - span + Math.floor((i * span) / count)));
}

const dayOf = (ts: number) => Math.floor(ts / DAY);

/** The same metrics computed the slow way: straight from the events, customer by customer. */
function reference(events: readonly EventInput[], windowDays: number, nowTs: number) {
  const firstDay = dayOf(nowTs) - windowDays + 1;
  const inWindow = events.filter((e) => dayOf(e.ts) >= firstDay && e.ts <= nowTs);
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
    if (!before && cancelled(s) && dayOf(e.ts) >= firstDay) lost++;
  }
  const nps = surveys("nps");
  const csat = surveys("csat");
  return {
    atStart: baseBefore(firstDay),
    now: baseBefore(dayOf(nowTs) + 1),
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

describe("business metrics", () => {
  const events = history(12_000, 400);
  const driver = new EngineDriver();
  for (const event of events) driver.send(event);
  const now = driver.engine.watermark;

  it.each([7, 30, 45])("over %i days equal the same metrics computed from the events directly", (days) => {
    const report = driver.engine.businessReport(days);
    const expected = reference(events, days, now);
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
