import { encode } from "@msgpack/msgpack";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { loadConfig } from "../../config/loadConfig.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import type { EventInput, SegmentSize } from "../../engine/index.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { decodePlain, extensionPaths } from "../helpers/plainMsgpack.js";
import { parsePrometheusText, sampleValue } from "../helpers/prometheusText.js";
import { startEngine } from "../helpers/startEngine.js";
import { waitFor } from "../helpers/waitFor.js";

const DAY = 86_400_000;
const textEncoder = new TextEncoder();

interface ChangeMessage {
  subject: string;
  body: Record<string, unknown>;
}

describe("segments over NATS (the default configuration's segments)", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let runtime: EngineRuntime;
  let subscription: Subscription;
  const changes: ChangeMessage[] = [];
  const now = Date.now();
  let nextId = 0;

  const event = (customerId: string, ts: number, fields: Record<string, unknown>) =>
    ({ id: `sg-${++nextId}`, customerId, channel: "web", ts, ...fields }) as EventInput;
  const purchase = (customerId: string, ts: number, amount: number) =>
    event(customerId, ts, { type: "purchase", amount, product: "tv-1", category: "tv" });

  const send = async (...events: EventInput[]) => {
    let seq = 0;
    for (const e of events) seq = (await js.publish(Subjects.event(e.channel, e.customerId), encode(e))).seq;
    await waitFor(() => runtime.engine.stats.lastSeq >= seq, `the engine to apply stream sequence ${seq}`, 10_000);
  };
  const ask = async (request: Uint8Array) => {
    const msg = await nc.request(Subjects.querySegments, request, { timeout: 3_000 });
    // Replies come in the request's encoding: JSON for JSON.
    const body = msg.data[0] === 0x7b ? JSON.parse(new TextDecoder().decode(msg.data)) : decodePlain(msg.data);
    return { body: body as Record<string, unknown>, errorCode: msg.headers?.get("Nats-Service-Error-Code") || undefined };
  };
  const changesOf = (customerId: string) =>
    changes.filter((c) => c.body.customerId === customerId).map((c) => [c.subject, c.body.change, c.body.cause]);

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
    subscription = nc.subscribe(Subjects.segmentsAll, {
      callback: (_error, msg) => {
        changes.push({ subject: msg.subject, body: decodePlain(msg.data) as Record<string, unknown> });
      },
    });
    runtime = await startEngine(nats.url);
  });

  afterAll(async () => {
    await subscription?.drain();
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
  });

  it("a customer enters a time-based segment when event time passes the moment, with no event of its own", async () => {
    const bought = now - 70 * DAY;
    await send(purchase("SEGT", bought, 50));
    expect(changesOf("SEGT")).toEqual([]);
    // Another customer's event moves event time 61 days on: 60 days without a purchase ran out.
    await send(event("SEGCLOCK", bought + 61 * DAY, { type: "web_visit" }));
    await waitFor(() => changesOf("SEGT").length > 0, "the segment entry");
    // The default lifecycle puts a customer at risk after 60 days of inactivity too.
    expect(changesOf("SEGT")).toEqual([
      ["cx.segments.lapsing-buyers.SEGT", "enter", "time"],
      ["cx.segments.at-risk.SEGT", "enter", "time"],
    ]);
    const entry = changes.find((c) => c.body.customerId === "SEGT")!.body;
    expect(entry).toMatchObject({ segment: "lapsing-buyers", ts: bought + 60 * DAY + 1, size: 1, configVersion: runtime.engine.configVersion });
    expect(extensionPaths(entry)).toEqual([]);
  });

  it("events move a customer in and out; each change is published once on cx.segments.<segment>.<customerId>", async () => {
    await send(purchase("SEG1", now - 3_000, 1_500), purchase("SEG1", now - 2_000, 600));
    await send(event("SEG1", now - 1_000, { type: "survey", survey: "nps", score: 3 }));
    await waitFor(() => changesOf("SEG1").length >= 4, "four segment entries");
    // A detractor is at risk in the default lifecycle policy.
    expect(changesOf("SEG1")).toEqual([
      ["cx.segments.high-value.SEG1", "enter", "event"],
      ["cx.segments.detractors.SEG1", "enter", "event"],
      ["cx.segments.valuable-detractors.SEG1", "enter", "event"],
      ["cx.segments.at-risk.SEG1", "enter", "event"],
    ]);
    await send(event("SEG1", now - 500, { type: "survey", survey: "nps", score: 10 }));
    await waitFor(() => changesOf("SEG1").length >= 7, "three segment exits");
    expect(changesOf("SEG1").slice(4)).toEqual([
      ["cx.segments.detractors.SEG1", "exit", "event"],
      ["cx.segments.valuable-detractors.SEG1", "exit", "event"],
      ["cx.segments.at-risk.SEG1", "exit", "event"],
    ]);
    // The decision stream keeps each change once, under its change id.
    const stream = await (await js.streams.get(loadConfig().nats.decisionStream.name)).info();
    expect(stream.config.subjects).toContain(Subjects.segmentsAll);
  });

  it("cx.query.segments answers sizes, a sample of members, and one customer's segments", async () => {
    const all = await ask(new Uint8Array());
    const sizes = all.body.segments as SegmentSize[];
    expect(sizes.map((s) => s.segment)).toEqual(loadConfig().decisions.segments.map((s) => s.id));
    expect(sizes.find((s) => s.segment === "high-value")).toMatchObject({ size: 1, entered: 1, exited: 0, title: "Lifetime net revenue of 2,000 or more" });
    expect(sizes.find((s) => s.segment === "detractors")).toMatchObject({ size: 0, entered: 1, exited: 1 });

    const one = await ask(textEncoder.encode(JSON.stringify({ segment: "lapsing-buyers", sample: 5 })));
    expect(one.body).toMatchObject({ segment: "lapsing-buyers", size: 1, sample: ["SEGT"] });

    const customer = await ask(encode({ customerId: "SEG1" }));
    expect(customer.body).toMatchObject({ customerId: "SEG1", segments: ["high-value"] });
    expect(Object.keys(customer.body.lookalike as object)).toEqual(sizes.map((s) => s.segment));
    const profile = await nc.request(Subjects.queryProfile, encode({ customerId: "SEG1" }), { timeout: 3_000 });
    expect((decodePlain(profile.data) as { profile: { segments: string[] } }).profile.segments).toEqual(["high-value"]);
  });

  it.each([
    ["an unknown segment", { segment: "vip" }, /unknown segment "vip"; .*segments: high-value, lapsing-buyers/],
    ["a sample without a segment", { sample: 3 }, /"sample" needs a "segment"/],
    ["an unknown key", { segments: "all" }, /a segments query is/],
    ["a customer id with a segment", { customerId: "SEG1", segment: "high-value" }, /a segments query is/],
  ])("cx.query.segments with %s gets an error naming the problem", async (_what, body, message) => {
    const reply = await ask(encode(body));
    expect(reply.errorCode).toBe("400");
    expect((reply.body.error as { code: string; message: string }).message).toMatch(message);
  });

  it("/metrics shows each segment's size and its entries and exits", async () => {
    const text = await (await fetch(`http://127.0.0.1:${runtime.httpPort}/metrics`)).text();
    const exposition = parsePrometheusText(text);
    expect(sampleValue(exposition, "cx_segment_customers", { segment: "high-value" })).toBe(1);
    expect(sampleValue(exposition, "cx_segment_customers", { segment: "detractors" })).toBe(0);
    expect(sampleValue(exposition, "cx_segment_changes_total", { segment: "detractors", change: "exit" })).toBe(1);
    expect(sampleValue(exposition, "cx_segment_changes_total", { segment: "lapsing-buyers", change: "enter" })).toBe(1);
  });
});
