import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../config/loadConfig.js";
import { Subjects } from "../../../connectors/nats/subjects.js";
import {
  compileDecisionConfig,
  encodeOutbound,
  EVENT_OUTCOMES,
  EVENT_TYPES,
  CHANNELS,
  IngestResult,
  InputErrorCodes,
  Rejection,
  SUPPRESSION_REASONS,
  type Decision,
} from "../../../engine/index.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

/** A small store: lru-cache preallocates for maxCustomers, and the default (1M) costs ~100 ms per engine. */
const SMALL = { settings: { maxCustomers: 1_000 } } as const;

const HOUR = 3_600_000;
const outcome = (name: (typeof EVENT_OUTCOMES)[number]) => EVENT_OUTCOMES.indexOf(name);
const count = (driver: EngineDriver, type: (typeof EVENT_TYPES)[number], channel: (typeof CHANNELS)[number], name: (typeof EVENT_OUTCOMES)[number]) =>
  driver.engine.stats.eventCount(EVENT_TYPES.indexOf(type), CHANNELS.indexOf(channel), outcome(name));
const suppressed = (driver: EngineDriver, triggerId: string, reason: (typeof SUPPRESSION_REASONS)[number]) =>
  driver.engine.stats.suppressed.get(triggerId)?.[SUPPRESSION_REASONS.indexOf(reason)] ?? 0;
const decided = (result: Decision | Rejection): Decision => {
  if (result instanceof Rejection) throw new Error(`expected a decision, got ${result.code}: ${result.message}`);
  return result;
};
const rejectedCode = (result: Decision | Rejection) => {
  expect(result).toBeInstanceOf(Rejection);
  return (result as Rejection).code;
};

/** A small catalog where scores and eligibility are easy to follow. */
const CATALOG = `
version: test-1
models: { enabled: true }
actions:
  - id: gold-offer
    kind: offer
    channels: [web, app]
    value: 100
    weight: 0.5
    eligibility: attrs.tier == "gold"
  - id: big-offer
    kind: offer
    channels: [web, app, email]
    value: 80
  - id: small-offer
    kind: offer
    channels: [web]
    value: 10
    weight: 3
  - id: call-only
    kind: service
    channels: [callcenter]
    value: 1000
  - id: never
    kind: message
    channels: [web]
    value: 5000
    eligibility: purchases > 1000
  - id: kiosk
    kind: offer
    channels: [web]
    value: 1
    eligibility: context.kiosk == true and channel == "web"
triggers:
  - id: login-nudge
    on: [login]
    action: big-offer
    channel: event
  - id: never-fires
    on: [purchase]
    action: never
    channel: web
  - id: big-spender
    on: [purchase]
    when: event.amount >= 500
    action: small-offer
    channel: web
`;

describe("Engine.ingest: replays, lateness and bad input", () => {
  it("drops a message at or below the highest sequence taken in as a redelivery, changing nothing", () => {
    const driver = new EngineDriver(SMALL);
    expect(driver.send(anEvent("complaint", { id: "k1" }), { seq: 10 })).toBe(IngestResult.Applied);
    const before = driver.engine.profile("C1");
    expect(driver.decisions).toHaveLength(1);

    expect(driver.send(anEvent("complaint", { id: "k1" }), { seq: 10 })).toBe(IngestResult.Redelivered);
    expect(driver.send(anEvent("complaint", { id: "k0", customerId: "C9" }), { seq: 9 })).toBe(IngestResult.Redelivered);
    expect(driver.send(new Uint8Array([0xc1]), { seq: 8 })).toBe(IngestResult.Redelivered);

    expect(driver.engine.profile("C1")).toEqual(before);
    expect(driver.engine.customerState("C9")).toBeUndefined();
    expect(driver.engine.customerState("C1")!.openComplaints).toBe(1);
    expect(driver.decisions).toHaveLength(1);
    expect(driver.rejected).toHaveLength(0);
    expect(driver.engine.stats.redeliveries).toBe(3);
    expect(count(driver, "complaint", "web", "applied")).toBe(1);
  });

  it("applies an event with a higher sequence after a redelivery", () => {
    const driver = new EngineDriver(SMALL);
    driver.send(anEvent("login"), { seq: 5 });
    driver.send(anEvent("login"), { seq: 5 });
    expect(driver.send(anEvent("login"), { seq: 6 })).toBe(IngestResult.Applied);
    expect(driver.engine.customerState("C1")!.lastSeq).toBe(6);
  });

  it("counts an event older than watermark minus allowed lateness as late: lifetime state yes, windows no", () => {
    const driver = new EngineDriver(SMALL); // default allowedLateness: 1h
    driver.send(anEvent("purchase", { customerId: "W", ts: T0 }));
    expect(driver.engine.watermark).toBe(T0);
    const late = anEvent("purchase", { customerId: "C2", ts: T0 - 2 * HOUR, amount: 70 });
    expect(driver.send(late)).toBe(IngestResult.Late);
    expect(driver.send(anEvent("purchase", { customerId: "C2", ts: T0 - 30 * 60_000, amount: 30 }))).toBe(IngestResult.Applied);
    const profile = driver.engine.profile("C2")!;
    expect(profile.behaviour.revenue).toBe(100);
    expect(profile.behaviour.purchases).toBe(2);
    expect(profile.behaviour.last30d.revenue).toBe(30);
    expect(count(driver, "purchase", "web", "late")).toBe(1);
    expect(driver.engine.stats.totalEvents(outcome("late"))).toBe(1);
    expect(driver.engine.watermark).toBe(T0);
  });

  it("rejects an event whose subject names another customer as subject_mismatch and stores nothing", () => {
    const driver = new EngineDriver(SMALL);
    const event = anEvent("login", { customerId: "C1" });
    expect(driver.send(event, { subject: Subjects.event("web", "C2") })).toBe(IngestResult.Rejected);
    expect(driver.send(event, { subject: Subjects.event("app", "C1") })).toBe(IngestResult.Rejected);
    expect(driver.rejected.map((r) => r.code)).toEqual([InputErrorCodes.SubjectMismatch, InputErrorCodes.SubjectMismatch]);
    expect(driver.engine.customerState("C1")).toBeUndefined();
    expect(driver.engine.customerState("C2")).toBeUndefined();
  });

  it("skips the subject check when no prefix is configured", () => {
    const driver = new EngineDriver({ ...SMALL, checkSubjects: false });
    expect(driver.send(anEvent("login"), { subject: "anything" })).toBe(IngestResult.Applied);
  });

  it("hands rejected input to the output with its original bytes, subject and sequence, leaving state untouched", () => {
    const driver = new EngineDriver(SMALL);
    driver.send(anEvent("purchase", { amount: 100 }));
    const before = driver.engine.profile("C1");
    const bytes = encodeOutbound({ ...anEvent("purchase"), amount: -1 });
    expect(driver.send(bytes, { subject: Subjects.event("web", "C1"), seq: 42 })).toBe(IngestResult.Rejected);
    expect(driver.rejected).toHaveLength(1);
    const [rejected] = driver.rejected;
    expect(rejected!.code).toBe(InputErrorCodes.InvalidValue);
    expect(rejected!.bytes).toBe(bytes);
    expect(rejected!.subject).toBe("cx.events.web.C1");
    expect(rejected!.seq).toBe(42);
    expect(rejected!.message).toContain("amount");
    expect(driver.engine.profile("C1")).toEqual(before);
    expect(driver.engine.stats.rejectedCount(InputErrorCodes.InvalidValue)).toBe(1);
    expect(driver.engine.stats.totalRejected()).toBe(1);
    expect(driver.engine.stats.lastSeq).toBe(42);
  });
});

describe("Engine.decideFor: ranking", () => {
  it("ranks eligible actions by propensity x value x weight, best first, up to the limit", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    driver.send(anEvent("profile", { attrs: { tier: "gold" } }));
    const decision = driver.decide("web", { customerId: "C1", limit: 3 });
    // No response has been learned yet: every propensity is the prior, models.priors.response.
    const prior = driver.config.engine.models!.priors.response;
    expect(decision.actions.map((a) => [a.actionId, a.propensity, a.score])).toEqual([
      ["big-offer", prior, 80 * prior],
      ["gold-offer", prior, 50 * prior],
      ["small-offer", prior, 30 * prior],
    ]);
    expect(decision.actions.every((a) => a.channel === "web")).toBe(true);
    expect(decision.actions[1]!.reasons).toEqual([
      { code: "eligible", detail: 'attrs.tier == "gold"' },
      { code: "value", detail: "100" },
      { code: "weight", detail: "0.5" },
      { code: "propensity", detail: prior.toPrecision(4) },
    ]);
    expect(driver.decide("web", { customerId: "C1", limit: 1 }).actions.map((a) => a.actionId)).toEqual(["big-offer"]);
  });

  it("uses the configured decideLimit when the request names none", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG, settings: { ...SMALL.settings, decideLimit: 2 } });
    driver.send(anEvent("login"));
    expect(driver.decide("web", { customerId: "C1" }).actions).toHaveLength(2);
  });

  it("lists every filtered action with reason channel or ineligible", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    driver.send(anEvent("login"));
    const decision = driver.decide("web", { customerId: "C1", limit: 10 });
    expect(decision.actions.map((a) => a.actionId)).toEqual(["big-offer", "small-offer"]);
    expect(decision.filtered).toEqual([
      { actionId: "gold-offer", reason: { code: "ineligible", detail: 'attrs.tier == "gold"' } },
      { actionId: "call-only", reason: { code: "channel", detail: "not offered on web" } },
      { actionId: "never", reason: { code: "ineligible", detail: "purchases > 1000" } },
      { actionId: "kiosk", reason: { code: "ineligible", detail: 'context.kiosk == true and channel == "web"' } },
    ]);
  });

  it("records the top action in the customer's contact history, visible in the profile", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    driver.send(anEvent("purchase", { ts: T0 }));
    driver.clock.advance(1000);
    const decision = driver.decide("email", { customerId: "C1", requestId: "req-1" });
    expect(decision.decisionId).toBe("C1:req-1");
    expect(decision.requestId).toBe("req-1");
    expect(decision.knownCustomer).toBe(true);
    expect(decision.ts).toBe(T0);
    expect(decision.timings.decidedAt).toBe(T0 + 1000);
    const engagement = driver.engine.profile("C1")!.engagement;
    expect(engagement.decisionsMade).toBe(1);
    expect(engagement.recentDecisions).toEqual([
      { decisionId: "C1:req-1", actionId: "big-offer", channel: "email", ts: T0, source: "request" },
    ]);
  });

  it("answers an unknown customer with knownCustomer false and does not store them", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    const decision = driver.decide("web", { customerId: "Stranger" });
    expect(decision.knownCustomer).toBe(false);
    expect(decision.actions.length).toBeGreaterThan(0);
    expect(driver.engine.profile("Stranger")).toBeUndefined();
    expect(driver.engine.customersInMemory).toBe(0);
  });

  it("gives request decisions without a requestId distinct ids", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    const a = driver.decide("web", { customerId: "C1" });
    const b = driver.decide("web", { customerId: "C1" });
    expect(a.decisionId).not.toBe(b.decisionId);
    expect(a.decisionId.startsWith("C1:")).toBe(true);
  });

  it("counts request decisions per action", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    driver.decide("web", { customerId: "C1", limit: 2 });
    expect(driver.engine.stats.totalDecisions("request")).toBe(2);
    expect(driver.engine.stats.totalDecisions("trigger")).toBe(0);
  });

  it("does not offer a win-back discount to a customer it has never seen (default configuration)", () => {
    const driver = new EngineDriver(SMALL);
    const decision = driver.decide("email", { customerId: "Prospect1" });
    expect(decision.actions.map((a) => a.actionId)).not.toContain("win-back-discount");
  });
});

describe("Engine.decide: raw request bodies", () => {
  it("decodes a MessagePack body and decides", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    const decision = decided(driver.engine.decide("app", encodeOutbound({ customerId: "C1", limit: 1 })));
    expect(decision.channel).toBe("app");
    expect(decision.actions.map((a) => a.actionId)).toEqual(["big-offer"]);
  });

  it("decodes a JSON body and decides", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    const decision = decided(driver.engine.decide("web", new TextEncoder().encode('{"customerId":"C1","requestId":"r9"}')));
    expect(decision.decisionId).toBe("C1:r9");
  });

  it("rejects a body without customerId as missing_field", () => {
    const driver = new EngineDriver(SMALL);
    const result = driver.engine.decide("web", encodeOutbound({ limit: 2 }));
    expect(rejectedCode(result)).toBe(InputErrorCodes.MissingField);
    expect((result as Rejection).message).toContain("customerId");
  });

  it("rejects an unsafe customer id as unsafe_customer_id", () => {
    const driver = new EngineDriver(SMALL);
    expect(rejectedCode(driver.engine.decide("web", encodeOutbound({ customerId: "a.b*" })))).toBe(InputErrorCodes.UnsafeCustomerId);
  });

  it("rejects an unknown channel name as unknown_channel", () => {
    const driver = new EngineDriver(SMALL);
    expect(rejectedCode(driver.engine.decide("fax", encodeOutbound({ customerId: "C1" })))).toBe(InputErrorCodes.UnknownChannel);
  });

  it("rejects a limit outside 1-50 as invalid_value", () => {
    const driver = new EngineDriver(SMALL);
    expect(rejectedCode(driver.engine.decide("web", encodeOutbound({ customerId: "C1", limit: 0 })))).toBe(InputErrorCodes.InvalidValue);
    expect(rejectedCode(driver.engine.decide("web", encodeOutbound({ customerId: "C1", limit: 51 })))).toBe(InputErrorCodes.InvalidValue);
  });

  it("rejects bad bytes with the decoder's code", () => {
    const driver = new EngineDriver(SMALL);
    expect(rejectedCode(driver.engine.decide("web", new Uint8Array(0)))).toBe(InputErrorCodes.EmptyPayload);
    expect(rejectedCode(driver.engine.decide("web", new TextEncoder().encode('{"customerId":')))).toBe(InputErrorCodes.MalformedJson);
  });

  it("tells a request with an unknown field that free values go in context", () => {
    const driver = new EngineDriver(SMALL);
    const result = driver.engine.decide("web", encodeOutbound({ customerId: "C1", kiosk: true }));
    expect(rejectedCode(result)).toBe(InputErrorCodes.UnknownField);
    expect((result as Rejection).message).toContain('"context"');
  });
});

describe("Engine: request context in eligibility rules", () => {
  it("makes an action eligible through context.<key> sent with the request", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    const withKiosk = driver.decide("web", { customerId: "C1", limit: 10, context: { kiosk: true } });
    expect(withKiosk.actions.map((a) => a.actionId)).toContain("kiosk");
    const without = driver.decide("web", { customerId: "C1", limit: 10 });
    expect(without.actions.map((a) => a.actionId)).not.toContain("kiosk");
    const otherValue = driver.decide("web", { customerId: "C1", limit: 10, context: { kiosk: "yes" } });
    expect(otherValue.actions.map((a) => a.actionId)).not.toContain("kiosk");
  });
});

describe("Engine: triggers", () => {
  it("answers a trigger with channel event on the channel the event came in on", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    driver.send(anEvent("login", { id: "l-app", channel: "app" }));
    driver.send(anEvent("login", { id: "l-email", channel: "email" }));
    expect(driver.decisions.map((d) => [d.decisionId, d.channel])).toEqual([
      ["l-app:login-nudge", "app"],
      ["l-email:login-nudge", "email"],
    ]);
    expect(driver.decisions[0]!.actions[0]!.channel).toBe("app");
  });

  it("suppresses a channel-event trigger when the action is not offered on the event's channel", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    driver.send(anEvent("login", { channel: "sms" }));
    expect(driver.decisions).toHaveLength(0);
    expect(suppressed(driver, "login-nudge", "channel")).toBe(1);
  });

  it("counts a trigger whose action is ineligible in stats.suppressed and decides nothing", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    driver.send(anEvent("purchase", { amount: 10 }));
    driver.send(anEvent("purchase", { amount: 20 }));
    expect(driver.decisions).toHaveLength(0);
    expect(suppressed(driver, "never-fires", "ineligible")).toBe(2);
    expect(suppressed(driver, "never-fires", "channel")).toBe(0);
    expect(driver.engine.customerState("C1")!.contacts.total).toBe(0);
  });

  it("fires no trigger for an event older than triggerMaxAge when the stream stored it, counting it as stale, and still applies it", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG, settings: { triggerMaxAgeMs: 24 * HOUR } });
    // Imported history: a login of a week ago, stored now; then a live one, stored as it happened.
    driver.send(anEvent("login", { id: "l-old", channel: "app", ts: T0 - 7 * DAY }), { storedAt: T0 });
    driver.send(anEvent("login", { id: "l-new", channel: "app", ts: T0 - HOUR }), { storedAt: T0 - HOUR + 50 });
    // Without a storage time (a tool feeding the engine directly), the rule does not apply.
    driver.send(anEvent("login", { id: "l-untimed", channel: "app", ts: T0 - 7 * DAY }));
    expect(driver.decisions.map((d) => d.decisionId)).toEqual(["l-new:login-nudge", "l-untimed:login-nudge"]);
    expect(suppressed(driver, "login-nudge", "stale")).toBe(1);
    expect(driver.engine.customerState("C1")!.eventsByType[EVENT_TYPES.indexOf("login")]).toBe(3);
  });

  it("fires a trigger only when its when-rule over the event holds", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    driver.send(anEvent("purchase", { id: "p-small", amount: 499 }));
    driver.send(anEvent("purchase", { id: "p-big", amount: 500 }));
    expect(driver.decisions.map((d) => d.decisionId)).toEqual(["p-big:big-spender"]);
    expect(driver.decisions[0]!.actions[0]!.reasons[0]).toEqual({ code: "trigger", detail: "big-spender" });
  });

  it("gives trigger decisions the deterministic id <eventId>:<triggerId>, the same on another engine", () => {
    const run = () => {
      const driver = new EngineDriver(SMALL);
      driver.send(anEvent("complaint", { id: "evt-42", customerId: "C9", ts: T0 - DAY }));
      return driver.decisions.map((d) => d.decisionId);
    };
    expect(run()).toEqual(["evt-42:complaint-callback"]);
    expect(run()).toEqual(run());
  });

  it("records a trigger decision in the contact history with the event's time", () => {
    const driver = new EngineDriver(SMALL);
    driver.send(anEvent("complaint", { id: "k1", ts: T0 - HOUR / 2 }));
    expect(driver.engine.profile("C1")!.engagement.recentDecisions).toEqual([
      { decisionId: "k1:complaint-callback", actionId: "service-recovery-callback", channel: "callcenter", ts: T0 - HOUR / 2, source: "trigger" },
    ]);
  });

  it("reports the event age in the trigger decision's timings", () => {
    const driver = new EngineDriver(SMALL);
    driver.clock.set(T0 + 250);
    driver.send(anEvent("complaint", { ts: T0 }));
    expect(driver.decisions[0]!.timings).toEqual({ decidedAt: T0 + 250, eventAgeMs: 250 });
  });
});

describe("Engine.reconfigure", () => {
  it("swaps the catalog and the config version for the next request and event", () => {
    const driver = new EngineDriver({ ...SMALL, yaml: CATALOG });
    expect(driver.engine.configVersion).toBe("test-1");
    const next = parseConfig(
      `version: test-2
actions:
  - id: only-one
    kind: message
    channels: [web]
    value: 1
triggers:
  - id: on-login
    on: [login]
    action: only-one
    channel: web
`,
      "next.yaml",
    );
    driver.engine.reconfigure(compileDecisionConfig(next.decisions, next.locate));
    expect(driver.engine.configVersion).toBe("test-2");
    const decision = driver.decide("web", { customerId: "C1", limit: 10 });
    expect(decision.configVersion).toBe("test-2");
    expect(decision.actions.map((a) => a.actionId)).toEqual(["only-one"]);
    driver.send(anEvent("login", { id: "after" }));
    expect(driver.decisions.map((d) => [d.decisionId, d.configVersion])).toEqual([["after:on-login", "test-2"]]);
  });
});
