import { encode } from "@msgpack/msgpack";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { loadConfig } from "../../config/loadConfig.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { CHANNELS, type EventInput } from "../../engine/index.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { decodePlain, extensionPaths } from "../helpers/plainMsgpack.js";
import { startEngine } from "../helpers/startEngine.js";
import { waitFor } from "../helpers/waitFor.js";

interface Reason {
  code: string;
  detail: string;
}
interface Action {
  actionId: string;
  title: string;
  kind: string;
  channel: string;
  propensity: number;
  score: number;
  reasons: Reason[];
}
interface DecisionReply {
  decisionId: string;
  customerId: string;
  channel: string;
  source: string;
  requestId?: string;
  ts: unknown;
  actions: Action[];
  filtered: { actionId: string; reason: Reason }[];
  knownCustomer: boolean;
  configVersion: string;
  timings: { decidedAt: unknown };
}
interface ErrorReply {
  error: { code: string; message: string };
}
interface Reply<T> {
  body: T;
  errorCode: string | undefined;
  errorHeader: string | undefined;
  raw: Uint8Array;
}

const textEncoder = new TextEncoder();
const json = (value: unknown) => textEncoder.encode(JSON.stringify(value));

describe("request/reply services", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let runtime: EngineRuntime;
  const now = Date.now();
  let nextId = 0;

  /** Sends a request; the reply is decoded as JSON when it starts with "{", else as MessagePack. */
  const ask = async <T>(subject: string, body: Uint8Array): Promise<Reply<T>> => {
    const msg = await nc.request(subject, body, { timeout: 3_000 });
    const decoded = msg.data[0] === 0x7b ? JSON.parse(new TextDecoder().decode(msg.data)) : decodePlain(msg.data, { bigints: true });
    return {
      body: decoded as T,
      errorCode: msg.headers?.get("Nats-Service-Error-Code") || undefined,
      errorHeader: msg.headers?.get("Nats-Service-Error") || undefined,
      raw: msg.data,
    };
  };

  /** Publishes events into the stream and waits until the engine has applied the last one. */
  const send = async (...events: EventInput[]): Promise<number> => {
    let seq = 0;
    for (const event of events) seq = (await js.publish(Subjects.event(event.channel, event.customerId), encode(event))).seq;
    await waitFor(() => runtime.engine.stats.lastSeq >= seq, `the engine to apply stream sequence ${seq}`, 10_000);
    return seq;
  };

  const base = (customerId: string, channel: EventInput["channel"], offsetMs: number) => ({
    id: `rq-${++nextId}`,
    customerId,
    channel,
    ts: now - 120_000 + offsetMs,
  });
  const signup = (customerId: string, offsetMs: number): EventInput => ({ ...base(customerId, "web", offsetMs), type: "signup", plan: "basic" });
  const phone = (customerId: string, offsetMs: number, amount: number): EventInput => ({
    ...base(customerId, "web", offsetMs),
    type: "purchase",
    amount,
    product: "phone-x2",
    category: "phones",
  });

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    runtime = await startEngine(nats.url);
    js = jetstream(nc);
    await send(signup("REQ1", 0), phone("REQ1", 1_000, 200));
  });

  afterAll(async () => {
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
  });

  it("cx.decide.web with a MessagePack body returns actions ranked by score, each with its reason codes", async () => {
    const reply = await ask<DecisionReply>(Subjects.decide("web"), encode({ customerId: "REQ1", context: { page: "/home" } }));
    expect(reply.errorCode).toBeUndefined();
    const decision = reply.body;
    expect(extensionPaths(decision)).toEqual([]);
    expect(decision).toMatchObject({ customerId: "REQ1", channel: "web", source: "request", knownCustomer: true, configVersion: runtime.engine.configVersion });
    expect(decision.decisionId).toMatch(/^REQ1:/);
    // premium-upgrade 120 x 0.8, accessory-cross-sell 30, digital-onboarding 10; thank-you-note (5) is beyond the default limit of 3.
    // score = propensity x value x weight.
    expect(decision.actions.map((a) => [a.actionId, Number((a.score / a.propensity).toFixed(9))])).toEqual([
      ["premium-upgrade", 96],
      ["accessory-cross-sell", 30],
      ["digital-onboarding", 10],
    ]);
    // With the models off (the default) every propensity is 1; on, it starts at the prior.
    const prior = loadConfig().engine.models?.priors.response ?? 1;
    for (const action of decision.actions) expect(action.propensity).toBeCloseTo(prior, 12);
    for (const action of decision.actions) {
      expect(action.channel).toBe("web");
      expect(action.title.length).toBeGreaterThan(0);
      expect(action.reasons.map((r) => r.code)).toEqual(["eligible", "value", "weight", "propensity"]);
      for (const reason of action.reasons) expect(typeof reason.detail).toBe("string");
    }
    expect(decision.actions[0]!.reasons).toContainEqual({ code: "weight", detail: "0.8" });
    const filtered = new Map(decision.filtered.map((f) => [f.actionId, f.reason.code]));
    expect(filtered.get("service-recovery-callback")).toBe("channel");
    expect(filtered.get("win-back-discount")).toBe("channel");
    expect(filtered.get("apology-credit")).toBe("channel");
    expect(filtered.get("nps-follow-up")).toBe("channel");
    // Eligible but ranked below the limit: listed with reason "limit".
    expect(filtered.get("thank-you-note")).toBe("limit");
    expect(typeof decision.ts).toBe("bigint");
    expect(typeof decision.timings.decidedAt).toBe("bigint");

    const wider = await ask<DecisionReply>(Subjects.decide("web"), encode({ customerId: "REQ1", limit: 5, requestId: "moment-1" }));
    expect(wider.body.actions.map((a) => a.actionId)).toEqual(["premium-upgrade", "accessory-cross-sell", "digital-onboarding", "thank-you-note"]);
    expect(wider.body.decisionId).toBe("REQ1:moment-1");
    expect(wider.body.requestId).toBe("moment-1");
  });

  it("a JSON decide request gets a JSON reply with the same ranking", async () => {
    const reply = await ask<DecisionReply>(Subjects.decide("app"), json({ customerId: "REQ1" }));
    expect(reply.raw[0]).toBe(0x7b);
    expect(reply.errorCode).toBeUndefined();
    expect(reply.body.channel).toBe("app");
    expect(reply.body.actions.map((a) => a.actionId)).toEqual(["premium-upgrade", "accessory-cross-sell", "digital-onboarding"]);
    expect(typeof reply.body.ts).toBe("number");
  });

  it("a JSON request with whitespace before the opening brace is answered in JSON too", async () => {
    const decide = await ask<DecisionReply>(Subjects.decide("web"), textEncoder.encode('\n  {"customerId": "REQ1"}'));
    expect(decide.errorCode).toBeUndefined();
    expect(decide.body.actions[0]?.actionId).toBe("premium-upgrade");
    expect(String.fromCharCode(decide.raw[0]!)).toBe("{");
    const bad = await ask<ErrorReply>(Subjects.decide("web"), textEncoder.encode(' {"customerId": "REQ1", "colour": 1}'));
    expect(bad.body.error.code).toBe("unknown_field");
    expect(String.fromCharCode(bad.raw[0]!)).toBe("{");
  });

  it("a decide request for an unknown customer is answered as a prospect and records nothing", async () => {
    const reply = await ask<DecisionReply>(Subjects.decide("web"), encode({ customerId: "NOBODY-1" }));
    expect(reply.errorCode).toBeUndefined();
    expect(reply.body.knownCustomer).toBe(false);
    expect(reply.body.actions.length).toBeGreaterThan(0);
    expect(runtime.engine.profile("NOBODY-1")).toBeUndefined();
  });

  const badBodies: readonly { what: string; body: Uint8Array; code: string; mentions: string; jsonReply?: boolean }[] = [
    { what: "truncated MessagePack", body: Uint8Array.from([0x82, 0xaa, 0x63, 0x75, 0x73]), code: "malformed_msgpack", mentions: "MessagePack" },
    { what: "an empty body", body: new Uint8Array(0), code: "empty_payload", mentions: "empty" },
    { what: "malformed JSON", body: textEncoder.encode('{"customerId": "REQ1"'), code: "malformed_json", mentions: "JSON", jsonReply: true },
    { what: "a MessagePack array", body: encode(["REQ1"]), code: "not_an_object", mentions: "array" },
    { what: "a missing customerId", body: encode({ context: { page: "/" } }), code: "missing_field", mentions: "customerId" },
    { what: "an unsafe customer id", body: encode({ customerId: "a.b>*" }), code: "unsafe_customer_id", mentions: "customerId" },
    { what: "a customer id that is not a string", body: encode({ customerId: 42 }), code: "wrong_type", mentions: "customerId" },
    { what: "an unknown field", body: encode({ customerId: "REQ1", colour: "red" }), code: "unknown_field", mentions: "colour" },
    { what: "an unknown field in JSON", body: json({ customerId: "REQ1", colour: "red" }), code: "unknown_field", mentions: "colour", jsonReply: true },
    { what: "limit 0", body: encode({ customerId: "REQ1", limit: 0 }), code: "invalid_value", mentions: "limit" },
    { what: "limit above the maximum", body: encode({ customerId: "REQ1", limit: 51 }), code: "invalid_value", mentions: "limit" },
    { what: "a fractional limit", body: encode({ customerId: "REQ1", limit: 1.5 }), code: "invalid_value", mentions: "limit" },
    { what: "an unsafe request id", body: encode({ customerId: "REQ1", requestId: "a b" }), code: "invalid_value", mentions: "requestId" },
  ];

  for (const bad of badBodies) {
    it(`a decide request with ${bad.what} gets a ${bad.code} error reply naming the problem, not a timeout`, async () => {
      const reply = await ask<ErrorReply>(Subjects.decide("web"), bad.body);
      expect(reply.errorCode).toBe("400");
      expect(reply.errorHeader).toMatch(new RegExp(`^${bad.code}: `));
      expect(reply.raw[0] === 0x7b).toBe(bad.jsonReply === true);
      expect(reply.body.error.code).toBe(bad.code);
      expect(reply.body.error.message).toContain(bad.mentions);
    });
  }

  it("cx.decide.fax (an unknown channel) gets an unknown_channel error reply listing the channels", async () => {
    const reply = await ask<ErrorReply>("cx.decide.fax", encode({ customerId: "REQ1" }));
    expect(reply.errorCode).toBe("400");
    expect(reply.body.error.code).toBe("unknown_channel");
    for (const channel of CHANNELS) expect(reply.body.error.message).toContain(channel);
  });

  it("cx.query.profile returns the 360 view of a known customer and profile null for an unknown one", async () => {
    const known = await ask<{ customerId: string; profile: Record<string, any> | null }>(Subjects.queryProfile, encode({ customerId: "REQ1" }));
    expect(known.errorCode).toBeUndefined();
    expect(known.body.customerId).toBe("REQ1");
    const profile = known.body.profile!;
    expect(profile.customerId).toBe("REQ1");
    expect(profile.behaviour.purchases).toBe(1);
    expect(profile.behaviour.revenue).toBe(200);
    expect(profile.behaviour.products).toEqual(["phone-x2"]);
    expect(profile.lifecycle.plan).toBe("basic");
    expect(profile.lifecycle.firstSeen).toBe(BigInt(now - 120_000));
    expect(profile.recentInteractions.map((i: { type: string }) => i.type)).toEqual(["signup", "purchase"]);

    const unknownPack = await ask<{ customerId: string; profile: unknown }>(Subjects.queryProfile, encode({ customerId: "NOBODY-2" }));
    expect(unknownPack.errorCode).toBeUndefined();
    expect(unknownPack.body).toEqual({ customerId: "NOBODY-2", profile: null });
    const unknownJson = await ask<{ customerId: string; profile: unknown }>(Subjects.queryProfile, json({ customerId: "NOBODY-2" }));
    expect(unknownJson.raw[0]).toBe(0x7b);
    expect(unknownJson.body).toEqual({ customerId: "NOBODY-2", profile: null });

    const missing = await ask<ErrorReply>(Subjects.queryProfile, encode({}));
    expect(missing.errorCode).toBe("400");
    expect(missing.body.error.code).toBe("missing_field");
    const unsafe = await ask<ErrorReply>(Subjects.queryProfile, json({ customerId: "a b" }));
    expect(unsafe.errorCode).toBe("400");
    expect(unsafe.body.error.code).toBe("unsafe_customer_id");
    const garbage = await ask<ErrorReply>(Subjects.queryProfile, Uint8Array.from([0x82, 0xa1, 0x61]));
    expect(garbage.errorCode).toBe("400");
    expect(garbage.body.error.code).toBe("malformed_msgpack");
  });

  it("read-your-writes across channels: a call-center complaint shows in the profile and in web and call-center decisions as soon as it is applied", async () => {
    const id = "RYW1";
    const joined = signup(id, 0);
    await send(joined, phone(id, 1_000, 300));
    const before = await ask<DecisionReply>(Subjects.decide("web"), encode({ customerId: id, requestId: "before" }));
    expect(before.body.actions[0]!.actionId).toBe("premium-upgrade");

    const complaint: EventInput = { ...base(id, "callcenter", 2_000), type: "complaint", reason: "billing" };
    const seq = (await js.publish(`cx.events.callcenter.${id}`, encode(complaint))).seq;
    await waitFor(() => runtime.engine.stats.lastSeq >= seq, "the complaint to be applied", 10_000);

    const profile = (await ask<{ profile: Record<string, any> }>(Subjects.queryProfile, encode({ customerId: id }))).body.profile;
    expect(profile.lastSeq).toBe(seq);
    expect(profile.attitude.openComplaints).toBe(1);
    expect(profile.lifecycle.status).toBe("at-risk");
    expect(profile.behaviour.byChannel).toEqual({ web: 2, callcenter: 1 });
    expect(profile.recentInteractions.at(-1)).toMatchObject({ type: "complaint", channel: "callcenter", detail: "billing" });

    const web = await ask<DecisionReply>(Subjects.decide("web"), encode({ customerId: id, requestId: "after-web" }));
    const webActions = web.body.actions.map((a) => a.actionId);
    expect(webActions).not.toContain("premium-upgrade");
    expect(webActions).not.toContain("accessory-cross-sell");
    const filtered = new Map(web.body.filtered.map((f) => [f.actionId, f.reason]));
    expect(filtered.get("premium-upgrade")?.code).toBe("ineligible");
    expect(filtered.get("premium-upgrade")?.detail).toContain("openComplaints == 0");
    expect(filtered.get("accessory-cross-sell")?.code).toBe("ineligible");

    const callcenter = await ask<DecisionReply>(Subjects.decide("callcenter"), encode({ customerId: id, requestId: "after-call" }));
    expect(callcenter.body.actions[0]).toMatchObject({ actionId: "service-recovery-callback", channel: "callcenter" });
    expect(callcenter.body.actions[0]!.score / callcenter.body.actions[0]!.propensity).toBeCloseTo(60, 9);
    expect(callcenter.body.actions[0]!.reasons[0]).toEqual({ code: "eligible", detail: "openComplaints > 0" });

    // Every decision, requested on any channel or triggered, is in the one contact history, in order.
    const engagement = (await ask<{ profile: Record<string, any> }>(Subjects.queryProfile, encode({ customerId: id }))).body.profile.engagement;
    expect(engagement.recentDecisions.map((d: Record<string, unknown>) => [d.decisionId, d.actionId, d.channel, d.source])).toEqual([
      [`${joined.id}:welcome`, "digital-onboarding", "email", "trigger"],
      [`${id}:before`, "premium-upgrade", "web", "request"],
      [`${complaint.id}:complaint-callback`, "service-recovery-callback", "callcenter", "trigger"],
      [`${id}:after-web`, web.body.actions[0]!.actionId, "web", "request"],
      [`${id}:after-call`, "service-recovery-callback", "callcenter", "request"],
    ]);
    expect(engagement.decisionsMade).toBe(5);
  });

  it("hundreds of concurrent decide requests are all answered", async () => {
    const replies = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        ask<DecisionReply | ErrorReply>(Subjects.decide(CHANNELS[i % CHANNELS.length]!), i % 10 === 9 ? encode({ customerId: "x y" }) : encode({ customerId: `REQ${i % 3}` })),
      ),
    );
    expect(replies.filter((r) => r.errorCode === "400")).toHaveLength(30);
    expect(replies.filter((r) => r.errorCode === undefined && "actions" in r.body)).toHaveLength(270);
  });
});
