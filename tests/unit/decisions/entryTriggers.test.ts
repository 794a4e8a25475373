import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../config/loadConfig.js";
import { compileDecisionConfig, SUPPRESSION_REASONS } from "../../../engine/index.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

const SMALL = { maxCustomers: 1_000 } as const;

const CONFIG = `
version: entry-1
segments:
  - { id: big-spender, when: revenue >= 500 }
  - { id: lapsed, when: purchases > 0 and daysSinceLastPurchase > 30 }
actions:
  - { id: vip-welcome, kind: message, channels: [email, app], value: 5 }
  - { id: come-back, kind: offer, channels: [email], value: 20 }
triggers:
  - { id: vip, enters: big-spender, action: vip-welcome, channel: email }
  - { id: win-back, enters: lapsed, when: revenue > 100, action: come-back, channel: email }
`;

describe("triggers on segment entry", () => {
  it("decides as an event brings the customer into the segment, once, with a repeatable id naming the change", () => {
    const d = new EngineDriver({ yaml: CONFIG, settings: SMALL });
    d.send(anEvent("purchase", { id: "p1", customerId: "A", ts: T0, amount: 300 }));
    expect(d.decisions).toHaveLength(0);
    d.send(anEvent("purchase", { id: "p2", customerId: "A", ts: T0 + 1_000, amount: 300 }));
    expect(d.decisions).toHaveLength(1);
    const decision = d.decisions[0]!;
    expect(decision).toMatchObject({
      decisionId: "A:big-spender:enter:p2:vip",
      customerId: "A",
      channel: "email",
      source: "trigger",
      triggerId: "vip",
      eventId: "p2",
      ts: T0 + 1_000,
      probability: 1,
    });
    expect(decision.actions[0]!.actionId).toBe("vip-welcome");
    // Staying in the segment fires nothing more.
    d.send(anEvent("purchase", { id: "p3", customerId: "A", ts: T0 + 2_000, amount: 300 }));
    expect(d.decisions).toHaveLength(1);
    expect(d.engine.customerState("A")!.contacts.toArray().map((contact) => contact.decisionId)).toEqual(["A:big-spender:enter:p2:vip"]);
  });

  it("decides at the moment time alone brings the customer in, with the trigger's rule read then", () => {
    const d = new EngineDriver({ yaml: CONFIG, settings: SMALL });
    d.send(anEvent("purchase", { id: "b1", customerId: "B", ts: T0, amount: 200 }));
    d.send(anEvent("purchase", { id: "c1", customerId: "C", ts: T0, amount: 50 }));
    // Another customer's event moves event time past 30 days and 1 ms after their last purchases.
    d.clock.set(T0 + 31 * DAY);
    d.send(anEvent("login", { id: "z1", customerId: "Z", ts: T0 + 31 * DAY }));
    const winBack = d.decisions.filter((decision) => decision.triggerId === "win-back");
    expect(winBack).toHaveLength(1);
    expect(winBack[0]).toMatchObject({ decisionId: `B:lapsed:enter:t${T0 + 30 * DAY + 1}:win-back`, customerId: "B", ts: T0 + 30 * DAY + 1, channel: "email" });
    expect(winBack[0]!.eventId).toBeUndefined();
    // C entered too, but its revenue of 50 fails the trigger's rule.
    expect(d.engine.customerState("C")!.segments).not.toBe(0);
    expect(d.engine.stats.suppressed.get("win-back")).toBeUndefined();
  });

  it("holds a stale event's entry back, and fires nothing when a restart re-evaluates customers under new segment definitions", () => {
    const stale = new EngineDriver({ yaml: CONFIG, settings: { ...SMALL, triggerMaxAgeMs: DAY } });
    stale.send(anEvent("purchase", { customerId: "A", ts: T0, amount: 600 }), { storedAt: T0 + 2 * DAY });
    expect(stale.decisions).toHaveLength(0);
    expect(stale.engine.stats.suppressed.get("vip")![SUPPRESSION_REASONS.indexOf("stale")]).toBe(1);

    const before = new EngineDriver({ yaml: CONFIG.replace("revenue >= 500", "revenue >= 5000"), settings: SMALL });
    before.send(anEvent("purchase", { customerId: "A", ts: T0, amount: 600 }));
    expect(before.decisions).toHaveLength(0);
    const after = before.restartInto(new EngineDriver({ yaml: CONFIG, settings: SMALL }));
    expect(after.segmentChanges.map((change) => [change.segment, change.change, change.cause])).toEqual([["big-spender", "enter", "definition"]]);
    expect(after.decisions).toHaveLength(0);
  });

  it("refuses a trigger with neither or both of on and enters, an unknown segment, or the event's channel", () => {
    const compile = (triggers: string) => () => {
      const config = parseConfig(`${CONFIG.slice(0, CONFIG.indexOf("triggers:"))}triggers:\n${triggers}\n`, "entry.yaml");
      compileDecisionConfig(config.decisions, config.locate);
    };
    expect(compile("  - { id: t, action: vip-welcome, channel: email }")).toThrow(/trigger "t" needs either `on` \(event types\) or `enters` \(a segment\), not neither/);
    expect(compile("  - { id: t, on: [login], enters: lapsed, action: vip-welcome, channel: email }")).toThrow(/not both/);
    expect(compile("  - { id: t, enters: nobody, action: vip-welcome, channel: email }")).toThrow(/fires on entering segment "nobody", which is not defined/);
    expect(compile("  - { id: t, enters: lapsed, action: vip-welcome, channel: event }")).toThrow(/name a channel or "best", not "event"/);
    expect(compile("  - { id: t, enters: lapsed, when: event.amount > 1, action: vip-welcome, channel: email }")).toThrow(/event/);
    // A score crossing a threshold: a segment on the score, and a trigger on entering it.
    const scored = parseConfig(
      `models: { enabled: true }\nsegments:\n  - { id: risky, when: churnRisk > 0.7 }\nactions:\n  - { id: save, kind: offer, channels: [callcenter], value: 50 }\ntriggers:\n  - { id: save-risky, enters: risky, action: save, channel: callcenter }\n`,
      "scored.yaml",
    );
    expect(compileDecisionConfig(scored.decisions, scored.locate).triggersOnEntry[0]!.map((trigger) => trigger.id)).toEqual(["save-risky"]);
  });
});
