import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EngineRuntime } from "../../cli/EngineRuntime.js";
import { loadConfig, type CxConfig } from "../../config/loadConfig.js";
import { ensureStream } from "../../connectors/nats/ensureStream.js";
import { Subjects } from "../../connectors/nats/subjects.js";
import { encodeOutbound, EVENT_OUTCOMES, type EventInput } from "../../engine/index.js";
import { Rng } from "../../simulator/Rng.js";
import { TrafficSimulator } from "../../simulator/TrafficSimulator.js";
import { startTestNatsServer, type TestNatsServer } from "../helpers/natsServer.js";
import { differences, modelledPart, ReferenceModel } from "../helpers/ReferenceModel.js";
import { startEngine } from "../helpers/startEngine.js";
import { waitFor } from "../helpers/waitFor.js";

const EVENTS = 30_000;
const CUSTOMERS = 100;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

describe("out-of-order and late events through JetStream", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let runtime: EngineRuntime | undefined;
  let config: CxConfig;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    config = loadConfig();
  });

  afterAll(async () => {
    await runtime?.stop();
    await nc?.close();
    await nats?.stop();
  });

  it("events out of order within the allowed lateness land in their windows, later ones only in lifetime state, and every profile matches the reference", async () => {
    await ensureStream(nc, config.nats.stream, [Subjects.eventsAll]);
    const decisionIds: string[] = [];
    nc.subscribe("cx.decisions.>", {
      callback: (_error, msg: Msg) => {
        decisionIds.push(msg.headers?.get("Nats-Msg-Id") ?? "");
      },
    });
    await nc.flush();

    // Event times: one minute apart on average over 21 days; 30% up to 50 minutes early
    // (out of order, inside the 1 h lateness), 1% three hours early and 0.3% 40 days
    // early (late: lifetime only), half of them on whole minutes (ties in event time).
    const simulator = new TrafficSimulator({ seed: 77, customers: CUSTOMERS, runId: "late", jsonRatio: 0.05 });
    const rng = new Rng(78);
    const start = Math.floor(Date.now() / DAY_MS) * DAY_MS - 22 * DAY_MS + 12_345;
    const events: EventInput[] = [];
    for (let i = 0; i < EVENTS; i++) {
      let ts = start + i * MINUTE_MS;
      if (rng.chance(0.3)) ts -= rng.int(50 * MINUTE_MS);
      if (rng.chance(0.01)) ts -= 3 * 60 * MINUTE_MS;
      if (rng.chance(0.003)) ts -= 40 * DAY_MS;
      if (rng.chance(0.5)) ts -= ts % MINUTE_MS;
      const message = simulator.nextMessage(ts);
      events.push(message.event!);
      nc.publish(message.subject, message.data);
      if (i % 4_000 === 3_999) await nc.flush();
    }
    await nc.flush();
    const jsm = await jetstreamManager(nc);
    let info = await jsm.streams.info(config.nats.stream.name);
    for (let attempt = 0; info.state.messages < EVENTS && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      info = await jsm.streams.info(config.nats.stream.name);
    }
    expect(info.state.last_seq).toBe(EVENTS);

    const reference = new ReferenceModel({
      allowedLatenessMs: config.engine.allowedLatenessMs,
      recentInteractions: config.engine.recentInteractions,
      contactHistory: config.engine.contactHistory,
      maxProducts: config.engine.maxProductsPerCustomer,
      lifecycle: config.engine.lifecycle,
      valueTiers: config.engine.valueTiers,
    });
    events.forEach((event, index) => reference.apply(event, index + 1));
    expect(reference.late).toBeGreaterThan(EVENTS * 0.008);

    runtime = await startEngine(nats.url, config);
    const engine = runtime.engine;
    await waitFor(() => engine.stats.lastSeq >= EVENTS, `the engine to reach stream sequence ${EVENTS}`, 30_000);
    expect(engine.stats.totalEvents(EVENT_OUTCOMES.indexOf("late"))).toBe(reference.late);
    expect(engine.stats.totalEvents(EVENT_OUTCOMES.indexOf("applied"))).toBe(EVENTS - reference.late);
    expect(engine.watermark).toBe(reference.watermark);

    const asOf = engine.watermark;
    const mismatches: string[] = [];
    let reordered = 0;
    for (const customer of reference.customers.values()) {
      const ts = customer.events.map((e) => e.event.ts);
      if (ts.some((t, i) => i > 0 && t < ts[i - 1]!)) reordered++;
      mismatches.push(...differences(modelledPart(engine.profile(customer.customerId)), reference.profile(customer.customerId, asOf, engine.valuation()), customer.customerId).slice(0, 5));
    }
    expect(reordered).toBeGreaterThan(CUSTOMERS / 2);
    expect(mismatches.slice(0, 40)).toEqual([]);

    const expected = reference.decisions.map((d) => d.decisionId);
    expect(engine.stats.totalDecisions("trigger")).toBe(expected.length);
    await waitFor(() => decisionIds.length >= expected.length, `${expected.length} decisions`, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(decisionIds.sort()).toEqual(expected.sort());
  }, 60_000);

  it("an older profile update that arrives after a newer one does not overwrite it: a withdrawn consent stays withdrawn", async () => {
    runtime ??= await startEngine(nats.url, config);
    const engine = runtime.engine;
    const now = Date.now();
    const profile = (id: string, ts: number, email: boolean, plan: string): EventInput => ({
      id, customerId: "ORDER1", type: "profile", channel: "web", ts, plan, consents: { email },
    });
    const js = jetstream(nc);
    // The customer withdrew email consent at now-1 min; the update from now-10 min that
    // granted it reaches the stream afterwards (inside the allowed lateness).
    await js.publish("cx.events.web.ORDER1", encodeOutbound(profile("order-new", now - MINUTE_MS, false, "premium")));
    const seq = (await js.publish("cx.events.web.ORDER1", encodeOutbound(profile("order-old", now - 10 * MINUTE_MS, true, "basic")))).seq;
    await waitFor(() => engine.stats.lastSeq >= seq, "both profile updates to be applied", 10_000);
    const view = engine.profile("ORDER1")!;
    expect(view.lastSeq).toBe(seq);
    expect({ consents: view.lifecycle.consents, plan: view.lifecycle.plan }).toEqual({ consents: { email: false }, plan: "premium" });
  });
});
