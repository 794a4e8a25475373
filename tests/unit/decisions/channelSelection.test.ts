import { describe, expect, it } from "vitest";
import { SUPPRESSION_REASONS, type EventInput } from "../../../engine/index.js";
import { anEvent, DAY, EngineDriver, T0 } from "../../helpers/EngineDriver.js";

const HOUR = 3_600_000;

/** A complaint calls for care on the best of three channels; the call center takes 2 an hour. */
const CONFIG = `
engine: { maxCustomers: 1000 }
models: { enabled: false }
channelSelection:
  preferredBoost: 3
  capacity:
    - { channel: callcenter, perHour: 2 }
actions:
  - id: care
    kind: message
    channels: [callcenter, email, sms]
    value: 10
triggers:
  - id: complaint-care
    on: [complaint]
    action: care
    channel: best
`;

function driver(): EngineDriver {
  const d = new EngineDriver({ yaml: CONFIG });
  d.clock.set(T0 + 365 * DAY);
  return d;
}

const complaint = (customerId: string, ts: number, channel: EventInput["channel"] = "web") =>
  anEvent("complaint", { customerId, ts, channel, reason: "billing" });
const lastChannel = (d: EngineDriver) => d.decisions.at(-1)!.channel;

describe("channel selection for proactive decisions", () => {
  it("picks the channel the customer uses most, and prefers the stated preference over it", () => {
    const d = driver();
    for (let i = 0; i < 5; i++) d.send(anEvent("login", { customerId: "A", ts: T0 + i, channel: "sms" }));
    d.send(complaint("A", T0 + 10));
    expect(lastChannel(d)).toBe("sms");
    const reason = d.decisions.at(-1)!.actions[0]!.reasons.find((r) => r.code === "channelChoice")!;
    expect(reason.detail).toMatch(/^sms, best of: callcenter 0\.\d+; email 0\.\d+; sms 0\.\d+$/);
    d.send(anEvent("profile", { customerId: "B", ts: T0 + 20, preferredChannel: "email" }));
    d.send(anEvent("login", { customerId: "B", ts: T0 + 21, channel: "sms" }));
    d.send(complaint("B", T0 + 22));
    expect(lastChannel(d)).toBe("email");
  });

  it("never picks a channel the customer refused consent on", () => {
    const d = driver();
    for (let i = 0; i < 5; i++) d.send(anEvent("login", { customerId: "A", ts: T0 + i, channel: "sms" }));
    d.send(anEvent("profile", { customerId: "A", ts: T0 + 5, consents: { sms: false } }));
    d.send(complaint("A", T0 + 10));
    expect(lastChannel(d)).not.toBe("sms");
    expect(d.decisions.at(-1)!.actions[0]!.reasons.find((r) => r.code === "channelChoice")!.detail).toContain("sms: the customer refused consent");
  });

  it("counts a channel's capacity exactly per event-time hour: the third call-center decision of an hour goes elsewhere, the next hour has slots again", () => {
    const d = driver();
    // Customers who only ever called: the call center is their best channel.
    for (let c = 0; c < 4; c++) for (let i = 0; i < 5; i++) d.send(anEvent("service_call", { customerId: `C${c}`, ts: T0 + i, channel: "callcenter" }));
    const channels = [0, 1, 2].map((c) => {
      d.send(complaint(`C${c}`, T0 + 10 * HOUR + c, "callcenter"));
      return lastChannel(d);
    });
    expect(channels).toEqual(["callcenter", "callcenter", expect.not.stringMatching(/^callcenter$/)]);
    d.send(complaint("C3", T0 + 11 * HOUR, "callcenter"));
    expect(lastChannel(d)).toBe("callcenter");
  });

  it("a trigger whose channels are all unavailable makes no decision and counts it suppressed", () => {
    const d = driver();
    d.send(anEvent("profile", { customerId: "A", ts: T0, consents: { email: false, sms: false } }));
    for (let c = 0; c < 2; c++) d.send(complaint(`X${c}`, T0 + 5 * HOUR + c));
    const before = d.decisions.length;
    d.send(anEvent("service_call", { customerId: "A", ts: T0 + 5 * HOUR + 5, channel: "callcenter" }));
    d.send(complaint("A", T0 + 5 * HOUR + 10));
    // X0 and X1 have no history: the smoothed affinities tie, and the call center comes first; A finds it full.
    expect(d.decisions.slice(0, before).map((decision) => decision.channel)).toEqual(["callcenter", "callcenter"]);
    expect(d.decisions).toHaveLength(before);
    expect(d.engine.stats.suppressed.get("complaint-care")?.[SUPPRESSION_REASONS.indexOf("channel")]).toBe(1);
  });
});
