import { describe, expect, it } from "vitest";
import { WindowSeries } from "../../../engine/state/CustomerState.js";
import { channelIndex, DAY, HOUR, LIFECYCLE, StateDriver, T0, typeIndex } from "./stateFixtures.js";

describe("CustomerState: behaviour", () => {
  it("counts purchases, adds revenue and remembers the last purchase time", () => {
    const s = new StateDriver();
    s.apply("purchase", { amount: 100, product: "p1", category: "phones", ts: T0 - DAY });
    s.apply("purchase", { amount: 50.5, product: "p2", category: "cases", ts: T0 });
    expect(s.state.purchases).toBe(2);
    expect(s.state.revenue).toBe(150.5);
    expect(s.state.lastPurchaseTs).toBe(T0);
  });

  it("keeps revenue net of refunds and counts refunded money apart", () => {
    const s = new StateDriver();
    s.apply("purchase", { amount: 100, product: "p1", category: "phones" });
    s.apply("payment", { amount: 30 });
    s.apply("refund", { amount: 40, product: "p1" });
    expect(s.state.revenue).toBe(90);
    expect(s.state.refunds).toBe(40);
    expect(s.state.purchases).toBe(1);
  });

  it("adds the cost of every event type to the cost to serve", () => {
    const s = new StateDriver();
    s.apply("service_call", { cost: 8 });
    s.apply("purchase", { amount: 10, product: "p", category: "c", cost: 2.5 });
    s.apply("login", { cost: 0.5 });
    expect(s.state.cost).toBe(11);
  });

  it("keeps products and categories distinct, in first-bought order, capped at maxProducts", () => {
    const s = new StateDriver({ maxProducts: 3 });
    for (const [product, category] of [["a", "x"], ["b", "x"], ["a", "y"], ["c", "z"], ["d", "w"]]) {
      s.apply("purchase", { amount: 1, product, category });
    }
    expect(s.state.products).toEqual(["a", "b", "c"]);
    expect(s.state.categories).toEqual(["x", "y", "z"]);
  });

  it("counts events per type and per channel", () => {
    const s = new StateDriver();
    s.apply("login", { channel: "app" });
    s.apply("login", { channel: "app" });
    s.apply("page_view", { page: "/", channel: "web" });
    expect(s.state.eventsByType[typeIndex("login")]).toBe(2);
    expect(s.state.eventsByType[typeIndex("page_view")]).toBe(1);
    expect(s.state.eventsByChannel[channelIndex("app")]).toBe(2);
    expect(s.state.eventsByChannel[channelIndex("web")]).toBe(1);
  });

  it("counts service calls", () => {
    const s = new StateDriver();
    s.apply("service_call", { reason: "billing" });
    s.apply("service_call");
    expect(s.state.serviceCalls).toBe(2);
  });

  it("tracks first and last seen in event time, whatever the arrival order", () => {
    const s = new StateDriver();
    s.apply("login", { ts: T0 });
    s.apply("login", { ts: T0 - 5 * DAY });
    s.apply("login", { ts: T0 - DAY });
    expect(s.state.firstSeenTs).toBe(T0 - 5 * DAY);
    expect(s.state.lastSeenTs).toBe(T0);
  });

  it("remembers the highest sequence applied in lastSeq", () => {
    const s = new StateDriver();
    s.apply("login", {}, { seq: 7 });
    s.apply("login", {}, { seq: 5 });
    expect(s.state.lastSeq).toBe(7);
  });
});

describe("CustomerState: attitude", () => {
  it("opens and resolves complaints, measuring the time from the first open one to all resolved", () => {
    const s = new StateDriver();
    s.apply("complaint", { ts: T0, reason: "late" });
    s.apply("complaint", { ts: T0 + HOUR });
    expect(s.state.openComplaints).toBe(2);
    expect(s.state.complaints).toBe(2);
    expect(s.state.openComplaintSinceTs).toBe(T0);
    expect(s.state.lastComplaintTs).toBe(T0 + HOUR);
    s.apply("complaint_resolved", { ts: T0 + 2 * HOUR });
    expect(s.state.openComplaints).toBe(1);
    expect(s.state.lastResolutionMs).toBeNaN();
    s.apply("complaint_resolved", { ts: T0 + 5 * HOUR });
    expect(s.state.openComplaints).toBe(0);
    expect(s.state.openComplaintSinceTs).toBe(0);
    expect(s.state.lastResolutionMs).toBe(5 * HOUR);
    expect(s.state.complaints).toBe(2);
  });

  it("ignores a resolution when no complaint is open", () => {
    const s = new StateDriver();
    s.apply("complaint_resolved");
    expect(s.state.openComplaints).toBe(0);
    expect(s.state.lastResolutionMs).toBeNaN();
  });

  it("keeps the last answer and the mean per survey kind", () => {
    const s = new StateDriver();
    s.apply("survey", { survey: "nps", score: 4, ts: T0 });
    s.apply("survey", { survey: "nps", score: 10, ts: T0 + 1 });
    s.apply("survey", { survey: "csat", score: 2, ts: T0 + 2 });
    s.apply("survey", { survey: "ces", score: 6, ts: T0 + 3 });
    expect(s.state.nps.last).toBe(10);
    expect(s.state.nps.mean).toBe(7);
    expect(s.state.nps.count).toBe(2);
    expect(s.state.csat.last).toBe(2);
    expect(s.state.csat.mean).toBe(2);
    expect(s.state.ces.last).toBe(6);
    expect(s.state.ces.lastTs).toBe(T0 + 3);
  });

  it("does not let an out-of-order older survey override a later answer, but counts it in the mean", () => {
    const s = new StateDriver();
    s.apply("survey", { survey: "nps", score: 9, ts: T0 });
    s.apply("survey", { survey: "nps", score: 1, ts: T0 - DAY });
    expect(s.state.nps.last).toBe(9);
    expect(s.state.nps.lastTs).toBe(T0);
    expect(s.state.nps.mean).toBe(5);
  });

  it("starts with unknown (NaN) survey scores", () => {
    const s = new StateDriver();
    expect(s.state.nps.last).toBeNaN();
    expect(s.state.csat.mean).toBeNaN();
  });

  it("gives one customer's answers to that customer only, while others still read unknown scores", () => {
    const answered = new StateDriver();
    const silent = new StateDriver();
    answered.apply("survey", { survey: "nps", score: 9, ts: T0 });
    expect(answered.state.nps.last).toBe(9);
    expect([silent.state.nps.last, silent.state.nps.count, answered.state.csat.count]).toEqual([Number.NaN, 0, 0]);
  });
});

describe("CustomerState: engagement and lifecycle events", () => {
  it("counts offer responses, accepts (accept and convert) and declines with the last decline time", () => {
    const s = new StateDriver();
    for (const [response, ts] of [["impression", T0], ["click", T0], ["accept", T0], ["convert", T0], ["decline", T0 + DAY], ["decline", T0]] as const) {
      s.apply("offer_response", { offerId: "o", response, ts });
    }
    expect(s.state.offerResponses).toBe(6);
    expect(s.state.offersAccepted).toBe(2);
    expect(s.state.offersDeclined).toBe(2);
    expect(s.state.lastDeclineTs).toBe(T0 + DAY);
  });

  it("does not count an offer impression or a profile update as customer activity", () => {
    const s = new StateDriver();
    s.apply("login", { ts: T0 });
    s.apply("offer_response", { offerId: "o", response: "impression", ts: T0 + DAY });
    s.apply("profile", { plan: "gold", ts: T0 + 2 * DAY });
    expect(s.state.lastActiveTs).toBe(T0);
    expect(s.state.lastSeenTs).toBe(T0 + 2 * DAY);
    s.apply("offer_response", { offerId: "o", response: "click", ts: T0 + 3 * DAY });
    expect(s.state.lastActiveTs).toBe(T0 + 3 * DAY);
  });

  it("marks a customer cancelled until a later signup reactivates them", () => {
    const s = new StateDriver();
    s.apply("signup", { ts: T0, plan: "basic" });
    expect(s.state.cancelled).toBe(false);
    expect(s.state.plan).toBe("basic");
    s.apply("cancel", { ts: T0 + DAY, reason: "price" });
    expect(s.state.cancelled).toBe(true);
    s.apply("signup", { ts: T0 + 2 * DAY });
    expect(s.state.cancelled).toBe(false);
    expect(s.state.signupTs).toBe(T0 + 2 * DAY);
  });

  it("keeps a cancellation that is later in event time than a signup that arrives after it", () => {
    const s = new StateDriver();
    s.apply("cancel", { ts: T0 + DAY });
    s.apply("signup", { ts: T0 });
    expect(s.state.cancelled).toBe(true);
  });

  it("sets and clears consent bits per channel, remembering which are known", () => {
    const s = new StateDriver();
    s.apply("profile", { consents: { email: true, sms: true } });
    s.apply("profile", { consents: { sms: false, app: true } });
    expect(s.state.hasConsent(channelIndex("email"))).toBe(true);
    expect(s.state.hasConsent(channelIndex("sms"))).toBe(false);
    expect(s.state.hasConsent(channelIndex("app"))).toBe(true);
    expect(s.state.hasConsent(channelIndex("web"))).toBe(false);
    const known = (1 << channelIndex("email")) | (1 << channelIndex("sms")) | (1 << channelIndex("app"));
    expect(s.state.consentKnownMask).toBe(known);
  });

  it("merges profile attributes and fields, keeping what a later profile does not mention", () => {
    const s = new StateDriver();
    s.apply("profile", { plan: "basic", region: "north", birthYear: 1980, preferredChannel: "sms", attrs: { tier: "gold", kids: 2 } });
    s.apply("profile", { plan: "premium", attrs: { kids: 3, vip: true } });
    expect(s.state.plan).toBe("premium");
    expect(s.state.region).toBe("north");
    expect(s.state.birthYear).toBe(1980);
    expect(s.state.preferredChannel).toBe(channelIndex("sms"));
    expect(s.state.attributes).toEqual({ tier: "gold", kids: 3, vip: true });
  });
});

describe("CustomerState: windows", () => {
  it("sums net revenue over the last 7 and 30 days via windowSum", () => {
    const s = new StateDriver();
    s.apply("purchase", { amount: 100, product: "p", category: "c", ts: T0 - 20 * DAY });
    s.apply("purchase", { amount: 40, product: "p", category: "c", ts: T0 - 3 * DAY });
    s.apply("refund", { amount: 15, ts: T0 - DAY });
    s.apply("payment", { amount: 5, ts: T0 });
    expect(s.state.windowSum(WindowSeries.revenue, T0, 30)).toBe(130);
    expect(s.state.windowSum(WindowSeries.revenue, T0, 7)).toBe(30);
    expect(s.state.windowSum(WindowSeries.purchases, T0, 30)).toBe(2);
    expect(s.state.windowSum(WindowSeries.interactions, T0, 30)).toBe(4);
  });

  it("drops a day from the 7-day sum once it is 7 days old", () => {
    const s = new StateDriver();
    s.apply("purchase", { amount: 10, product: "p", category: "c", ts: T0 - 6 * DAY });
    s.apply("purchase", { amount: 20, product: "p", category: "c", ts: T0 - 7 * DAY });
    expect(s.state.windowSum(WindowSeries.revenue, T0, 7)).toBe(10);
  });

  it("sums service calls, complaints, digital visits and cost in their series", () => {
    const s = new StateDriver();
    s.apply("service_call", { cost: 3 });
    s.apply("complaint");
    s.apply("web_visit", { page: "/" });
    s.apply("login");
    s.apply("page_view", { page: "/x" });
    expect(s.state.windowSum(WindowSeries.serviceCalls, T0, 7)).toBe(1);
    expect(s.state.windowSum(WindowSeries.complaints, T0, 7)).toBe(1);
    expect(s.state.windowSum(WindowSeries.digitalVisits, T0, 7)).toBe(2);
    expect(s.state.windowSum(WindowSeries.cost, T0, 7)).toBe(3);
  });

  it("updates lifetime state but no window for a late (windowed = false) event", () => {
    const s = new StateDriver();
    s.apply("purchase", { amount: 100, product: "p", category: "c", ts: T0 });
    const windowed = s.apply("purchase", { amount: 50, product: "q", category: "c", ts: T0 - 2 * HOUR }, { windowed: false });
    expect(windowed).toBe(false);
    expect(s.state.revenue).toBe(150);
    expect(s.state.purchases).toBe(2);
    expect(s.state.products).toEqual(["p", "q"]);
    expect(s.state.windowSum(WindowSeries.revenue, T0, 30)).toBe(100);
    expect(s.state.windowSum(WindowSeries.interactions, T0, 30)).toBe(1);
  });

  it("reports whether the window took an event", () => {
    const s = new StateDriver();
    expect(s.apply("login", { ts: T0 })).toBe(true);
    // Older than the ring (30 days + lateness): lifetime only.
    expect(s.apply("login", { ts: T0 - 60 * DAY })).toBe(false);
    expect(s.state.eventsByType[typeIndex("login")]).toBe(2);
  });
});

describe("CustomerState.statusAt", () => {
  it("calls a customer who signed up within newFor new", () => {
    const s = new StateDriver();
    s.apply("signup", { ts: T0 });
    expect(s.state.statusAt(T0 + 29 * DAY, LIFECYCLE)).toBe("new");
  });

  it("calls a customer active after newFor while they keep interacting", () => {
    const s = new StateDriver();
    s.apply("signup", { ts: T0 });
    s.apply("login", { ts: T0 + 50 * DAY });
    expect(s.state.statusAt(T0 + 51 * DAY, LIFECYCLE)).toBe("active");
  });

  it("calls a customer at risk after atRiskAfter without activity", () => {
    const s = new StateDriver();
    s.apply("login", { ts: T0 });
    expect(s.state.statusAt(T0 + 60 * DAY, LIFECYCLE)).toBe("active");
    expect(s.state.statusAt(T0 + 60 * DAY + 1, LIFECYCLE)).toBe("at-risk");
  });

  it("calls a customer at risk while a complaint is open or after a detractor NPS", () => {
    const complaining = new StateDriver();
    complaining.apply("signup", { ts: T0 });
    complaining.apply("complaint", { ts: T0 });
    expect(complaining.state.statusAt(T0 + DAY, LIFECYCLE)).toBe("at-risk");
    const detractor = new StateDriver();
    detractor.apply("survey", { survey: "nps", score: 6, ts: T0 });
    expect(detractor.state.statusAt(T0 + DAY, LIFECYCLE)).toBe("at-risk");
    const passive = new StateDriver();
    passive.apply("survey", { survey: "nps", score: 7, ts: T0 });
    expect(passive.state.statusAt(T0 + DAY, LIFECYCLE)).toBe("new");
  });

  it("calls a customer churned after churnedAfter without activity, or once cancelled", () => {
    const idle = new StateDriver();
    idle.apply("login", { ts: T0 });
    expect(idle.state.statusAt(T0 + 180 * DAY + 1, LIFECYCLE)).toBe("churned");
    const cancelled = new StateDriver();
    cancelled.apply("signup", { ts: T0 });
    cancelled.apply("cancel", { ts: T0 + DAY });
    expect(cancelled.state.statusAt(T0 + 2 * DAY, LIFECYCLE)).toBe("churned");
  });

  it("calls a customer the engine has never seen new, not at risk", () => {
    const s = new StateDriver();
    expect(s.state.statusAt(T0, LIFECYCLE)).toBe("new");
  });

  it("calls a customer known only from a fresh profile update new, not at risk", () => {
    const s = new StateDriver();
    s.apply("profile", { plan: "basic", ts: T0 });
    expect(s.state.statusAt(T0 + DAY, LIFECYCLE)).toBe("new");
  });
});

describe("CustomerState: recent interactions", () => {
  it("records each event with its type, channel, amount and detail", () => {
    const s = new StateDriver();
    s.apply("purchase", { amount: 12, product: "p1", category: "c", channel: "pos" });
    const seen: unknown[] = [];
    s.state.recent.forEach((ts, t, c, amount, detail) => seen.push([ts, t, c, amount, detail]));
    expect(seen).toEqual([[T0, typeIndex("purchase"), channelIndex("pos"), 12, "p1"]]);
  });
});
