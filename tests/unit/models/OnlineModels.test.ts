import { describe, expect, it } from "vitest";
import type { EventInput, ModelReport } from "../../../engine/index.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";
import { Rng } from "../../../simulator/Rng.js";

/** Short horizons so a test's stream covers many of them; one trigger, to have decisions to respond to. */
const CONFIG = `
engine:
  maxCustomers: 5000
  lifecycle: { newFor: 5d, atRiskAfter: 10d, churnedAfter: 20d }
models:
  enabled: true
  responseWindow: 2d
  purchaseWindow: 10d
  purchaseCategories: [phones, tv]
  churnSampleRate: 1
actions:
  - id: care-call
    kind: service
    channels: [callcenter]
    value: 10
triggers:
  - id: complaint-care
    on: [complaint]
    action: care-call
    channel: callcenter
`;

function driver(yaml = CONFIG): EngineDriver {
  const d = new EngineDriver({ yaml });
  d.clock.set(T0 + 400 * DAY);
  return d;
}

const report = (d: EngineDriver, model: ModelReport["model"], target = "") =>
  d.engine.modelReports().find((r) => r.model === model && r.target === target);
const labels = (d: EngineDriver, model: ModelReport["model"], target = "") => {
  const quality = report(d, model, target)?.quality;
  return quality === undefined ? undefined : { total: quality.total, positives: quality.totalPositives };
};

describe("online models in the engine", () => {
  it("churn: the next interaction within churnedAfter is a 0, a cancellation or a longer silence a 1", () => {
    const d = driver();
    d.send(anEvent("web_visit", { customerId: "STAYS", ts: T0 }));
    d.send(anEvent("web_visit", { customerId: "STAYS", ts: T0 + 5 * DAY }));
    expect(labels(d, "churn")).toEqual({ total: 1, positives: 0 });
    d.send(anEvent("web_visit", { customerId: "CANCELS", ts: T0 + 5 * DAY }));
    d.send(anEvent("cancel", { customerId: "CANCELS", ts: T0 + 6 * DAY }));
    expect(labels(d, "churn")).toEqual({ total: 2, positives: 1 });
    // A profile update is not the customer's doing: it neither closes nor opens an observation.
    d.send(anEvent("profile", { customerId: "QUIET", ts: T0 + 6 * DAY, plan: "basic" }));
    d.send(anEvent("web_visit", { customerId: "QUIET", ts: T0 + 7 * DAY }));
    d.send(anEvent("profile", { customerId: "QUIET", ts: T0 + 8 * DAY, plan: "gold" }));
    // Event time passes 20 days after QUIET's visit, and STAYS's last one, with no activity of theirs.
    d.send(anEvent("web_visit", { customerId: "CLOCK", ts: T0 + 27 * DAY + 1 }));
    expect(labels(d, "churn")).toEqual({ total: 4, positives: 3 });
    expect(d.engine.customerState("QUIET")!.churnObservedTs).toBe(0);
    expect(d.engine.customerState("CLOCK")!.churnObservedTs).toBe(T0 + 27 * DAY + 1);
  });

  it("response: an accept labels the decision 1, silence past the window 0, and a late accept corrects it", () => {
    const d = driver();
    d.send(anEvent("complaint", { id: "c1", customerId: "A", ts: T0, reason: "billing" }));
    d.send(anEvent("complaint", { id: "c2", customerId: "B", ts: T0, reason: "billing" }));
    d.send(anEvent("complaint", { id: "c3", customerId: "C", ts: T0, reason: "billing" }));
    expect(d.decisions.map((decision) => decision.decisionId)).toEqual(["c1:complaint-care", "c2:complaint-care", "c3:complaint-care"]);
    const respond = (customerId: string, decisionId: string, response: string, ts: number) =>
      d.send(anEvent("offer_response", { customerId, ts, offerId: "care-call", decisionId, response } as Partial<EventInput>));
    respond("A", "c1:complaint-care", "impression", T0 + DAY);
    respond("A", "c1:complaint-care", "accept", T0 + DAY + 1);
    expect(labels(d, "response", "care-call")).toEqual({ total: 1, positives: 1 });
    respond("B", "c2:complaint-care", "decline", T0 + DAY + 2);
    expect(labels(d, "response", "care-call")).toEqual({ total: 2, positives: 1 });
    // C says nothing for the 2-day window: a negative when event time passes its end.
    d.send(anEvent("web_visit", { customerId: "CLOCK", ts: T0 + 2 * DAY + 5 }));
    expect(labels(d, "response", "care-call")).toEqual({ total: 3, positives: 1 });
    respond("C", "c3:complaint-care", "convert", T0 + 3 * DAY);
    expect(labels(d, "response", "care-call")).toEqual({ total: 4, positives: 2 });
    expect(report(d, "response", "care-call")!.latePositives).toBe(1);
    expect(d.engine.labelWatches.open).toBe(3 /* purchase windows of A, B and C */ + 1 /* CLOCK */);
  });

  it("purchase: at the end of the window, each category bought in it is a 1 and the others a 0", () => {
    const d = driver();
    d.send(anEvent("purchase", { customerId: "A", ts: T0, category: "phones" }));
    d.send(anEvent("purchase", { customerId: "B", ts: T0, category: "tv" }));
    d.send(anEvent("web_visit", { customerId: "C", ts: T0 + 1 }));
    d.send(anEvent("purchase", { customerId: "C", ts: T0 + 2 * DAY, category: "tv" }));
    d.send(anEvent("purchase", { customerId: "C", ts: T0 + 3 * DAY, category: "phones" }));
    // Only configured categories have a model: a metric label never carries payload text.
    d.send(anEvent("purchase", { customerId: "C", ts: T0 + 3 * DAY, category: "garden" }));
    expect(d.engine.modelReports().filter((r) => r.model === "purchase").map((r) => r.target)).toEqual(["phones", "tv"]);
    // A's and B's windows opened after their own purchases (what comes next counts), C's with its visit.
    d.send(anEvent("web_visit", { customerId: "CLOCK", ts: T0 + 10 * DAY + 1 }));
    expect(labels(d, "purchase", "phones")).toEqual({ total: 3, positives: 1 });
    expect(labels(d, "purchase", "tv")).toEqual({ total: 3, positives: 1 });
  });

  it("learns who churns: on a stream where complainers mostly go quiet, the rolling AUC of its predictions is well above chance", () => {
    const d = driver();
    const rng = new Rng(5);
    const events: EventInput[] = [];
    for (let c = 0; c < 1_500; c++) {
      const customerId = `K${c}`;
      const complainer = rng.next() < 0.3;
      const start = T0 + Math.round(rng.next() * 60 * DAY);
      events.push(anEvent("signup", { customerId, ts: start }));
      if (complainer) events.push(anEvent("complaint", { customerId, ts: start + DAY, reason: "billing" }));
      // Complainers mostly stop; the others come back every few days.
      const visits = complainer ? (rng.next() < 0.8 ? 0 : 6) : rng.next() < 0.1 ? 0 : 6;
      for (let v = 1; v <= visits; v++) events.push(anEvent("web_visit", { customerId, ts: start + DAY + v * 4 * DAY }));
    }
    events.sort((a, b) => a.ts - b.ts);
    for (const event of events) d.send(event);
    d.send(anEvent("web_visit", { customerId: "CLOCK", ts: T0 + 120 * DAY }));
    const churn = report(d, "churn")!.quality;
    expect(churn.total).toBeGreaterThan(1_500);
    expect(churn.auc).toBeGreaterThan(0.75);
    const risk = d.engine.profile("K0")!.scores!.churnRisk;
    expect(risk).toBeGreaterThan(0);
    expect(risk).toBeLessThan(1);
  });

  it("come back from a checkpoint with their weights, quality and pending labels, and go on like models that never stopped", () => {
    const rng = new Rng(9);
    const events: EventInput[] = [];
    for (let i = 0; i < 3_000; i++) {
      const customerId = `M${Math.floor(rng.next() * 200)}`;
      const ts = T0 + i * 1_200_000;
      const pick = rng.next();
      if (pick < 0.3) events.push(anEvent("purchase", { customerId, ts, category: rng.next() < 0.5 ? "phones" : "tv" }));
      else if (pick < 0.4) events.push(anEvent("complaint", { id: `mc${i}`, customerId, ts, reason: "billing" }));
      else if (pick < 0.5) {
        const decided = events.find((e) => e.type === "complaint" && e.customerId === customerId);
        if (decided !== undefined) {
          const response = rng.next() < 0.5 ? "accept" : "decline";
          events.push(anEvent("offer_response", { customerId, ts, offerId: "care-call", decisionId: `${decided.id}:complaint-care`, response } as Partial<EventInput>));
        }
      } else events.push(anEvent("web_visit", { customerId, ts }));
    }
    const half = Math.floor(events.length / 2);
    const uninterrupted = driver();
    for (const event of events) uninterrupted.send(event);

    const first = driver();
    for (const event of events.slice(0, half)) first.send(event);
    const restored = first.restartInto(driver());
    let seq = half;
    for (const event of events.slice(half)) restored.send(event, { seq: ++seq });

    expect(restored.engine.modelReports()).toEqual(uninterrupted.engine.modelReports());
    expect(restored.engine.labelWatches).toEqual(uninterrupted.engine.labelWatches);
    expect(restored.engine.profile("M1")!.scores).toEqual(uninterrupted.engine.profile("M1")!.scores);
    const learned = uninterrupted.engine.modelReports().map((r) => [r.model, r.target, r.quality.total > 10]);
    expect(learned).toEqual([
      ["churn", "", true],
      ["response", "care-call", true],
      ["purchase", "phones", true],
      ["purchase", "tv", true],
    ]);
  });

  it("scores are rule names: churnRisk, responsePropensity and purchasePropensity; NaN with the models off", () => {
    const yaml = `${CONFIG}
segments:
  - id: risky
    when: churnRisk > 0.05 and responsePropensity("care-call") > 0.01 and not (purchasePropensity("none") > 0)
`;
    const on = driver(yaml);
    on.send(anEvent("web_visit", { customerId: "A" }));
    expect(on.engine.segmentsOf("A")).toEqual(["risky"]);
    const off = driver(yaml.replace("  enabled: true\n", "  enabled: false\n"));
    off.send(anEvent("web_visit", { customerId: "A" }));
    expect(off.engine.segmentsOf("A")).toEqual([]);
    expect(off.engine.profile("A")!.scores).toBeNull();
    expect(off.engine.modelReports()).toEqual([]);
  });
});
