import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../config/loadConfig.js";
import { ConfigError, SUPPRESSION_REASONS, type Decision, type EventInput } from "../../../engine/index.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

/** Models off, so a score is value x weight and the ranking is easy to follow. */
const POLICY = `
engine: { maxCustomers: 1000 }
models: { enabled: false }
contactPolicy:
  caps:
    - { channel: all, max: 3, window: 7d }
    - { channel: email, max: 1, window: 1d }
  declineCoolDown: 3d
  offersWhileComplaintOpen: false
  outstandingFor: 2d
  acceptedRestFor: 30d
  withdrawWithin: 7d
actions:
  - id: upgrade
    kind: offer
    channels: [web, app, email]
    value: 100
    applicability: plan != ""
    suitability: revenue >= 50
  - id: bundle
    kind: offer
    channels: [web, app, email]
    value: 50
  - id: tips
    kind: message
    channels: [web, app, email]
    value: 5
  - id: care
    kind: service
    channels: [web, app, callcenter]
    value: 1
triggers:
  - id: bundle-on-visit
    on: [web_visit]
    action: bundle
    channel: email
`;

function driver(): EngineDriver {
  const d = new EngineDriver({ yaml: POLICY });
  d.clock.set(T0 + 365 * DAY);
  return d;
}

const top = (decision: Decision) => decision.actions.map((a) => a.actionId);
const why = (decision: Decision, actionId: string) => decision.filtered?.find((f) => f.actionId === actionId)?.reason;
const respond = (d: EngineDriver, decisionId: string, offerId: string, response: string, channel: EventInput["channel"], ts: number, id?: string) =>
  d.send(anEvent("offer_response", { ...(id === undefined ? {} : { id }), customerId: "C1", channel, ts, offerId, decisionId, response } as Partial<EventInput>));

describe("arbitration stages and the contact policy", () => {
  it("applicability and suitability remove an action with the rule that removed it", () => {
    const d = driver();
    d.send(anEvent("login", { customerId: "C1", ts: T0 }));
    const noPlan = d.decide("app", { customerId: "C1", limit: 4 });
    expect(why(noPlan, "upgrade")).toEqual({ code: "inapplicable", detail: 'plan != ""' });
    d.send(anEvent("signup", { customerId: "C1", ts: T0 + 1, plan: "basic" }));
    expect(why(d.decide("app", { customerId: "C1", limit: 4 }), "upgrade")).toEqual({ code: "unsuitable", detail: "revenue >= 50" });
    d.send(anEvent("purchase", { customerId: "C1", ts: T0 + 2, amount: 60 }));
    expect(top(d.decide("app", { customerId: "C1", limit: 1 }))).toEqual(["upgrade"]);
  });

  it("a cap across channels holds offers and messages back, never service actions, and frees up as its window passes", () => {
    const d = driver();
    d.send(anEvent("profile", { customerId: "C1", ts: T0, plan: "basic" }));
    // Two channels ask at the same moment: each sees the other's contact at once.
    expect(top(d.decide("web", { customerId: "C1", limit: 1 }))).toEqual(["bundle"]);
    expect(top(d.decide("app", { customerId: "C1", limit: 1 }))).toEqual(["tips"]);
    expect(why(d.decide("app", { customerId: "C1", limit: 1 }), "bundle")!.detail).toMatch(/offered on web and not answered yet/);
    // Three contacts in 7 days: nothing but service until the oldest leaves the window.
    const capped = d.decide("web", { customerId: "C1", limit: 4 });
    expect(top(capped)).toEqual(["care"]);
    expect(why(capped, "tips")).toEqual({ code: "policy", detail: "frequency cap: at most 3 offers and messages on all channels together in 7d" });
    d.send(anEvent("profile", { customerId: "C1", ts: T0 + 7 * DAY + 1, plan: "basic" }));
    expect(top(d.decide("web", { customerId: "C1", limit: 1 }))).not.toEqual(["care"]);
  });

  it("a per-channel cap counts that channel only", () => {
    const d = driver();
    d.send(anEvent("profile", { customerId: "C1", ts: T0 }));
    expect(top(d.decide("email", { customerId: "C1", limit: 1 }))).toEqual(["bundle"]);
    const second = d.decide("email", { customerId: "C1", limit: 3 });
    expect(top(second)).toEqual([]);
    expect(why(second, "tips")!.detail).toBe("frequency cap: at most 1 offers and messages on email in 1d");
    // The web is under no cap yet (the bundle waits for its answer on email, so the message goes).
    expect(top(d.decide("web", { customerId: "C1", limit: 1 }))).toEqual(["tips"]);
  });

  it("after a decline, no offers for the cool-down; a message still goes", () => {
    const d = driver();
    d.send(anEvent("profile", { customerId: "C1", ts: T0 }));
    const offered = d.decide("web", { customerId: "C1", limit: 1 });
    respond(d, offered.decisionId, "bundle", "decline", "web", T0 + 1000);
    const cooling = d.decide("web", { customerId: "C1", limit: 3 });
    expect(top(cooling)).toEqual(["tips", "care"]);
    expect(why(cooling, "bundle")!.detail).toBe("cool-down: the customer declined an offer within 3d");
    d.send(anEvent("profile", { customerId: "C1", ts: T0 + 3 * DAY + 1001 }));
    expect(top(d.decide("web", { customerId: "C1", limit: 1 }))).toEqual(["bundle"]);
  });

  it("no sales offers while a complaint is open; service and messages go on", () => {
    const d = driver();
    d.send(anEvent("complaint", { customerId: "C1", ts: T0, reason: "billing" }));
    const decision = d.decide("web", { customerId: "C1", limit: 4 });
    expect(top(decision)).toEqual(["tips", "care"]);
    expect(why(decision, "bundle")).toEqual({ code: "policy", detail: "a complaint is open: no sales offers" });
    d.send(anEvent("complaint_resolved", { customerId: "C1", ts: T0 + 1 }));
    expect(top(d.decide("web", { customerId: "C1", limit: 1 }))).toEqual(["bundle"]);
  });

  it("an offer accepted on one channel is withdrawn on the others and not made again anywhere", () => {
    const d = driver();
    d.send(anEvent("profile", { customerId: "C1", ts: T0 }));
    const onWeb = d.decide("web", { customerId: "C1", limit: 1 });
    // The same offer went out by email from a trigger before the web page asked (outstanding rule: same channel allowed).
    d.send(anEvent("web_visit", { id: "v1", customerId: "C1", channel: "web", ts: T0 + 10 }));
    const byEmail = d.decisions.find((decision) => decision.triggerId === "bundle-on-visit");
    expect(byEmail).toBeUndefined(); // held back: outstanding on web
    respond(d, onWeb.decisionId, "bundle", "accept", "web", T0 + 20);
    expect(d.engine.profile("C1")!.engagement.recentDecisions.map((r) => r.actionId)).toEqual(["bundle"]);
    const later = d.decide("app", { customerId: "C1", limit: 4 });
    expect(why(later, "bundle")).toEqual({ code: "policy", detail: "accepted on web within 30d" });
    expect(d.engine.stats.suppressed.get("bundle-on-visit")?.[SUPPRESSION_REASONS.indexOf("policy")]).toBe(1);
  });

  it("an accept withdraws the unanswered decisions for that offer on other channels, each on its own channel", () => {
    const d = driver();
    d.send(anEvent("profile", { customerId: "C1", ts: T0 }));
    // A trigger offers the bundle by email; later the customer accepts it on the web page.
    d.send(anEvent("web_visit", { id: "v1", customerId: "C1", channel: "web", ts: T0 + 10 }));
    const byEmail = d.decisions.find((decision) => decision.triggerId === "bundle-on-visit")!;
    expect(byEmail.channel).toBe("email");
    respond(d, "web-moment-1", "bundle", "accept", "web", T0 + 20, "r1");
    const withdrawals = d.decisions.filter((decision) => decision.source === "withdrawal");
    expect(withdrawals).toEqual([
      expect.objectContaining({
        decisionId: `r1:withdraw:${byEmail.decisionId}`,
        channel: "email",
        actions: [],
        withdrawn: { actionId: "bundle", decisionId: byEmail.decisionId, acceptedOn: "web" },
      }),
    ]);
    expect(d.engine.profile("C1")!.engagement.recentDecisions).toHaveLength(1);
  });

  it("rejects a cap the contact history cannot count exactly, naming the key", () => {
    expect(() => parseConfig("engine: { contactHistory: 5 }\ncontactPolicy:\n  caps:\n    - { channel: all, max: 5, window: 7d }\n", "cap.yaml")).toThrow(ConfigError);
    expect(() => parseConfig("engine: { contactHistory: 5 }\ncontactPolicy:\n  caps:\n    - { channel: all, max: 5, window: 7d }\n", "cap.yaml")).toThrow(
      /contactPolicy\.caps\[0\]\.max: a cap must be below engine\.contactHistory \(5\)/,
    );
  });
});
