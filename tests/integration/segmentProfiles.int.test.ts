import { encode } from "@msgpack/msgpack";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { loadConfig } from "../../config/loadConfig.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import type { EventInput, ProfileComparison, SegmentProfile } from "../../engine/index.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { decodePlain } from "../helpers/plainMsgpack.js";
import { startEngine } from "../helpers/startEngine.js";
import { waitFor } from "../helpers/waitFor.js";

const DAY = 86_400_000;
const textEncoder = new TextEncoder();
const VALUABLE = 40;
const OTHERS = 110;

describe("segment profiles over NATS (the default configuration's segments)", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let runtime: EngineRuntime;
  const now = Date.now();
  let nextId = 0;

  const event = (customerId: string, ts: number, channel: string, fields: Record<string, unknown>) =>
    ({ id: `sp-${++nextId}`, customerId, channel, ts, ...fields }) as EventInput;
  const ask = async (subject: string, body: unknown) => {
    const request = body instanceof Uint8Array ? body : textEncoder.encode(JSON.stringify(body));
    const msg = await nc.request(subject, request, { timeout: 5_000 });
    const decoded = msg.data[0] === 0x7b ? JSON.parse(new TextDecoder().decode(msg.data)) : decodePlain(msg.data);
    return { body: decoded as Record<string, unknown>, errorCode: msg.headers?.get("Nats-Service-Error-Code") || undefined };
  };

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
    // Refreshed every second, 100 customers per turn of the event loop: the 150 below take two turns.
    runtime = await startEngine(nats.url, { ...loadConfig(), segmentProfiles: { refreshIntervalMs: 1_000, batchCustomers: 100 } });
    const events: EventInput[] = [];
    for (let i = 0; i < VALUABLE; i++) {
      const customerId = `SPV${i}`;
      events.push(event(customerId, now - 400 * DAY, "app", { type: "signup" }));
      events.push(event(customerId, now - 10 * DAY, "app", { type: "purchase", amount: 2_500 + i, product: "tv-1", category: "tv" }));
    }
    for (let i = 0; i < OTHERS; i++) {
      const customerId = `SPO${i}`;
      events.push(event(customerId, now - 40 * DAY, "web", { type: "signup" }));
      events.push(event(customerId, now - 5 * DAY, "web", { type: "purchase", amount: 40 + i, product: "case-1", category: "accessories" }));
    }
    let seq = 0;
    for (const e of events) seq = (await js.publish(Subjects.event(e.channel as "web", e.customerId), encode(e))).seq;
    await waitFor(() => runtime.engine.stats.lastSeq >= seq, `the engine to apply stream sequence ${seq}`, 15_000);
  });

  afterAll(async () => {
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
  });

  it("the runtime refreshes the profiles periodically; every answer says when they were computed and over how many customers", async () => {
    // The refresh at start saw an empty base; a later one (every second) covers everyone.
    let base: SegmentProfile | undefined;
    const deadline = Date.now() + 10_000;
    do {
      if (base !== undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      base = (await ask(Subjects.querySegmentProfiles, { profile: "base" })).body.profile as SegmentProfile;
    } while (base.customers !== VALUABLE + OTHERS && Date.now() < deadline);
    expect(base.customers).toBe(VALUABLE + OTHERS);
    expect(base.baseCustomers).toBe(VALUABLE + OTHERS);
    expect(base.computedAt).toBeGreaterThan(now - 60_000);
    expect(base.asOf).toBe(runtime.engine.watermark);

    const reply = await ask(Subjects.querySegmentProfiles, { profile: "high-value" });
    expect(reply.errorCode).toBeUndefined();
    expect(reply.body).toMatchObject({ baseCustomers: VALUABLE + OTHERS, customersSpilled: 0 });
    const profile = reply.body.profile as SegmentProfile;
    expect(profile).toMatchObject({ segment: "high-value", customers: VALUABLE, shareOfBase: VALUABLE / (VALUABLE + OTHERS) });
    const revenue = profile.attributes.find((a) => a.attribute === "revenue")!;
    expect(revenue.bins.find((b) => b.bin === "2k-10k")).toEqual({ bin: "2k-10k", customers: VALUABLE, share: 1 });
    expect(profile.categories).toEqual([{ category: "tv", customers: VALUABLE, share: 1 }]);
    expect(profile.summary.revenue.median).toBe(2_500 + (VALUABLE - 1) / 2);

    const all = await ask(Subjects.querySegmentProfiles, {});
    const ids = (all.body.profiles as SegmentProfile[]).map((p) => p.segment);
    expect(ids).toEqual([...loadConfig().decisions.segments.map((s) => s.id), "base"]);
  });

  it("a comparison answers both distributions side by side with the lift, what sets the segment apart first", async () => {
    const reply = await ask(Subjects.querySegmentProfiles, encode({ compare: ["high-value", "base"] }));
    expect(reply.errorCode).toBeUndefined();
    const comparison = reply.body.comparison as ProfileComparison;
    expect(comparison.a).toMatchObject({ segment: "high-value", customers: VALUABLE });
    expect(comparison.b).toMatchObject({ segment: "base", customers: VALUABLE + OTHERS });
    const top = comparison.attributes.slice(0, 2).map((a) => a.attribute);
    // Everything about these customers sets them apart; revenue, value tier and the rest tie at the same distance.
    expect(comparison.attributes[0]!.difference).toBeCloseTo(OTHERS / (VALUABLE + OTHERS), 12);
    expect(top).toContain("valueTier");
    const channel = comparison.attributes.find((a) => a.attribute === "mainChannel")!;
    expect(channel.bins.find((b) => b.bin === "app")).toEqual({ bin: "app", a: 1, b: VALUABLE / (VALUABLE + OTHERS), lift: (VALUABLE + OTHERS) / VALUABLE });
    expect(comparison.method).toMatch(/total variation distance/);
  });

  it("cx.query.segments shows a customer's lookalike scores next to its segments", async () => {
    const member = await ask(Subjects.querySegments, { customerId: "SPV1" });
    expect(member.body.segments).toEqual(["high-value"]);
    const scores = member.body.lookalike as Record<string, number>;
    expect(Object.keys(scores)).toEqual(loadConfig().decisions.segments.map((s) => s.id));
    expect(scores["high-value"]).toBeGreaterThan(0.9);
    const other = await ask(Subjects.querySegments, { customerId: "SPO1" });
    expect((other.body.lookalike as Record<string, number>)["high-value"]).toBeLessThan(0.1);
    expect((await ask(Subjects.querySegments, { customerId: "SPNOBODY" })).body).toEqual({ customerId: "SPNOBODY", segments: null, lookalike: null });
  });

  it.each([
    ["an unknown segment", { profile: "vip" }, /unknown segment "vip"; .*ids: high-value, .*, base/],
    ["an unknown segment in a comparison", { compare: ["high-value", "whales"] }, /unknown segment "whales"/],
    ["a comparison of one", { compare: ["high-value"] }, /a segment-profiles query is/],
    ["both a profile and a comparison", { profile: "base", compare: ["high-value", "base"] }, /a segment-profiles query is/],
    ["an unknown key", { segment: "high-value" }, /a segment-profiles query is/],
  ])("cx.query.segment-profiles with %s gets an error naming the problem", async (_what, body, message) => {
    const reply = await ask(Subjects.querySegmentProfiles, body);
    expect(reply.errorCode).toBe("400");
    expect((reply.body.error as { code: string; message: string })).toMatchObject({ code: "invalid_value" });
    expect((reply.body.error as { message: string }).message).toMatch(message);
  });

  it("a body that is not JSON or MessagePack gets an error too, never a timeout", async () => {
    const reply = await ask(Subjects.querySegmentProfiles, new Uint8Array([0xc1, 0x00]));
    expect(reply.errorCode).toBe("400");
    expect(reply.body.error).toBeDefined();
  });
});
